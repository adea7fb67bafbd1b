"""Advice for a finished report: build needs, remedies and installed sizes, then the verdict.

Runs after the verdicts (and the tree) are known. It reads each distinct sdist that would be
built (its member list, to call it pure or native) and each distinct wheel's zip directory
(for its installed size), fetches the pages of curated binary alternatives, and folds it all
into the results; the recommendation is drawn from them afterwards. A file that cannot be
read costs only its own piece of advice, never the report.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from wheelcheck._advise.build_needs import build_needs
from wheelcheck._advise.remedies import RemedySearch, alternative_projects
from wheelcheck._advise.size import (
    Footprint,
    footprint,
    installed_size,
    pyc_fit_note,
    target_size,
)
from wheelcheck._cache.advice import (
    load_call,
    load_failure,
    load_footprint,
    store_call,
    store_failure,
    store_footprint,
)
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
    sdists, wheels = _release_files(report, page_of, sizes=sizes)
    reads = _Reads(client, sorted({t.python_version for t in report.targets}), progress)
    reads.total = len(sdists) + len(wheels)
    source_names = sorted(
        {p.name for p in report.packages for r in p.results.values() if r.verdict is Verdict.SOURCE}
    )
    alternatives = alternative_projects(source_names)
    reads.alt_pages.update({n: page_of[n] for n in alternatives if n in page_of})
    await asyncio.gather(
        *(reads.inspect(f) for f in sdists),
        *(reads.measure(f) for f in wheels),
        *(reads.alternative(n) for n in alternatives if n not in page_of),
    )
    packages = [
        _advise_package(
            package,
            targets,
            page_of.get(canonicalize_name(package.name)),
            reads,
            specifiers.get(canonicalize_name(package.name), {}),
            policy,
        )
        for package in report.packages
    ]
    per_target = _target_sizes(report.targets, packages) if sizes else {}
    notes = (*report.notes, *reads.notes(), *(_pyc_notes(report.targets) if sizes else ()))
    return replace(report, packages=tuple(packages), sizes=per_target, notes=notes)


def _release_files(
    report: Report, page_of: Mapping[NormalizedName, ProjectPage], *, sizes: bool
) -> tuple[list[DistFile], list[DistFile]]:
    """The distinct sdists that would be built, and the wheels to size (when `sizes`)."""
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
    return list(sdists.values()), list(wheels.values())


def _reason(error: Exception) -> str:
    return error.reason if isinstance(error, MetadataError) else type(error).__name__


def _lasting(error: Exception) -> bool:
    """Whether a failed read is the file's own fault (too large, not an archive), which no
    retry changes, rather than of the way to it (a transport error, an HTTP status)."""
    if not isinstance(error, MetadataError) or error.reason.startswith("HTTP "):
        return False
    return error.__cause__ is None or isinstance(error.__cause__, MetadataError)


class _Reads:
    """What advice reads from release files and pages, each once, kept for the packages.

    Advice is optional: a file that cannot be read costs its own piece of advice and a
    line in `failures`, never the report.
    """

    def __init__(
        self, client: IndexClient, pythons: list[tuple[int, int]], progress: Progress
    ) -> None:
        self.client = client
        self.pythons = pythons
        self.progress = progress
        self.failures: list[str] = []
        self.calls: dict[str, NativeCall | None] = {}  # sdist file name -> pure or native
        self.wheel_sizes: dict[tuple[str, tuple[int, int]], int] = {}
        self.alt_pages: dict[NormalizedName, ProjectPage | None] = {}
        self.total = 0  # files to read, for the progress line
        self._done = 0

    async def inspect(self, file: DistFile) -> None:
        """Call an sdist pure or native from its member list (or the cached answer)."""
        cache = self.client.cache
        call = load_call(cache, file)
        failed = None if call is not None else load_failure(cache, "sdist", file)
        if call is None and failed is None:
            try:
                call = classify(await read_sdist(self.client, file))
            except Exception as error:  # one odd file must not sink the report
                failed = _reason(error)
                store_failure(cache, "sdist", file, failed, lasting=_lasting(error))
            else:
                store_call(cache, file, call)
        self.calls[file.filename] = call
        if failed is not None:
            self.failures.append(f"sdist {file.filename}: {failed}")
        self._read()

    async def measure(self, file: DistFile) -> None:
        """A wheel's installed size per Python, from its zip directory (or the cached one)."""
        cache = self.client.cache
        fields = tuple(Footprint.__dataclass_fields__)
        stored = load_footprint(cache, file, fields)
        found = None if stored is None else Footprint(**stored)
        failed = None if found is not None else load_failure(cache, "wheel", file)
        if found is None and failed is None:
            try:
                found = footprint(await read_wheel(self.client, file))
            except Exception as error:  # as above: the size stays unknown
                failed = _reason(error)
                store_failure(cache, "wheel", file, failed, lasting=_lasting(error))
            else:
                store_footprint(cache, file, {name: getattr(found, name) for name in fields})
        if failed is not None:
            self.failures.append(f"wheel {file.filename}: {failed}")
        if found is not None:
            for python in self.pythons:
                self.wheel_sizes[(file.filename, python)] = installed_size(found, python)
        self._read()

    def _read(self) -> None:
        self._done += 1
        self.progress(f"advice {self._done}/{self.total} files")

    async def alternative(self, name: NormalizedName) -> None:
        """The page of a curated binary alternative (psycopg2-binary for psycopg2)."""
        try:
            self.alt_pages[name] = await self.client.get_project(name)
        except ProjectLookupError as error:
            self.failures.append(f"page {name}: {error}")
            # A failed page lookup is not kept like a file's failure: not reusable whole.
            self.client.note_uncached(f"the page of {name}")

    def notes(self) -> tuple[str, ...]:
        """The report note about what could not be read (none when everything was)."""
        if not self.failures:
            return ()
        self.failures.sort()  # gathered in completion order: name the same one every run
        return (
            f"advice: {len(self.failures)} file(s) could not be read, their advice is "
            f"missing (first: {self.failures[0]})",
        )


