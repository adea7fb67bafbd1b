"""The check itself: requirements x targets -> Report. No printing, no exiting.

Data flows one way: read the sources (all input errors surface here, before any request),
build the targets, fetch each project page once for all targets, judge, resolve each
target's tree if asked, advise, and recommend once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Unpack

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name

from wheelcheck._advise.recommend import recommend
from wheelcheck._argtypes import require_type
from wheelcheck._cache.checks import check_key, load_report, store_report
from wheelcheck._cache.store import Store, default_cache_dir
from wheelcheck._index import (
    IndexChoice,
    IndexClient,
    IndexSettings,
    redact_url,
    select_indexes,
)
from wheelcheck._index.dependencies import DependencyReader
from wheelcheck._index.trust import find_ca_bundle
from wheelcheck._judge.lock_environments import within_environments
from wheelcheck._judge.other_images import image_notes
from wheelcheck._judge.python_limits import within_python
from wheelcheck._judge.selection import SelectionPolicy, is_pinned
from wheelcheck._judge.targets import parse_targets
from wheelcheck._resolve.direct import RequirementGroup, group_requirements, judge_direct
from wheelcheck._resolve.hash_mode import HashMode, hash_mode
from wheelcheck._resolve.locked import LockLookups, judge_locked, lock_lookups, lock_pages
from wheelcheck._resolve.resolver import (
    TreeResult,
)
from wheelcheck._resolve.tree import merge_trees
from wheelcheck._resolve.trees import resolve_trees
from wheelcheck._sources import (
    LockedSet,
    SourceKind,
    detect_kind,
    parse_requirement_text,
    read_lockfile,
    read_pipfile,
    read_pyproject,
    read_requirement_files,
)
from wheelcheck._sources.python_range import PythonRange, python_range
from wheelcheck._synchronous import synchronous
from wheelcheck.errors import InputError, InputProblem, InvalidInputFiles, ProjectLookupError
from wheelcheck.models import (
    PackageResult,
    ProjectPage,
    Recommendation,
    Report,
    RequirementSet,
    Scope,
    Target,
    Verdict,
)
from wheelcheck.options import CACHE_DIR, CACHE_DIR_VARIABLE, CheckOptions, CheckOverrides

Progress = Callable[[str], None]


def _no_progress(_message: str) -> None:
    return None


async def acheck(
    files: Sequence[str | Path] = (),
    requirements: Sequence[str] = (),
    *,
    options: CheckOptions | None = None,
    progress: Progress = _no_progress,
    **overrides: Unpack[CheckOverrides],
) -> Report:
    """Check requirement files and/or requirement strings against targets; return the Report.

    `files` are paths (``-`` reads stdin); `requirements` are requirement lines such as
    ``"numpy==2.1.0"``. Options come from `options` and keyword overrides (``targets=``,
    ``index_url=``, ...; see CheckOptions). Raises InputError (bad input: nothing was fetched)
    or UnknownTarget; index failures do not raise: they become `error` results and
    `Report.has_errors` is true. When one of several indexes fails, the others' answers are
    judged, marked "may be incomplete", and the index is named once in `Report.errors`.

    >>> report = await acheck(requirements=["psycopg2==2.9.10"], targets=["python:3.12-alpine"])
    """
    opts = _merge_options(options, overrides)
    sources = _read_sources(files, requirements, opts)
    requirement_set = sources.requirement_set
    targets, python_notes = within_python(_build_targets(opts), _python_ranges(sources))
    targets, environment_notes = within_environments(targets, sources.locks)
    sources = replace(sources, notes=(*python_notes, *environment_notes))
    settings = index_settings(opts, requirement_set)
    policy = SelectionPolicy(pre=opts.pre or requirement_set.pre, prefer_binary=opts.prefer_binary)
    cache = _cache(opts)
    if cache is None:
        return await _check(sources, targets, settings, policy, opts, None, progress)
    # A check whose inputs and cache entries are all unchanged has the same answer.
    key = check_key(sources, targets, settings, policy, opts.no_deps, opts.advice, opts.sizes)
    if opts.reuse and not opts.refresh:
        reused = load_report(cache, key, offline=opts.offline)
        if reused is not None:
            progress("reused the earlier check: nothing it read has changed")
            return reused
    report = await _check(sources, targets, settings, policy, opts, cache, progress)
    store_report(cache, key, report)
    return report


async def _check(
    sources: _Sources,
    targets: tuple[Target, ...],
    settings: IndexSettings,
    policy: SelectionPolicy,
    opts: CheckOptions,
    cache: Store | None,
    progress: Progress,
) -> Report:
    """The check itself, in one direction: fetch, judge, resolve if asked, advise, then
    recommend once. Every page and dependency is read through one client."""
    page_notes: list[str] = []
    async with _client(settings, opts, cache, page_notes.append) as client:
        report = await checked_with(
            client, page_notes, sources, targets, settings, policy, opts, progress
        )
    # Recommended once, from everything the check found; withheld when it is incomplete.
    recommendation = recommend(
        targets,
        report.packages,
        sizes=report.sizes if opts.advice and opts.sizes else None,
        conflicts=report.conflicts,
        errors=report.errors,
    )
    return replace(report, recommendation=recommendation)


async def checked_with(
    client: IndexClient,
    page_notes: list[str],
    sources: _Sources,
    targets: tuple[Target, ...],
    settings: IndexSettings,
    policy: SelectionPolicy,
    opts: CheckOptions,
    progress: Progress,
) -> Report:
    """Fetch, judge, resolve if asked and advise through an open `client`, whose page
    warnings arrive in `page_notes`; the Report before its recommendation. `wheelcheck plan`
    starts from it with the same client, so its search reads what the check read."""
    groups = group_requirements(sources.requirement_set)
    hashes = hash_mode(groups)
    lookups = lock_lookups(sources.locks, targets, policy)
    wanted = _wanted(groups, targets, lookups)
    named = {n: url for n, url in lookups.on_index.items() if url is not None}
    pages = await _fetch_pages(wanted, client, progress, named)
    judged = _judge(sources, groups, targets, pages, policy, opts, settings, hashes)
    trees: dict[str, TreeResult] = {}
    if judged.scope == "tree":
        reader = DependencyReader(client)
        try:
            trees = await resolve_trees(
                groups,
                sources.requirement_set.constraints,
                targets,
                judged.packages,
                client=client,
                reader=reader,
                policy=policy,
                progress=progress,
                hashes=None if hashes is None else hashes.hashes,
            )
        finally:
            await reader.aclose()  # prefetches nobody awaited end here, not after the client
    # Every failed page lookup once, by package, before the tree repeats it per row;
    # one that a failing index explains is said once, in that index's line. Warnings about
    # pages (skipped files...) arrive as lookups finish: sorted by their "<project> on
    # <index>" head (stable: a page's own order stays), so the report reads the same on
    # every run.
    errors = lookup_failures(judged.packages, explained=client.failed_indexes())
    notes = [*judged.notes, *_by_page(page_notes)]
    report = _report(judged, trees, targets, notes, errors, hashes)
    # Advice reads the files a lock lists where it lists them, as its installer would.
    advised_pages = {**pages, **lock_pages(sources.locks)}
    report = await _advise(report, client, advised_pages, trees, groups, policy, opts, progress)
    # An index that failed is named once, after advice (which reads more pages from it).
    return replace(report, errors=(*report.errors, *client.index_failures()))


def index_settings(opts: CheckOptions, requirement_set: RequirementSet) -> IndexSettings:
    """The indexes a check reads: the options, then the files' -i, pip.conf, the mirror."""
    return select_indexes(
        IndexChoice(opts.index_url, opts.extra_index_urls, opts.mirror),
        IndexChoice(requirement_set.index_url, requirement_set.extra_index_urls),
        environ=opts.environ,
        pip_config_files=opts.pip_config_files,
    )


