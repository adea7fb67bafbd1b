"""The check itself: requirements x targets -> Report. No printing, no exiting.

Data flows one way: read the sources (all input errors surface here, before any request),
build the targets, fetch each project page once for all targets, judge, recommend.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName

from wheelcheck.advise.recommend import recommend
from wheelcheck.direct import RequirementGroup, group_requirements, judge_direct
from wheelcheck.errors import InputError, InputProblem, InvalidInputFiles, ProjectLookupError
from wheelcheck.index import IndexClient, redact_url, select_indexes
from wheelcheck.index.dependencies import DependencyReader
from wheelcheck.locked import judge_locked, locked_names
from wheelcheck.models import PackageResult, ProjectPage, Report, RequirementSet, Target
from wheelcheck.resolve import TreeRequirement, TreeResult, resolve_target
from wheelcheck.select import SelectionPolicy
from wheelcheck.sources import (
    LockedSet,
    SourceKind,
    detect_kind,
    parse_requirement_text,
    read_lockfile,
    read_pyproject,
    read_requirement_files,
)
from wheelcheck.targets import parse_targets
from wheelcheck.tree import INSTALLABLE, merge_trees

Progress = Callable[[str], None]


def _no_progress(_message: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """Everything besides the requirements that shapes a check; defaults match the CLI's."""

    targets: Sequence[str | Target] = ()
    arches: Sequence[str] = ()
    python: str | None = None
    index_url: str | None = None
    extra_index_urls: Sequence[str] = ()
    mirror: str | None = None
    pre: bool = False
    prefer_binary: bool = False
    no_deps: bool = False
    max_connections: int = 10
    timeout: float = 30.0
    retries: int = 3
    verify: bool | str = True
    environ: Mapping[str, str] | None = None  # None: os.environ
    pip_config_files: Sequence[Path] | None = None  # None: pip's usual places
    kind: str | None = None  # input file kind (SourceKind value); None: from the file name
    extras: Sequence[str] = ()  # of pyproject.toml / lockfiles
    groups: Sequence[str] = ()  # dependency groups of pyproject.toml / lockfiles


async def acheck(
    files: Sequence[str | Path] = (),
    requirements: Sequence[str] = (),
    *,
    options: CheckOptions | None = None,
    progress: Progress = _no_progress,
    **overrides: object,
) -> Report:
    """Check requirement files and/or requirement strings against targets; return the Report.

    `files` are paths (``-`` reads stdin); `requirements` are requirement lines such as
    ``"numpy==2.1.0"``. Options come from `options` and keyword overrides (``targets=``,
    ``index_url=``, ...; see CheckOptions). Raises InputError (bad input: nothing was fetched)
    or UnknownTarget; index failures do not raise: they become `error` results and
    `Report.has_errors` is true.

    >>> report = await acheck(requirements=["psycopg2==2.9.10"], targets=["python:3.12-alpine"])
    """
    opts = _merge_options(options, overrides)
    sources = _read_sources(files, requirements, opts)
    requirement_set = sources.requirement_set
    targets = _build_targets(opts)
    settings = select_indexes(
        cli_index_url=opts.index_url,
        cli_extra_index_urls=opts.extra_index_urls,
        mirror=opts.mirror,
        file_index_url=requirement_set.index_url,
        file_extra_index_urls=requirement_set.extra_index_urls,
        environ=opts.environ,
        pip_config_files=opts.pip_config_files,
    )
    policy = SelectionPolicy(pre=opts.pre or requirement_set.pre, prefer_binary=opts.prefer_binary)
    index_urls = tuple(redact_url(u) for u in settings.index_urls)
    groups = group_requirements(requirement_set)
    notes: list[str] = list(settings.warnings)
    async with IndexClient(
        settings,
        max_connections=opts.max_connections,
        timeout=opts.timeout,
        retries=opts.retries,
        verify=opts.verify,
    ) as client:
        names = [g.name for g in groups if g.name is not None] + locked_names(sources.locks)
        pages = await _fetch_pages(names, client, progress)
        packages = judge_direct(groups, targets, pages, policy, index_urls)
        if sources.locks:
            # Lockfiles are resolved already: judge their pins; anything else as --no-deps.
            packages = judge_locked(sources.locks, targets, pages, policy, index_urls) + packages
            notes.insert(0, "lockfile: its pins are judged as locked, without resolving")
            return _report(targets, packages, index_urls, "locked", notes)
        if opts.no_deps:
            notes.insert(0, "--no-deps: only the requirements the files name are checked")
            return _report(targets, packages, index_urls, "direct", notes)
        trees = await _resolve_trees(groups, targets, packages, client, policy, progress)
    merged = merge_trees(packages, targets, trees)
    notes += merged.notes
    return _report(
        targets, merged.packages, index_urls, "tree", notes, merged.conflicts, merged.errors
    )


def _report(
    targets: Sequence[Target],
    packages: Sequence[PackageResult],
    index_urls: Sequence[str],
    scope: str,
    notes: Sequence[str],
    conflicts: Mapping[str, str] | None = None,
    errors: Sequence[str] = (),
) -> Report:
    return Report(
        targets=tuple(targets),
        packages=tuple(packages),
        recommendation=recommend(targets, packages),
        index_urls=tuple(index_urls),
        scope=scope,
        notes=tuple(notes),
        conflicts=dict(conflicts or {}),
        errors=tuple(errors),
    )


