"""Pure or native: does building this sdist need a compiler? Decided from text, never by running.

The evidence is the archive's member names (C/C++/Cython/Fortran/Rust sources, ``Cargo.toml``)
and the text of its top-level ``pyproject.toml``, ``setup.cfg`` and ``setup.py`` (the build
backend, its build requirements, ``ext_modules`` and friends). A backend that cannot compile
(flit-core, hatchling without a build hook, poetry-core without a build script, pdm-backend)
outweighs stray sources; sources under tests/ or docs/ never count.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Literal

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from wheelcheck._metadata.sdist import SdistMetadata

__all__ = ["NativeCall", "classify", "classify_sdist"]

NativeKind = Literal["pure", "native", "unknown"]

# Source suffix -> the language whose compiler a build needs.
SOURCE_LANGUAGES: Mapping[str, str] = {
    ".c": "c",
    ".pyx": "c",  # Cython compiles to C
    ".cc": "c++",
    ".cpp": "c++",
    ".cxx": "c++",
    ".c++": "c++",
    ".f": "fortran",
    ".for": "fortran",
    ".f77": "fortran",
    ".f90": "fortran",
    ".f95": "fortran",
    ".rs": "rust",
}
# Directories whose sources a build never compiles into the package.
_IGNORED_DIRS = frozenset(
    {"test", "tests", "testing", "doc", "docs", "example", "examples", "benchmark", "benchmarks"}
)

# Build backends (top module of build-backend) -> language they compile, or None: pure.
_NATIVE_BACKENDS: Mapping[str, str] = {
    "maturin": "rust",
    "scikit_build_core": "c++",
    "skbuild": "c++",
    "mesonpy": "c",
    "py_build_cmake": "c++",
    "enscons": "c",
}
_PURE_BACKENDS = frozenset({"flit_core", "flit", "hatchling", "poetry", "pdm", "uv_build"})

# Build requirements that exist only to compile something.
_NATIVE_REQUIRES: Mapping[str, str] = {
    "maturin": "rust",
    "setuptools-rust": "rust",
    "cython": "c",
    "pybind11": "c++",
    "nanobind": "c++",
    "cffi": "c",
    "scikit-build": "c++",
    "scikit-build-core": "c++",
    "meson-python": "c",
    "hatch-cython": "c",
    "cmake": "c++",
}

# setup.py / setup.cfg / pyproject text that declares compiled extensions.
_SETUP_SIGNS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"\b(RustExtension|rust_extensions|setuptools_rust)\b"), "rust", "Rust"),
    (re.compile(r"\b(Pybind11Extension|pybind11)\b"), "c++", "pybind11"),
    (re.compile(r"\bcythonize\s*\("), "c", "cythonize()"),
    (re.compile(r"\bcffi_modules\b"), "c", "cffi_modules"),
    (re.compile(r"\bCMake(Extension|Build)\b"), "c++", "CMake"),
    (re.compile(r"\bnumpy\.distutils\b"), "c", "numpy.distutils"),
    (re.compile(r"\bext_modules\b|\bext-modules\b"), "c", "ext_modules"),
    (re.compile(r"\bExtension\s*\("), "c", "Extension()"),
)


@dataclass(frozen=True, slots=True)
class NativeCall:
    """The call on one sdist: `kind`, the compiled `languages`, and the evidence for it."""

    kind: NativeKind
    languages: tuple[str, ...]
    evidence: tuple[str, ...]

    def describe(self) -> str:
        """One phrase: ``native (C, Rust): build backend maturin; Cargo.toml``."""
        langs = (
            f" ({', '.join(_display(lang) for lang in self.languages)})" if self.languages else ""
        )
        return f"{self.kind}{langs}: " + "; ".join(self.evidence)


def _display(language: str) -> str:
    return {"c": "C", "c++": "C++", "rust": "Rust", "fortran": "Fortran"}.get(language, language)


def _strip_top(members: Iterable[str]) -> list[PurePosixPath]:
    """Member paths without the sdist's own top directory (``pkg-1.0/``)."""
    paths = []
    for name in members:
        if name.endswith("/"):
            continue
        parts = [p for p in name.split("/") if p not in ("", ".")]
        if len(parts) >= 2:
            paths.append(PurePosixPath(*parts[1:]))
    return paths


def _sources(paths: Sequence[PurePosixPath]) -> dict[str, list[str]]:
    """Language -> compiled source files outside tests and docs."""
    found: dict[str, list[str]] = {}
    for path in paths:
        if any(part.lower() in _IGNORED_DIRS for part in path.parts[:-1]):
            continue
        language = SOURCE_LANGUAGES.get(path.suffix.lower())
        if language is not None:
            found.setdefault(language, []).append(str(path))
        elif path.name == "Cargo.toml":
            found.setdefault("rust", []).append(str(path))
    return found


def _requirement_names(values: Any) -> list[str]:
    names: list[str] = []
    for value in values if isinstance(values, list) else []:
        try:
            names.append(canonicalize_name(Requirement(str(value)).name))
        except InvalidRequirement:
            continue
    return names


@dataclass(frozen=True, slots=True)
class _Pyproject:
    backend: str | None  # top module of build-backend
    requires: tuple[str, ...]
    text: str
    pure_backend_hook: bool  # a pure backend configured to run a build script or hook