def _client(
    settings: IndexSettings,
    opts: CheckOptions,
    cache: Store | None,
    on_warning: Callable[[str], None],
) -> IndexClient:
    return IndexClient(
        settings,
        max_connections=opts.max_connections,
        timeout=opts.timeout,
        retries=opts.retries,
        verify=_verify(opts),
        cache=cache,
        refresh=opts.refresh,
        offline=opts.offline,
        environ=opts.environ,
        on_warning=on_warning,  # skipped files etc. must reach the user, not vanish
    )


def _wanted(
    groups: Sequence[RequirementGroup],
    targets: Sequence[Target],
    lookups: LockLookups,
) -> dict[NormalizedName, SpecifierSet | None]:
    """Every project to look up, with its one version where it is pinned the same everywhere;
    of a lock's packages, those it lists no files for and those whose files fit nowhere."""
    wanted: dict[NormalizedName, SpecifierSet | None] = {name: None for name in lookups.on_index}
    for name, versions in sorted(lookups.alternatives.items()):
        # one locked version: only its files are wanted (a page like torch's is large)
        only = SpecifierSet(f"=={next(iter(versions))}") if len(versions) == 1 else None
        wanted.setdefault(name, only)
    for group in groups:
        if group.name is not None and group.name not in wanted:
            wanted[group.name] = _pinned_everywhere(group, targets)
    return wanted