def check(
    files: Sequence[str | Path] = (),
    requirements: Sequence[str] = (),
    *,
    options: CheckOptions | None = None,
    progress: Progress = _no_progress,
    **overrides: object,
) -> Report:
    """Synchronous `acheck`, for scripts: ``wheelcheck.check(["requirements.txt"])``."""
    return asyncio.run(acheck(files, requirements, options=options, progress=progress, **overrides))


def _merge_options(options: CheckOptions | None, overrides: Mapping[str, object]) -> CheckOptions:
    base = options or CheckOptions()
    if not overrides:
        return base
    known = {f.name for f in fields(CheckOptions)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise TypeError(f"unknown check option(s): {', '.join(unknown)}")
    return replace(base, **overrides)  # type: ignore[arg-type]


def _kind(name: str) -> SourceKind:
    try:
        return SourceKind(name)
    except ValueError:
        known = ", ".join(k.value for k in SourceKind)
        raise InputError(f"unknown input kind {name!r} (one of: {known})") from None


@dataclass(frozen=True, slots=True)
class _Sources:
    requirement_set: RequirementSet  # to resolve (or judge directly with --no-deps)
    locks: tuple[LockedSet, ...]  # already resolved: judged as pinned


def _read_sources(
    files: Sequence[str | Path], requirements: Sequence[str], opts: CheckOptions
) -> _Sources:
    """Every input, each by its kind; the problems of all of them are reported at once."""
    parts: list[RequirementSet] = []
    locks: list[LockedSet] = []
    problems: list[InputProblem] = []
    plain: list[str] = []
    for file in map(str, files):
        kind = _kind(opts.kind) if opts.kind else detect_kind(file)
        try:
            if kind is SourceKind.REQUIREMENTS:
                plain.append(file)
            elif kind is SourceKind.PYPROJECT:
                parts.append(read_pyproject(file, extras=opts.extras, groups=opts.groups))
            else:
                locks.append(read_lockfile(file, kind, extras=opts.extras, groups=opts.groups))
        except InvalidInputFiles as error:
            problems.extend(error.problems)
    readers: list[Callable[[], RequirementSet | None]] = [
        lambda: read_requirement_files(plain) if plain else None,
        lambda: parse_requirement_text("\n".join(requirements)) if requirements else None,
    ]
    for read in readers:
        try:
            part = read()
        except InvalidInputFiles as error:
            problems.extend(error.problems)
            continue
        if part is not None:
            parts.append(part)
    if problems:
        raise InvalidInputFiles(problems)
    merged = RequirementSet(
        requirements=tuple(r for p in parts for r in p.requirements),
        constraints=tuple(c for p in parts for c in p.constraints),
        index_url=next((p.index_url for p in parts if p.index_url), None),
        extra_index_urls=tuple(u for p in parts for u in p.extra_index_urls),
        pre=any(p.pre for p in parts),
        files=tuple(f for p in parts for f in p.files),
    )
    return _Sources(merged, tuple(locks))


def _build_targets(opts: CheckOptions) -> tuple[Target, ...]:
    given = [t for t in opts.targets if isinstance(t, Target)]
    specs = [t for t in opts.targets if isinstance(t, str)]
    parsed = parse_targets(specs, opts.arches, opts.python) if specs or not given else ()
    return tuple(dict.fromkeys((*given, *parsed)))


async def _fetch_pages(
    wanted: Sequence[NormalizedName], client: IndexClient, progress: Progress
) -> dict[NormalizedName, ProjectPage | ProjectLookupError | None]:
    """Every named project's page, fetched once for all targets; failures kept as values."""
    names = list(dict.fromkeys(wanted))
    results: dict[NormalizedName, ProjectPage | ProjectLookupError | None] = {}

    async def one(name: NormalizedName) -> None:
        try:
            results[name] = await client.get_project(name)
        except ProjectLookupError as error:
            results[name] = error
        progress(f"{len(results)}/{len(names)} {name}")

    await asyncio.gather(*(one(n) for n in names))
    return results


async def _resolve_trees(
    groups: Sequence[RequirementGroup],
    targets: Sequence[Target],
    direct: Sequence[PackageResult],
    client: IndexClient,
    policy: SelectionPolicy,
    progress: Progress,
) -> dict[str, TreeResult]:
    """Resolve every target's tree concurrently, each in a worker thread."""
    loop = asyncio.get_running_loop()
    reader = DependencyReader(client)
    constraints: dict[NormalizedName, SpecifierSet] = {}
    for group in groups:
        for constraint in group.constraints:
            if constraint.name is not None and constraint.requirement is not None:
                current = constraints.get(constraint.name, SpecifierSet())
                constraints[constraint.name] = current & constraint.requirement.specifier

    def roots(target: Target) -> list[TreeRequirement]:
        # Only requirements that install somewhere go in; the others keep their own verdict.
        found = []
        for group, package in zip(groups, direct, strict=True):
            if group.name is None or package.results[target.id].verdict not in INSTALLABLE:
                continue
            specifier, extras, _hashes = group.specifier(target)
            found.append(TreeRequirement(group.name, extras, specifier, str(group.first.origin)))
        return found

    async def one(target: Target) -> tuple[str, TreeResult]:
        tree = await asyncio.to_thread(
            resolve_target,
            target,
            roots(target),
            client=client,
            reader=reader,
            loop=loop,
            policy=policy,
            constraints=constraints,
        )
        progress(f"resolved {target.id}")
        return target.id, tree

    return dict(await asyncio.gather(*(one(t) for t in targets)))
