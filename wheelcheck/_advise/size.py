"""Installed size: what pip's install of a wheel puts on disk, and what an image would weigh.

A wheel's size on disk is read from its zip central directory (no download): the members'
uncompressed sizes, plus the ``.pyc`` files pip compiles for every ``.py`` module, plus the
RECORD lines and INSTALLER file it writes. Image estimates add the base image and, where
something is compiled, the build toolchain, from the tables in ``data/``; the one table of
image sizes (``image-sizes.json``) also gives Dockerfile rule WCD001 its pull sizes.
"""

from __future__ import annotations

import functools
import marshal
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wheelcheck._data import read_json as read_data
from wheelcheck._metadata.zipread import ZipEntry
from wheelcheck.models import TargetSize

__all__ = [
    "MB",
    "ImageSize",
    "base_image_size",
    "full_image_includes",
    "image_method",
    "image_sizes",
    "pyc_size",
    "runtime_mb",
    "target_size",
    "toolchain_mb",
    "wheel_installed_size",
]

MB = 1_000_000

# pyc ~ PYC_RATIO x source + PYC_OVERHEAD per module, fitted on CPython 3.11 over about 2,100
# modules of 40 installed distributions (the size-check script re-measures it; see docs/targets.md).
# CPython 3.11+ writes larger code objects (exception tables, inline caches) than 3.10.
PYC_RATIO = 1.08
PYC_OVERHEAD = 1_700
PYC_RATIO_BEFORE_311 = 0.80
PYC_OVERHEAD_BEFORE_311 = 1_000
# Bytes pip adds to RECORD per compiled file (path, sha256 and size) and per wheel.
RECORD_LINE = 40
INSTALLER_FILES = 10  # INSTALLER ("pip\n") and an empty REQUESTED


def pyc_size(source_bytes: int, python: tuple[int, int] = (3, 12)) -> int:
    """Estimated size of the ``.pyc`` CPython `python` compiles from a module of that size."""
    if python >= (3, 11):
        return round(PYC_RATIO * source_bytes + PYC_OVERHEAD)
    return round(PYC_RATIO_BEFORE_311 * source_bytes + PYC_OVERHEAD_BEFORE_311)


