"""`plan` and `aplan`: the check, then the search, through one client.

The check (without sizes) says what the user has today and what each build needs; the
search (`search.py`, in a thread of its own that waits on the loop for pages, as the
check's resolutions do) looks for the smallest change; `result.py` says it as a `Plan`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Unpack

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from wheelcheck._advise.remedies import alternatives_for
from wheelcheck._check import (
    Progress,
    _build_targets,
    _cache,
    _client,
    _merge_options,
    _no_progress,
    _read_sources,
    checked_with,
    index_settings,
    lookup_failures,
)
from wheelcheck._index.dependencies import DependencyReader
from wheelcheck._judge.selection import SelectionPolicy
from wheelcheck._judge.targets import DEFAULT_PYTHON
from wheelcheck._plan.baseline import Baseline, baseline
from wheelcheck._plan.candidates import Prefer, allowed
from wheelcheck._plan.provider import Space
from wheelcheck._plan.result import Planned, Swap, make_plan, unknown_plan
from wheelcheck._plan.search import search
from wheelcheck._resolve.direct import RequirementGroup, group_requirements
from wheelcheck._resolve.resolver import LoopBridge, TreeLookups, TreeRequirement
from wheelcheck._resolve.trees import _in_thread
from wheelcheck._synchronous import synchronous
from wheelcheck.errors import ProjectLookupError
from wheelcheck.models import Plan, ProjectPage, Report
from wheelcheck.options import CheckOptions, CheckOverrides


@dataclass(frozen=True, slots=True)
class PlanChoices:
    """What only a plan asks: `prefer` breaks ties of distance ("newer" or "older"),
    `allow_outside` lets versions leave the user's specifiers, `allow_swaps` takes binary
    alternatives (data/binary-alternatives.json) for packages without any wheel.

    >>> PlanChoices(prefer="older", allow_swaps=True).allow_outside
    False
    """

    prefer: Prefer = "newer"
    allow_outside: bool = False
    allow_swaps: bool = False


async def aplan(
    files: Sequence[str | Path] = (),
    requirements: Sequence[str] = (),
    *,
    options: CheckOptions | None = None,
    choices: PlanChoices = PlanChoices(),
    progress: Progress = _no_progress,
    **overrides: Unpack[CheckOverrides],
) -> Plan:
    """The smallest change that makes the install compile-free on the targets together.

    Takes `check`'s arguments and options (targets, indexes, cache...) and the plan's own
    `choices`. Returns a `Plan`: "compile-free" with its changes and constraints,
    "must-build" with the smallest set found that still builds, or "unknown" (a lookup
    failed: `Plan.errors`). Raises InputError or UnknownTarget for bad input, as `acheck`.

    >>> plan = await aplan(["requirements.txt"], targets=["python:3.12-alpine"])
    """
    opts = replace(_merge_options(options, overrides), advice=True, sizes=False)
    if not opts.targets:  # the question is almost always "can this go on alpine?"
        opts = replace(opts, targets=(f"python:{opts.python or DEFAULT_PYTHON}-alpine",))
    sources = _read_sources(files, requirements, opts)
    targets = _build_targets(opts)
    settings = index_settings(opts, sources.requirement_set)
    policy = SelectionPolicy(pre=opts.pre or sources.requirement_set.pre)
    page_notes: list[str] = []
    async with _client(settings, opts, _cache(opts), page_notes.append) as client:
        report = await checked_with(
            client, page_notes, sources, targets, settings, policy, opts, progress
        )
        groups = group_requirements(sources.requirement_set)
        base = baseline(report, groups, sources.requirement_set.constraints, targets)
        if report.has_errors:
            errors = _result_errors(report)
            return unknown_plan(report, "the check could not read everything", errors, ())
        reader = DependencyReader(client)
        lookups = TreeLookups(client, reader, policy, _url_names(groups))
        space = Space(
            targets=targets,
            lookups=lookups,
            bridge=LoopBridge(asyncio.get_running_loop()),
            constraints={} if choices.allow_outside else base.constraints,
            baselines=base.versions,
            prefer=choices.prefer,
            pre=policy.pre,
            follow=report.scope != "direct",
        )
        progress("planning")
        try:
            return await _planned(report, base, space, choices)
        except ProjectLookupError as error:
            return unknown_plan(report, "a lookup failed", [str(error)], ())
        finally:
            space.bridge.stop()
            # The search's prefetches nobody awaited: ended before the client closes.
            await reader.aclose()


def _result_errors(report: Report) -> list[str]:
    """Every failure of the check once: its errors, then the rows' failed lookups."""
    return list(dict.fromkeys([*report.errors, *lookup_failures(report.packages)]))


