"""Verdicts for a lockfile's pins: already resolved, so each target only selects and judges.

A lock says which packages a target installs (package markers, or reachability through the
lock's dependency graph); each row is one locked project, judged at its locked version on
every target that installs it, `skipped` on the others (`missing` where the lock lists no
environment for the target's platform: its installer installs nothing there). A package
whose lock lists files is judged from those files alone, as its installer reads them (no
request); one that lists none is looked up on the index the lock names for it, or the
configured one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from packaging.utils import NormalizedName

from wheelcheck._judge.selection import SelectionPolicy
from wheelcheck._judge.targets import marker_environment
from wheelcheck._resolve.direct import PageLookup, judge_lookup
from wheelcheck._resolve.lock_files import (
    NOTHING_FROM_THE_LOCK,
    alternative_note,
    judge_lock_files,
    lock_page,
    named_index,
)
from wheelcheck._sources import LockedSet, LockedSource
from wheelcheck._urls import redact_url
from wheelcheck.models import (
    DeclaredRequirement,
    PackageResult,
    ProjectPage,
    Target,
    TargetResult,
    Verdict,
)


@dataclass(frozen=True, slots=True)
class LockLookups:
    """What the locks need from indexes, decided before any request.

    `on_index` are the projects whose lock lists no files, each with the index the lock
    names for it (None: the configured indexes); `alternatives` the projects whose listed
    files fit no target that installs them, with those versions: the configured index is
    asked whether it has one, only to say so.
    """

    on_index: Mapping[NormalizedName, str | None]
    alternatives: Mapping[NormalizedName, frozenset[str]]


# id of a lock's requirement -> what the lock says about where it comes from; built per call
# (the requirements live as long as their locks, which outlive it).
_Sources = Mapping[int, LockedSource | None]


def _source_table(locks: Sequence[LockedSet]) -> _Sources:
    return {
        id(d): lock.sources.get(node)
        for lock in locks
        for node, d in zip(lock.nodes, lock.requirement_set.requirements, strict=True)
    }


def _pinned(declared: DeclaredRequirement) -> tuple[NormalizedName, str] | None:
    """(name, version) of a named pin; None for a direct reference."""
    if declared.direct_reference is not None or declared.name is None:
        return None
    assert declared.requirement is not None  # named, not a direct reference
    (clause,) = declared.requirement.specifier
    return declared.name, clause.version


def lock_lookups(
    locks: Sequence[LockedSet], targets: Sequence[Target], policy: SelectionPolicy
) -> LockLookups:
    """The lookups the locks need on `targets` (see LockLookups)."""
    sources = _source_table(locks)
    on_index: dict[NormalizedName, str | None] = {}
    alternatives: dict[NormalizedName, set[str]] = {}
    for lock in locks:
        for declared in lock.requirement_set.requirements:
            pinned, source = _pinned(declared), sources[id(declared)]
            if pinned is None:
                continue
            if source is None or not source.files:
                on_index.setdefault(pinned[0], named_index(source))
    for target in targets:
        for lock in locks:
            for declared in lock.installed(marker_environment(target)):
                pinned, source = _pinned(declared), sources[id(declared)]
                if pinned is None or source is None or not source.files:
                    continue
                result = judge_lock_files(*pinned, source, target, policy)
                if result.verdict is Verdict.MISSING:
                    alternatives.setdefault(pinned[0], set()).add(pinned[1])
    return LockLookups(on_index, {n: frozenset(v) for n, v in alternatives.items()})


def lock_pages(locks: Sequence[LockedSet]) -> dict[NormalizedName, ProjectPage]:
    """The pages made of the files each lock lists (with URLs), for advice to read; one
    project's locked versions share a page."""
    sources = _source_table(locks)
    pages: dict[NormalizedName, ProjectPage] = {}
    for lock in locks:
        for declared in lock.requirement_set.requirements:
            pinned, source = _pinned(declared), sources[id(declared)]
            if pinned is None or source is None or not source.files:
                continue
            if not all(f.url for f in source.files):
                continue  # names only (poetry.lock): nothing to read
            page = lock_page(pinned[0], source)
            known = pages.get(pinned[0])
            if known is not None:
                page = replace(known, files=(*known.files, *page.files))
            pages[pinned[0]] = page
    return pages


def judge_locked(
    locks: Sequence[LockedSet],
    targets: Sequence[Target],
    pages: PageLookup,
    policy: SelectionPolicy,
    index_urls: Sequence[str],
) -> list[PackageResult]:
    """One row per locked project (lock order), judged on every target at its pinned version.

    `pages` holds the index pages of the projects `lock_lookups` named: those whose lock
    lists no files, and the configured index's answer for the `alternatives`.
    """
    sources = _source_table(locks)
    installed = {
        t.id: {_key(d): d for lock in locks for d in lock.installed(marker_environment(t))}
        for t in targets
    }
    rows: dict[str, list[DeclaredRequirement]] = {}
    row_locks: dict[str, list[LockedSet]] = {}
    for lock in locks:
        for declared in lock.requirement_set.requirements:
            rows.setdefault(_key(declared), []).append(declared)
            row_locks.setdefault(_key(declared), []).append(lock)

    packages = []
    for key, declared_list in rows.items():
        results = {}
        for target in targets:
            chosen = installed[target.id].get(key)
            if chosen is None:
                results[target.id] = _not_installed(row_locks[key], target)
            else:
                source = sources[id(chosen)]
                results[target.id] = _judge_pin(chosen, source, target, pages, policy, index_urls)
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


def _not_installed(locks: Sequence[LockedSet], target: Target) -> TargetResult:
    """A package its locks do not install on `target`: `missing` when a lock lists no
    environment for the target's platform (its installer installs nothing there), else
    `skipped` (the target does not need it)."""
    for lock in locks:
        gap = None if lock.platforms is None else lock.platforms.gap(target.arch)
        if gap is not None:
            return TargetResult(Verdict.MISSING, f"{NOTHING_FROM_THE_LOCK}{gap}")
    return TargetResult(Verdict.SKIPPED, "the lock does not install it on this target")


def _judge_pin(
    declared: DeclaredRequirement,
    source: LockedSource | None,
    target: Target,
    pages: PageLookup,
    policy: SelectionPolicy,
    index_urls: Sequence[str],
) -> TargetResult:
    pinned = _pinned(declared)
    if pinned is None:
        return TargetResult(
            Verdict.UNCHECKED,
            f"direct reference {declared.direct_reference or declared.text} is not looked up",
        )
    if source is not None and source.files:
        result = judge_lock_files(*pinned, source, target, policy)
        if result.verdict is Verdict.MISSING:
            page = pages.get(pinned[0])
            known = page if isinstance(page, ProjectPage) else None
            note = alternative_note(known, pinned[1], target, policy)
            result = replace(result, reason=result.reason + note)
        return result
    assert declared.requirement is not None  # named, not a direct reference
    named = named_index(source)
    return judge_lookup(
        pages.get(pinned[0]),
        declared.requirement.specifier,
        target,
        policy,
        declared.hashes,
        index_urls if named is None else (redact_url(named),),
    )
