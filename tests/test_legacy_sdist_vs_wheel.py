"""Declared dependencies of real legacy sdists against the METADATA of the same release's wheel.

Each fixture in tests/data/legacy-sdists was recorded from PyPI by
scripts/record_sdist_listings.py: the sdist's member list and build files (PKG-INFO,
egg-info, setup.cfg, setup.py, pyproject.toml) and the METADATA of one wheel of the same
release (the ``.metadata`` file PyPI serves beside it). The sdist is rebuilt from them (the
other members empty) and read as wheelcheck reads any sdist. Requirements are compared by
meaning: name, extras, specifier, URL, and the marker's value in every environment of a grid
(Python 2.7 to 3.14, Linux/Windows/macOS, x86_64/aarch64, CPython/PyPy, each extra).
"""

from __future__ import annotations

import io
import itertools
import json
import tarfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, canonicalize_version

from wheelcheck._metadata.core import parse_core_metadata
from wheelcheck._metadata.flit import flit_dependencies
from wheelcheck._metadata.poetry import poetry_dependencies
from wheelcheck._metadata.sdist import SdistMetadata, sdist_dependencies

RECORDED = Path(__file__).parent / "data" / "legacy-sdists"
NAMES = sorted(path.stem for path in RECORDED.glob("*.json"))

# Every recorded release whose declared answer differs from its wheel, and why. None now:
# a disagreement found later goes here with its reason, never into a looser comparison.
DISAGREE: dict[str, str] = {}
# Recorded releases without a wheel to compare with, and what they are checked against.
NO_WHEEL = {
    "literalai": "the issue's example: 0.1.201 has only an sdist; its requires.txt is checked "
    "against what uv's build of it pulls in (examples/llm-app/requirements.lock.txt)",
}


