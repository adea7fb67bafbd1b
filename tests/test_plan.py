"""`wheelcheck plan` end to end, against recorded indexes on 127.0.0.1.

The example apps read tests/data/index (its trees g to j); the five real requirement files of
tests/data/plan/requirements/ read tests/data/plan/index, recorded from what the plan read on
pypi.org (tests/data/plan/README.md says where each file comes from and what it needs). Each
test asserts what a user reads: the answer, the changes (from, to), what still builds, the
exit code, the constraints file. tests/test_plan_live.py checks the same sets with uv.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner
from indexserver import IndexServer
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

import wheelcheck
from wheelcheck._cli import main
from wheelcheck._plan.candidates import Order
from wheelcheck.models import Plan

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parent.parent
PLAN_DATA = Path(__file__).parent / "data" / "plan"
REAL = PLAN_DATA / "requirements"
ALPINE = ["--target", "python:3.12-alpine", "--arch", "amd64", "--arch", "arm64"]


@pytest.fixture(scope="module")
def plan_index() -> Iterator[IndexServer]:
    with IndexServer(PLAN_DATA / "index") as server:
        yield server


def run_plan(server: IndexServer, *args: str) -> tuple[int, dict[str, Any], str]:
    """`wheelcheck plan ARGS --format json` on alpine amd64+arm64: exit code, JSON, stderr."""
    argv = ["plan", *args, *ALPINE, "--index-url", f"{server.url}/simple/", "-f", "json"]
    result = CliRunner().invoke(main, argv)
    # An exception click's runner caught is no exit code of the command: show it, not the
    # empty stdout it leaves.
    assert isinstance(result.exception, SystemExit | None), repr(result.exception)
    assert result.exit_code in (0, 1, 3), result.stderr
    return result.exit_code, json.loads(result.stdout), result.stderr


def changes(document: dict[str, Any]) -> dict[str, tuple[str | None, str | None]]:
    return {c["name"]: (c["before"], c["after"]) for c in document["changes"]}


def builds(document: dict[str, Any]) -> set[str]:
    return {b["name"] for b in document["builds"]}


# -- the example apps (tests/data/index) ------------------------------------------------------

EXAMPLES = {
    # name: (extra options, exit code, outcome, changes, builds)
    "django-app": ((), 0, "compile-free", {}, set()),
    "data-science": ((), 1, "must-build", {}, {"matplotlib", "scikit-learn", "statsmodels"}),
    "llm-app": ((), 1, "must-build", {}, {"cuid", "literalai", "psycopg2", "syncer"}),
    "llm-app-swaps": (
        ("--allow-swaps",),
        1,
        "must-build",
        {"psycopg2": ("2.9.13", None), "psycopg2-binary": (None, "2.9.13")},
        {"cuid", "literalai", "syncer"},
    ),
}


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_the_example_apps_get_a_compile_free_set_or_the_fewest_builds(
    index_server: IndexServer, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    extra, code, outcome, changed, built = EXAMPLES[name]
    app = name.removesuffix("-swaps")
    exit_code, document, _ = run_plan(index_server, f"examples/{app}/requirements.txt", *extra)
    assert (exit_code, document["outcome"]) == (code, outcome)
    assert changes(document) == changed
    assert builds(document) == built


def test_a_swap_is_marked_with_its_caveat(index_server: IndexServer) -> None:
    _, document, _ = run_plan(
        index_server, str(ROOT / "examples/llm-app/requirements.txt"), "--allow-swaps"
    )
    (swap,) = [c for c in document["changes"] if c["swapped_from"]]
    assert (swap["name"], swap["swapped_from"]) == ("psycopg2-binary", "psycopg2")
    assert "libpq bundled" in swap["caveat"]
    assert "psycopg2-binary==2.9.13" in document["constraints"]


def test_each_build_says_why_in_one_line_and_what_it_needs(index_server: IndexServer) -> None:
    _, document, _ = run_plan(index_server, str(ROOT / "examples/llm-app/requirements.txt"))
    why = {b["name"]: b["why"] for b in document["builds"]}
    assert why["psycopg2"] == "no release on the index has a wheel for every target"
    assert "literalai==0.1.201 (from chainlit 2.12.0)" in why["literalai"]
    assert all("\n" not in line for line in why.values())
    psycopg2 = next(b for b in document["builds"] if b["name"] == "psycopg2")
    assert "libpq-dev" in psycopg2["needs"]["python:3.12-alpine/arm64"]["system_packages"]


def test_packages_with_declared_dependencies_say_so(index_server: IndexServer) -> None:
    _, document, _ = run_plan(index_server, str(ROOT / "examples/llm-app/requirements.txt"))
    syncer = next(p for p in document["packages"] if p["name"] == "syncer")
    # a legacy sdist: read from its egg-info, not from metadata a build guarantees
    assert syncer["dependencies"].startswith("declared, not guaranteed: syncer.egg-info")
    assert any("only as good as the metadata read" in note for note in document["notes"])


# -- five real requirement files (tests/data/plan) -------------------------------------------

REAL_CASES = {
    # id: (file, options, exit code, outcome, changes, builds)
    "flask": ("cw3a1-flask.txt", (), 1, "must-build", {}, {"orjson"}),
    "flask-outside": (
        "cw3a1-flask.txt", ("--allow-outside",), 0, "compile-free",
        {"orjson": ("3.6.4", "3.9.3")}, set(),
    ),
    "flask-db": (
        "cw3a1-flask-db.txt", (), 1, "must-build", {},
        {"bcrypt", "httptools", "orjson", "websockets"},
    ),
    "flask-db-outside": (
        "cw3a1-flask-db.txt", ("--allow-outside",), 0, "compile-free",
        {
            "bcrypt": ("3.2.0", "3.2.1"),
            "httptools": ("0.3.0", "0.6.1"),
            "orjson": ("3.6.4", "3.9.3"),
            "six": ("1.17.0", None),
            "websockets": ("10.0", "11.0"),
        },
        set(),
    ),
    "worker-outside": (
        "cw3a1-worker.txt", ("--allow-outside",), 1, "must-build",
        {
            "httptools": ("0.3.0", "0.6.1"),
            "numpy": ("1.21.2", "1.26.2"),
            "scipy": ("1.10.0", "1.15.2"),
        },
        {"matplotlib"},
    ),
    "startrek": ("dc-fastapi-startrek.txt", (), 1, "must-build", {}, {"psycopg2", "pytest-watch"}),
    "startrek-swaps": (
        "dc-fastapi-startrek.txt", ("--allow-swaps",), 1, "must-build",
        {"psycopg2": ("2.9.13", None), "psycopg2-binary": (None, "2.9.13")},
        {"pytest-watch"},
    ),
    "htmx-todo": ("fastapi-htmx-todo.txt", (), 1, "must-build", {}, {"pyyaml"}),
    "htmx-todo-outside": (
        "fastapi-htmx-todo.txt", ("--allow-outside",), 0, "compile-free",
        {"pyyaml": ("6.0.1", "6.0.2")}, set(),
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(REAL_CASES))
def test_real_requirement_files_get_a_compile_free_set_or_the_fewest_builds(
    plan_index: IndexServer, case: str
) -> None:
    file, extra, code, outcome, changed, built = REAL_CASES[case]
    exit_code, document, _ = run_plan(plan_index, str(REAL / file), *extra)
    assert (exit_code, document["outcome"]) == (code, outcome)
    assert changes(document) == changed
    assert builds(document) == built
    if outcome == "compile-free":
        assert {p["kind"] for p in document["packages"]} <= {"binary", "pure"}


def test_no_set_within_the_pins_is_said_and_nothing_is_proposed(plan_index: IndexServer) -> None:
    """numpy==1.21.2 installs nowhere on Python 3.12: no set, so no constraints either."""
    exit_code, document, _ = run_plan(plan_index, str(REAL / "cw3a1-worker.txt"))
    assert (exit_code, document["outcome"]) == (1, "unknown")
    assert document["constraints"] == [] and document["changes"] == []
    assert any("numpy==1.21.2" in note for note in document["notes"])


# -- the user's own specifiers and pins ------------------------------------------------------


def user_specifiers(path: Path) -> dict[str, SpecifierSet]:
    found: dict[str, SpecifierSet] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if text:
            requirement = Requirement(text)
            found[canonicalize_name(requirement.name)] = requirement.specifier
    return found


WITHIN = [
    (PLAN_DATA / "index", REAL / name)
    for name in (
        "cw3a1-flask.txt",
        "cw3a1-flask-db.txt",
        "dc-fastapi-startrek.txt",
        "fastapi-htmx-todo.txt",
    )
]


@pytest.mark.parametrize(("root", "path"), WITHIN, ids=[p.name for _, p in WITHIN])
def test_no_version_outside_the_users_specifiers_without_allow_outside(
    plan_index: IndexServer, root: Path, path: Path
) -> None:
    _, document, _ = run_plan(plan_index, str(path), "--allow-swaps")
    specifiers = user_specifiers(path)
    for package in document["packages"]:
        specifier = specifiers.get(package["name"], SpecifierSet())
        assert specifier.contains(Version(package["version"]), prereleases=True), package
    assert not any(c["outside_specifier"] for c in document["changes"])


@pytest.mark.parametrize("option", [(), ("--allow-outside",), ("--allow-swaps", "--allow-outside")])
@pytest.mark.parametrize("file", ["cw3a1-flask-db.txt", "fastapi-htmx-todo.txt"])
def test_a_pinned_package_that_has_a_wheel_is_never_changed(
    plan_index: IndexServer, file: str, option: tuple[str, ...]
) -> None:
    _, document, _ = run_plan(plan_index, str(REAL / file), *option)
    _, check, _ = _check(plan_index, REAL / file)
    with_wheels = {
        p["name"]
        for p in check["packages"]
        if all(r["verdict"] in ("binary", "pure") for r in p["results"].values())
    }
    pins = {n: s for n, s in user_specifiers(REAL / file).items() if str(s).startswith("==")}
    planned = {p["name"]: p["version"] for p in document["packages"]}
    kept = [n for n in pins if n in with_wheels]
    assert kept  # the files pin packages that have wheels
    for name in kept:
        assert planned[name] == str(pins[name]).removeprefix("=="), name
        assert name not in changes(document)


def test_outside_changes_are_marked_with_the_users_specifier(plan_index: IndexServer) -> None:
    _, document, _ = run_plan(plan_index, str(REAL / "cw3a1-flask.txt"), "--allow-outside")
    (orjson,) = document["changes"]
    assert orjson["outside_specifier"] is True
    assert orjson["why"] == (
        "3.6.4 has no wheel for python:3.12-alpine amd64+arm64; "
        "3.9.3 has wheels; outside your specifier ==3.6.4"
    )


def test_a_change_to_another_major_version_is_marked_and_located(
    plan_index: IndexServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """websockets 10.0 -> 11.0 (--allow-outside): the search tried 10.x first; none has a
    wheel. The answer counts it, its why says it, its origin is the requirement's line."""
    monkeypatch.chdir(ROOT)
    path = (REAL / "cw3a1-flask-db.txt").relative_to(ROOT).as_posix()
    _, document, _ = run_plan(plan_index, path, "--allow-outside")
    assert document["summary"] == (
        "python:3.12-alpine amd64+arm64: compile-free with 5 changes (1 to another major version)"
    )
    crossing = {c["name"] for c in document["changes"] if c["crosses_major"]}
    assert crossing == {"websockets"}  # bcrypt, httptools, orjson stay on their major
    websockets = next(c for c in document["changes"] if c["name"] == "websockets")
    assert websockets["why"].endswith("; another major version (10.x to 11.x, an upgrade)")
    assert websockets["origin"] == {"file": path, "line": 9}
    six = next(c for c in document["changes"] if c["name"] == "six")
    assert six["origin"] == {"file": path, "line": 2}  # it came with bcrypt
    assert any("another major version are marked" in note for note in document["notes"])


