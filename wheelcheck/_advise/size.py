"""Installed size: what pip's install of a wheel puts on disk, and what an image would weigh.

A wheel's size on disk is read from its zip central directory (no download): the members'
uncompressed sizes, plus the ``.pyc`` files pip compiles for every ``.py`` module (a model
fitted offline on real wheels per Python minor version, data/pyc-model.json, over what the
directory says of each module: its size, its deflated size, whether it is test code or
other code of a tests/ folder; no module is read), plus the RECORD
lines and INSTALLER file it writes. Image estimates add the base image and, where something
is compiled, the build toolchain, from the tables in ``data/``; the one table of
image sizes (``image-sizes.json``) also gives Dockerfile rule WCD001 its pull sizes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wheelcheck._data import read_json as read_data
from wheelcheck._data import read_row
from wheelcheck._metadata.zipread import METHOD_DEFLATED, ZipEntry
from wheelcheck.models import TargetSize

__all__ = [
    "MB",
    "PYC_FEATURES",
    "Footprint",
    "ImageSize",
    "PycFit",
    "base_image_size",
    "compiled_member",
    "footprint",
    "full_image_includes",
    "image_method",
    "image_sizes",
    "installed_size",
    "is_test_module",
    "is_test_support_module",
    "module_features",
    "pyc_bytes",
    "pyc_fit",
    "pyc_fit_note",
    "pyc_fits",
    "runtime_mb",
    "target_size",
    "toolchain_mb",
    "wheel_installed_size",
]

MB = 1_000_000

# Bytes pip adds to RECORD per compiled file (path, sha256 and size) and per wheel.
RECORD_LINE = 40
INSTALLER_FILES = 10  # INSTALLER ("pip\n") and an empty REQUESTED


# Every .pyc is at least its 16-byte header and an empty module's code object.
MIN_PYC = 100


@dataclass(frozen=True, slots=True)
class PycFit:
    """The .pyc model of one Python minor version (data/pyc-model.json): bytes per unit of
    each :data:`PYC_FEATURES` sum."""

    python: tuple[int, int]  # the minor it was fitted on
    coefficients: tuple[float, ...]


# The model's features, summed over a wheel's compiled modules (see module_features).
PYC_FEATURES = (
    "source_bytes",
    "deflated_bytes",
    "modules",
    "test_source_bytes",
    "test_deflated_bytes",
    "test_modules",
    "test_support_source_bytes",
    "test_support_modules",
)


@functools.cache
def _pyc_model() -> dict[str, Any]:
    document: dict[str, Any] = read_data("pyc-model.json")
    return document


@functools.cache
def pyc_fits() -> dict[tuple[int, int], PycFit]:
    """Python minor -> its fit, from data/pyc-model.json."""
    document = _pyc_model()
    if tuple(document["features"]) != PYC_FEATURES:
        raise ValueError("data/pyc-model.json: its features are not this code's")
    found = {}
    for minor, fit in document["fits"].items():
        major, _, rest = str(minor).partition(".")
        python = (int(major), int(rest))
        found[python] = PycFit(python, tuple(float(c) for c in fit["coefficients"]))
    return found


def pyc_fit(python: tuple[int, int]) -> PycFit:
    """The fit for `python`, else the nearest fitted minor's (its `python` says which)."""
    fits = pyc_fits()
    if python in fits:
        return fits[python]
    return fits[min(fits, key=lambda fitted: (abs(fitted[1] - python[1]), fitted))]


def pyc_fit_note(python: tuple[int, int]) -> str | None:
    """What a size on `python` says about its .pyc model, when that minor has no fit."""
    used = pyc_fit(python).python
    if used == python:
        return None
    return (
        f"no .pyc model for Python {python[0]}.{python[1]}: the .pyc files are estimated "
        f"with the Python {used[0]}.{used[1]} fit"
    )


def is_test_module(name: str) -> bool:
    """Whether a module is test code (test_*.py, *_test.py, conftest.py): it compiles to
    more bytes per source byte than a library's (one assertion after another)."""
    leaf = name.rsplit("/", 1)[-1]
    return leaf.startswith("test_") or leaf.endswith("_test.py") or leaf == "conftest.py"


def is_test_support_module(name: str) -> bool:
    """Whether a module sits in a tests/, test/ or testing/ folder without being test code:
    fixtures, helpers, and recorded results, often long literals that compile to fewer
    bytes than code."""
    *folders, _ = name.split("/")
    in_tests = any(folder in ("tests", "test", "testing") for folder in folders)
    return in_tests and not is_test_module(name)


