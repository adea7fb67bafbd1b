"""Which releases of a project install from a wheel on every chosen target, and the order in
which the plan tries them.

A release "fits" when, on each target, pip's own selection (`rank_for`, only binaries) picks a
wheel of it: a platform wheel or a pure one; yanked files and Requires-Python that excludes a
target's Python rule it out, as they do for pip. The plan pins one version for all targets
(one constraints file), so a release must fit on all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from wheelcheck._judge.selection import SelectionPolicy, rank_for
from wheelcheck.models import DistFile, ProjectPage, Target

Prefer = Literal["newer", "older"]

# Every release pip could take with --only-binary :all:, pre-releases included (the
# requirement's specifier decides on those later, with packaging's rule).
_WHEELS_ONLY = SelectionPolicy(pre=True, only_binary=True)
_ANY_FILE = SelectionPolicy(pre=True)


def chosen_files(
    page: ProjectPage, targets: Sequence[Target], *, wheels_only: bool
) -> dict[Version, dict[str, DistFile]]:
    """For each release that installs on every target: target id -> the file pip picks."""
    policy = _WHEELS_ONLY if wheels_only else _ANY_FILE
    per_target: list[tuple[str, dict[Version, DistFile]]] = []
    for target in targets:
        best: dict[Version, DistFile] = {}
        for file in rank_for(target, page.files, SpecifierSet(), policy=policy):
            best.setdefault(file.version, file)  # best first: the first of a version wins
        per_target.append((target.id, best))
    if not per_target:
        return {}
    common = set(per_target[0][1]).intersection(*(set(best) for _, best in per_target[1:]))
    return {v: {target_id: best[v] for target_id, best in per_target} for v in common}


def allowed(versions: Iterable[Version], specifier: SpecifierSet, *, pre: bool) -> list[Version]:
    """The versions `specifier` admits: pre-releases with `pre`, when it names one, or when
    nothing else matches (packaging's rule, pip's too)."""
    return list(specifier.filter(versions, prereleases=True if pre else None))


@dataclass(frozen=True, slots=True)
class Order:
    """How one project's candidate versions are ranked: the issue's preferences in order.

    1. the version the user has (pinned, locked, or what pip would install today) unchanged;
    2. the smallest version distance from it: the same major release before another major,
       then fewest releases apart on the page;
    3. at equal distance the newer one (`prefer` "older": the older one).

    A project the user does not have yet (a new dependency) ranks newest first, as pip
    does, whatever `prefer` says: there is nothing to be near to.
    """

    baseline: Version | None
    positions: Mapping[Version, int]  # every version on the page -> its place, ascending
    prefer: Prefer = "newer"

    def rank(self, versions: Iterable[Version]) -> list[Version]:
        if self.baseline is None:
            return sorted(versions, reverse=True)
        return sorted(versions, key=self._key)

    def _key(self, version: Version) -> tuple[bool, bool, int, bool]:
        baseline = self.baseline
        assert baseline is not None  # rank() handles the other case
        distance = abs(self.positions.get(version, 0) - self.positions.get(baseline, 0))
        older = version < baseline
        return (
            version != baseline,
            version.major != baseline.major,
            distance,
            older if self.prefer == "newer" else not older,
        )


def release_order(page: ProjectPage, baseline: Version | None, prefer: Prefer) -> Order:
    releases = sorted({f.version for f in page.files} | ({baseline} if baseline else set()))
    return Order(baseline, {v: i for i, v in enumerate(releases)}, prefer)


def kind_of(files: Mapping[str, DistFile]) -> Literal["binary", "pure", "source"]:
    """What a release installs from across the targets: any sdist makes it a build."""
    if any(not f.is_wheel for f in files.values()):
        return "source"
    return "pure" if all(f.is_pure for f in files.values()) else "binary"