def _check(server: IndexServer, path: Path) -> tuple[int, dict[str, Any], str]:
    argv = ["check", str(path), *ALPINE, "--index-url", f"{server.url}/simple/", "-f", "json"]
    argv += ["--no-advice", "--fail-on", "never"]
    result = CliRunner().invoke(main, argv)
    return result.exit_code, json.loads(result.stdout), result.stderr


# -- the preferences --------------------------------------------------------------------------


def test_the_candidate_order_is_unchanged_then_same_major_then_nearest_then_newer() -> None:
    releases = [Version(v) for v in ("1.9", "1.10", "1.11", "2.0", "2.1", "3.0")]
    positions = {v: i for i, v in enumerate(releases)}
    order = Order(Version("1.10"), positions)
    assert [str(v) for v in order.rank(releases)] == ["1.10", "1.11", "1.9", "2.0", "2.1", "3.0"]
    older = Order(Version("1.10"), positions, "older")
    assert [str(v) for v in older.rank(releases)][:3] == ["1.10", "1.9", "1.11"]
    assert Order(None, positions).rank(releases)[0] == Version("3.0")


def test_prefer_older_is_an_option_of_the_command(plan_index: IndexServer) -> None:
    _, document, _ = run_plan(
        plan_index, str(REAL / "cw3a1-flask.txt"), "--allow-outside", "--prefer", "older"
    )
    # no release before 3.6.4 has a cp312 musllinux wheel: the nearest is still newer
    assert changes(document) == {"orjson": ("3.6.4", "3.9.3")}