@dataclass(frozen=True, slots=True)
class _Judged:
    """The verdicts of what the inputs name, and whether a tree is still to be resolved."""

    packages: list[PackageResult]
    scope: Scope
    notes: list[str]
    index_urls: tuple[str, ...]  # redacted


def _judge(
    sources: _Sources,
    groups: Sequence[RequirementGroup],
    targets: Sequence[Target],
    pages: Mapping[NormalizedName, ProjectPage | ProjectLookupError | None],
    policy: SelectionPolicy,
    opts: CheckOptions,
    settings: IndexSettings,
    hashes: HashMode | None,
) -> _Judged:
    index_urls = tuple(redact_url(u) for u in settings.index_urls)
    packages = judge_direct(groups, targets, pages, policy, index_urls, hashes is not None)
    notes = [*sources.notes, *image_notes(targets), *settings.warnings]
    if sources.locks:
        # Lockfiles are resolved already: judge their pins; anything else as --no-deps.
        packages = judge_locked(sources.locks, targets, pages, policy, index_urls) + packages
        lead = "lockfile: its pins are judged as locked, without resolving"
        return _Judged(packages, "locked", [lead, *notes], index_urls)
    if opts.no_deps:
        lead = "--no-deps: only the requirements the files name are checked"
        return _Judged(packages, "direct", [lead, *notes], index_urls)
    return _Judged(packages, "tree", notes, index_urls)


def _report(
    judged: _Judged,
    trees: Mapping[str, TreeResult],
    targets: tuple[Target, ...],
    notes: list[str],
    errors: list[str],
    hashes: HashMode | None = None,
) -> Report:
    """The Report of the judged packages, each target's tree folded in (when resolved)."""
    packages, conflicts = judged.packages, dict[str, str]()
    if trees:
        merged = merge_trees(packages, targets, trees, hashes)
        packages, conflicts = merged.packages, merged.conflicts
        notes, errors = [*notes, *merged.notes], [*errors, *merged.errors]
    return Report(
        targets=targets,
        packages=tuple(packages),
        recommendation=_PENDING,
        index_urls=judged.index_urls,
        scope=judged.scope,
        notes=tuple(notes),
        conflicts=conflicts,
        errors=tuple(errors),
    )


# What a Report holds until the check recommends, once, at its end.
_PENDING = Recommendation(None, ())


def lookup_failures(
    packages: Sequence[PackageResult], explained: frozenset[str] = frozenset()
) -> list[str]:
    """``name: reason`` for each distinct failed lookup among `packages`, in their order,
    leaving out failures of the indexes in `explained`."""
    found: dict[str, None] = {}
    for package in packages:
        for result in package.results.values():
            if result.verdict is Verdict.ERROR and result.index_url not in explained:
                found.setdefault(f"{package.name}: {result.reason}")
    return list(found)


