"""The pinned shortcut (wheelcheck/_resolve/pinned.py) answers exactly what the resolver would.

A compiled requirements file (every line ``name==X``, closed over its dependencies) skips
resolvelib: `resolve_pinned` builds the tree in one pass. These tests run the same check twice,
once as shipped and once with the shortcut turned off (so resolvelib decides), and compare
what a user reads, on alpine and slim, amd64 and arm64. They also check that the shortcut was
really taken when it should be, and that it steps aside (returns None, the resolver answers)
for anything that is not a closed set of pins.

Two indexes are used: the recorded one (tests/data/index, real dependency shapes, pinned
here to the versions the resolver itself picks) and a small synthetic one written to a
temporary folder and served by the same tests/indexserver.py, whose shapes are chosen for
these cases: a diamond, an extra that pulls a native package, a dependency added only on
aarch64 by a platform_machine marker, a transitive dependency pinned only by ``-c``, a local
version next to its public one (2.0 and 2.0+cpu) and a release whose METADATA Requires-Python
excludes Python 3.12 while the index page says nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner
from indexserver import IndexServer, build_wheel

import wheelcheck
import wheelcheck._resolve.trees as trees_module
from wheelcheck._cli import main
from wheelcheck._resolve.resolver import TreeResult
from wheelcheck.models import Report, TargetResult, Verdict

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

ALPINE_AMD64 = "python:3.12-alpine/amd64"
ALPINE_ARM64 = "python:3.12-alpine/arm64"
SLIM_AMD64 = "python:3.12-slim/amd64"
SLIM_ARM64 = "python:3.12-slim/arm64"
ALL_TARGETS = (ALPINE_AMD64, ALPINE_ARM64, SLIM_AMD64, SLIM_ARM64)

REAL_RESOLVE_PINNED = trees_module.resolve_pinned
REAL_RESOLVE_TARGET = trees_module.resolve_target

# -- a synthetic index --------------------------------------------------------------------

PURE = ("py3-none-any",)
NATIVE = (
    "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64",
    "cp312-cp312-musllinux_1_2_x86_64",
    "cp312-cp312-musllinux_1_2_aarch64",
)
ARM_ONLY = (
    "cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64",
    "cp312-cp312-musllinux_1_2_aarch64",
)


@dataclass(frozen=True)
class Release:
    requires: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()
    tags: tuple[str, ...] = PURE
    requires_python: str | None = None  # in METADATA only: the page does not say it
    yanked: bool = False


@dataclass
class World:
    releases: dict[str, dict[str, Release]] = field(default_factory=dict)

    def write(self, root: Path) -> None:
        (root / "json").mkdir(parents=True)
        (root / "metadata").mkdir()
        for name, versions in self.releases.items():
            files = []
            for version, release in versions.items():
                lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
                if release.requires_python:
                    lines.append(f"Requires-Python: {release.requires_python}")
                lines += [f"Provides-Extra: {extra}" for extra in release.extras]
                lines += [f"Requires-Dist: {requirement}" for requirement in release.requires]
                metadata = ("\n".join(lines) + "\n").encode()
                (root / "metadata" / f"{name}-{version}.metadata").write_bytes(metadata)
                for tag in release.tags:
                    filename = f"{name.replace('-', '_')}-{version}-{tag}.whl"
                    wheel = build_wheel(filename, metadata)  # what the server will send
                    files.append(
                        {
                            "filename": filename,
                            "url": f"https://files.example/{filename}",
                            "hashes": {"sha256": hashlib.sha256(wheel).hexdigest()},
                            "yanked": "broken build" if release.yanked else False,
                        }
                    )
            document = {"meta": {"api-version": "1.1"}, "name": name, "files": files}
            (root / "json" / f"{name}.json").write_text(json.dumps(document, indent=1))


FAST = ('fastparse>=0.3; extra == "fast"',)
WORLD = World(
    {
        # webapp and clientlib share httpkit and certs (a diamond); webapp asks for jsonlib
        # with an extra that pulls a native parser, and for armext on aarch64 only.
        "webapp": {
            "1.0": Release(
                requires=(
                    "httpkit>=2",
                    "jsonlib[speedups]>=1.0",
                    'armext>=0.5; platform_machine == "aarch64"',
                    'tlslib>=1; extra == "secure"',
                ),
                extras=("secure",),
            ),
            "1.1": Release(
                requires=("httpkit>=2", "jsonlib[speedups]>=1.0"),
                extras=("secure",),
            ),
        },
        "clientlib": {"3.1": Release(requires=("httpkit<3,>=2.1", "certs>=2023"))},
        "httpkit": {
            "2.0": Release(requires=("certs>=2020", "idnalib>=3")),
            "2.4": Release(requires=("certs>=2020", "idnalib>=3")),
        },
        "jsonlib": {
            "1.2": Release(requires=('fastparse>=0.3; extra == "speedups"',), extras=("speedups",)),
        },
        "fastparse": {"0.4": Release(tags=NATIVE)},
        "armext": {"0.7": Release(requires=("idnalib",), tags=ARM_ONLY)},
        "certs": {"2024.1": Release(), "2024.2": Release()},
        "idnalib": {"3.7": Release(), "3.8": Release()},
        "tlslib": {"1.0": Release()},
        # torch-style builds: a public version and a local one that `==2.0` also matches
        "mathlib": {"2.0": Release(), "2.0+cpu": Release(tags=NATIVE)},
        # the page says nothing about Python; METADATA says <3.12
        "oldlib": {"1.0": Release(requires_python="<3.12")},
        # dashapp asks for plotlib with an extra; plotlib 1.1 is yanked, 1.2rc1 a pre-release
        "dashapp": {"1.0": Release(requires=("plotlib[fast]>=1.0",))},
        "plotlib": {
            "1.0": Release(requires=FAST, extras=("fast",)),
            "1.1": Release(requires=FAST, extras=("fast",), yanked=True),
            "1.2rc1": Release(requires=FAST, extras=("fast",)),
        },
    }
)

# What `pip-compile` / `uv pip compile` writes for webapp and clientlib (idnalib comes through
# the -c file only), and the lock-style split: the two applications pinned, the rest by -c.
COMPILED = """\
webapp==1.0
clientlib==3.1
httpkit==2.4
jsonlib[speedups]==1.2
fastparse==0.4
armext==0.7 ; platform_machine == "aarch64"
certs==2024.1
"""
IDNA_CONSTRAINT = "idnalib==3.7\n"
LOCK_CONSTRAINTS = """\
httpkit==2.4
jsonlib==1.2
fastparse==0.4
armext==0.7
certs==2024.1
idnalib==3.7
tlslib==1.0
"""


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    root = tmp_path_factory.mktemp("pinned-index")
    WORLD.write(root)
    with IndexServer(root) as server:
        yield server


# -- running a check with and without the shortcut ----------------------------------------


@dataclass
class Run:
    """One check's report, and what each target's tree came from."""

    report: Report
    pinned: dict[str, TreeResult | None]  # target id -> what resolve_pinned answered
    resolved: dict[str, TreeResult]  # target id -> what resolve_target answered

    @property
    def shortcut_targets(self) -> set[str]:
        return {t for t, tree in self.pinned.items() if tree is not None}

    def trees(self) -> dict[str, TreeResult]:
        """The tree each target used (the shortcut's, else the resolver's)."""
        return {t: self.pinned.get(t) or self.resolved[t] for t in self.pinned}


@contextmanager
def _spies(monkeypatch: pytest.MonkeyPatch, *, shortcut: bool) -> Iterator[Run]:
    run = Run(report=None, pinned={}, resolved={})  # type: ignore[arg-type]
    lock = threading.Lock()

    async def resolve_pinned(target: Any, requirements: Any, **kwargs: Any) -> Any:
        tree = await REAL_RESOLVE_PINNED(target, requirements, **kwargs) if shortcut else None
        run.pinned[target.id] = tree
        return tree

    def resolve_target(target: Any, requirements: Any, **kwargs: Any) -> TreeResult:
        tree = REAL_RESOLVE_TARGET(target, requirements, **kwargs)
        with lock:  # each target resolves in a thread of its own
            run.resolved[target.id] = tree
        return tree

    with monkeypatch.context() as patch:
        patch.setattr(trees_module, "resolve_pinned", resolve_pinned)
        patch.setattr(trees_module, "resolve_target", resolve_target)
        yield run


def check(
    monkeypatch: pytest.MonkeyPatch,
    server: IndexServer,
    files: Sequence[Path] = (),
    requirements: Sequence[str] = (),
    *,
    shortcut: bool = True,
    **options: Any,
) -> Run:
    options.setdefault("index_url", f"{server.url}/simple/")
    options.setdefault("environ", {})
    options.setdefault("pip_config_files", [])
    options.setdefault("retries", 1)
    with _spies(monkeypatch, shortcut=shortcut) as run:
        run.report = wheelcheck.check(list(files), list(requirements), **options)
    return run


def both(
    monkeypatch: pytest.MonkeyPatch,
    server: IndexServer,
    files: Sequence[Path] = (),
    requirements: Sequence[str] = (),
    **options: Any,
) -> tuple[Run, Run]:
    """The check as shipped, and the same check with resolvelib deciding every tree."""
    fast = check(monkeypatch, server, files, requirements, **options)
    slow = check(monkeypatch, server, files, requirements, shortcut=False, **options)
    assert slow.shortcut_targets == set()
    assert set(slow.resolved) == set(fast.pinned)
    return fast, slow


def assert_same_answer(fast: Run, slow: Run) -> None:
    """The same report, and per target the same tree: packages, files, via, dependencies."""
    assert fast.report.to_dict() == slow.report.to_dict()
    assert fast.report == slow.report
    for target_id, tree in fast.trees().items():
        expected = slow.resolved[target_id]
        assert tree.conflict == expected.conflict, target_id
        assert tree.error is None and expected.error is None, target_id
        assert tree.packages == expected.packages, target_id
        assert tree.pages == expected.pages, target_id


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def versions(report: Report, target_id: str) -> dict[str, str]:
    """name -> version installed on the target (packages skipped there left out)."""
    return {
        p.name.lower(): r.version
        for p in report.packages
        if (r := p.results.get(target_id)) is not None and r.version is not None
    }


def via(report: Report, name: str) -> tuple[str, ...]:
    return next(p.via for p in report.packages if p.name.lower() == name)


def result(report: Report, name: str, target_id: str) -> TargetResult:
    return next(p for p in report.packages if p.name.lower() == name).results[target_id]


LAYOUTS = {
    # every package pinned in requirements.txt, idnalib only through -c
    "compiled": ("-c constraints.txt\n" + COMPILED, IDNA_CONSTRAINT),
    # the applications pinned, everything they pull in pinned by -c (a lock as constraints)
    "lock": ("-c constraints.txt\nwebapp==1.0\nclientlib==3.1\n", LOCK_CONSTRAINTS),
}


def layout(tmp_path: Path, name: str) -> Path:
    requirements, constraints = LAYOUTS[name]
    write(tmp_path, "constraints.txt", constraints)
    return write(tmp_path, "requirements.txt", requirements)


# -- 1. a closed set of pins: the shortcut answers, and answers what resolvelib does ---------


@pytest.mark.parametrize("name", LAYOUTS)
def test_a_closed_pinned_set_takes_the_shortcut_and_reports_what_the_resolver_does(
    monkeypatch: pytest.MonkeyPatch, synthetic: IndexServer, tmp_path: Path, name: str
) -> None:
    fast, slow = both(monkeypatch, synthetic, [layout(tmp_path, name)])

    assert set(fast.pinned) == set(ALL_TARGETS)
    assert all(isinstance(tree, TreeResult) for tree in fast.pinned.values())
    assert fast.resolved == {}  # resolvelib never ran
    assert_same_answer(fast, slow)

    report = fast.report
    assert report.scope == "tree"
    assert not report.conflicts and not report.errors
    for target_id in ALL_TARGETS:
        installed = versions(report, target_id)
        assert installed["certs"] == "2024.1"  # the pin, not the newest (2024.2)
        assert installed["idnalib"] == "3.7"  # the -c pin, not the newest (3.8)
        assert installed["fastparse"] == "0.4"  # pulled by jsonlib[speedups]
        assert "tlslib" not in installed  # webapp[secure] was not asked for
    # armext comes only with aarch64 (a platform_machine marker), as a native wheel
    for target_id in (ALPINE_ARM64, SLIM_ARM64):
        assert result(report, "armext", target_id).version == "0.7"
        assert result(report, "armext", target_id).verdict is Verdict.BINARY
    for target_id in (ALPINE_AMD64, SLIM_AMD64):
        assert result(report, "armext", target_id).verdict is Verdict.SKIPPED
        assert "armext" not in fast.pinned[target_id].packages  # type: ignore[union-attr]
    # the chosen file follows each target's libc and arch
    files = {t: result(report, "fastparse", t).file for t in ALL_TARGETS}
    assert files == {
        ALPINE_AMD64: "fastparse-0.4-cp312-cp312-musllinux_1_2_x86_64.whl",
        ALPINE_ARM64: "fastparse-0.4-cp312-cp312-musllinux_1_2_aarch64.whl",
        SLIM_AMD64: "fastparse-0.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        SLIM_ARM64: "fastparse-0.4-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
    }


# The recorded index's scenarios (tests/data/index/README.md), compiled to the versions the
# resolver picks for them: real diamonds, an extras cycle, native extras, a large app.
RECORDED = {
    "diamond": ("requests", "responses"),
    "extras-cycle": ("dask[distributed]",),
    "native-extras": ("uvicorn[standard]", "psycopg[binary,c]"),
    "llm-app": ("chainlit", "langchain", "openai", "pandas", "psycopg2"),
}
_compiled: dict[tuple[str, str], dict[str, str]] = {}  # (index, scenario) -> pins


def _project(requirement: str) -> str:
    return re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower()


def compile_recorded(server: IndexServer, scenario: str) -> dict[str, str]:
    """name -> version the resolver installs for the scenario's unpinned requirements
    (the same on every target, as uv's compile for the recording agreed)."""
    key = (server.url, scenario)
    if key not in _compiled:
        report = wheelcheck.check(
            requirements=list(RECORDED[scenario]),
            index_url=f"{server.url}/simple/",
            environ={},
            pip_config_files=[],
            retries=1,
        )
        assert not report.conflicts and not report.has_errors
        found = [versions(report, t) for t in ALL_TARGETS]
        assert all(f == found[0] for f in found)
        _compiled[key] = found[0]
    return _compiled[key]


@pytest.mark.parametrize("style", ["compiled", "lock"])
@pytest.mark.parametrize("scenario", RECORDED)
def test_recorded_trees_pinned_give_the_resolvers_report(
    monkeypatch: pytest.MonkeyPatch,
    index_server: IndexServer,
    tmp_path: Path,
    scenario: str,
    style: str,
) -> None:
    index_server.reset()
    pinned = compile_recorded(index_server, scenario)
    heads = [f"{r}=={pinned[_project(r)]}" for r in RECORDED[scenario]]
    rest = [f"{n}=={v}" for n, v in pinned.items() if n not in map(_project, heads)]
    if style == "compiled":
        requirements = write(tmp_path, "requirements.txt", "\n".join(heads + rest) + "\n")
    else:
        write(tmp_path, "constraints.txt", "\n".join(rest) + "\n")
        requirements = write(
            tmp_path, "requirements.txt", "-c constraints.txt\n" + "\n".join(heads) + "\n"
        )

    fast, slow = both(monkeypatch, index_server, [requirements])

    assert fast.shortcut_targets == set(ALL_TARGETS)
    assert fast.resolved == {}
    assert_same_answer(fast, slow)
    for target_id in ALL_TARGETS:
        assert versions(fast.report, target_id) == pinned
    if scenario == "diamond" and style == "lock":
        assert set(via(fast.report, "urllib3")) == {"requests > urllib3", "responses > urllib3"}


# -- 3. via chains ------------------------------------------------------------------------


def test_via_chains_of_transitive_packages_are_the_resolvers(
    monkeypatch: pytest.MonkeyPatch, synthetic: IndexServer, tmp_path: Path
) -> None:
    fast, slow = both(monkeypatch, synthetic, [layout(tmp_path, "lock")])
    assert fast.shortcut_targets == set(ALL_TARGETS)

    for target_id, tree in fast.trees().items():
        expected = slow.resolved[target_id].packages
        assert {n: p.via for n, p in tree.packages.items()} == {
            n: p.via for n, p in expected.items()
        }, target_id
    # the shared dependency of a diamond names both ways in; arm64 reaches idnalib by armext
    arm = fast.pinned[SLIM_ARM64].packages  # type: ignore[union-attr]
    amd = fast.pinned[SLIM_AMD64].packages  # type: ignore[union-attr]
    assert amd["idnalib"].via == (
        ("clientlib", "httpkit", "idnalib"),
        ("webapp", "httpkit", "idnalib"),
    )
    assert arm["idnalib"].via == (
        ("clientlib", "httpkit", "idnalib"),
        ("webapp", "armext", "idnalib"),
    )
    assert arm["fastparse"].via == (("webapp", "jsonlib", "fastparse"),)  # through the extra

    shown = {p.name: p.via for p in fast.report.packages if not p.direct}
    assert shown == {
        "armext": ("webapp > armext",),
        "certs": ("clientlib > certs", "webapp > httpkit > certs"),
        "fastparse": ("webapp > jsonlib > fastparse",),
        "httpkit": ("clientlib > httpkit", "webapp > httpkit"),
        "idnalib": (
            "clientlib > httpkit > idnalib",
            "webapp > httpkit > idnalib",
            "webapp > armext > idnalib",
        ),
        "jsonlib": ("webapp > jsonlib",),
    }
    assert shown == {p.name: p.via for p in slow.report.packages if not p.direct}


# -- 2. anything else: the shortcut steps aside and the resolver answers ---------------------


def _certs_newest(report: Report) -> None:
    # not pinned: the resolver picks the newest certs both dependents accept
    assert all(versions(report, t)["certs"] == "2024.2" for t in ALL_TARGETS)


def _local_version_wins(report: Report) -> None:
    # ==2.0 matches 2.0 and 2.0+cpu; pip (and the resolver) take the higher, 2.0+cpu
    for target_id in ALL_TARGETS:
        assert result(report, "mathlib", target_id).version == "2.0+cpu"
        assert "+cpu" in result(report, "mathlib", target_id).file


def _python_excluded(report: Report) -> None:
    assert set(report.conflicts) == set(ALL_TARGETS)
    for text in report.conflicts.values():
        assert "Python <3.12 (from oldlib 1.0's Requires-Python)" in text


def _unpinned_direct(report: Report) -> None:
    # >=1.0: the resolver takes the newest webapp, not the 1.0 the other pins were made for
    assert all(versions(report, t)["webapp"] == "1.1" for t in ALL_TARGETS)
    assert not report.conflicts


FALLBACKS = {
    "dependency-not-pinned": (COMPILED.replace("certs==2024.1\n", ""), _certs_newest),
    "pin-matches-two-versions": (COMPILED + "mathlib==2.0\n", _local_version_wins),
    "metadata-requires-python": (COMPILED + "oldlib==1.0\n", _python_excluded),
    "direct-not-pinned": (COMPILED.replace("webapp==1.0", "webapp>=1.0"), _unpinned_direct),
}


@pytest.mark.parametrize("case", FALLBACKS)
def test_not_a_closed_pinned_set_is_left_to_the_resolver(
    monkeypatch: pytest.MonkeyPatch, synthetic: IndexServer, tmp_path: Path, case: str
) -> None:
    text, check_report = FALLBACKS[case]
    write(tmp_path, "constraints.txt", IDNA_CONSTRAINT)
    requirements = write(tmp_path, "requirements.txt", "-c constraints.txt\n" + text)

    fast, slow = both(monkeypatch, synthetic, [requirements])

    assert fast.pinned == dict.fromkeys(ALL_TARGETS)  # None everywhere: not a closed set
    assert set(fast.resolved) == set(ALL_TARGETS)  # so resolvelib decided every tree
    assert_same_answer(fast, slow)
    check_report(fast.report)


def test_requires_python_is_judged_per_target(
    monkeypatch: pytest.MonkeyPatch, synthetic: IndexServer
) -> None:
    """oldlib 1.0's METADATA says <3.12: closed on Python 3.11, not on 3.12."""
    fast, slow = both(
        monkeypatch,
        synthetic,
        requirements=["oldlib==1.0", "certs==2024.1"],
        targets=["python:3.11-slim", "python:3.12-slim"],
        arches=["amd64"],
    )
    assert fast.shortcut_targets == {"python:3.11-slim/amd64"}
    assert set(fast.resolved) == {SLIM_AMD64}
    assert_same_answer(fast, slow)
    assert set(fast.report.conflicts) == {SLIM_AMD64}
    assert result(fast.report, "oldlib", "python:3.11-slim/amd64").version == "1.0"


def test_a_pin_a_dependency_excludes_is_a_conflict_the_resolver_explains(
    monkeypatch: pytest.MonkeyPatch, synthetic: IndexServer, tmp_path: Path
) -> None:
    write(tmp_path, "constraints.txt", IDNA_CONSTRAINT)
    text = "-c constraints.txt\n" + COMPILED.replace("httpkit==2.4", "httpkit==2.0")
    requirements = write(tmp_path, "requirements.txt", text)

    fast, slow = both(monkeypatch, synthetic, [requirements])

    assert fast.pinned == dict.fromkeys(ALL_TARGETS)
    assert set(fast.resolved) == set(ALL_TARGETS)
    assert_same_answer(fast, slow)
    assert set(fast.report.conflicts) == set(ALL_TARGETS)
    for text in fast.report.conflicts.values():
        assert f"httpkit==2.0 (from {requirements}:4)" in text
        assert "conflicts with httpkit<3,>=2.1 (from clientlib 3.1)" in text

    # the command line: the conflict is printed and the exit code is 1
    with _spies(monkeypatch, shortcut=True) as run:
        outcome = CliRunner().invoke(
            main,
            ["check", str(requirements), "--index-url", f"{synthetic.url}/simple/"],
            catch_exceptions=False,
        )
    assert run.pinned == dict.fromkeys(ALL_TARGETS)
    assert outcome.exit_code == 1, outcome.output
    assert "conflict" in outcome.stdout
    assert "httpkit<3,>=2.1 (from clientlib 3.1)" in " ".join(outcome.stdout.split())  # wrapped


# -- an extras identifier honours the base project's pin (pip's factory does) ---------------


@pytest.mark.parametrize("pin", ["plotlib==1.1", "plotlib==1.2rc1"], ids=["yanked", "pre"])
def test_a_yanked_or_pre_release_pin_asked_for_with_an_extra(
    monkeypatch: pytest.MonkeyPatch, synthetic: IndexServer, pin: str
) -> None:
    fast, slow = both(monkeypatch, synthetic, requirements=["dashapp==1.0", pin, "fastparse==0.4"])
    assert fast.shortcut_targets == set(ALL_TARGETS)  # the shortcut answers: a tree
    assert_same_answer(fast, slow)  # the resolver narrows plotlib[fast] by plotlib's pin
