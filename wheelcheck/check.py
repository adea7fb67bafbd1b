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
from wheelcheck.errors import InputProblem, InvalidInputFiles, ProjectLookupError
from wheelcheck.index import IndexClient, IndexSettings, redact_url, select_indexes
from wheelcheck.judge import judge_files, not_found
from wheelcheck.models import (
    DeclaredRequirement,
    PackageResult,
    ProjectPage,
    Report,
    RequirementSet,
    Target,
    TargetResult,
    Verdict,
)
from wheelcheck.select import SelectionPolicy
from wheelcheck.sources import parse_requirement_text, read_requirement_files
from wheelcheck.targets import marker_environment, parse_targets, tag_ranks

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
    requirement_set = _read_sources(files, requirements)
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
    pages = await _fetch_pages(requirement_set, settings, opts, progress)
    packages = tuple(_judge_all(requirement_set, targets, pages, policy, settings))
    index_urls = (redact_url(settings.index_url), *map(redact_url, settings.extra_index_urls))
    notes = (
        "direct requirements only: transitive dependencies are not checked yet",
        *settings.warnings,
    )
    return Report(
        targets=targets,
        packages=packages,
        recommendation=recommend(targets, packages),
        index_urls=index_urls,
        scope="direct",
        notes=notes,
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


def _read_sources(files: Sequence[str | Path], requirements: Sequence[str]) -> RequirementSet:
    """Files and strings together; the problems of both are reported at once."""
    parts: list[RequirementSet] = []
    problems: list[InputProblem] = []
    readers: list[Callable[[], RequirementSet | None]] = [
        lambda: read_requirement_files([str(f) for f in files]) if files else None,
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
    return RequirementSet(
        requirements=tuple(r for p in parts for r in p.requirements),
        constraints=tuple(c for p in parts for c in p.constraints),
        index_url=next((p.index_url for p in parts if p.index_url), None),
        extra_index_urls=tuple(u for p in parts for u in p.extra_index_urls),
        pre=any(p.pre for p in parts),
        files=tuple(f for p in parts for f in p.files),
    )


def _build_targets(opts: CheckOptions) -> tuple[Target, ...]:
    given = [t for t in opts.targets if isinstance(t, Target)]
    specs = [t for t in opts.targets if isinstance(t, str)]
    parsed = parse_targets(specs, opts.arches, opts.python) if specs or not given else ()
    return tuple(dict.fromkeys((*given, *parsed)))


def _lookup_names(requirement_set: RequirementSet) -> list[NormalizedName]:
    names = [
        r.name
        for r in requirement_set.requirements
        if r.name is not None and r.direct_reference is None
    ]
    return list(dict.fromkeys(names))


async def _fetch_pages(
    requirement_set: RequirementSet,
    settings: IndexSettings,
    opts: CheckOptions,
    progress: Progress,
) -> dict[NormalizedName, ProjectPage | ProjectLookupError | None]:
    """Every project page, fetched once for all targets; failures kept as values, not raised."""
    names = _lookup_names(requirement_set)
    results: dict[NormalizedName, ProjectPage | ProjectLookupError | None] = {}
    if not names:
        return results
    async with IndexClient(
        settings,
        max_connections=opts.max_connections,
        timeout=opts.timeout,
        retries=opts.retries,
        verify=opts.verify,
    ) as client:

        async def one(name: NormalizedName) -> None:
            try:
                results[name] = await client.get_project(name)
            except ProjectLookupError as error:
                results[name] = error
            progress(f"{len(results)}/{len(names)} {name}")

        await asyncio.gather(*(one(n) for n in names))
    return results


def _judge_all(
    requirement_set: RequirementSet,
    targets: Sequence[Target],
    pages: Mapping[NormalizedName, ProjectPage | ProjectLookupError | None],
    policy: SelectionPolicy,
    settings: IndexSettings,
) -> list[PackageResult]:
    """One PackageResult per project named (lines naming the same project are merged, as pip
    merges them), and one per direct reference."""
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

    index_urls = [redact_url(settings.index_url), *map(redact_url, settings.extra_index_urls)]
    packages = []
    for declared_list in grouped.values():
        first = declared_list[0]
        results = {
            t.id: _judge_one(declared_list, constraints, t, pages, policy, index_urls)
            for t in targets
        }
        packages.append(
            PackageResult(
                name=first.display_name,
                requirement="; ".join(dict.fromkeys(d.text for d in declared_list)),
                origin=first.origin,
                results=results,
            )
        )
    return packages


def _judge_one(
    declared_list: Sequence[DeclaredRequirement],
    constraints: Mapping[str, Sequence[DeclaredRequirement]],
    target: Target,
    pages: Mapping[NormalizedName, ProjectPage | ProjectLookupError | None],
    policy: SelectionPolicy,
    index_urls: Sequence[str],
) -> TargetResult:
    environment = marker_environment(target)

    def applies(d: DeclaredRequirement) -> bool:
        marker = d.requirement.marker if d.requirement is not None else None
        return marker is None or marker.evaluate({**environment, "extra": ""})

    active = [d for d in declared_list if applies(d)]
    if not active:
        marker = declared_list[0].requirement.marker if declared_list[0].requirement else None
        return TargetResult(Verdict.SKIPPED, f"marker is false here: {marker}")
    first = active[0]
    if first.direct_reference is not None or first.name is None:
        kind = "editable " if first.editable else ""
        return TargetResult(
            Verdict.UNCHECKED,
            f"{kind}direct reference {first.direct_reference or first.text} is not looked up",
        )
    page = pages.get(first.name)
    if isinstance(page, ProjectLookupError):
        return TargetResult(Verdict.ERROR, page.reason, index_url=page.index_url)
    if page is None:
        return not_found(index_urls)
    specifier = SpecifierSet()
    hashes: list[str] = []
    for d in (*active, *(c for c in constraints.get(first.name, ()) if applies(c))):
        if d.requirement is not None:
            specifier &= d.requirement.specifier
        hashes.extend(d.hashes)
    return judge_files(
        page,
        specifier=specifier,
        target=target,
        tag_ranks=tag_ranks(target),
        policy=policy,
        hashes=hashes,
    )
