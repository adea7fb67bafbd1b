"""No answer that was not computed: a check that could not finish recommends nothing.

Each test runs what a user runs (the CLI, the library, the Dockerfile command) against a real
local index that fails in one way, and asserts what the user sees: the exit code, the
recommendation line, the JSON fields, the absence of a traceback. Whatever was obtained stays
in the report.
"""

from __future__ import annotations

import functools
import importlib
import json
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result
from faultserver import (
    JSON_TYPE,
    FaultServer,
    add_sample_tree,
    core_metadata,
    drop,
    evil_code,
    hang,
    make_sdist,
    make_wheel,
    serve,
    status,
)

from wheelcheck import check
from wheelcheck._advise.recommend import recommend
from wheelcheck._cli import main
from wheelcheck._index.dependencies import DependencyReader
from wheelcheck._judge.targets import parse_targets
from wheelcheck.models import PackageResult, Target, TargetResult, Verdict

if TYPE_CHECKING:
    from collections.abc import Iterator

check_module = importlib.import_module("wheelcheck._check")

NAMES = ("one", "two", "three", "four", "five")
TARGETS = ("python:3.12-slim", "python:3.12-alpine")
INCOMPLETE = "No recommendation (incomplete: some lookups failed)"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultServer]:
    """Five pure-wheel projects without dependencies (a complete check recommends alpine),
    and the sample tree of tests/faultserver.py (gamma: dependencies unknown)."""
    with FaultServer() as fault_server:
        for name in NAMES:
            wheel, content, metadata = make_wheel(name, "1.0")
            fault_server.add_project(name, [(wheel, content)], metadata={wheel: metadata})
        marker = str(tmp_path_factory.mktemp("faults") / "code-ran")
        add_sample_tree(fault_server, marker)
        # A legacy sdist whose egg-info declares its dependency (issue 15).
        legacy = make_sdist(
            "legacy",
            "1.0",
            {
                "PKG-INFO": core_metadata("legacy", "1.0"),
                "setup.py": evil_code(marker),
                "legacy.egg-info/PKG-INFO": core_metadata("legacy", "1.0"),
                "legacy.egg-info/requires.txt": b"one>=1\n",
            },
        )
        fault_server.add_project("legacy", [legacy])
        yield fault_server


