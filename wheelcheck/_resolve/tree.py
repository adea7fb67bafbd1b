"""Folding each target's resolved tree into one row per package across targets.

Direct requirements keep their file order and come first; the packages they pull in follow,
sorted by name, marked transitive, each with the chain(s) that brought it in. A package a
target does not need there is `skipped` on that target; a target whose tree could not be
resolved keeps its direct verdicts and says why in `conflicts` or `errors`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from packaging.utils import canonicalize_name

from wheelcheck._judge.targets import tag_ranks
from wheelcheck._judge.verdicts import judge_choice
from wheelcheck._resolve.resolver import ResolvedPackage, TreeResult
from wheelcheck.models import PackageResult, Target, TargetResult, Verdict

# Direct verdicts that enter resolution: everything else already says why it cannot.
INSTALLABLE = (Verdict.BINARY, Verdict.PURE, Verdict.SOURCE)


@dataclass(slots=True)
class MergedTree:
    packages: list[PackageResult]
    notes: list[str] = field(default_factory=list)
    conflicts: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _result(resolved: ResolvedPackage, tree: TreeResult, target: Target) -> TargetResult:
    result = judge_choice(tree.pages[resolved.name], resolved.file, tag_ranks(target))
    if not resolved.dependencies.known:
        # The evidence says why: "dependencies unknown: ... setup.py would have to run".
        result = replace(
            result,
            reason=f"{result.reason}; {resolved.dependencies.evidence}",
            dependencies_known=False,
        )
    return result


def merge_trees(
    direct: Sequence[PackageResult], targets: Sequence[Target], trees: Mapping[str, TreeResult]
) -> MergedTree:
    """One PackageResult per package in any target's tree, direct ones first."""
    merged = MergedTree(packages=[])
    for target in targets:
        tree = trees[target.id]
        if tree.conflict is not None:
            merged.conflicts[target.id] = tree.conflict
        if tree.error is not None:
            merged.errors.append(f"{target.id}: dependency tree incomplete: {tree.error}")

    direct_names = set()
    for package in direct:
        name = canonicalize_name(package.name)
        direct_names.add(name)
        results = dict(package.results)
        for target in targets:
            resolved = trees[target.id].packages.get(name)
            # A direct requirement that cannot install (missing, not found, a direct
            # reference) keeps its own verdict even if a dependency pulls the name; one whose
            # marker is false here is still installed when a dependency needs it.
            if resolved is not None and results[target.id].verdict in (
                *INSTALLABLE,
                Verdict.SKIPPED,
            ):
                results[target.id] = _result(resolved, trees[target.id], target)
        merged.packages.append(replace(package, results=results))

    transitive = sorted({n for tree in trees.values() for n in tree.packages} - direct_names)
    for name in transitive:
        results = {}
        chains: list[str] = []
        display = name
        for target in targets:
            tree = trees[target.id]
            resolved = tree.packages.get(name)
            if resolved is not None:
                results[target.id] = _result(resolved, tree, target)
                chains += [" > ".join(chain) for chain in resolved.via]
                display = tree.pages[name].name
            elif tree.error is not None:
                # Unknown here, not absent: every target needs a cell (tables index by id).
                results[target.id] = TargetResult(
                    Verdict.ERROR, f"dependency tree incomplete on this target: {tree.error}"
                )
            elif tree.conflict is not None:
                results[target.id] = TargetResult(
                    Verdict.SKIPPED, "not resolved: the dependencies conflict on this target"
                )
            else:
                results[target.id] = TargetResult(Verdict.SKIPPED, "not needed on this target")
        merged.packages.append(
            PackageResult(
                name=display,
                requirement=name,
                origin=None,
                results=results,
                direct=False,
                via=tuple(dict.fromkeys(chains)),
            )
        )
    return merged
