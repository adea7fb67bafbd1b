"""A locked package judged from the files its lock lists, as the lock's installer reads it.

``uv sync``, ``poetry install`` and a PEP 751 installer download only the files the lock
names for a package (from the index it names); an index page is not consulted. So the lock's
files are the candidates, read without the network, and when none of them fits a target
nothing installs from that lock there, whatever the index holds (the report says when the
configured index has a fitting file, so the user knows that regenerating the lock helps).
"""

from __future__ import annotations

from collections.abc import Sequence

from packaging.specifiers import SpecifierSet
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    parse_sdist_filename,
    parse_wheel_filename,
)

from wheelcheck._judge.selection import SelectionPolicy, rank_for
from wheelcheck._judge.targets import tag_ranks, target_platform
from wheelcheck._judge.verdicts import judge_choice
from wheelcheck._sources import LockedFile, LockedSource
from wheelcheck._urls import normalize_index_url, redact_url
from wheelcheck.models import DistFile, ProjectPage, Target, TargetResult, Verdict

# Where a file came from when the lock names no index for its package.
FROM_THE_LOCK = "the lock"

# How every "nothing from the lock" reason starts, whatever the cause.
NOTHING_FROM_THE_LOCK = "nothing installable from this lock on this target: "

# PyPI's Simple API, however a lock spells it: the configured index stands for it (a mirror).
_PYPI = {"https://pypi.org/simple/", "https://pypi.python.org/simple/"}

# pip still installs these legacy sdist archives; packaging parses only .tar.gz and .zip.
_SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz", ".tar")


def named_index(source: LockedSource | None) -> str | None:
    """The index a locked package must be asked on, None for the configured one (the lock
    names none, or names PyPI: a configured mirror stands for it)."""
    if source is None or source.index_url is None:
        return None
    try:
        normalized = normalize_index_url(source.index_url.strip())
    except ValueError:
        return source.index_url
    return None if normalized in _PYPI else source.index_url


def _dist_file(file: LockedFile, name: NormalizedName, source: LockedSource) -> DistFile | None:
    """The lock's file as a DistFile; None for a name that is not this project's wheel or
    sdist (pip would not install it)."""
    try:
        if file.is_wheel:
            project, version, build, tags = parse_wheel_filename(file.name)
        else:
            suffix = next((s for s in _SDIST_SUFFIXES if file.name.endswith(s)), None)
            if suffix is None:
                return None
            project, version = parse_sdist_filename(file.name[: -len(suffix)] + ".tar.gz")
            build, tags = (), frozenset()
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    if project != name:
        return None
    return DistFile(
        filename=file.name,
        url=file.url or "",
        index_url=redact_url(source.index_url) if source.index_url else FROM_THE_LOCK,
        version=version,
        is_wheel=file.is_wheel,
        tags=tags,
        build_tag=build,
        hashes=dict(file.hashes),
        requires_python=source.requires_python,
        size=file.size,
    )


def lock_page(name: NormalizedName, source: LockedSource) -> ProjectPage:
    """The files a lock lists for one package, as the page its installer sees."""
    files = tuple(f for f in (_dist_file(x, name, source) for x in source.files) if f)
    display = redact_url(source.index_url) if source.index_url else FROM_THE_LOCK
    return ProjectPage(name=name, files=files, index_urls=(display,))


def judge_lock_files(
    name: NormalizedName,
    version: str,
    source: LockedSource,
    target: Target,
    policy: SelectionPolicy,
) -> TargetResult:
    """The verdict from the lock's own files; `missing`, with the reason, when none fits."""
    page = lock_page(name, source)
    specifier = SpecifierSet(f"=={version}")
    ranked = rank_for(target, page.files, specifier, policy=policy)
    if ranked:
        return judge_choice(page, ranked[0], tag_ranks(target))
    return TargetResult(Verdict.MISSING, lock_missing_reason(name, version, page.files, target))


def lock_missing_reason(name: str, version: str, files: Sequence[DistFile], target: Target) -> str:
    """Why nothing the lock lists installs on `target`, and how to fix the lock."""
    head = NOTHING_FROM_THE_LOCK
    families = sorted({_family(t.platform) for f in files if f.is_wheel for t in f.tags})
    has_sdist = any(not f.is_wheel for f in files)
    if not files:
        return f"{head}the lock lists no file for {name} {version}; regenerate it"
    if families and not has_sdist and not any(f in ("linux", "any") for f in families):
        listed = ", ".join(families)
        return (
            f"{head}the lock lists only {listed} wheels for {name} {version}; "
            "regenerate it on or for linux"
        )
    listed = f"wheels for {', '.join(families)}" if families else "no wheels"
    sdist = " and an sdist" if has_sdist else "; no sdist"
    return (
        f"{head}the lock lists no file of {name} {version} for Python {target.python} on "
        f"{target_platform(target)} (it lists {listed}{sdist}); regenerate it on or for "
        "this target"
    )


def _family(platform: str) -> str:
    """A wheel platform tag's family: macosx, win, manylinux, musllinux, linux, any, ..."""
    for family in ("manylinux", "musllinux", "macosx", "win", "linux", "ios", "android"):
        if platform.startswith(family):
            return family
    return platform


def alternative_note(
    page: ProjectPage | None, version: str, target: Target, policy: SelectionPolicy
) -> str:
    """``; https://pypi.org/simple has one (file), ...`` when the configured index has a file
    of the locked version that fits `target`, else ""."""
    if page is None:
        return ""
    ranked = rank_for(target, page.files, SpecifierSet(f"=={version}"), policy=policy)
    if not ranked:
        return ""
    return (
        f"; {ranked[0].index_url} has one ({ranked[0].filename}), but the lock's installer "
        "reads only the lock's files"
    )
