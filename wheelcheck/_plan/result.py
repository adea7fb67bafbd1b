"""The search's set as a `Plan`: the changes with their reasons, the builds, the constraints.

Only what was computed is said: a failed lookup or a search that found no set gives the
"unknown" outcome with the reason, and no constraints at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from wheelcheck._advise.estimate import arch_label
from wheelcheck._findings import first_input_file, requirement_origins
from wheelcheck._plan.baseline import Baseline
from wheelcheck._plan.candidates import allowed, kind_of
from wheelcheck._plan.provider import Space
from wheelcheck._plan.search import Found
from wheelcheck.models import (
    BuildNeeds,
    Origin,
    Plan,
    PlanBuild,
    PlanChange,
    PlanOutcome,
    PlanPackage,
    Report,
    Target,
    Verdict,
)


@dataclass(frozen=True, slots=True)
class Swap:
    """A binary alternative put in place of a requirement (only with allow_swaps)."""

    replaced: NormalizedName
    caveat: str


def targets_label(targets: Sequence[Target]) -> str:
    """``python:3.12-alpine amd64+arm64``: each image once, with its architectures."""
    arches: dict[str, list[str]] = {}
    for target in targets:
        if target.image is None:
            arches.setdefault(target.id, [])
        else:
            arches.setdefault(target.image, []).append(arch_label(target))
    return ", ".join(f"{image} {'+'.join(a)}" if a else image for image, a in arches.items())


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def no_wheel_on(report: Report) -> dict[NormalizedName, tuple[str, ...]]:
    """Per package, the targets where today's release does not install from a wheel."""
    found: dict[NormalizedName, tuple[str, ...]] = {}
    for package in report.packages:
        missing = tuple(
            target_id
            for target_id, result in package.results.items()
            if result.verdict in (Verdict.SOURCE, Verdict.MISSING)
        )
        if missing:
            found[canonicalize_name(package.name)] = missing
    return found


def unknown_plan(report: Report, reason: str, errors: Sequence[str], notes: Sequence[str]) -> Plan:
    """No set is proposed: a lookup failed, or none resolves; `reason` says which."""
    summary = f"{targets_label(report.targets)}: no plan: {reason}"
    return Plan(
        report.targets,
        "unknown",
        summary,
        (),
        (),
        (),
        (),
        report.scope,
        tuple(notes),
        tuple(errors),
    )


@dataclass(frozen=True, slots=True)
class Planned:
    """Everything the Plan is made of."""

    report: Report
    base: Baseline
    space: Space
    found: Found
    swaps: Mapping[NormalizedName, Swap]
    notes: tuple[str, ...]


def make_plan(planned: Planned) -> Plan:
    found = planned.found
    chosen = {n: c.version for n, c in found.chosen.items()}
    where = _Locator(planned.report, planned.swaps)
    changes = tuple(_changes(planned, chosen, where))
    builds = tuple(
        replace(_build(planned, name, chosen[name]), origin=where(name))
        for name in sorted(found.building)
    )
    packages = tuple(_package(planned, n, v, changes) for n, v in sorted(chosen.items()))
    label = targets_label(planned.report.targets)
    outcome: PlanOutcome
    if builds:
        outcome = "must-build"
        names = ", ".join(b.name for b in builds)
        summary = (
            f"{label}: {_plural(len(builds), 'package')} must still build ({names}), "
            f"with {_changes_count(changes)}"
        )
    else:
        outcome = "compile-free"
        summary = f"{label}: compile-free with {_changes_count(changes)}"
    notes = list(planned.notes)
    if any(p.dependencies for p in packages):
        notes.append(
            "a plan is only as good as the metadata read: the dependencies noted by package "
            "were not all checked"
        )
    if any(c.crosses_major for c in changes):
        notes.append(
            "changes to another major version are marked: such a release may not work with "
            "your code; read its changelog before you accept it"
        )
    if any(c.outside_specifier for c in changes):
        notes.append(
            "changes outside your specifiers are marked: edit the requirement too, "
            "pip refuses a constraint its requirement excludes"
        )
    if planned.swaps:
        notes.append("swaps replace a requirement: edit your requirements file as the table says")
    constraints = tuple(f"{n}=={v}" for n, v in sorted(chosen.items()))
    return Plan(
        planned.report.targets,
        outcome,
        summary,
        changes,
        builds,
        packages,
        constraints,
        planned.report.scope,
        tuple(notes),
    )


def _changes_count(changes: Sequence[PlanChange]) -> str:
    """``2 changes``; ``2 changes (1 to another major version)`` when some cross one."""
    text = _plural(len(changes), "change")
    crossing = sum(1 for c in changes if c.crosses_major)
    return f"{text} ({crossing} to another major version)" if crossing else text


