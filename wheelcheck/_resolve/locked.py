"""Verdicts for a lockfile's pins: already resolved, so each target only selects and judges.

A lock says which packages a target installs (package markers, or reachability through the
lock's dependency graph); each row is one locked project, judged at its locked version on
every target that installs it, `skipped` on the others.
"""

from __future__ import annotations

from collections.abc import Sequence

from packaging.utils import NormalizedName

from wheelcheck._judge.selection import SelectionPolicy
from wheelcheck._judge.targets import marker_environment
from wheelcheck._resolve.direct import PageLookup, judge_lookup
from wheelcheck._sources import LockedSet
from wheelcheck.models import (
    DeclaredRequirement,
    PackageResult,
    Target,
    TargetResult,
    Verdict,
)


def locked_names(locks: Sequence[LockedSet]) -> list[NormalizedName]:
    """The projects to look up: every locked package that is not a direct reference."""
    return list(
        dict.fromkeys(
            d.name
            for lock in locks
            for d in lock.requirement_set.requirements
            if d.name is not None and d.direct_reference is None
        )
    )


def judge_locked(
    locks: Sequence[LockedSet],
    targets: Sequence[Target],
    pages: PageLookup,
    policy: SelectionPolicy,
    index_urls: Sequence[str],
) -> list[PackageResult]:
    """One row per locked project (lock order), judged on every target at its pinned version."""
    installed = {
        t.id: {_key(d): d for lock in locks for d in lock.installed(marker_environment(t))}
        for t in targets
    }
    rows: dict[str, list[DeclaredRequirement]] = {}
    for lock in locks:
        for declared in lock.requirement_set.requirements:
            rows.setdefault(_key(declared), []).append(declared)

    packages = []
    for key, declared_list in rows.items():
        results = {}
        for target in targets:
            chosen = installed[target.id].get(key)
            if chosen is None:
                results[target.id] = TargetResult(
                    Verdict.SKIPPED, "the lock does not install it on this target"
                )
            else:
                results[target.id] = _judge_pin(chosen, target, pages, policy, index_urls)
        first = declared_list[0]
        packages.append(
            PackageResult(
                name=first.display_name,
                requirement="; ".join(dict.fromkeys(d.text for d in declared_list)),
                origin=first.origin,
                results=results,
            )
        )
    return packages


def _key(declared: DeclaredRequirement) -> str:
    return declared.name or declared.text


def _judge_pin(
    declared: DeclaredRequirement,
    target: Target,
    pages: PageLookup,
    policy: SelectionPolicy,
    index_urls: Sequence[str],
) -> TargetResult:
    if declared.direct_reference is not None or declared.name is None:
        return TargetResult(
            Verdict.UNCHECKED,
            f"direct reference {declared.direct_reference or declared.text} is not looked up",
        )
    assert declared.requirement is not None  # named, not a direct reference
    return judge_lookup(
        pages.get(declared.name),
        declared.requirement.specifier,
        target,
        policy,
        declared.hashes,
        index_urls,
    )
