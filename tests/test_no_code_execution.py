"""No package code runs: a full check spawns no process, imports no inspected code, extracts
nothing to disk, and an sdist whose setup.py (or in-tree build backend, or package module)
would leave a marker file never gets the chance.
"""

from __future__ import annotations

import importlib.abc
import importlib.metadata
import os
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner
from faultserver import FaultServer, add_sample_tree, core_metadata, evil_code, make_sdist
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from wheelcheck._cli import main
from wheelcheck._metadata import sdist_dependencies

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_FILES = Path(__file__).parent / "data" / "files"
# Imported by wheelcheck but (at the time of writing) missing from [project].dependencies;
# test_third_party_imports_are_declared_dependencies says so until they are declared.
UNDECLARED_BUT_USED = frozenset({"resolvelib", "platformdirs", "dockerfile_parse"})
INSPECTED = ("alpha", "beta", "gamma", "delta", "hooked", "evil_backend")


def _dependency_closure(names: Sequence[str]) -> set[str]:
    """Canonical distribution names of `names` and everything they require (no extras)."""
    seen: set[str] = set()
    pending = list(names)
    while pending:
        name = canonicalize_name(pending.pop())
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for text in requires:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(requirement.name)
    return seen


def _declared_dependencies() -> list[str]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(text).name for text in project["dependencies"]]


def _top_levels(distributions: set[str]) -> set[str]:
    mapping = importlib.metadata.packages_distributions()
    return {
        top
        for top, dists in mapping.items()
        if any(canonicalize_name(d) in distributions for d in dists)
    }