# -- the outputs ------------------------------------------------------------------------------


def test_the_constraints_file_pins_the_whole_set_for_pip_install_c(
    plan_index: IndexServer, tmp_path: Path
) -> None:
    target = tmp_path / "constraints-alpine.txt"
    args = [str(REAL / "cw3a1-flask.txt"), "--allow-outside", "-o", str(target)]
    _, document, _ = run_plan(plan_index, *args)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == f"# wheelcheck plan: {document['summary']}"
    pins = [Requirement(line) for line in lines[1:]]
    assert {p.name: str(p.specifier) for p in pins}["orjson"] == "==3.9.3"
    assert all(str(p.specifier).startswith("==") and not p.extras for p in pins)
    assert lines[1:] == document["constraints"]


def test_no_constraints_file_is_written_without_a_plan(
    plan_index: IndexServer, tmp_path: Path
) -> None:
    target = tmp_path / "constraints.txt"
    _, _, stderr = run_plan(plan_index, str(REAL / "cw3a1-worker.txt"), "-o", str(target))
    assert not target.exists()
    assert f"no plan, so {target} was not written" in stderr


def test_the_table_gives_the_answer_and_the_diff(plan_index: IndexServer) -> None:
    argv = ["plan", str(REAL / "cw3a1-flask.txt"), "--allow-outside", *ALPINE]
    result = CliRunner().invoke(main, [*argv, "--index-url", f"{plan_index.url}/simple/"])
    lines = result.stdout.splitlines()
    assert lines[0] == "python:3.12-alpine amd64+arm64: compile-free with 1 change"
    row = next(line for line in lines if line.split()[:1] == ["orjson"])
    assert row.split()[1:3] == ["3.6.4", "3.9.3"] and "outside your specifier ==3.6.4" in row