class _Locator:
    """Where each package of the plan is written: its requirement's file and line (see
    `requirement_origins`); a swap's at the requirement it replaces; a package the check
    never saw, the first input file without a line."""

    def __init__(self, report: Report, swaps: Mapping[NormalizedName, Swap]) -> None:
        self.origins = requirement_origins(report)
        self.swaps = swaps
        first = first_input_file(report)
        self.fallback = None if first is None else Origin(first)

    def __call__(self, name: NormalizedName) -> Origin | None:
        swap = self.swaps.get(name)
        if swap is not None and swap.replaced in self.origins:
            return self.origins[swap.replaced]
        return self.origins.get(name, self.fallback)


def _major_words(old: Version, new: Version) -> str:
    direction = "a downgrade" if new < old else "an upgrade"
    return f"another major version ({old.major}.x to {new.major}.x, {direction})"


def _changes(
    planned: Planned, chosen: Mapping[NormalizedName, Version], where: _Locator
) -> list[PlanChange]:
    before = planned.base.versions
    found: list[PlanChange] = []
    for name in sorted(set(before) | set(chosen)):
        old, new = before.get(name), chosen.get(name)
        if old == new:
            continue
        swap = planned.swaps.get(name)
        replaced = next((n for n, s in planned.swaps.items() if s.replaced == name), None)
        if new is None:
            why = f"replaced by {replaced}" if replaced else "no longer needed by the plan's set"
            found.append(PlanChange(name, str(old), None, why, origin=where(name)))
            continue
        specifier = planned.base.specifiers.get(name, SpecifierSet())
        outside = not specifier.contains(new, prereleases=True)
        crosses = old is not None and new.major != old.major
        why = _why(planned, name, old, new)
        if outside:
            why += f"; outside your specifier {specifier}"
        if old is not None and crosses:
            why += f"; {_major_words(old, new)}"
        found.append(
            PlanChange(
                name,
                None if old is None else str(old),
                str(new),
                why,
                outside_specifier=outside,
                swapped_from=swap.replaced if swap else None,
                caveat=swap.caveat if swap else None,
                crosses_major=crosses,
                origin=where(name),
            )
        )
    return found


def _why(planned: Planned, name: NormalizedName, old: Version | None, new: Version) -> str:
    files = planned.space.files(name, new)
    kind = kind_of(files)
    has = {"binary": "has wheels", "pure": "has a pure wheel", "source": "builds"}[kind]
    swap = planned.swaps.get(name)
    if swap is not None:
        return f"instead of {swap.replaced}, which has no wheel; {new} {has}"
    if old is None:
        return f"added: a dependency of the plan's releases; {new} {has}"
    missing = no_wheel_on(planned.report).get(name)
    if missing:
        where = targets_label([t for t in planned.report.targets if t.id in missing])
        return f"{old} has no wheel for {where}; {new} {has}"
    return f"{old} has wheels, but the other changes need {new}; {new} {has}"


def _build(planned: Planned, name: NormalizedName, version: Version) -> PlanBuild:
    """Why `name` still builds, in one line, and what its build needs."""
    space = planned.space
    specifier = planned.base.specifiers.get(name, SpecifierSet())
    fitting = list(space.wheels(space.pages[name])) if name in space.pages else []
    within = allowed(fitting, specifier, pre=space.pre)
    if not fitting:
        why = "no release on the index has a wheel for every target"
    elif not within:
        why = f"no release within {specifier} has a wheel for every target"
    else:
        reason = planned.found.reasons.get(name, "not tried within the search's bounds")
        why = f"{max(within)} has wheels, but a release with wheels conflicts: {reason}"
    return PlanBuild(name, str(version), why, _needs(planned.report, name, version))


def _needs(report: Report, name: NormalizedName, version: Version) -> dict[str, BuildNeeds]:
    """What the check found a build of this release needs, per target (when it built it)."""
    needs: dict[str, BuildNeeds] = {}
    for package in report.packages:
        if canonicalize_name(package.name) != name:
            continue
        for target_id, result in package.results.items():
            if result.build is not None and result.version == str(version):
                needs[target_id] = result.build
    return needs


def _package(
    planned: Planned, name: NormalizedName, version: Version, changes: Sequence[PlanChange]
) -> PlanPackage:
    files = planned.space.files(name, version)
    kind = kind_of(files)
    dependencies = planned.space.dependencies.get((name, version))
    note = None
    if dependencies is not None and not dependencies.known:
        note = "unknown: " + dependencies.evidence.removeprefix("dependencies unknown: ")
    elif dependencies is not None and kind == "source" and "PEP 643" not in dependencies.evidence:
        note = f"declared, not guaranteed: {dependencies.evidence}"
    changed = any(c.name == name for c in changes)
    return PlanPackage(
        name, str(version), kind, {t: f.filename for t, f in files.items()}, changed, note
    )