def _read_pyproject(raw: bytes | None) -> _Pyproject | None:
    if raw is None:
        return None
    text = raw.decode("utf-8", "replace")
    try:
        document = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return _Pyproject(None, (), text, False)
    system = document.get("build-system", {})
    system = system if isinstance(system, dict) else {}
    backend = system.get("build-backend")
    module = str(backend).split(".", 1)[0].split(":", 1)[0] if backend else None
    tool = document.get("tool", {})
    tool = tool if isinstance(tool, dict) else {}
    hook = bool(
        _dig(tool, "poetry", "build")
        or _dig(tool, "hatch", "build", "hooks")
        or _dig(tool, "hatch", "build", "targets", "wheel", "hooks")
        or _dig(tool, "pdm", "build", "run-setuptools")
    )
    return _Pyproject(module, tuple(_requirement_names(system.get("requires"))), text, hook)


def _dig(table: Mapping[str, Any], *keys: str) -> Any:
    current: Any = table
    for key in keys:
        if not isinstance(current, dict):
            return None
        current = current.get(key)
    return current


@dataclass(slots=True)
class _NativeSigns:
    """The languages a build compiles and the evidence for them, in the order found."""

    languages: dict[str, None] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)

    def add(self, language: str, why: str) -> None:
        self.languages.setdefault(language)
        if why not in self.evidence:
            self.evidence.append(why)

    def add_sources(self, sources: Mapping[str, list[str]]) -> None:
        for language, names in sorted(sources.items()):
            self.add(language, f"{len(names)} {_display(language)} source file(s), e.g. {names[0]}")

    def native(self) -> NativeCall:
        order = ("c", "c++", "fortran", "rust")
        langs = sorted(self.languages, key=lambda lang: order.index(lang) if lang in order else 9)
        return NativeCall("native", tuple(langs), tuple(self.evidence))


def _declared_signs(pyproject: _Pyproject | None, setup_text: str) -> _NativeSigns:
    """What the build files declare that compiles: a native build backend, build requirements
    that exist only to compile, extension modules in setup.py/setup.cfg (or in a setuptools
    pyproject.toml)."""
    signs = _NativeSigns()
    backend = pyproject.backend if pyproject else None
    if backend is not None and backend in _NATIVE_BACKENDS:
        signs.add(_NATIVE_BACKENDS[backend], f"build backend {backend}")
    for name in pyproject.requires if pyproject else ():
        if name in _NATIVE_REQUIRES and not (name == "cmake" and backend in _PURE_BACKENDS):
            signs.add(_NATIVE_REQUIRES[name], f"build requires {name}")
    pyproject_setuptools = pyproject.text if pyproject and backend == "setuptools" else ""
    for pattern, language, label in _SETUP_SIGNS:
        where = (
            "setup.py/setup.cfg"
            if pattern.search(setup_text)
            else "pyproject.toml"
            if label == "ext_modules" and pattern.search(pyproject_setuptools)
            else None
        )
        if where is not None:
            signs.add(language, f"{label} in {where}")
    return signs


def classify_sdist(members: Sequence[str], files: Mapping[str, bytes]) -> NativeCall:
    """Pure, native or unknown, from an sdist's member names and its top-level build files.

    `members` are archive member names (``pkg-1.0/src/x.c``); `files` maps ``pyproject.toml``,
    ``setup.cfg`` and ``setup.py`` to their content when present. Returns the call with the
    languages to compile and the evidence that decided it; never raises on odd content.
    """
    sources = _sources(_strip_top(members))
    pyproject = _read_pyproject(files.get("pyproject.toml"))
    setup_text = "\n".join(
        files[name].decode("utf-8", "replace")
        for name in ("setup.py", "setup.cfg")
        if name in files
    )
    signs = _declared_signs(pyproject, setup_text)
    backend = pyproject.backend if pyproject else None
    pure_backend = backend in _PURE_BACKENDS and not (pyproject and pyproject.pure_backend_hook)
    if signs.evidence and not pure_backend:
        # Source files refine the languages the declared build compiles.
        signs.add_sources(sources)
        return signs.native()
    if pure_backend and "setup.py" not in files:
        reason = f"build backend {backend} compiles nothing"
        if sources:
            reason += f" (ignoring {sum(map(len, sources.values()))} source file(s))"
        return NativeCall("pure", (), (reason,))
    if sources:
        signs.add_sources(sources)
        return signs.native()
    if pyproject is None and "setup.py" not in files and "setup.cfg" not in files:
        return NativeCall("unknown", (), ("no pyproject.toml, setup.py or setup.cfg at the top",))
    how = (
        f"build backend {backend}"
        if backend
        else "setup.py"
        if "setup.py" in files
        else "setup.cfg"
    )
    return NativeCall(
        "pure", (), (f"{how}; no extension modules and no C/C++/Cython/Fortran/Rust sources",)
    )


def classify(metadata: SdistMetadata) -> NativeCall:
    """:func:`classify_sdist` over what :func:`~wheelcheck._metadata.sdist.sdist_dependencies`
    read (its `members` and kept top-level `files`)."""
    return classify_sdist(metadata.members, dict(metadata.files))
