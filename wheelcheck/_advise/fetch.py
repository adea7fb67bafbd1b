"""Advice for a finished report: build needs, remedies and installed sizes, then the verdict.

Runs after the verdicts (and the tree) are known. It reads each distinct sdist that would be
built (its member list, to call it pure or native) and each distinct wheel's zip directory
(for its installed size), fetches the pages of curated binary alternatives, and folds it all
into the results; the recommendation is drawn from them afterwards. A file that cannot be
read costs only its own piece of advice, never the report.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import replace

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from wheelcheck._advise.build_needs import build_needs
from wheelcheck._advise.remedies import alternative_projects, find_remedy
from wheelcheck._advise.size import choose_sample, pyc_scale, target_size, wheel_installed_size
from wheelcheck._cache.advice import load_call, load_sizes, store_call, store_sizes
from wheelcheck._index.client import IndexClient
from wheelcheck._index.files import read_sdist, read_wheel
from wheelcheck._judge.selection import SelectionPolicy
from wheelcheck._metadata.core import MetadataError
from wheelcheck._metadata.native import NativeCall, classify
from wheelcheck.errors import ProjectLookupError
from wheelcheck.models import (
    DistFile,
    PackageResult,
    ProjectPage,
    Report,
    Target,
    TargetResult,
    TargetSize,
    Verdict,
)

__all__ = ["advise_report"]

Progress = Callable[[str], None]
# Verdicts whose file pip installs, and so has a size on disk.
_SIZED = (Verdict.BINARY, Verdict.PURE)


def _quiet(_message: str) -> None:
    return None


def _file_of(page: ProjectPage | None, filename: str | None) -> DistFile | None:
    if page is None or filename is None:
        return None
    return next((f for f in page.files if f.filename == filename), None)


async def advise_report(
    report: Report,
    *,
    client: IndexClient,
    pages: Mapping[str, ProjectPage],
    specifiers: Mapping[str, Mapping[str, SpecifierSet]] | None = None,
    policy: SelectionPolicy | None = None,
    sizes: bool = True,
    progress: Progress = _quiet,
) -> Report:
    """`report` with build needs and remedies on every `source` result, installed sizes on
    installed results (when `sizes`) and per-target size totals; the recommendation drawn
    from them is the caller's (wheelcheck._advise.recommend).

    `pages` maps normalised project names to the pages the check used; `specifiers` maps a
    direct requirement's normalised name to its specifier per target id (others: any
    version). Never raises for a file that cannot be read: that piece of advice is left out
    and a note says how many were.
    """
    policy = policy or SelectionPolicy()
    specifiers = specifiers or {}
    targets = {t.id: t for t in report.targets}
    page_of = {canonicalize_name(k): v for k, v in pages.items()}

    sdists: dict[str, DistFile] = {}
    wheels: dict[str, DistFile] = {}
    for package in report.packages:
        page = page_of.get(canonicalize_name(package.name))
        for result in package.results.values():
            file = _file_of(page, result.file)
            if file is None:
                continue
            if result.verdict is Verdict.SOURCE:
                sdists[file.filename] = file
            elif result.verdict in _SIZED and sizes:
                wheels[file.filename] = file

    failures: list[str] = []
    calls: dict[str, NativeCall | None] = {}

    async def inspect(file: DistFile) -> None:
        calls[file.filename] = load_call(client, file)
        if calls[file.filename] is not None:
            return
        try:
            call = classify(await read_sdist(client, file))
        except Exception as error:  # advice is optional: one odd file must not sink the report
            reason = error.reason if isinstance(error, MetadataError) else type(error).__name__
            failures.append(f"sdist {file.filename}: {reason}")
            return
        calls[file.filename] = call
        store_call(client, file, call)

    wheel_sizes: dict[tuple[str, tuple[int, int]], int] = {}
    pythons = sorted({t.python_version for t in report.targets})
    listed: set[str] = set()

    async def measure(file: DistFile) -> None:
        stored = load_sizes(client, file, pythons)
        if stored is None:
            try:
                found, samples = await read_wheel(client, file, choose_sample)
            except Exception as error:  # as above: the size stays unknown
                reason = error.reason if isinstance(error, MetadataError) else type(error).__name__
                failures.append(f"wheel {file.filename}: {reason}")
                return
            stored = {}
            for python in pythons:
                # Compiling the samples runs none of their code; it is CPU work, off the loop.
                scale = await asyncio.to_thread(pyc_scale, samples, python) if samples else 1.0
                stored[python] = wheel_installed_size(found, python, scale=scale)
            if len(samples) == len(choose_sample(found)):
                store_sizes(client, file, stored)
            else:  # a sample could not be read: this estimate is not the file's for good
                client.note_uncached(f"a sample of {file.filename}")
        listed.add(file.filename)
        for python, size in stored.items():
            wheel_sizes[(file.filename, python)] = size
        progress(f"sizes {len(listed)}/{len(wheels)}")

    source_names = sorted(
        {p.name for p in report.packages for r in p.results.values() if r.verdict is Verdict.SOURCE}
    )
    alt_names = [n for n in alternative_projects(source_names) if n not in page_of]
    alt_pages: dict[NormalizedName, ProjectPage | None] = {
        n: page_of[n] for n in alternative_projects(source_names) if n in page_of
    }

    async def alternative(name: NormalizedName) -> None:
        try:
            alt_pages[name] = await client.get_project(name)
        except ProjectLookupError as error:
            failures.append(f"page {name}: {error}")

    await asyncio.gather(
        *(inspect(f) for f in sdists.values()),
        *(measure(f) for f in wheels.values()),
        *(alternative(n) for n in alt_names),
    )

    packages = [
        _advise_package(
            package,
            targets,
            page_of.get(canonicalize_name(package.name)),
            calls,
            wheel_sizes,
            specifiers.get(canonicalize_name(package.name), {}),
            policy,
            alt_pages,
        )
        for package in report.packages
    ]
    per_target: dict[str, TargetSize] = {}
    if sizes:
        for target in report.targets:
            found: dict[str, int | None] = {}
            for package in packages:
                got = package.results.get(target.id)
                if got is not None and got.verdict in (*_SIZED, Verdict.SOURCE, Verdict.ERROR):
                    # A failed lookup would install something of unknown size: not sized.
                    found[package.name] = got.installed_size
            per_target[target.id] = target_size(found)
    notes = list(report.notes)
    if failures:
        failures.sort()  # gathered in completion order: name the same first failure every run
        client.note_uncached("advice that could not read every file")
        notes.append(
            f"advice: {len(failures)} file(s) could not be read, their advice is missing "
            f"(first: {failures[0]})"
        )
    return replace(report, packages=tuple(packages), sizes=per_target, notes=tuple(notes))


def _advise_package(
    package: PackageResult,
    targets: Mapping[str, Target],
    page: ProjectPage | None,
    calls: Mapping[str, NativeCall | None],
    wheel_sizes: Mapping[tuple[str, tuple[int, int]], int],
    specifiers: Mapping[str, SpecifierSet],
    policy: SelectionPolicy,
    alt_pages: Mapping[NormalizedName, ProjectPage | None],
) -> PackageResult:
    results: dict[str, TargetResult] = {}
    for target_id, result in package.results.items():
        target = targets.get(target_id)
        if target is None or result.file is None:
            results[target_id] = result
            continue
        if result.verdict in _SIZED:
            size = wheel_sizes.get((result.file, target.python_version))
            results[target_id] = replace(result, installed_size=size)
        elif result.verdict is Verdict.SOURCE:
            call = calls.get(result.file)
            needs = build_needs(package.name, call, target, other_wheels=result.other_wheels)
            remedy = None
            if page is not None and result.version is not None:
                remedy = find_remedy(
                    page,
                    chosen=Version(result.version),
                    target=target,
                    specifier=specifiers.get(target_id),
                    policy=policy,
                    alternative_pages=alt_pages,
                )
            results[target_id] = replace(result, build=needs, remedy=remedy)
        else:
            results[target_id] = result
    return replace(package, results=results)
