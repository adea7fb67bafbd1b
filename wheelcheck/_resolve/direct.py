"""Verdicts for the requirements the user's files name, before any dependency is followed.

Lines naming the same project are merged, as pip merges them: their specifiers (and any
constraint's) intersect, and only the lines whose marker holds on a target count there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName

from wheelcheck._judge.selection import SelectionPolicy
from wheelcheck._judge.targets import marker_environment, tag_ranks
from wheelcheck._judge.verdicts import judge_files, not_found
from wheelcheck._resolve.hash_mode import direct_refusal
from wheelcheck.errors import ProjectLookupError
from wheelcheck.models import (
    DeclaredRequirement,
    PackageResult,
    ProjectPage,
    RequirementSet,
    Target,
    TargetResult,
    Verdict,
)

PageLookup = Mapping[NormalizedName, ProjectPage | ProjectLookupError | None]


@dataclass(frozen=True, slots=True)
class RequirementGroup:
    """All lines naming one project (or one direct reference), with its constraints."""

    declared: tuple[DeclaredRequirement, ...]
    constraints: tuple[DeclaredRequirement, ...] = ()

    @property
    def first(self) -> DeclaredRequirement:
        return self.declared[0]

    @property
    def name(self) -> NormalizedName | None:
        """The project to look up; None for a direct reference (never looked up)."""
        first = self.first
        return first.name if first.direct_reference is None else None

    def active(self, target: Target) -> list[DeclaredRequirement]:
        """The lines whose marker holds on `target`."""
        environment = {**marker_environment(target), "extra": ""}
        return [
            d
            for d in self.declared
            if d.requirement is None
            or d.requirement.marker is None
            or d.requirement.marker.evaluate(environment)
        ]

    def specifier(self, target: Target) -> tuple[SpecifierSet, frozenset[str], list[str]]:
        """The merged specifier, extras and hashes of the active lines and constraints."""
        environment = {**marker_environment(target), "extra": ""}
        specifier = SpecifierSet()
        extras: set[str] = set()
        hashes: list[str] = []
        constraints = [
            c
            for c in self.constraints
            if c.requirement is not None
            and (c.requirement.marker is None or c.requirement.marker.evaluate(environment))
        ]
        for d in (*self.active(target), *constraints):
            if d.requirement is not None:
                specifier &= d.requirement.specifier
                if d in self.declared:
                    extras |= d.requirement.extras
            hashes.extend(d.hashes)
        return specifier, frozenset(extras), hashes


def group_requirements(requirement_set: RequirementSet) -> list[RequirementGroup]:
    """One group per project named (file order of first mention), one per direct reference."""
    grouped: dict[str, list[DeclaredRequirement]] = {}
    for declared in requirement_set.requirements:
        key = (
            declared.name
            if declared.name is not None and declared.direct_reference is None
            else f"{declared.origin}:{declared.text}"
        )
        grouped.setdefault(key, []).append(declared)
    constraints: dict[str, list[DeclaredRequirement]] = {}
    for constraint in requirement_set.constraints:
        if constraint.name is not None:
            constraints.setdefault(constraint.name, []).append(constraint)
    return [
        RequirementGroup(tuple(declared), tuple(constraints.get(key, ())))
        for key, declared in grouped.items()
    ]


def judge_direct(
    groups: Sequence[RequirementGroup],
    targets: Sequence[Target],
    pages: PageLookup,
    policy: SelectionPolicy,
    index_urls: Sequence[str],
    hash_mode: bool = False,
) -> list[PackageResult]:
    """One PackageResult per group, with a verdict on every target; `hash_mode`: some
    requirement has ``--hash`` (see wheelcheck._resolve.hash_mode)."""
    return [
        PackageResult(
            name=group.first.display_name,
            requirement="; ".join(dict.fromkeys(d.text for d in group.declared)),
            origin=group.first.origin,
            results={
                t.id: judge_group(group, t, pages, policy, index_urls, hash_mode) for t in targets
            },
        )
        for group in groups
    ]


def judge_group(
    group: RequirementGroup,
    target: Target,
    pages: PageLookup,
    policy: SelectionPolicy,
    index_urls: Sequence[str],
    hash_mode: bool = False,
) -> TargetResult:
    """The verdict for one group on one target."""
    active = group.active(target)
    if not active:
        marker = group.first.requirement.marker if group.first.requirement else None
        return TargetResult(Verdict.SKIPPED, f"marker is false here: {marker}")
    first = active[0]
    if group.name is None:
        kind = "editable " if first.editable else ""
        return TargetResult(
            Verdict.UNCHECKED,
            f"{kind}direct reference {first.direct_reference or first.text} is not looked up",
        )
    specifier, _extras, hashes = group.specifier(target)
    refusal = direct_refusal(specifier, hashes) if hash_mode else None
    if refusal is not None:
        return refusal
    return judge_lookup(pages.get(group.name), specifier, target, policy, hashes, index_urls)


def judge_lookup(
    page: ProjectPage | ProjectLookupError | None,
    specifier: SpecifierSet,
    target: Target,
    policy: SelectionPolicy,
    hashes: Sequence[str],
    index_urls: Sequence[str],
) -> TargetResult:
    """The verdict for a named requirement from the outcome of its page lookup."""
    if isinstance(page, ProjectLookupError):
        # The reason names the (redacted) index: every format shows the reason.
        reason = f"{page.reason} (index {page.index_url})"
        return TargetResult(Verdict.ERROR, reason, index_url=page.index_url)
    if page is None:
        return not_found(index_urls)
    return judge_files(
        page,
        specifier=specifier,
        target=target,
        tag_ranks=tag_ranks(target),
        policy=policy,
        hashes=hashes,
    )
