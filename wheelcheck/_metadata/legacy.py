"""Declared dependencies of an sdist whose metadata is not static, from its files alone.

In order, the first that answers wins: the ``*.egg-info/requires.txt`` setuptools wrote when
it built the sdist, ``Requires-Dist`` in PKG-INFO, pyproject.toml's ``[tool.poetry]``
tables, its ``[tool.flit.metadata]`` table (before the setup.py flit generated beside it),
then setup.cfg and a static read of setup.py (setuptools lets a non-empty setup()
argument win over setup.cfg, so both are read). Each answer is declared, not guaranteed: a
build could compute otherwise. Nothing is run.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from packaging.requirements import Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from wheelcheck._metadata.core import CoreMetadata
from wheelcheck._metadata.declared import Found, NotStatic, parse_requirements, section_requirements
from wheelcheck._metadata.egg_info import requires_txt
from wheelcheck._metadata.flit import flit_dependencies
from wheelcheck._metadata.poetry import poetry_dependencies
from wheelcheck._metadata.setup_cfg import setup_cfg_options
from wheelcheck._metadata.setup_py import ARGUMENTS, setup_py_arguments
from wheelcheck.models import Provenance

__all__ = ["Sdist", "declared_dependencies", "egg_info_dirs"]


@dataclass(frozen=True, slots=True)
class Sdist:
    """What the readers see: the kept files (paths below the top directory), the member
    paths below it, and the parsed PKG-INFO."""

    files: Mapping[str, bytes]
    members: Sequence[str]
    core: CoreMetadata | None

    @property
    def requires_python(self) -> str | None:
        return None if self.core is None else self.core.requires_python


def egg_info_dirs(members: Sequence[str]) -> list[str]:
    """The ``X.egg-info`` directories at the top or one level below (``src/``, ``lib/``:
    setuptools writes it in the package root), in archive order."""
    found: dict[str, None] = {}
    for member in members:
        parts = member.split("/")
        for depth in (1, 2):
            if len(parts) > depth and parts[depth - 1].endswith(".egg-info"):
                found["/".join(parts[:depth])] = None
    return list(found)


def _egg_info(sdist: Sdist) -> Found:
    directories = egg_info_dirs(sdist.members)
    if sdist.core is not None:
        # Only the project's own: a test fixture could carry another project's.
        own = canonicalize_name(sdist.core.name)
        directories = [
            d for d in directories if canonicalize_name(d.rsplit("/", 1)[-1][:-9]) == own
        ]
    if not directories:
        raise NotStatic("no .egg-info directory")
    if len(directories) > 1:
        raise NotStatic(f"{len(directories)} .egg-info directories")
    directory = directories[0]
    return requires_txt(
        directory, sdist.files.get(f"{directory}/requires.txt"), sdist.requires_python
    )


def _pkg_info(sdist: Sdist) -> Found:
    core = sdist.core
    if core is None:
        raise NotStatic("no PKG-INFO")
    if not core.requires_dist:
        raise NotStatic("PKG-INFO lists no Requires-Dist")
    return Found(
        core.requires_dist,
        core.requires_python,
        core.provides_extra,
        f"PKG-INFO Metadata-Version {core.metadata_version} Requires-Dist",
        Provenance.PKG_INFO,
    )


def _pyproject(sdist: Sdist) -> dict[str, Any]:
    text = sdist.files.get("pyproject.toml")
    if text is None:
        return {}
    try:
        return tomllib.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return {}


def _poetry(sdist: Sdist) -> Found:
    found = poetry_dependencies(_pyproject(sdist))
    if sdist.requires_python is None:
        return found
    return replace(found, requires_python=sdist.requires_python)  # what Poetry wrote from it


def _flit(sdist: Sdist) -> Found:
    found = flit_dependencies(_pyproject(sdist))
    if sdist.requires_python is None:
        return found
    return replace(found, requires_python=sdist.requires_python)  # what flit wrote from it


def _lines(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item.strip() for item in value if item.strip()]
    raise NotStatic(f"{where} is not a list of strings")


def _requirements(options: Mapping[str, Any], where: str) -> tuple[list[Requirement], list[str]]:
    requires = parse_requirements(_lines(options.get("install_requires", []), where), where)
    extras: list[str] = []
    groups = options.get("extras_require", {})
    if not isinstance(groups, dict):
        raise NotStatic(f"{where}: extras_require is not a dict")
    for key, value in groups.items():
        found, extra = section_requirements(str(key), _lines(value, where), where)
        requires += found
        extras += [] if extra is None else [extra]
    return requires, list(dict.fromkeys(extras))


def _setuptools(sdist: Sdist) -> Found:
    cfg_text, py_text = sdist.files.get("setup.cfg"), sdist.files.get("setup.py")
    if cfg_text is None and py_text is None:
        raise NotStatic("no setup.cfg or setup.py")
    tool = _pyproject(sdist).get("tool", {})
    if isinstance(tool, dict) and "dynamic" in tool.get("setuptools", {}):
        raise NotStatic("pyproject.toml [tool.setuptools.dynamic] reads other files")
    from_cfg = {} if cfg_text is None else setup_cfg_options(cfg_text)
    from_py = {} if py_text is None else setup_py_arguments(py_text)
    if py_text is None and not ({"install_requires", "extras_require"} & from_cfg.keys()):
        raise NotStatic("setup.cfg declares no dependencies and there is no setup.py")
    # A non-empty setup() argument wins over setup.cfg, as in setuptools.
    options = {k: from_py[k] if from_py.get(k) else from_cfg.get(k) for k in ARGUMENTS}
    options = {k: v for k, v in options.items() if v is not None}
    by_py = py_text is not None and (not from_cfg or any(from_py.get(k) for k in ARGUMENTS))
    provenance = Provenance.SETUP_PY if by_py else Provenance.SETUP_CFG
    where = "setup.py setup()" if by_py else "setup.cfg"
    requires, extras = _requirements(options, where)
    requires_python = sdist.requires_python or _specifier(options.get("python_requires"))
    return Found(tuple(requires), requires_python, tuple(extras), where, provenance)


def _specifier(value: Any) -> str | None:
    try:
        return str(SpecifierSet(value)) if isinstance(value, str) else None
    except InvalidSpecifier:
        return None


READERS: tuple[Callable[[Sdist], Found], ...] = (
    _egg_info,
    _pkg_info,
    _poetry,
    _flit,
    _setuptools,
)


def declared_dependencies(sdist: Sdist) -> Found | list[str]:
    """The first declared answer, or why each reader gave none."""
    reasons = []
    for reader in READERS:
        try:
            return reader(sdist)
        except NotStatic as error:
            reasons.append(str(error))
    return reasons