@pytest.fixture(autouse=True)
def _fast_retries(server: FaultServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(
        check_module, "IndexClient", functools.partial(check_module.IndexClient, backoff=0.01)
    )
    monkeypatch.setattr(
        check_module, "DependencyReader", functools.partial(DependencyReader, backoff=0.01)
    )
    server.clear_faults()
    yield
    server.clear_faults()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def cli(
    index_url: str, tmp_path: Path, *args: str, text: str = "\n".join(NAMES) + "\n"
) -> tuple[Result, dict[str, Any]]:
    """Run ``wheelcheck check`` as a user would; return the result and its JSON report."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(text, encoding="utf-8")
    document = tmp_path / "report.json"
    argv = ["check", str(requirements), "-i", index_url, "-a", "amd64", "-a", "arm64"]
    argv += [arg for target in TARGETS for arg in ("-t", target)]
    argv += ["--timeout", "0.5", "--retries", "1", "--quiet", "--report", f"json={document}"]
    result = CliRunner().invoke(main, [*argv, *args], catch_exceptions=False)
    return result, (json.loads(document.read_text()) if document.exists() else {})


def answer(stdout: str) -> str:
    """The report's first line: the answer."""
    return stdout.split("\n", 1)[0]


def prose(stdout: str) -> str:
    """The report with its wrapped lines joined, to find a sentence wherever it wrapped."""
    return " ".join(stdout.split())


def test_a_complete_check_recommends(server: FaultServer, tmp_path: Path) -> None:
    outcome, document = cli(server.index_url, tmp_path)
    assert outcome.exit_code == 0, outcome.output
    assert answer(outcome.stdout).startswith("Use python:3.12-alpine: ")
    assert document["recommendation"]["image"] == "python:3.12-alpine"
    assert document["recommendation"]["withheld"] is None
    assert document["errors"] == []


FAULTS = {
    "500-for-good": status(500),
    "stall": hang(3),
    "reset": drop(),
    "truncated-body": serve(b'{"meta": {"api-version": "1.1"}, "name": "fo', JSON_TYPE),
}


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_two_of_five_failing_for_good_recommends_nothing_and_keeps_the_rest(
    server: FaultServer, tmp_path: Path, fault: Any
) -> None:
    for name in ("four", "five"):
        server.inject(server.page_path(name), fault, permanent=True)
    outcome, document = cli(server.index_url, tmp_path, "--all")

    assert outcome.exit_code == 3, outcome.output
    assert "Traceback" not in outcome.output
    assert answer(outcome.stdout).startswith(INCOMPLETE)
    assert "python:3.12-alpine" not in answer(outcome.stdout)
    # sizes only for what was looked up, the rest named as not sized
    assert "in 3 packages; largest: three" in prose(outcome.stdout)
    assert "not sized: five, four" in prose(outcome.stdout)
    recommendation = document["recommendation"]
    assert recommendation["image"] is None
    assert recommendation["withheld"].startswith("incomplete")
    assert recommendation["unknown"] == ["four", "five"]
    assert recommendation["candidates"] == []
    assert [e.split(":", 1)[0] for e in document["errors"]] == ["four", "five"]
    verdicts = {
        p["name"]: {r["verdict"] for r in p["results"].values()} for p in document["packages"]
    }
    # nothing obtained is lost: the three that answered keep their verdict on every target
    assert verdicts == {
        "one": {"pure"},
        "two": {"pure"},
        "three": {"pure"},
        "four": {"error"},
        "five": {"error"},
    }


def test_every_lookup_failing_recommends_nothing_in_every_format(tmp_path: Path) -> None:
    index = f"http://127.0.0.1:{closed_port()}/simple"
    outcome, document = cli(index, tmp_path, "--report", f"markdown={tmp_path / 'r.md'}")
    assert outcome.exit_code == 3
    assert "Traceback" not in outcome.output
    assert answer(outcome.stdout).startswith(INCOMPLETE)
    assert "every package installs from a wheel" not in outcome.stdout
    assert "0 packages" not in outcome.stdout and "estimated size" not in outcome.stdout
    assert f"{index} could not be reached" in prose(outcome.stdout)
    assert "--index-url URL" in prose(outcome.stdout)
    assert document["recommendation"]["image"] is None
    assert document["recommendation"]["unknown"] == list(NAMES)
    assert len(document["errors"]) == len(NAMES)  # once per package, not once per target
    markdown = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert markdown.startswith("### wheelcheck: ❗ incomplete · no recommendation (incomplete")

    github = CliRunner().invoke(
        main,
        ["check", str(tmp_path / "requirements.txt"), "-i", index, "-f", "github", "--quiet"],
        catch_exceptions=False,
    )
    assert github.exit_code == 3
    assert "::notice" not in github.stdout  # no "wheelcheck recommends ..."
    assert "::error title=wheelcheck could not finish::" in github.stdout


def test_offline_with_an_empty_cache_recommends_nothing(tmp_path: Path) -> None:
    outcome, document = cli("https://pypi.org/simple", tmp_path, "--offline")
    assert outcome.exit_code == 3, outcome.output
    assert INCOMPLETE in outcome.stdout
    assert document["recommendation"]["image"] is None
    assert document["errors"]


def test_the_library_withholds_the_recommendation_too() -> None:
    report = check(
        requirements=["one==1.0", "two"],
        index_url=f"http://127.0.0.1:{closed_port()}/simple",
        targets=list(TARGETS),
        retries=0,
        environ={},
        pip_config_files=[],
    )
    assert report.has_errors
    assert report.recommendation.image is None
    assert not report.recommendation.complete
    assert report.recommendation.unknown == ("one", "two")
    assert report.to_dict()["errors"]


def test_an_empty_requirements_file_recommends_nothing(server: FaultServer, tmp_path: Path) -> None:
    outcome, document = cli(server.index_url, tmp_path, text="# nothing yet\n")
    assert outcome.exit_code == 0
    assert "0 packages, 4 targets: nothing to check" in outcome.stdout.splitlines()
    assert answer(outcome.stdout) == "Nothing to check: the input names no package."
    assert "alpine" not in outcome.stdout
    assert document["recommendation"]["image"] is None
    assert document["recommendation"]["withheld"] == "nothing to check"


def test_unknown_dependencies_withhold_alpine(server: FaultServer, tmp_path: Path) -> None:
    # gamma is a setup.py-only sdist: it builds without a compiler, so alpine would win,
    # but what gamma needs is unknown without running setup.py.
    outcome, document = cli(server.index_url, tmp_path, text="gamma\n")
    assert outcome.exit_code == 0, outcome.output
    first = answer(outcome.stdout)
    assert first.startswith("No recommendation (incomplete: part of the tree was not checked)")
    assert "the dependencies of gamma cannot be read without running code" in first
    assert document["recommendation"]["image"] is None
    results = document["packages"][0]["results"].values()
    assert {r["dependencies_known"] for r in results} == {False}
    assert {r["dependencies_from"] for r in results} == {"unknown"}


def test_declared_dependencies_are_followed_with_a_caveat(
    server: FaultServer, tmp_path: Path
) -> None:
    # legacy's egg-info declares one>=1: computed, so the recommendation stands (alpine:
    # both build without a compiler), with the caveat and the provenance in the JSON.
    outcome, document = cli(server.index_url, tmp_path, text="legacy\n")
    assert outcome.exit_code == 0, outcome.output
    lines = outcome.stdout.splitlines()
    assert lines[0].startswith("Use python:3.12-alpine: ")
    assert lines[1] == (
        "Not guaranteed: what legacy needs (declared by files a build would regenerate)."
    )
    prose = " ".join(outcome.stdout.split())  # wrapped at 80 columns
    assert "legacy 1.0: source, pure Python (no compiler needed): " in prose
    assert "; dependencies declared in legacy.egg-info/requires.txt, not guaranteed" in prose
    assert document["recommendation"]["image"] == "python:3.12-alpine"
    assert document["recommendation"]["withheld"] is None
    rows = {p["name"]: p for p in document["packages"]}
    assert set(rows) == {"legacy", "one"}
    assert {r["dependencies_from"] for r in rows["legacy"]["results"].values()} == {"egg-info"}
    assert {r["dependencies_from"] for r in rows["one"]["results"].values()} == {"metadata"}
    assert rows["one"]["via"] == ["legacy > one"]


def _package(name: str, verdict: Verdict, targets: tuple[Target, ...], **extra: Any) -> Any:
    result = TargetResult(verdict, "test", "1.0", **extra)
    return PackageResult(name, name, None, {t.id: result for t in targets})


def test_unknown_dependencies_keep_a_slim_choice_with_the_caveat() -> None:
    targets = tuple(parse_targets(list(TARGETS), ["amd64"]))
    alpine = [t for t in targets if t.variant == "alpine"]
    builds = PackageResult(
        "psycopg2",
        "psycopg2",
        None,
        {
            t.id: TargetResult(Verdict.SOURCE if t in alpine else Verdict.BINARY, "t", "2.9")
            for t in targets
        },
    )
    cut = _package("legacy", Verdict.PURE, targets, dependencies_known=False)
    chosen = recommend(targets, [builds, cut])
    assert chosen.image == "python:3.12-slim"
    assert chosen.complete
    assert any("dependencies of legacy cannot be read" in r for r in chosen.reasons)


def test_a_project_not_found_and_a_direct_reference_are_both_said() -> None:
    # Found in review: each caveat rewrote "every package installs" in turn, so the second
    # found no phrase left and a project the index does not know counted as installing.
    targets = tuple(parse_targets(list(TARGETS), ["amd64"]))
    found = _package("one", Verdict.PURE, targets)
    unknown = _package("nosuch", Verdict.NOT_FOUND, targets)
    direct = _package("legacy", Verdict.UNCHECKED, targets)
    chosen = recommend(targets, [found, unknown, direct])
    assert chosen.image is None
    assert any(r.startswith("every other package looked up installs") for r in chosen.reasons)
    assert not any("every package" in r for r in chosen.reasons), chosen.reasons


def test_a_dockerfile_whose_mirror_is_unreachable_recommends_nothing(tmp_path: Path) -> None:
    # The README's Dockerfile example installs from the Tsinghua mirror; here the mirror is
    # a closed port on this machine (the default test run never leaves it).
    mirror = f"http://127.0.0.1:{closed_port()}/simple"
    example = Path(__file__).parents[1] / "examples" / "llm-app"
    text = (example / "Dockerfile").read_text(encoding="utf-8")
    assert "https://pypi.tuna.tsinghua.edu.cn/simple" in text
    (tmp_path / "Dockerfile").write_text(
        text.replace("https://pypi.tuna.tsinghua.edu.cn/simple", mirror), encoding="utf-8"
    )
    (tmp_path / "requirements.txt").write_text(
        (example / "requirements.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    outcome = CliRunner().invoke(
        main,
        ["dockerfile", str(tmp_path / "Dockerfile"), "--timeout", "0.5", "--retries", "0", "-v"],
        catch_exceptions=False,
    )
    assert outcome.exit_code == 3, outcome.output
    assert "Traceback" not in outcome.output
    assert INCOMPLETE in outcome.stdout
    assert "every package installs from a wheel" not in outcome.stdout
    assert f"{mirror} could not be reached" in prose(outcome.stdout)
    assert "wheelcheck dockerfile --index-url URL" in outcome.stdout  # the WCD011 fix
    assert "wheelcheck checked that index" not in outcome.stdout


@pytest.mark.parametrize(
    ("fmt", "shown", "error"),
    [
        # Markdown escapes it as the check's Markdown does
        ("markdown", "**❗ incomplete**", "one\\: connection failed"),
        ("github", "::error title=wheelcheck could not finish::", "one: connection failed"),
    ],
)
def test_dockerfile_formats_say_the_check_is_incomplete(
    tmp_path: Path, fmt: str, shown: str, error: str
) -> None:
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12-slim\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\n",
        encoding="utf-8",
    )
    (tmp_path / "requirements.txt").write_text("one\n", encoding="utf-8")
    index = f"http://127.0.0.1:{closed_port()}/simple"
    argv = ["dockerfile", str(tmp_path / "Dockerfile"), "-i", index, "-f", fmt, "--retries", "0"]
    outcome = CliRunner().invoke(main, argv, catch_exceptions=False)
    assert outcome.exit_code == 3, outcome.output
    assert shown in outcome.stdout
    assert error in outcome.stdout


def test_an_unreachable_extra_index_recommends_nothing_and_keeps_the_rest(
    server: FaultServer, tmp_path: Path
) -> None:
    dead = f"http://127.0.0.1:{closed_port()}/simple"
    outcome, document = cli(server.index_url, tmp_path, "--extra-index-url", dead)
    assert outcome.exit_code == 3, outcome.output
    assert "Traceback" not in outcome.output
    assert INCOMPLETE in outcome.stdout
    assert document["recommendation"]["image"] is None
    # the primary index answered: every package keeps its verdict, marked
    for package in document["packages"]:
        for result in package["results"].values():
            assert result["verdict"] == "pure"
            assert f"may be incomplete: {dead}" in result["reason"]
    assert [e for e in document["errors"] if dead in e] == document["errors"]  # named once
    assert len(document["errors"]) == 1


def test_a_direct_reference_withholds_alpine(server: FaultServer, tmp_path: Path) -> None:
    # Found in review: a URL requirement is never looked up, yet alpine was recommended
    # with "every package installs from a wheel".
    text = "one\nlegacy @ https://files.example.invalid/legacy-1.0.tar.gz\n"
    outcome, document = cli(server.index_url, tmp_path, text=text)
    assert "every package installs from a wheel" not in outcome.stdout
    first = answer(outcome.stdout)
    assert first.startswith("No recommendation (incomplete: part of the tree was not checked)")
    assert "legacy: a direct reference (URL, VCS or path), not looked up" in first
    assert document["recommendation"]["image"] is None


def test_a_tree_pip_cannot_install_on_slim_is_never_recommended() -> None:
    targets = tuple(parse_targets(list(TARGETS), ["amd64"]))
    slim = next(t for t in targets if t.variant == "slim")
    alpine = next(t for t in targets if t.variant == "alpine")
    builds = PackageResult(
        "psycopg2",
        "psycopg2",
        None,
        {
            alpine.id: TargetResult(Verdict.SOURCE, "sdist", "2.9"),
            slim.id: TargetResult(Verdict.BINARY, "wheel", "2.9"),
        },
    )
    conflict = {slim.id: "h11!=0.16.0 conflicts with h11==0.16.0 (required by httpcore)"}
    chosen = recommend(targets, [builds], conflicts=conflict)
    assert chosen.image is None
    assert not any("every package installs from a wheel" in r for r in chosen.reasons)
    assert any("pip cannot install the tree" in r for r in chosen.reasons)
    only_slim = recommend((slim,), [builds], conflicts=conflict)
    assert only_slim.image is None


def test_the_full_base_rule_says_slim_was_not_checked(index_server: Any, tmp_path: Path) -> None:
    # Found in review: with only an alpine --target, WCD001 still said "every package
    # installs from a wheel on python:3.12-slim", where psycopg2 builds from source.
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12\nRUN pip install --no-cache-dir psycopg2\n", encoding="utf-8"
    )
    argv = ["dockerfile", str(tmp_path / "Dockerfile"), "-i", f"{index_server.url}/simple/"]
    outcome = CliRunner().invoke(main, [*argv, "-t", "python:3.12-alpine"])
    assert "every package installs from a wheel on python:3.12-slim" not in outcome.stdout
    assert "slim was not checked" in outcome.stdout


def test_an_image_estimate_with_an_unread_wheel_says_it_is_a_lower_bound() -> None:
    from wheelcheck._report.table import sizes_table
    from wheelcheck.models import BaseEstimate, Recommendation, Report

    targets = tuple(parse_targets(["python:3.12-alpine"], ["amd64"]))
    six = _package("six", Verdict.PURE, targets)
    estimate = BaseEstimate(
        "python:3.12-alpine", "alpine", ("amd64",), 56.0, 0.0, 0.0, 56.0, 56.0, unsized=("six",)
    )
    recommendation = Recommendation("python:3.12-alpine", (), candidates=(estimate,))
    report = Report(targets, (six,), recommendation, ())
    text = "\n".join(str(line) for line in sizes_table(report)[2:])
    assert text == "  python:3.12-alpine: at least; not sized: six"