def _pyc_notes(targets: Sequence[Target]) -> tuple[str, ...]:
    """One note per Python minor without a .pyc model of its own, naming the stand-in."""
    notes = (pyc_fit_note(python) for python in sorted({t.python_version for t in targets}))
    return tuple(f"sizes: {note}" for note in notes if note is not None)


def _target_sizes(
    targets: Sequence[Target], packages: Sequence[PackageResult]
) -> dict[str, TargetSize]:
    """Per target, the installed size of what pip installs there."""
    per_target: dict[str, TargetSize] = {}
    for target in targets:
        found: dict[str, int | None] = {}
        for package in packages:
            got = package.results.get(target.id)
            if got is not None and got.verdict in (*_SIZED, Verdict.SOURCE, Verdict.ERROR):
                # A failed lookup would install something of unknown size: not sized.
                found[package.name] = got.installed_size
        per_target[target.id] = target_size(found, python=target.python_version)
    return per_target


def _advise_package(
    package: PackageResult,
    targets: Mapping[str, Target],
    page: ProjectPage | None,
    reads: _Reads,
    specifiers: Mapping[str, SpecifierSet],
    policy: SelectionPolicy,
) -> PackageResult:
    results: dict[str, TargetResult] = {}
    for target_id, result in package.results.items():
        target = targets.get(target_id)
        if target is None or result.file is None:
            results[target_id] = result
            continue
        if result.verdict in _SIZED:
            size = reads.wheel_sizes.get((result.file, target.python_version))
            results[target_id] = replace(result, installed_size=size)
        elif result.verdict is Verdict.SOURCE:
            call = reads.calls.get(result.file)
            needs = build_needs(
                package.name,
                call,
                target,
                other_wheels=result.other_wheels,
                version=result.version,
            )
            remedy = None
            if page is not None and result.version is not None:
                remedy = RemedySearch(policy, reads.alt_pages).find(
                    page,
                    chosen=Version(result.version),
                    target=target,
                    specifier=specifiers.get(target_id),
                )
            results[target_id] = replace(result, build=needs, remedy=remedy)
        else:
            results[target_id] = result
    return replace(package, results=results)