def module_features(entry: ZipEntry, *, stored_ratio: float | None = None) -> tuple[int, ...]:
    """One compiled module's :data:`PYC_FEATURES`, from its central-directory entry.

    The deflated size measures how repetitive the text is (docstrings, generated code); a
    module stored without compression counts at `stored_ratio` (default: the fit corpus's
    median deflated/source ratio) instead.
    """
    source = entry.uncompressed_size
    if entry.method == METHOD_DEFLATED:
        deflated = entry.compressed_size
    else:
        ratio = _pyc_model()["stored_deflate_ratio"] if stored_ratio is None else stored_ratio
        deflated = round(source * float(ratio))
    test = int(is_test_module(entry.name))
    support = int(is_test_support_module(entry.name))
    return (source, deflated, 1, test * source, test * deflated, test, support * source, support)


def pyc_bytes(features: Sequence[int], python: tuple[int, int] = (3, 12)) -> int:
    """Estimated bytes of the .pyc files CPython `python` writes for modules whose
    :data:`PYC_FEATURES` sum to `features` (never less than :data:`MIN_PYC` a module)."""
    fit = pyc_fit(python)
    estimate = sum(c * x for c, x in zip(fit.coefficients, features, strict=True))
    return max(round(estimate), MIN_PYC * features[PYC_FEATURES.index("modules")])


def compiled_member(name: str) -> bool:
    """pip compiles the .py files it installs into site-packages (not scripts or data)."""
    if not name.endswith(".py"):
        return False
    top = name.split("/", 1)[0]
    if top.endswith(".data"):
        return name.split("/", 2)[1:2] in (["purelib"], ["platlib"])
    return True


@dataclass(frozen=True, slots=True)
class Footprint:
    """What a wheel's installed size needs from its zip directory, for any Python version:
    facts of the file, so one read (or one cache entry) sizes it on every target."""

    file_bytes: int  # every member's uncompressed size
    module_path_chars: int  # the compiled modules' paths' lengths
    # the sums of module_features over the members pip compiles (PYC_FEATURES)
    source_bytes: int
    deflated_bytes: int
    modules: int
    test_source_bytes: int
    test_deflated_bytes: int
    test_modules: int
    test_support_source_bytes: int
    test_support_modules: int

    @property
    def features(self) -> tuple[int, ...]:
        return tuple(getattr(self, name) for name in PYC_FEATURES)


def footprint(entries: Iterable[ZipEntry]) -> Footprint:
    """The :class:`Footprint` of a wheel with these zip members."""
    file_bytes = path_chars = 0
    sums = [0] * len(PYC_FEATURES)
    for entry in entries:
        if entry.is_dir:
            continue
        file_bytes += entry.uncompressed_size
        if compiled_member(entry.name):
            path_chars += len(entry.name)
            sums = [total + x for total, x in zip(sums, module_features(entry), strict=True)]
    return Footprint(file_bytes, path_chars, *sums)


def installed_size(found: Footprint, python: tuple[int, int] = (3, 12)) -> int:
    """Bytes on disk after ``pip install`` of the wheel of `found` under `python`.

    The members' uncompressed sizes, the ``.pyc`` files (see :func:`pyc_bytes`) and the
    RECORD lines and INSTALLER file pip writes. Apparent sizes: file-system blocks are not
    counted.
    """
    if found.modules == 0:
        return INSTALLER_FILES + found.file_bytes
    pyc = pyc_bytes(found.features, python)
    # A RECORD line per .pyc: its path (__pycache__/x.cpython-312.pyc), hash and size.
    records = found.modules * (RECORD_LINE + 40) + found.module_path_chars
    return INSTALLER_FILES + found.file_bytes + pyc + records


def wheel_installed_size(entries: Iterable[ZipEntry], python: tuple[int, int] = (3, 12)) -> int:
    """Bytes on disk after ``pip install`` of a wheel with these zip members."""
    return installed_size(footprint(entries), python)


def target_size(
    sizes: Mapping[str, int | None], *, top: int = 5, python: tuple[int, int] | None = None
) -> TargetSize:
    """Sum the known sizes of one target's packages (name -> bytes, None: unknown); with
    the target's `python`, name the .pyc model that sized them (and note a stand-in)."""
    known = {name: size for name, size in sizes.items() if size is not None}
    largest = sorted(known.items(), key=lambda item: (-item[1], item[0]))[:top]
    used = pyc_fit(python).python if python is not None else None
    return TargetSize(
        installed_bytes=sum(known.values()),
        packages=len(known),
        unknown=tuple(sorted(name for name, size in sizes.items() if size is None)),
        largest=tuple(largest),
        pyc_model=f"{used[0]}.{used[1]}" if used else None,
        note=pyc_fit_note(python) if python is not None else None,
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
        read_row(
            ImageSize,
            row,
            uncompressed_mb=estimates.get(
                (row["family"], row["platform"]), estimates[(row["family"], "linux/amd64")]
            ),
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
