"""What a source build needs on a target: toolchains, apk or apt packages, Dockerfile lines.

Known packages come from the curated table ``data/build-deps.json`` (each row with its source,
package names per distribution release where they changed); an unknown native package gets
the generic toolchain of the languages its sdist compiles. ``python3-dev`` is never suggested:
the official images carry CPython's headers under /usr/local already.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from wheelcheck._data import read_json, read_row
from wheelcheck._judge.images import Distro, load_table, resolve_image
from wheelcheck._judge.other_images import find_other_image
from wheelcheck._metadata.native import NativeCall
from wheelcheck.errors import UnknownTarget
from wheelcheck.models import BuildNeeds, Libc, PackageManager, Target

__all__ = [
    "BuildRow",
    "Distribution",
    "InterpreterCase",
    "build_needs",
    "distribution_of",
    "dockerfile_lines",
    "interpreter_case",
    "merge_needs",
    "toolchains_for",
]

BUILD_DEPS_FILE = "build-deps.json"
INTERPRETER_FILE = "interpreter-builds.json"
# Languages -> the toolchain names the report uses (and toolchain-sizes.json prices).
LANGUAGE_TOOLCHAINS: Mapping[str, tuple[str, ...]] = {
    "c": ("gcc",),
    "c++": ("g++",),
    "fortran": ("gcc", "gfortran"),
    "rust": ("cargo", "gcc"),
}


@dataclass(frozen=True, slots=True)
class Distribution:
    """The distribution a target's image runs: its package manager and release."""

    family: str  # "alpine", "debian", or "other" (no package names in the table)
    release: Version  # 3.24, 13
    display: str  # "Alpine 3.24", "Debian 13 (trixie)"
    assumed: bool = False  # True when the target names no image and a default was taken

    @property
    def package_manager(self) -> PackageManager | None:
        """apk or apt; None for a distribution whose package names the table lacks."""
        if self.family == "alpine":
            return "apk"
        return "apt" if self.family == "debian" else None


@dataclass(frozen=True, slots=True)
class InterpreterCase:
    """A release range whose sdist cannot build on some Pythons, whatever is installed."""

    name: str  # canonical
    versions: SpecifierSet
    python: SpecifierSet
    why: str
    first_that_builds: str
    source: str


@dataclass(frozen=True, slots=True)
class BuildRow:
    """One curated row: per-release package lists keyed by a specifier or ``default``."""

    name: str
    languages: tuple[str, ...]
    apk: Mapping[str, tuple[str, ...]]
    apt: Mapping[str, tuple[str, ...]]
    runtime_apk: Mapping[str, tuple[str, ...]]
    runtime_apt: Mapping[str, tuple[str, ...]]
    source: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class _Table:
    rows: Mapping[str, BuildRow]
    generic: Mapping[str, Mapping[str, Any]]
    never: frozenset[str]