def test_markdown_shows_the_diff_table_and_the_constraints(plan_index: IndexServer) -> None:
    argv = ["plan", str(REAL / "cw3a1-flask.txt"), "--allow-outside", *ALPINE, "-f", "markdown"]
    result = CliRunner().invoke(main, [*argv, "--index-url", f"{plan_index.url}/simple/"])
    assert result.exit_code == 0
    assert "| package | from | to | why |" in result.stdout
    assert "| ⚠️ orjson | 3.6.4 | 3.9.3 |" in result.stdout  # outside the pin: marked
    assert "\norjson==3.9.3\n" in result.stdout


def test_a_failed_lookup_gives_no_plan_and_exit_3(plan_index: IndexServer) -> None:
    plan_index.reset()
    plan_index.fail("orjson", (503,), permanent=True)
    try:
        exit_code, document, _ = run_plan(
            plan_index, str(REAL / "cw3a1-flask.txt"), "--retries", "0"
        )
    finally:
        plan_index.reset()
    assert (exit_code, document["outcome"]) == (3, "unknown")
    assert document["constraints"] == [] and document["changes"] == []
    assert any("orjson" in error for error in document["errors"])


def test_a_read_still_in_flight_when_the_plan_is_done_ends_before_the_client_closes(
    plan_index: IndexServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a prefetch of the search reads requests 2.34.2 (the plan keeps 2.22.0): slowed
    down, it is still running when the plan is done. It must be ended before the client
    closes; left running, it met the closed client and failed where nobody looked, as a
    "Task exception was never retrieved" log line (seen once in CI)."""
    from wheelcheck._index.client import IndexClient

    still_running: list[str] = []
    close = IndexClient.aclose

    async def closing(self: IndexClient) -> None:
        current = asyncio.current_task()
        still_running.extend(
            t.get_name() for t in asyncio.all_tasks() if t is not current and not t.done()
        )
        await close(self)

    monkeypatch.setattr(IndexClient, "aclose", closing)
    plan_index.reset()
    plan_index.slow("requests-2.34.2", 20.0)
    started = time.monotonic()
    try:
        exit_code, document, _ = run_plan(
            plan_index, str(REAL / "cw3a1-worker.txt"), "--allow-outside"
        )
        asked = [path for path, _ in plan_index.requests if "requests-2.34.2" in path]
    finally:
        plan_index.reset()
    assert time.monotonic() - started < 20.0  # the slow read was not waited for
    assert asked  # the condition: that read was in flight
    assert (exit_code, document["outcome"]) == (1, "must-build")
    assert builds(document) == {"matplotlib"}
    assert still_running == []


def test_a_missing_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["plan", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2
    assert "nope.txt" in result.stderr and "Traceback" not in result.stderr


# -- the library ------------------------------------------------------------------------------


def test_the_library_returns_a_plan_that_reads_back_from_its_json(plan_index: IndexServer) -> None:
    found = wheelcheck.plan(
        [REAL / "cw3a1-flask.txt"],
        targets=["python:3.12-alpine"],
        index_url=f"{plan_index.url}/simple/",
        choices=wheelcheck.PlanChoices(allow_outside=True),
    )
    assert found.summary == "python:3.12-alpine amd64+arm64: compile-free with 1 change"
    assert Plan.from_dict(found.to_dict()) == found


@pytest.mark.parametrize("lock", ["uv/uv.lock", "uv/pylock.toml", "poetry2/poetry.lock"])
def test_a_lockfile_is_planned_by_its_pins(index_server: IndexServer, lock: str) -> None:
    """lockdemo's locks install from wheels on alpine already: no pin to edit, all kept."""
    path = Path(__file__).parent / "data" / "lockfiles" / lock
    exit_code, document, _ = run_plan(index_server, str(path))
    assert (exit_code, document["outcome"], document["scope"]) == (0, "compile-free", "locked")
    assert document["changes"] == []
    assert "six==1.17.0" in document["constraints"]
    assert any(
        note.startswith("lockfile: the changes are the pins to edit") for note in document["notes"]
    )


PLAN_SCHEMA = ROOT / "wheelcheck" / "schema" / "plan.schema.json"


def test_the_shipped_plan_schema_has_every_key_of_the_plan_with_its_type() -> None:
    from test_report_schema import differences, structure

    from wheelcheck.models import _JSON

    shipped = structure(json.loads(PLAN_SCHEMA.read_text(encoding="utf-8")))
    assert differences(shipped, structure(_JSON.schema(Plan))) == []


@pytest.mark.parametrize("extra", [(), ("--allow-outside",)])
def test_the_plan_json_is_valid_against_the_shipped_schema(
    plan_index: IndexServer, extra: tuple[str, ...]
) -> None:
    import jsonschema

    _, document, _ = run_plan(plan_index, str(REAL / "cw3a1-flask.txt"), *extra)
    jsonschema.validate(document, json.loads(PLAN_SCHEMA.read_text(encoding="utf-8")))