async def _advise(
    report: Report,
    client: IndexClient,
    pages: Mapping[NormalizedName, ProjectPage | ProjectLookupError | None],
    trees: Mapping[str, TreeResult],
    groups: Sequence[RequirementGroup],
    policy: SelectionPolicy,
    opts: CheckOptions,
    progress: Progress,
) -> Report:
    """Build needs, remedies and sizes (issue 4), with the client still open."""
    if not opts.advice:
        return report
    # Imported here: advice reads release files over HTTP (httpx and the zip and sdist
    # readers), which a check without advice, offline or warm, need not load.
    from wheelcheck._advise.fetch import advise_report

    known: dict[str, ProjectPage] = {n: p for n, p in pages.items() if isinstance(p, ProjectPage)}
    for tree in trees.values():
        for name, page in tree.pages.items():
            known[name] = page

    # Remedies look at other versions (the nearest with a wheel): a pinned requirement's
    # page holds only its own version, so packages that build or miss get the whole page.
    unread: list[str] = []

    async def whole_page(name: str) -> None:
        try:
            known[name] = await client.get_project(NormalizedName(name)) or known[name]
        except ProjectLookupError:
            unread.append(name)  # its remedies look at the pinned version alone

    needs_remedy = {
        canonicalize_name(package.name)
        for package in report.packages
        if any(r.verdict in (Verdict.SOURCE, Verdict.MISSING) for r in package.results.values())
    }
    await asyncio.gather(*(whole_page(name) for name in needs_remedy if name in known))
    specifiers: dict[str, Mapping[str, SpecifierSet]] = {
        group.name: {t.id: group.specifier(t)[0] for t in report.targets}
        for group in groups
        if group.name is not None
    }
    advised = await advise_report(
        report,
        client=client,
        pages=known,
        specifiers=specifiers,
        policy=policy,
        sizes=opts.sizes,
        progress=progress,
    )
    if not unread:
        return advised
    client.note_uncached("the whole page of a package that builds or misses")
    note = (
        f"advice: the whole page of {', '.join(sorted(unread))} could not be read; "
        "remedies there look at the pinned version only"
    )
    return replace(advised, notes=(*advised.notes, note))


def _by_page(warnings: Sequence[str]) -> list[str]:
    return sorted(warnings, key=lambda warning: warning.split(": ", 1)[0])


check = synchronous(
    acheck,
    name="check",
    doc="""Synchronous `acheck`, for scripts: the same arguments, Report, and errors.

    Raises InputError or UnknownTarget for bad input, and RuntimeError when called from a
    running event loop (await `acheck` there); index failures become `error` results.

    >>> report = check(["requirements.txt"], targets=["python:3.12-alpine"])  # doctest: +SKIP
    >>> report.recommendation.image  # doctest: +SKIP
    'python:3.12-slim'
    """,
)


def _merge_options(options: CheckOptions | None, overrides: CheckOverrides) -> CheckOptions:
    base = options or CheckOptions()
    if not overrides:
        return base
    known = {f.name for f in fields(CheckOptions)}
    unknown = sorted(set(overrides) - known)  # a caller the type checker does not see
    if unknown:
        raise TypeError(f"unknown check option(s): {', '.join(unknown)}")
    return replace(base, **overrides)


def _environ(opts: CheckOptions) -> Mapping[str, str]:
    import os

    return os.environ if opts.environ is None else opts.environ


def _verify(opts: CheckOptions) -> bool | str:
    """A CA bundle path from the options or the environment, else True (default trust)."""
    if opts.verify is not True:
        return opts.verify
    return find_ca_bundle(None, _environ(opts))


def _cache(opts: CheckOptions) -> Store | None:
    """The cache the options ask for; --offline needs one.

    Raises InputError naming where the directory came from (``--cache-dir``,
    ``WHEELCHECK_CACHE_DIR``) when it, or a folder above it, is a file: it can never hold a
    cache. A directory that cannot be written is used for reading, with one warning
    (`Store`).
    """
    if not (opts.cache or opts.cache_dir is not None or opts.offline):
        return None
    variable = _environ(opts).get(CACHE_DIR_VARIABLE)
    if opts.cache_dir:
        root = Path(opts.cache_dir)
        source = f"{CACHE_DIR.flag} {root}"
    elif variable:
        root = Path(variable)
        source = f"{CACHE_DIR_VARIABLE}={root}"
    else:
        root = default_cache_dir()
        source = f"the user cache directory {root}"
    blocker = _not_a_directory(root)
    if blocker is not None:
        where = "it is a file" if blocker == root else f"{blocker} is a file"
        raise InputError(f"{source}: cannot be the cache directory: {where}")
    return Store(root, default_max_age=opts.cache_max_age)


def _not_a_directory(path: Path) -> Path | None:
    """The nearest existing one of `path` and its parents when it is not a directory."""
    for candidate in (path, *path.parents):
        try:
            if candidate.exists():
                return None if candidate.is_dir() else candidate
        except (OSError, ValueError):  # unreadable, a NUL in the name: found at first write
            return None
    return None


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
    pyprojects: tuple[RequirementSet, ...] = ()  # their requires-python limits the targets
    notes: tuple[str, ...] = ()  # about the targets the inputs leave out