def _lists(value: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        return {}
    return {str(k): tuple(str(x) for x in v) for k, v in value.items() if isinstance(v, list)}


@functools.cache
def _table() -> _Table:
    document = read_json(BUILD_DEPS_FILE)
    rows: dict[str, BuildRow] = {}
    for row in document["packages"]:
        name = canonicalize_name(row["name"])
        rows[name] = BuildRow(
            name=name,
            languages=tuple(row.get("languages", ["c"])),
            apk=_lists(row.get("apk")),
            apt=_lists(row.get("apt")),
            runtime_apk=_lists(row.get("runtime_apk")),
            runtime_apt=_lists(row.get("runtime_apt")),
            source=str(row["source"]),
            note=row.get("note"),
        )
    return _Table(rows, document["generic"], frozenset(document.get("never", ())))


def curated_row(name: str) -> BuildRow | None:
    """The curated row for project `name` (any spelling), None when it has none."""
    return _table().rows.get(canonicalize_name(name))


@functools.cache
def _interpreter_cases() -> tuple[InterpreterCase, ...]:
    rows = read_json(INTERPRETER_FILE)["rows"]
    return tuple(
        read_row(InterpreterCase, row, name=canonicalize_name(row["name"])) for row in rows
    )


def interpreter_case(name: str, version: str | None, target: Target) -> InterpreterCase | None:
    """The known case where `name` `version`'s sdist cannot build on `target`'s Python."""
    if version is None:
        return None
    try:
        parsed = Version(version)
    except InvalidVersion:
        return None
    wanted = canonicalize_name(name)
    python = Version(target.python_full_version)
    for case in _interpreter_cases():
        if case.name == wanted and parsed in case.versions and python in case.python:
            return case
    return None


# Distribution names (data/base-images.json distros) whose package names the table has.
_FAMILIES = {"Alpine": "alpine", "Debian": "debian"}


def _image_distro(image: str) -> Distro | None:
    """The distribution of an official python image or another base in the table."""
    try:
        other = find_other_image(image)
        return other.distro if other is not None else resolve_image(image).variant.distro
    except UnknownTarget:
        return None


def distribution_of(target: Target) -> Distribution:
    """The distribution release of the target's image; for an explicit tag spec, the newest
    Alpine (musl) or Debian (glibc) release the image table knows, marked `assumed`."""
    distro = _image_distro(target.image) if target.image else None
    if distro is not None:
        family = _FAMILIES.get(distro.name, "other")
        release = _version(distro.release) or Version("0")
        return Distribution(family, release, distro.display)
    family = "alpine" if target.libc is Libc.MUSL else "debian"
    # Only the distributions of the official python images stand in for an explicit spec.
    candidates = [
        d
        for d in load_table().distros.values()
        if _FAMILIES.get(d.name) == family and _version(d.release) is not None
    ]
    newest = max(candidates, key=lambda d: Version(d.release))
    return Distribution(family, Version(newest.release), newest.display, assumed=True)


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _for_release(lists: Mapping[str, tuple[str, ...]], release: Version) -> tuple[str, ...]:
    """The first list whose specifier admits `release`, else ``default``, else empty."""
    for key, names in lists.items():
        if key == "default":
            continue
        try:
            if release in SpecifierSet(key):
                return names
        except InvalidSpecifier:
            continue
    return lists.get("default", ())


def toolchains_for(languages: Iterable[str], packages: Iterable[str] = ()) -> tuple[str, ...]:
    """Toolchain names (gcc, g++, gfortran, cargo, cmake) for `languages` and package names."""
    found: dict[str, None] = {}
    for language in languages:
        for tool in LANGUAGE_TOOLCHAINS.get(language, ("gcc",)):
            found.setdefault(tool)
    for package in packages:
        if package in ("cmake", "swig"):
            found.setdefault(package)
    if "g++" in found:
        found.pop("gcc", None)  # g++ brings gcc
    return tuple(found)


def _generic(languages: Sequence[str], distribution: Distribution) -> tuple[str, ...]:
    generic = _table().generic
    names: dict[str, None] = {}
    manager = distribution.package_manager
    for language in languages or ("c",):
        entry = generic.get(language, generic["c"])
        for name in entry[manager] if manager is not None else ():
            names.setdefault(str(name))
    return tuple(names)


def _cannot_build(case: InterpreterCase, target: Target) -> BuildNeeds:
    evidence = (
        f"cannot build on Python {target.python}: {case.why}; "
        f"{case.first_that_builds} is the first release that builds there"
    )
    return BuildNeeds("fails", evidence, source=f"data/{INTERPRETER_FILE}: {case.source}")


def _packages(
    row: BuildRow | None, call: NativeCall | None, distribution: Distribution
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str]:
    """(languages, build packages, runtime packages, source) of a native build."""
    manager = distribution.package_manager
    languages: tuple[str, ...]
    if row is not None:
        languages = row.languages
        packages = _for_release(row.apk if manager == "apk" else row.apt, distribution.release)
        runtime = _for_release(
            row.runtime_apk if manager == "apk" else row.runtime_apt, distribution.release
        )
        source = f"data/{BUILD_DEPS_FILE}: {row.source}"
        if row.note:
            source += f" ({row.note})"
    else:
        languages = call.languages if call is not None and call.languages else ("c",)
        packages = _generic(languages, distribution)
        runtime = ()
        shown = ", ".join(languages)
        source = (
            f"generic {shown} toolchain (no curated row): add the -dev packages of any "
            "system library it links"
        )
    never = _table().never
    packages = tuple(p for p in packages if p not in never)
    if distribution.assumed:
        source += f"; package names for {distribution.display} (assumed: the target names no image)"
    if manager is None:
        packages = runtime = ()
        source += f"; the table has no package names for {distribution.display}"
    return languages, packages, runtime, source


def build_needs(
    name: str,
    call: NativeCall | None,
    target: Target,
    *,
    other_wheels: bool = False,
    version: str | None = None,
) -> BuildNeeds:
    """What building project `name`'s sdist (release `version`) on `target` needs.

    `call` is the pure/native call on its sdist (None when the sdist could not be read; then
    `other_wheels`, wheels of the version for other platforms, counts as a sign of native
    code). A release that cannot build on the target's Python (data/interpreter-builds.json)
    is "fails". A pure call needs nothing. A native (or likely native) package takes its
    curated row when there is one, else the generic toolchain of its languages.
    """
    case = interpreter_case(name, version, target)
    if case is not None:
        return _cannot_build(case, target)
    distribution = distribution_of(target)
    manager = distribution.package_manager
    kind = call.kind if call is not None else "unknown"
    evidence = call.describe() if call is not None else "the sdist could not be inspected"
    row = curated_row(name)
    if kind == "pure":
        return BuildNeeds("pure", evidence)
    if kind == "unknown":
        if row is None and not other_wheels:
            return BuildNeeds("unknown", evidence)
        kind = "native"
        why = "it is in the curated table" if row is not None else "wheels exist elsewhere"
        evidence += f"; taken as native because {why}"
    languages, packages, runtime, source = _packages(row, call, distribution)
    return BuildNeeds(
        kind=kind,
        evidence=evidence,
        languages=languages,
        toolchains=toolchains_for(languages, packages),
        package_manager=manager,
        system_packages=packages,
        runtime_packages=runtime,
        source=source,
    )


@dataclass(frozen=True, slots=True)
class MergedNeeds:
    """The union of several builds' needs on one target, in first-seen order."""

    package_manager: PackageManager | None
    toolchains: tuple[str, ...]
    system_packages: tuple[str, ...]
    runtime_packages: tuple[str, ...]
    native: tuple[str, ...]  # the project names that need a compiler
    pure: tuple[str, ...]  # pure-Python sdists: built without a compiler
    unknown: tuple[str, ...]


def merge_needs(needs: Mapping[str, BuildNeeds]) -> MergedNeeds:
    """Fold per-project needs (project name -> needs) into one set for a Dockerfile."""
    toolchains: dict[str, None] = {}
    packages: dict[str, None] = {}
    runtime: dict[str, None] = {}
    manager = None
    native, pure, unknown = [], [], []
    for name, need in needs.items():
        if need.kind == "pure":
            pure.append(name)
            continue
        if need.kind in ("unknown", "fails"):
            unknown.append(name)
            continue
        native.append(name)
        manager = manager or need.package_manager
        toolchains.update(dict.fromkeys(need.toolchains))
        packages.update(dict.fromkeys(need.system_packages))
        runtime.update(dict.fromkeys(need.runtime_packages))
    if "g++" in toolchains:
        toolchains.pop("gcc", None)
    return MergedNeeds(
        manager,
        tuple(toolchains),
        tuple(packages),
        tuple(runtime),
        tuple(native),
        tuple(pure),
        tuple(unknown),
    )


def dockerfile_lines(
    merged: MergedNeeds, image: str, *, requirements: str = "requirements.txt"
) -> dict[str, tuple[str, ...]]:
    """Dockerfile snippets that install `requirements` on `image` with these builds.

    Returns ``{"same-layer": ..., "multi-stage": ...}``: one RUN that installs the build
    packages as a removable set and removes them in the same layer, and a two-stage build
    that compiles wheels in a builder and installs them in a clean final stage. Both keep the
    runtime libraries. Empty when nothing native is built.
    """
    if not merged.native or merged.package_manager is None:
        return {}
    build = " ".join(merged.system_packages)
    runtime = " ".join(merged.runtime_packages)
    pip = f"pip install --no-cache-dir -r {requirements}"
    same: tuple[str, ...]
    if merged.package_manager == "apk":
        keep = f"apk add --no-cache {runtime} && " if runtime else ""
        same = (
            f"COPY {requirements} .",
            f"RUN {keep}apk add --no-cache --virtual .build-deps {build} \\",
            f"    && {pip} \\",
            "    && apk del .build-deps",
        )
        builder_install = f"RUN apk add --no-cache {build}"
        final_install = (f"RUN apk add --no-cache {runtime}",) if runtime else ()
    else:
        install = " ".join(p for p in (*merged.runtime_packages, *merged.system_packages))
        same = (
            f"COPY {requirements} .",
            "RUN apt-get update \\",
            f"    && apt-get install -y --no-install-recommends {install} \\",
            f"    && {pip} \\",
            f"    && apt-get purge -y --auto-remove {build} \\",
            "    && rm -rf /var/lib/apt/lists/*",
        )
        builder_install = (
            "RUN apt-get update && apt-get install -y --no-install-recommends "
            f"{build} && rm -rf /var/lib/apt/lists/*"
        )
        final_install = (
            (
                "RUN apt-get update && apt-get install -y --no-install-recommends "
                f"{runtime} && rm -rf /var/lib/apt/lists/*",
            )
            if runtime
            else ()
        )
    multi = (
        f"FROM {image} AS build",
        builder_install,
        f"COPY {requirements} .",
        f"RUN pip wheel --no-cache-dir --wheel-dir /wheels -r {requirements}",
        f"FROM {image}",
        *final_install,
        f"COPY {requirements} .",
        "RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \\",
        f"    pip install --no-cache-dir --no-index --find-links /wheels -r {requirements}",
    )
    return {"same-layer": same, "multi-stage": multi}