@cache
def recorded(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((RECORDED / f"{name}.json").read_text("utf-8"))
    return document


# Without their egg-info, the other readers (PKG-INFO, setup.cfg, setup.py read statically)
# answer for the rest, and agree with the wheel too; these need a run, and say why.
NOT_STATIC_WITHOUT_EGG_INFO = {
    "attrs": "extras_require: setup.py computes it (Name at line 148)",  # a dict built in code
    "celery": "install_requires: setup.py computes it (Call at line 165)",  # reads requirements/
    "psutil": "setup.py passes **kwargs to setup(), which could hold the dependencies",
    "retrying": "install_requires: setup.py computes it (Name at line 44)",  # read from a file
    "sqlalchemy": "setup.py passes **kwargs to setup(), which could hold the dependencies",
}


def rebuilt(name: str, *, egg_info: bool = True, without: tuple[str, ...] = ()) -> SdistMetadata:
    """The recorded sdist as an archive: its members, with the recorded files' texts;
    without its egg-info directory when `egg_info` is False, nor the top-level files
    named in `without`."""
    document = recorded(name)
    top = document["members"][0].split("/", 1)[0]
    texts = {f"{top}/{path}": text.encode() for path, text in document["files"].items()}
    dropped = {f"{top}/{path}" for path in without}
    members = [
        m
        for m in document["members"]
        if (egg_info or ".egg-info/" not in m + "/") and m not in dropped
    ]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for member in members:
            info = tarfile.TarInfo(member.rstrip("/"))
            if member.endswith("/"):
                info.type = tarfile.DIRTYPE
                archive.addfile(info)
                continue
            content = texts.get(member, b"")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return sdist_dependencies(buffer.getvalue(), filename=document["filename"])


def _environments(extras: set[str]) -> list[dict[str, str]]:
    systems = [
        ("linux", "Linux", "posix"),
        ("win32", "Windows", "nt"),
        ("darwin", "Darwin", "posix"),
    ]
    pythons = ["2.7", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14"]
    grid = itertools.product(
        pythons, systems, ["x86_64", "aarch64"], ["CPython", "PyPy"], ["", *sorted(extras)]
    )
    return [
        {
            "python_version": python,
            "python_full_version": f"{python}.0",
            "sys_platform": platform,
            "platform_system": system,
            "os_name": os_name,
            "platform_machine": machine,
            "platform_python_implementation": implementation,
            "implementation_name": implementation.lower(),
            "platform_release": "",
            "platform_version": "",
            "implementation_version": f"{python}.0",
            "extra": extra,
        }
        for python, (platform, system, os_name), machine, implementation, extra in grid
    ]


def _key(requirement: Requirement) -> tuple[object, ...]:
    specifier = frozenset(
        (s.operator, canonicalize_version(s.version)) for s in requirement.specifier
    )
    extras = frozenset(canonicalize_name(e) for e in requirement.extras)
    return canonicalize_name(requirement.name), extras, specifier, requirement.url


def _installed(
    requirements: tuple[Requirement, ...], env: dict[str, str]
) -> set[tuple[object, ...]]:
    return {_key(r) for r in requirements if r.marker is None or r.marker.evaluate(env)}


def differences(ours: tuple[Requirement, ...], theirs: tuple[Requirement, ...]) -> list[str]:
    """Where the two lists install different things, one line per environment kind."""
    extras = {
        str(value)
        for r in (*ours, *theirs)
        if r.marker is not None
        for value in _extras_named(str(r.marker))
    }
    found = []
    for env in _environments(extras):
        a, b = _installed(ours, env), _installed(theirs, env)
        if a != b:
            found.append(
                f"{env['python_version']} {env['sys_platform']} extra={env['extra']!r}: "
                f"only ours {sorted(map(str, a - b))}, only the wheel's {sorted(map(str, b - a))}"
            )
    return found


def _extras_named(marker: str) -> list[str]:
    """The extra names a marker compares with (``extra == "socks"``)."""
    names = []
    for part in marker.split("extra")[1:]:
        quoted = part.split('"')
        if len(quoted) > 1 and quoted[0].strip() in ("==", "!="):
            names.append(canonicalize_name(quoted[1]))
    return names


def wheel_requires(name: str) -> tuple[Requirement, ...]:
    metadata = recorded(name)["wheel_metadata"]
    core = parse_core_metadata(metadata["METADATA"].encode(), source=metadata["wheel"])
    return core.requires_dist


def test_at_least_fifteen_real_legacy_sdists_with_a_wheel() -> None:
    with_wheel = [n for n in NAMES if recorded(n)["wheel_metadata"] is not None]
    assert len(with_wheel) - len(DISAGREE) >= 15, with_wheel
    assert set(NAMES) - set(with_wheel) == set(NO_WHEEL)
    assert "literalai" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_recorded_sdist_is_legacy(name: str) -> None:
    """Each one needs the declared readers: its metadata is not static (PEP 643/621)."""
    result = rebuilt(name)
    assert result.status == "declared", result.evidence
    assert result.provenance.declared


@pytest.mark.parametrize("name", [n for n in NAMES if n not in NO_WHEEL])
def test_declared_answer_agrees_with_the_wheel(name: str) -> None:
    result = rebuilt(name)
    found = differences(result.requires_dist, wheel_requires(name))
    if name in DISAGREE:
        assert found, f"{name} now agrees: remove it from DISAGREE"
    else:
        assert found == [], f"{name} ({result.provenance}, {result.evidence}): {found[:3]}"


@pytest.mark.parametrize("name", [n for n in NAMES if n not in NO_WHEEL])
def test_without_egg_info_the_other_readers_agree_or_say_why(name: str) -> None:
    result = rebuilt(name, egg_info=False)
    assert result.provenance != "egg-info"
    if name in NOT_STATIC_WITHOUT_EGG_INFO:
        assert result.status == "unknown"
        assert result.evidence.endswith(NOT_STATIC_WITHOUT_EGG_INFO[name])
    else:
        assert differences(result.requires_dist, wheel_requires(name)) == [], result.evidence


def test_the_comparison_sees_a_difference() -> None:
    """A wrong marker or a missing requirement is a difference, not a pass."""
    wheel = (Requirement("six>=1.5"), Requirement('tomli; python_version < "3.11"'))
    assert differences(wheel, wheel) == []
    assert differences(wheel[:1], wheel)
    assert differences((wheel[0], Requirement('tomli; python_version < "3.10"')), wheel)
    assert differences((Requirement("six>=1.6"), wheel[1]), wheel)
    assert differences((*wheel, Requirement('pysocks; extra == "socks"')), wheel)


def test_literalai_declares_what_uv_builds() -> None:
    result = rebuilt("literalai")
    assert (result.provenance, result.evidence) == ("egg-info", "literalai.egg-info/requires.txt")
    assert [str(r) for r in result.requires_dist] == [
        "packaging>=23.0",
        "httpx>=0.23.0",
        "pydantic<3,>=1",
        "chevron>=0.14.0",
        "traceloop-sdk>=0.33.12",
    ]
    lock = (Path(__file__).parents[1] / "examples/llm-app/requirements.lock.txt").read_text()
    pinned = {
        canonicalize_name(line.split("==")[0]): line.split("==")[1].strip()
        for line in lock.splitlines()
        if "==" in line and not line.startswith("#")
    }
    # uv's tree holds each, at a version the declared specifier allows.
    for requirement in result.requires_dist:
        assert requirement.specifier.contains(pinned[canonicalize_name(requirement.name)])


# Poetry sdists: their PKG-INFO answers first, so the [tool.poetry] reader is checked here.
@pytest.mark.parametrize("name", ["pendulum", "rich"])
def test_poetry_tables_agree_with_the_wheel(name: str) -> None:
    import tomllib

    document = tomllib.loads(recorded(name)["files"]["pyproject.toml"])
    found = poetry_dependencies(document)
    assert found.provenance == "poetry"
    assert differences(found.requires_dist, wheel_requires(name)) == []


# Old flit sdists (flit before 3.2, [tool.flit.metadata], no [project]): PKG-INFO 1.1 without
# Requires-Dist, and a setup.py flit generated. The flit table answers, before that setup.py.
FLIT = [
    "backcall",
    "cssselect2",
    "entrypoints",
    "fastapi",
    "flit",
    "pep517",
    "requests-download",
    "testpath",
    "typer",
]


@pytest.mark.parametrize("name", FLIT)
def test_old_flit_sdists_answer_from_their_flit_table(name: str) -> None:
    pkg_info = recorded(name)["files"]["PKG-INFO"]
    assert pkg_info.startswith("Metadata-Version: 1.1\n") and "Requires-Dist" not in pkg_info
    result = rebuilt(name)
    assert (result.status, result.provenance) == ("declared", "flit")
    assert result.provenance.declared  # "declared, not guaranteed"
    assert result.evidence == "pyproject.toml [tool.flit.metadata]"
    assert differences(result.requires_dist, wheel_requires(name)) == []
    metadata = recorded(name)["wheel_metadata"]
    wheel = parse_core_metadata(metadata["METADATA"].encode(), source=metadata["wheel"])
    assert result.requires_python == wheel.requires_python


@pytest.mark.parametrize("name", FLIT)
def test_old_flit_sdists_generated_setup_py_agrees_too(name: str) -> None:
    result = rebuilt(name, without=("pyproject.toml",))
    assert result.provenance == "setup.py (static)", result.evidence
    assert differences(result.requires_dist, wheel_requires(name)) == []


def test_flit_table_reader_alone_keeps_the_extras() -> None:
    """The table read alone (as when PKG-INFO would not answer): fastapi 0.65.2's extras."""
    import tomllib

    found = flit_dependencies(tomllib.loads(recorded("fastapi")["files"]["pyproject.toml"]))
    assert found.provenance == "flit"
    assert found.provides_extra == ("all", "dev", "doc", "test")
    assert differences(found.requires_dist, wheel_requires("fastapi")) == []


def test_hatch_sdist_with_dynamic_dependencies_answers_from_pkg_info() -> None:
    """The one kind of hatch sdist without static metadata found: hatchling with a metadata
    hook (hatch-requirements-txt) that makes dependencies dynamic in [project]; hatchling
    writes PKG-INFO 2.1 with the hook's Requires-Dist, which the legacy chain reads."""
    import tomllib

    document = recorded("mkdocs-material")
    pyproject = tomllib.loads(document["files"]["pyproject.toml"])
    assert pyproject["build-system"]["build-backend"] == "hatchling.build"
    assert "dependencies" in pyproject["project"]["dynamic"]
    result = rebuilt("mkdocs-material")
    assert (result.status, result.provenance) == ("declared", "pkg-info")
    assert differences(result.requires_dist, wheel_requires("mkdocs-material")) == []