class _ImportRecorder(importlib.abc.MetaPathFinder):
    """Records every module name the import system is asked for; finds nothing itself."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        self.names.append(fullname)
        return None


class Guard:
    """What a check tried: processes spawned, archives extracted, modules imported."""

    def __init__(self) -> None:
        self.spawned: list[str] = []
        self.extracted: list[str] = []
        self.imports = _ImportRecorder()
        self.modules_before: set[str] = set()
        self.modules_after: set[str] = set()

    def attempted(self) -> set[str]:
        """Top-level names any import asked for, found or not (optional probes included)."""
        return {name.partition(".")[0] for name in self.imports.names}

    def loaded(self) -> set[str]:
        """Top-level names of the modules that were really imported."""
        return {name.partition(".")[0] for name in self.modules_after - self.modules_before}


@pytest.fixture
def guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[Guard]:
    """Every way to start a process or extract an archive fails loudly, and is recorded."""
    guard = Guard()

    def refuse(what: str) -> Any:
        def refused(*args: Any, **kwargs: Any) -> Any:
            guard.spawned.append(f"{what}{args[:1]!r}")
            raise AssertionError(f"wheelcheck tried {what}")

        return refused

    monkeypatch.setattr(subprocess, "Popen", refuse("subprocess.Popen"))
    for name in dir(os):
        if name.startswith(("exec", "spawn", "posix_spawn")) or name in ("system", "popen", "fork"):
            monkeypatch.setattr(os, name, refuse(f"os.{name}"))

    def no_extract(what: str) -> Any:
        def refused(*args: Any, **kwargs: Any) -> Any:
            guard.extracted.append(what)
            raise AssertionError(f"wheelcheck tried {what}")

        return refused

    for owner, names in (
        (tarfile.TarFile, ("extract", "extractall")),
        (zipfile.ZipFile, ("extract", "extractall")),
    ):
        for name in names:
            monkeypatch.setattr(owner, name, no_extract(f"{owner.__name__}.{name}"))

    guard.modules_before = set(sys.modules)
    sys.meta_path.insert(0, guard.imports)
    try:
        yield guard
    finally:
        sys.meta_path.remove(guard.imports)
        guard.modules_after = set(sys.modules)


def add_hooked_project(server: FaultServer, marker: str) -> None:
    """An sdist with an in-tree PEP 517 backend and dynamic dependencies: only a build knows."""
    pyproject = (
        b'[build-system]\nrequires = []\nbuild-backend = "evil_backend"\nbackend-path = ["."]\n'
        b'[project]\nname = "hooked"\nversion = "1.0"\ndynamic = ["dependencies"]\n'
    )
    sdist = make_sdist(
        "hooked",
        "1.0",
        {
            "PKG-INFO": core_metadata("hooked", "1.0", metadata_version="2.2") + b"",
            "pyproject.toml": pyproject,
            "evil_backend.py": evil_code(marker),
            "setup.py": evil_code(marker),
            "hooked/__init__.py": evil_code(marker),
        },
    )
    server.add_project("hooked", [sdist])


def test_full_check_runs_no_package_code(
    guard: Guard, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "package-code-ran"
    monkeypatch.chdir(tmp_path)  # a relative path in inspected code would land here
    (tmp_path / "requirements.txt").write_text("alpha\ndelta\nhooked\n")
    with FaultServer() as server:
        add_sample_tree(server, str(marker))
        add_hooked_project(server, str(marker))
        outcome = CliRunner().invoke(
            main,
            ["check", "requirements.txt", "-i", server.index_url, "--retries", "0", "--all"],
            catch_exceptions=False,
        )
        fetched = server.requests
    before = sorted(p.name for p in tmp_path.iterdir())

    assert outcome.exit_code == 0, outcome.output
    # The sdists were really downloaded and inspected, on the tree's every level.
    assert "/files/gamma-1.0.tar.gz" in fetched and "/files/delta-1.0.zip" in fetched
    assert "/files/hooked-1.0.tar.gz" in fetched
    assert "dependencies unknown" in outcome.stdout  # gamma: setup.py would have to run
    rows = {line.split()[0] for line in outcome.stdout.splitlines() if line.strip()}
    assert {"gamma", "beta"} <= rows  # --all: the dependencies' rows too

    assert not marker.exists()
    assert before == sorted(p.name for p in tmp_path.iterdir())  # nothing extracted here
    assert guard.spawned == []
    assert guard.extracted == []
    assert not guard.attempted() & set(INSPECTED), guard.attempted() & set(INSPECTED)

    allowed = (
        set(sys.stdlib_module_names)
        | _top_levels(_dependency_closure([*_declared_dependencies(), *UNDECLARED_BUT_USED]))
        | {"wheelcheck", "_distutils_hack"}  # setuptools' .pth shim may probe on import
    )
    unexpected = guard.loaded() - allowed
    assert unexpected == set(), "imports outside the stdlib and wheelcheck's dependencies"


def test_sdist_readers_never_run_setup_py(guard: Guard, tmp_path: Path) -> None:
    """The real setup.py-only sdist (retrying 1.3.4) and a zip one whose code writes a marker."""
    marker = tmp_path / "ran"
    real = (DATA_FILES / "retrying-1.3.4.tar.gz").read_bytes()
    found = sdist_dependencies(real, filename="retrying-1.3.4.tar.gz")
    assert found.status == "declared" and found.evidence == "retrying.egg-info/requires.txt"

    for fmt in ("tar.gz", "zip"):
        name, data = make_sdist(
            "evil",
            "1.0",
            {"setup.py": evil_code(str(marker)), "evil/__init__.py": evil_code(str(marker))},
            fmt=fmt,  # type: ignore[arg-type]
        )
        result = sdist_dependencies(data, filename=name)
        assert result.status == "unknown"
        assert result.file("setup.py") == evil_code(str(marker))  # read as bytes, not run
        # A setup() call with literal arguments is read as a syntax tree, never run.
        static = (
            evil_code(str(marker))
            + b"from setuptools import setup\nsetup(install_requires=['six'])\n"
        )
        name, data = make_sdist("evil", "1.0", {"setup.py": static}, fmt=fmt)  # type: ignore[arg-type]
        result = sdist_dependencies(data, filename=name)
        assert (result.status, [str(r) for r in result.requires_dist]) == ("declared", ["six"])
    assert not marker.exists()
    assert guard.spawned == [] and guard.extracted == []
    assert "evil" not in guard.attempted()


def test_third_party_imports_are_declared_dependencies() -> None:
    """`pip install .` must bring every module wheelcheck imports."""
    import ast

    imported: set[str] = set()
    for path in (PROJECT_ROOT / "wheelcheck").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.partition(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.partition(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"wheelcheck", "__future__"}
    declared = _top_levels(_dependency_closure(_declared_dependencies()))
    assert third_party - declared == set()
