"""What the user has today, from the check's report: the plan's starting point.

The version of each package is the one the check found (a pin, a lock, or what pip would
install today); the roots of the search are the requirements the files name (a lockfile:
every locked package, which the plan may move but not drop); the user's specifiers are
those of the requirements and -c constraints (a lockfile has none of its own).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from wheelcheck._judge.selection import is_pinned
from wheelcheck._resolve.direct import RequirementGroup
from wheelcheck._resolve.resolver import TreeRequirement
from wheelcheck._resolve.trees import tree_constraints
from wheelcheck.models import DeclaredRequirement, Report, Target, Verdict

_HAS_RELEASE = (Verdict.BINARY, Verdict.PURE, Verdict.SOURCE)


@dataclass(frozen=True, slots=True)
class Baseline:
    """The plan's inputs: the roots, today's versions, and what the user wrote."""

    roots: tuple[TreeRequirement, ...]
    versions: Mapping[NormalizedName, Version]
    fixed: frozenset[NormalizedName]  # pinned or locked by the user
    specifiers: Mapping[NormalizedName, SpecifierSet]  # the user's own, by project
    constraints: Mapping[NormalizedName, SpecifierSet]  # -c, applied to every package


def current_versions(report: Report) -> dict[NormalizedName, Version]:
    """Each package's version in the check, from the first target that has one."""
    found: dict[NormalizedName, Version] = {}
    for package in report.packages:
        for result in package.results.values():
            if result.verdict in _HAS_RELEASE and result.version is not None:
                try:
                    found.setdefault(canonicalize_name(package.name), Version(result.version))
                except InvalidVersion:
                    continue
    return found


def baseline(
    report: Report,
    groups: Sequence[RequirementGroup],
    constraints: Sequence[DeclaredRequirement],
    targets: Sequence[Target],
) -> Baseline:
    versions = current_versions(report)
    if report.scope == "locked":
        return _locked(report, versions)
    roots: list[TreeRequirement] = []
    specifiers: dict[NormalizedName, SpecifierSet] = {}
    for group in groups:
        active = [t for t in targets if group.name is not None and group.active(t)]
        if group.name is None or not active:
            continue  # a direct reference, or a marker false on every target
        specifier, extras, _hashes = group.specifier(active[0])
        canonical = frozenset(canonicalize_name(e) for e in extras)
        roots.append(TreeRequirement(group.name, canonical, specifier, str(group.first.origin)))
        specifiers[group.name] = specifiers.get(group.name, SpecifierSet()) & specifier
    narrowed = tree_constraints(constraints, targets[0]) if targets else {}
    for name, specifier in narrowed.items():
        specifiers[name] = specifiers.get(name, SpecifierSet()) & specifier
    fixed = frozenset(n for n, s in specifiers.items() if is_pinned(s))
    for name in fixed:
        pinned = _pinned_version(specifiers[name])
        if name not in versions and pinned is not None:
            versions[name] = pinned  # nothing installs it there: the pin is still "from"
    return Baseline(tuple(roots), versions, fixed, specifiers, narrowed)


def _pinned_version(specifier: SpecifierSet) -> Version | None:
    for clause in specifier:
        if clause.operator in ("==", "===") and not clause.version.endswith(".*"):
            try:
                return Version(clause.version)
            except InvalidVersion:
                return None
    return None


def _locked(report: Report, versions: Mapping[NormalizedName, Version]) -> Baseline:
    roots = []
    for package in report.packages:
        name = canonicalize_name(package.name)
        if name in versions:
            origin = str(package.origin) if package.origin else package.name
            roots.append(TreeRequirement(name, frozenset(), SpecifierSet(), origin))
    return Baseline(tuple(roots), versions, frozenset(versions), {}, {})