def _url_names(groups: Sequence[RequirementGroup]) -> frozenset[NormalizedName]:
    """Projects installed from a direct reference: never looked up when a release names them."""
    return frozenset(g.first.name for g in groups if g.name is None and g.first.name is not None)


async def _planned(report: Report, base: Baseline, space: Space, choices: PlanChoices) -> Plan:
    """Read the pages the search starts from, choose swaps, search, and say it."""
    client = space.lookups.client
    names = {*base.versions, *(r.name for r in base.roots)}
    pages = await asyncio.gather(*(client.get_project(n) for n in sorted(names)))
    space.pages.update({p.name: p for p in pages if p is not None})
    roots = list(base.roots)
    if choices.allow_outside:
        roots = [replace(r, specifier=SpecifierSet()) for r in roots]
    swaps: dict[NormalizedName, Swap] = {}
    if choices.allow_swaps:
        roots, swaps = await _swap(roots, space)
    fitting = {
        n: v for n, v in base.versions.items() if n in space.pages and v in _wheels(space, n)
    }
    must_build = frozenset(
        r.name
        for r in roots
        if r.name in space.pages and not allowed(_wheels(space, r.name), r.specifier, pre=space.pre)
    )
    loop = asyncio.get_running_loop()
    future, thread = _in_thread(
        loop,
        lambda: search(
            space,
            roots,
            fitting=fitting,
            fixed=frozenset(n for n in base.fixed if n in fitting),
            must_build=must_build,
        ),
        "wheelcheck-plan",
    )
    try:
        found = await future
    finally:
        space.bridge.stop()
        thread.join()
    if found.error is not None:
        return unknown_plan(report, "a lookup failed", [str(found.error)], ())
    if found.unresolved is not None:
        note = f"no set resolves, even with builds: {found.unresolved}"
        return unknown_plan(report, "no set resolves", (), (note,))
    return make_plan(Planned(report, base, space, found, swaps, _limits(report)))


def _wheels(space: Space, name: NormalizedName) -> set[Version]:
    return set(space.wheels(space.pages[name]))


def _limits(report: Report) -> tuple[str, ...]:
    if report.scope == "locked":
        return ("lockfile: the changes are the pins to edit, by package; relock after",)
    return ()


async def _swap(
    roots: list[TreeRequirement], space: Space
) -> tuple[list[TreeRequirement], dict[NormalizedName, Swap]]:
    """Requirements without any fitting release, replaced by their first binary alternative
    that has one; each swap keeps its caveat."""
    swaps: dict[NormalizedName, Swap] = {}
    result: list[TreeRequirement] = []
    for root in roots:
        page = space.pages.get(root.name)
        replaced = root
        if page is not None and not allowed(space.wheels(page), root.specifier, pre=space.pre):
            for alternative in alternatives_for(root.name):
                found = await _fitting_page(alternative.check, space)
                if found is None:
                    continue
                requirement = Requirement(alternative.requirement)
                name = canonicalize_name(requirement.name)
                specifier = root.specifier if alternative.compatible else SpecifierSet()
                extras = frozenset(canonicalize_name(e) for e in requirement.extras)
                replaced = TreeRequirement(name, extras, specifier, root.parent)
                swaps[name] = Swap(root.name, alternative.note)
                break
        result.append(replaced)
    return result, swaps


async def _fitting_page(name: NormalizedName, space: Space) -> ProjectPage | None:
    """`name`'s page when some release of it has a wheel on every target."""
    page = await space.lookups.client.get_project(name)
    if page is None or not space.wheels(page):
        return None
    space.pages[page.name] = page
    return page


plan = synchronous(
    aplan,
    name="plan",
    doc="""Synchronous `aplan`, for scripts: the same arguments, Plan, and errors.

    >>> plan(["requirements.txt"], targets=["python:3.12-alpine"]).summary  # doctest: +SKIP
    'python:3.12-alpine amd64+arm64: compile-free with 2 changes'
    """,
)
