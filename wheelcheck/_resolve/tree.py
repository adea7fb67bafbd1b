"""Folding each target's resolved tree into one row per package across targets.

Direct requirements keep their file order and come first; the packages they pull in follow,
sorted by name, marked transitive, each with the chain(s) that brought it in. A package a
target does not need there is `skipped` on that target; a target whose tree could not be
resolved keeps its direct verdicts and says why in `conflicts` or `errors`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from packaging.utils import NormalizedName, canonicalize_name

from wheelcheck._judge.targets import tag_ranks
from wheelcheck._judge.verdicts import judge_choice
from wheelcheck._resolve.hash_mode import HashMode, unpinned_dependency
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
    return _with_dependencies(result, resolved)


def _with_dependencies(result: TargetResult, resolved: ResolvedPackage) -> TargetResult:
    """`result` saying where the resolver read its dependencies, and how sure that is."""
    dependencies = resolved.dependencies
    result = replace(result, dependencies_from=dependencies.provenance)
    if not dependencies.known:
        # The evidence says why: "dependencies unknown: ... setup.py would have to run".
        result = replace(
            result, reason=f"{result.reason}; {dependencies.evidence}", dependencies_known=False
        )
    elif dependencies.provenance.declared:
        note = f"dependencies declared in {dependencies.evidence}, not guaranteed"
        result = replace(result, reason=f"{result.reason}; {note}")
    return result


def merge_trees(
    direct: Sequence[PackageResult],
    targets: Sequence[Target],
    trees: Mapping[str, TreeResult],
    hash_mode: HashMode | None = None,
) -> MergedTree:
    """One PackageResult per package in any target's tree, direct ones first; in pip's
    `hash_mode`, a package the files do not pin with a hash is refused where it is needed."""
    merged = MergedTree(packages=[])
    for target in targets:
        tree = trees[target.id]
        if tree.conflict is not None:
            merged.conflicts[target.id] = tree.conflict
        if tree.error is not None:
            merged.errors.append(f"{target.id}: dependency tree incomplete: {tree.error}")
    rows = _Rows(targets, trees, hash_mode)
    merged.packages += [rows.direct(package) for package in direct]
    direct_names = {canonicalize_name(package.name) for package in direct}
    transitive = sorted({n for tree in trees.values() for n in tree.packages} - direct_names)
    merged.packages += [rows.transitive(name) for name in transitive]
    return merged


@dataclass(frozen=True, slots=True)
class _Rows:
    """The rows of one merge: every target's tree, and pip's hash mode if the files set it."""

    targets: Sequence[Target]
    trees: Mapping[str, TreeResult]
    hash_mode: HashMode | None

    def direct(self, package: PackageResult) -> PackageResult:
        """A direct requirement's row, each target judging the file its tree resolved."""
        name = canonicalize_name(package.name)
        results = dict(package.results)
        for target in self.targets:
            resolved = self.trees[target.id].packages.get(name)
            # A direct requirement that cannot install (missing, not found, a direct
            # reference) keeps its own verdict even if a dependency pulls the name; one whose
            # marker is false here is still installed when a dependency needs it.
            if resolved is not None and results[target.id].verdict in (
                *INSTALLABLE,
                Verdict.SKIPPED,
            ):
                results[target.id] = self._direct_cell(package, resolved, target)
        return replace(package, results=results)

    def _direct_cell(
        self, package: PackageResult, resolved: ResolvedPackage, target: Target
    ) -> TargetResult:
        judged = package.results[target.id]
        if self.hash_mode is not None and not self.hash_mode.pins(canonicalize_name(package.name)):
            return unpinned_dependency(package.name)
        if resolved.file.filename != judged.file or not resolved.dependencies.known:
            return _result(resolved, self.trees[target.id], target)
        # the direct verdict judged this very file, with its notes (hashes)
        return _with_dependencies(judged, resolved)

    def transitive(self, name: NormalizedName) -> PackageResult:
        """The row of a package only dependencies pull in, with the chains that bring it."""
        results: dict[str, TargetResult] = {}
        chains: list[str] = []
        display = name
        for target in self.targets:
            tree = self.trees[target.id]
            resolved = tree.packages.get(name)
            if resolved is None:
                results[target.id] = _not_in_tree(tree)
                continue
            if self.hash_mode is not None and not self.hash_mode.pins(name):
                results[target.id] = unpinned_dependency(name)
            else:
                results[target.id] = _result(resolved, tree, target)
            chains += [" > ".join(chain) for chain in resolved.via]
            display = tree.pages[name].name
        return PackageResult(
            name=display,
            requirement=name,
            origin=None,
            results=results,
            direct=False,
            via=tuple(dict.fromkeys(chains)),
        )


def _not_in_tree(tree: TreeResult) -> TargetResult:
    """The cell of a target whose tree lacks the package: unknown or skipped, and why."""
    if tree.error is not None:
        # Unknown here, not absent: every target needs a cell (tables index by id).
        return TargetResult(
            Verdict.ERROR, f"dependency tree incomplete on this target: {tree.error}"
        )
    if tree.conflict is not None:
        return TargetResult(
            Verdict.SKIPPED, "not resolved: the dependencies conflict on this target"
        )
    return TargetResult(Verdict.SKIPPED, "not needed on this target")