def compiled_size(source: bytes, name: str = "<module>") -> int | None:
    """The exact size of the ``.pyc`` this interpreter writes for `source`, or None when it
    does not compile. Compiling runs none of the module's code."""
    try:
        code = compile(source, name, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return 16 + len(marshal.dumps(code))  # PEP 552 header + the marshalled code object


# A wheel with at least SAMPLE_FROM bytes of module source gets its .pyc estimate calibrated by
# compiling its modules: all of them up to COMPILE_ALL bytes of source, else SAMPLE_BYTES in
# SAMPLE_RUNS runs of neighbours spread over the archive (a run costs one range request).
# Sampling fewer runs misjudged langsmith by 10%: module styles cluster by directory.
SAMPLE_FROM = 1_000_000
COMPILE_ALL = 16_000_000
SAMPLE_BYTES = 4_000_000
SAMPLE_RUNS = 64


def choose_sample(entries: Sequence[ZipEntry]) -> list[ZipEntry]:
    """The modules to compile to calibrate this wheel's .pyc estimate (see SAMPLE_FROM)."""
    modules = sorted(
        (e for e in entries if not e.is_dir and _compiled(e.name)), key=lambda e: e.header_offset
    )
    total = sum(e.uncompressed_size for e in modules)
    if total < SAMPLE_FROM:
        return []
    if total <= COMPILE_ALL:
        return modules
    chosen: list[ZipEntry] = []
    per_run = SAMPLE_BYTES // SAMPLE_RUNS
    for run in range(SAMPLE_RUNS):
        index = run * len(modules) // SAMPLE_RUNS
        taken = 0
        while index < len(modules) and taken < per_run:
            chosen.append(modules[index])
            taken += modules[index].uncompressed_size
            index += 1
    return list(dict.fromkeys(chosen))


def pyc_scale(samples: Mapping[str, bytes], python: tuple[int, int] = (3, 12)) -> float:
    """Real over modelled .pyc size for compiled samples (name -> source); 1.0 when none
    compile. The model is then scaled by it for the rest of that wheel's modules."""
    real = model = 0
    for name, source in samples.items():
        size = compiled_size(source, name)
        if size is not None:
            real += size
            model += pyc_size(len(source), python)
    return real / model if model else 1.0


def _compiled(name: str) -> bool:
    """pip compiles the .py files it installs into site-packages (not scripts or data)."""
    if not name.endswith(".py"):
        return False
    top = name.split("/", 1)[0]
    if top.endswith(".data"):
        return name.split("/", 2)[1:2] in (["purelib"], ["platlib"])
    return True


def wheel_installed_size(
    entries: Iterable[ZipEntry], python: tuple[int, int] = (3, 12), *, scale: float = 1.0
) -> int:
    """Bytes on disk after ``pip install`` of a wheel with these zip members.

    The members' uncompressed sizes, a ``.pyc`` per ``.py`` module (see :func:`pyc_size`) and
    the RECORD lines and INSTALLER file pip writes; `scale` corrects the .pyc model for this
    wheel (see :func:`pyc_scale`). Apparent sizes: file-system blocks are not counted.
    """
    total = INSTALLER_FILES
    for entry in entries:
        if entry.is_dir:
            continue
        total += entry.uncompressed_size
        if _compiled(entry.name):
            path_length = len(entry.name) + 40  # __pycache__/x.cpython-312.pyc
            pyc = round(pyc_size(entry.uncompressed_size, python) * scale)
            total += pyc + RECORD_LINE + path_length
    return total


def target_size(sizes: Mapping[str, int | None], *, top: int = 5) -> TargetSize:
    """Sum the known sizes of one target's packages (name -> bytes, None: unknown)."""
    known = {name: size for name, size in sizes.items() if size is not None}
    largest = sorted(known.items(), key=lambda item: (-item[1], item[0]))[:top]
    return TargetSize(
        installed_bytes=sum(known.values()),
        packages=len(known),
        unknown=tuple(sorted(name for name, size in sizes.items() if size is None)),
        largest=tuple(largest),
    )


# --- images and toolchains -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImageSize:
    """One official python image on one platform, in MB: what a pull downloads (compressed,
    read from `source`) and what an image built on it starts from (uncompressed, the
    estimate for its family and platform; see `image_method`)."""

    image: str  # python:3.10-slim-bookworm
    family: str  # alpine | slim | full
    distro: str  # bookworm, alpine3.24
    python: str  # 3.10.21
    platform: str  # linux/amd64
    compressed_mb: float
    uncompressed_mb: float
    source: str


@functools.cache
def _images() -> dict[str, Any]:
    document: dict[str, Any] = read_data("image-sizes.json")
    return document


@functools.cache
def _toolchains() -> dict[str, Any]:
    document: dict[str, Any] = read_data("toolchain-sizes.json")
    return document


@functools.cache
def image_sizes() -> tuple[ImageSize, ...]:
    """Every image row of data/image-sizes.json, in the file's order, with its family's
    uncompressed estimate on its platform (linux/amd64's for a platform without one)."""
    document = _images()
    estimates = {
        (row["family"], row["platform"]): float(row["uncompressed_mb"])
        for row in document["uncompressed"]["rows"]
    }
    return tuple(
        ImageSize(
            image=str(row["image"]),
            family=str(row["family"]),
            distro=str(row["distro"]),
            python=str(row["python"]),
            platform=str(row["platform"]),
            compressed_mb=float(row["compressed_mb"]),
            uncompressed_mb=estimates.get(
                (row["family"], row["platform"]), estimates[(row["family"], "linux/amd64")]
            ),
            source=str(row["source"]),
        )
        for row in document["rows"]
    )


def base_image_size(
    family: str, platform: str | None, *, distro: str | None = None, python: str | None = None
) -> ImageSize | None:
    """The row of the official python image of `family` (alpine, slim, full) closest to the
    one asked for: the same `distro` (a variant's distribution key, ``bookworm``), then the
    same `python` (a minor, ``3.10``, or a patch), then the same `platform`; among equals
    the first. None when the family has no row."""

    def closeness(row: ImageSize) -> tuple[bool, bool, bool]:
        return (
            row.distro == distro,
            row.python.rsplit(".", 1)[0] == python or row.python == python,
            row.platform == platform,
        )

    rows = [row for row in image_sizes() if row.family == family]
    return max(rows, key=closeness) if rows else None


def full_image_includes() -> tuple[frozenset[str], frozenset[str]]:
    """(toolchains, packages) the full python image (buildpack-deps) already carries."""
    includes = _images()["full_image_includes"]
    return frozenset(includes["toolchains"]), frozenset(includes["packages"])


# Package names that are the toolchains themselves, priced by toolchain rather than by package.
_TOOLCHAIN_PACKAGES = frozenset(
    {"gcc", "g++", "make", "cargo", "rustc", "gfortran", "cmake", "swig", "libc6-dev"}
)
_META = {"build-base", "build-essential"}


def toolchain_mb(
    family: str,
    toolchains: Sequence[str],
    packages: Sequence[str],
    *,
    present: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset()),
) -> float:
    """Estimated MB the build `toolchains` and `packages` add on a `family` (alpine or
    debian) image; `present` are toolchains and packages the image already has."""
    table = _toolchains()["alpine" if family == "alpine" else "debian"]
    prices = table["toolchains"]
    have_tools, have_packages = present
    tools = [t for t in dict.fromkeys(toolchains) if t not in have_tools]
    # One C compiler: g++ includes gcc, and build-base/build-essential include both.
    compilers = [float(prices[t]["mb"]) for t in tools if t in ("gcc", "g++")]
    compilers += [float(table["packages"][m]["mb"]) for m in _META.intersection(packages)]
    if have_tools & {"gcc", "g++"} or have_packages & _META:
        compilers = []
    total = max(compilers, default=0.0)
    total += sum(float(prices.get(t, {"mb": 0})["mb"]) for t in tools if t not in ("gcc", "g++"))
    for package in dict.fromkeys(packages):
        if package in _TOOLCHAIN_PACKAGES or package in _META or package in have_packages:
            continue
        entry = table["packages"].get(package)
        total += float(entry["mb"]) if entry else float(table["default_dev_mb"])
    return round(total, 1)


def runtime_mb(packages: Sequence[str]) -> float:
    """Estimated MB of runtime shared libraries kept after a build (2 MB each, a guess)."""
    return 2.0 * len(set(packages))


def image_method() -> str:
    """How the uncompressed base image sizes were estimated (for the report's assumptions)."""
    return str(_images()["method"])