# Lock kinds whose installer refuses a Python outside the lock's range (uv sync, poetry
# install, pdm sync, a PEP 751 installer). pipenv only warns about Pipfile.lock's
# python_version, and pixi installs the Python its lock names: their targets stay judged.
_PYTHON_REFUSED = (
    SourceKind.PYLOCK,
    SourceKind.UV_LOCK,
    SourceKind.POETRY_LOCK,
    SourceKind.PDM_LOCK,
)


def _python_ranges(sources: _Sources) -> list[PythonRange]:
    """The Python ranges the locks and pyproject.toml files declare, as each tool reads it."""
    found = [
        python_range(
            lock.requirement_set.files[0],
            lock.requires_python_line,
            lock.requires_python,
            poetry=lock.kind is SourceKind.POETRY_LOCK,
        )
        for lock in sources.locks
        if lock.kind in _PYTHON_REFUSED
    ]
    found += [
        python_range(part.files[0], part.requires_python_line, part.requires_python)
        for part in sources.pyprojects
    ]
    return [r for r in found if r is not None]


def _read_sources(
    files: Sequence[str | Path], requirements: Sequence[str], opts: CheckOptions
) -> _Sources:
    """Every input, each by its kind; the problems of all of them are reported at once."""
    require_type("files", files, Sequence[str | Path])
    require_type("requirements", requirements, Sequence[str])
    parts: list[RequirementSet] = []
    locks: list[LockedSet] = []
    pyprojects: list[RequirementSet] = []
    problems: list[InputProblem] = []
    plain: list[str] = []
    for file in map(str, files):
        unnamed = _kind(opts.format_in) if opts.format_in else None
        kind = _kind(opts.kind) if opts.kind else detect_kind(file, unnamed)
        try:
            if kind is SourceKind.REQUIREMENTS:
                plain.append(file)
            elif kind is SourceKind.PYPROJECT:
                parts.append(read_pyproject(file, extras=opts.extras, groups=opts.groups))
                pyprojects.append(parts[-1])
            elif kind is SourceKind.PIPFILE:
                pipfile = read_pipfile(file, dev=opts.dev, groups=opts.groups, extras=opts.extras)
                parts.append(pipfile.requirement_set)
            else:
                locks.append(
                    read_lockfile(
                        file,
                        kind,
                        extras=opts.extras,
                        groups=opts.groups,
                        dev=opts.dev,
                        environment=opts.environment,
                    )
                )
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
    return _Sources(merged, tuple(locks), tuple(pyprojects))


def _build_targets(opts: CheckOptions) -> tuple[Target, ...]:
    given = [t for t in opts.targets if isinstance(t, Target)]
    specs = [t for t in opts.targets if isinstance(t, str)]
    parsed = parse_targets(specs, opts.arches, opts.python) if specs or not given else ()
    return tuple(dict.fromkeys((*given, *parsed)))


def _pinned_everywhere(group: RequirementGroup, targets: Sequence[Target]) -> SpecifierSet | None:
    """The group's specifier when it is the same exact pin on every target, else None."""
    specifiers = {group.specifier(target)[0] for target in targets}
    if len(specifiers) != 1:
        return None
    (specifier,) = specifiers
    return specifier if is_pinned(specifier) else None


async def _fetch_pages(
    wanted: Mapping[NormalizedName, SpecifierSet | None],
    client: IndexClient,
    progress: Progress,
    named: Mapping[NormalizedName, str] | None = None,
) -> dict[NormalizedName, ProjectPage | ProjectLookupError | None]:
    """Every named project's page, fetched once for all targets; failures kept as values.

    A name pinned to one version (its specifier in `wanted`) gets only that version's files:
    the rest of the page would be decoded and held for nothing (see get_project). A name in
    `named` is asked of that index alone (a lock's per-package index).
    """
    results: dict[NormalizedName, ProjectPage | ProjectLookupError | None] = {}
    named = named or {}

    async def one(name: NormalizedName, versions: SpecifierSet | None) -> None:
        try:
            if name in named:
                results[name] = await client.get_project_on(named[name], name, versions)
            else:
                results[name] = await client.get_project(name, versions)
        except ProjectLookupError as error:
            results[name] = error
        progress(f"{len(results)}/{len(wanted)} {name}")

    await asyncio.gather(*(one(n, v) for n, v in wanted.items()))
    return results
