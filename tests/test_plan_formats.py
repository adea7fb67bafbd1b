"""`wheelcheck plan` in every format, as a user (or a CI system) reads it.

End to end over tests/data/plan (as tests/test_plan.py): cw3a1-flask-db.txt with
--allow-outside moves four pins (websockets 10.0 -> 11.0 crosses a major version) and drops
six; cw3a1-flask.txt within its pins leaves orjson to build. SARIF is validated against the
official SARIF 2.1.0 schema, as the check's is. A plan made by hand (chainlit 2.12.0 ->
0.1.0, the major downgrade live PyPI gives the llm-app) shows that every format marks such a
change.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner
from htmltree import Node
from indexserver import IndexServer
from test_report_formats import TARGETS, assert_valid, sarif_validator

from wheelcheck._cli import main
from wheelcheck._report import Format, write_plan
from wheelcheck.models import Origin, Plan, PlanBuild, PlanChange, PlanPackage

if TYPE_CHECKING:
    from collections.abc import Iterator

PLAN_DATA = Path(__file__).parent / "data" / "plan"
REAL = PLAN_DATA / "requirements"
FLASK_DB = REAL / "cw3a1-flask-db.txt"
FLASK = REAL / "cw3a1-flask.txt"
ALPINE = ["--target", "python:3.12-alpine", "--arch", "amd64", "--arch", "arm64"]
ANSWER = "python:3.12-alpine amd64+arm64: compile-free with 5 changes (1 to another major version)"


@pytest.fixture(scope="module")
def plan_index() -> Iterator[IndexServer]:
    with IndexServer(PLAN_DATA / "index") as server:
        yield server


@pytest.fixture(autouse=True)
def _in_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    """Locations are relative to the working directory, as in CI at the repository root."""
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)


def run_plan(
    server: IndexServer, path: Path, fmt: str, *args: str, env: dict[str, str] | None = None
) -> tuple[int, str]:
    argv = ["plan", relative(path), *args, *ALPINE, "--index-url", f"{server.url}/simple/"]
    result = CliRunner().invoke(main, [*argv, "-f", fmt], env=env)
    assert isinstance(result.exception, SystemExit | None), repr(result.exception)
    return result.exit_code, result.stdout


def relative(path: Path) -> str:
    return path.resolve().relative_to(Path.cwd()).as_posix()


# -- no format refuses a plan ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", [f.value for f in Format])
def test_every_format_renders_a_plan_with_the_same_exit_code(
    plan_index: IndexServer, fmt: str
) -> None:
    exit_code, stdout = run_plan(plan_index, FLASK_DB, fmt, "--allow-outside")
    assert exit_code == 0  # compile-free
    assert "websockets" in stdout and "11.0" in stdout
    assert "another major version (10.x to 11.x, an upgrade)" in stdout.replace("\\", "")


# -- SARIF -----------------------------------------------------------------------------------


def _located(result: dict[str, Any]) -> tuple[str, int | None]:
    physical = result["locations"][0]["physicalLocation"]
    return physical["artifactLocation"]["uri"], physical.get("region", {}).get("startLine")


def test_sarif_has_one_result_per_change_at_its_requirement(plan_index: IndexServer) -> None:
    exit_code, stdout = run_plan(plan_index, FLASK_DB, "sarif", "--allow-outside")
    document = json.loads(stdout)
    assert_valid(sarif_validator(), document)
    run = document["runs"][0]
    assert exit_code == 0 and run["properties"]["summary"] == ANSWER
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rules == [f"WCP00{i}" for i in range(1, 8)]
    file = relative(FLASK_DB)
    found = {
        r["properties"]["package"]: (
            r["ruleId"], r["level"], r["properties"]["from"], r["properties"]["to"], _located(r)
        )
        for r in run["results"]
    }  # fmt: skip
    assert found == {
        "bcrypt": ("WCP002", "warning", "3.2.0", "3.2.1", (file, 2)),
        "httptools": ("WCP002", "warning", "0.3.0", "0.6.1", (file, 4)),
        "orjson": ("WCP002", "warning", "3.6.4", "3.9.3", (file, 5)),
        # six came with bcrypt: located at bcrypt's line
        "six": ("WCP006", "note", "1.17.0", None, (file, 2)),
        "websockets": ("WCP003", "warning", "10.0", "11.0", (file, 9)),
    }
    websockets = next(r for r in run["results"] if r["properties"]["package"] == "websockets")
    assert websockets["properties"]["crossesMajor"] is True
    assert "websockets 10.0 -> 11.0" in websockets["message"]["text"]
    assert "orjson==3.9.3" in run["properties"]["constraints"]


def test_sarif_names_each_package_that_must_still_build(plan_index: IndexServer) -> None:
    exit_code, stdout = run_plan(plan_index, FLASK, "sarif")
    document = json.loads(stdout)
    assert_valid(sarif_validator(), document)
    (result,) = document["runs"][0]["results"]
    assert exit_code == 1
    assert (result["ruleId"], result["level"]) == ("WCP007", "warning")
    assert result["message"]["text"].startswith("still builds: orjson 3.6.4: ")
    assert _located(result) == (relative(FLASK), 3)  # orjson==3.6.4


def test_a_failed_lookup_is_a_notification_not_a_result(plan_index: IndexServer) -> None:
    plan_index.reset()
    plan_index.fail("orjson", (503,), permanent=True)
    try:
        exit_code, stdout = run_plan(plan_index, FLASK, "sarif", "--retries", "0")
    finally:
        plan_index.reset()
    document = json.loads(stdout)
    assert_valid(sarif_validator(), document)
    run = document["runs"][0]
    assert exit_code == 3 and run["results"] == []
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert any("orjson" in n["message"]["text"] for n in invocation["toolExecutionNotifications"])


# -- GitHub ----------------------------------------------------------------------------------


def test_github_annotates_each_change_at_its_line_then_gives_the_answer(
    plan_index: IndexServer,
) -> None:
    _, stdout = run_plan(plan_index, FLASK_DB, "github", "--allow-outside")
    lines = stdout.splitlines()
    file = relative(FLASK_DB)
    assert (
        f"::warning file={file},line=9,title=WCP003 major-version-change%3A websockets::"
        "websockets 10.0 -> 11.0: 10.0 has no wheel for python:3.12-alpine amd64+arm64; "
        "11.0 has a pure wheel; outside your specifier ==10.0; "
        "another major version (10.x to 11.x, an upgrade)"
    ) in lines
    assert any(
        line.startswith(f"::notice file={file},line=2,title=WCP006 removed-package%3A six::")
        for line in lines
    )
    assert lines[-1].startswith(f"::notice title=wheelcheck plan%3A compile-free::{ANSWER}%0A")


def test_github_in_actions_also_writes_the_plan_to_the_step_summary(
    plan_index: IndexServer, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    run_plan(plan_index, FLASK_DB, "github", "--allow-outside", env=env)
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("### wheelcheck plan: ")
    assert "| ⚠️ websockets | 10.0 | 11.0 |" in text


# -- HTML ------------------------------------------------------------------------------------


def test_the_html_page_gives_the_answer_first_then_the_diff_and_the_constraints(
    plan_index: IndexServer,
) -> None:
    _, stdout = run_plan(plan_index, FLASK_DB, "html", "--allow-outside")
    page = Node.parse(stdout)
    body = page.first("body").elements()
    assert (body[0].tag, body[0].text) == ("h1", ANSWER)
    rows = {
        cells[0].text: (cells[1].text, cells[2].text, row.attrs.get("class"), cells[4].text)
        for row in page.first("tbody").find_all("tr")
        for cells in [row.find_all("td")]
    }
    file = relative(FLASK_DB)
    assert rows["websockets"] == ("10.0", "11.0", "marked", f"{file}:9")
    assert rows["six"] == ("1.17.0", "(removed)", None, f"{file}:2")
    constraints = page.first("pre").text.split()
    assert "websockets==11.0" in constraints and "six==1.17.0" not in constraints
    assert not page.find_all("script") and not page.find_all("link")


# -- a major downgrade, in every format ------------------------------------------------------

DOWNGRADE_WHY = (
    "2.12.0 has wheels, but the other changes need 0.1.0; 0.1.0 has a pure wheel; "
    "another major version (2.x to 0.x, a downgrade)"
)


def downgrade_plan() -> Plan:
    """chainlit 2.12.0 -> 0.1.0, as the llm-app's plan on live PyPI proposes it."""
    alpine = TARGETS[:2]
    files = {t.id: "chainlit-0.1.0-py3-none-any.whl" for t in alpine}
    return Plan(
        targets=alpine,
        outcome="must-build",
        summary="python:3.12-alpine amd64+arm64: 1 package must still build (psycopg2), "
        "with 1 change (1 to another major version)",
        changes=(
            PlanChange(
                "chainlit",
                "2.12.0",
                "0.1.0",
                DOWNGRADE_WHY,
                crosses_major=True,
                origin=Origin("requirements.txt", 3),
            ),
        ),
        builds=(
            PlanBuild(
                "psycopg2",
                "2.9.13",
                "no release on the index has a wheel for every target",
                origin=Origin("requirements.txt", 7),
            ),
        ),
        packages=(PlanPackage("chainlit", "0.1.0", "pure", files, changed=True),),
        constraints=("chainlit==0.1.0", "psycopg2==2.9.13"),
    )


def rendered(fmt: Format) -> str:
    stream = io.StringIO()
    write_plan(downgrade_plan(), fmt, stream, color=False, environ={})
    return stream.getvalue()


def test_the_table_marks_a_major_downgrade_in_its_why() -> None:
    text = " ".join(rendered(Format.TABLE).split())
    assert "chainlit 2.12.0 0.1.0" in text
    assert "another major version (2.x to 0.x, a downgrade)" in text
    assert text.startswith("python:3.12-alpine amd64+arm64: 1 package must still build")


def test_markdown_marks_a_major_downgrade_on_its_row() -> None:
    assert "| ⚠️ chainlit | 2.12.0 | 0.1.0 |" in rendered(Format.MARKDOWN)


def test_json_of_a_major_downgrade_reads_back() -> None:
    document = json.loads(rendered(Format.JSON))
    assert document["changes"][0]["crosses_major"] is True
    assert Plan.from_dict(document) == downgrade_plan()


def test_sarif_warns_of_a_major_downgrade() -> None:
    document = json.loads(rendered(Format.SARIF))
    assert_valid(sarif_validator(), document)
    chainlit, psycopg2 = document["runs"][0]["results"]
    assert (chainlit["ruleId"], chainlit["level"]) == ("WCP003", "warning")
    assert chainlit["properties"]["crossesMajor"] is True
    assert _located(chainlit) == ("requirements.txt", 3)
    assert (psycopg2["ruleId"], _located(psycopg2)) == ("WCP007", ("requirements.txt", 7))


def test_github_warns_of_a_major_downgrade_at_its_line() -> None:
    lines = rendered(Format.GITHUB).splitlines()
    assert lines[0] == (
        "::warning file=requirements.txt,line=3,title=WCP003 major-version-change%3A chainlit::"
        f"chainlit 2.12.0 -> 0.1.0: {DOWNGRADE_WHY}"
    )
    assert lines[1].startswith(
        "::warning file=requirements.txt,line=7,title=WCP007 still-builds%3A psycopg2::"
    )


def test_html_marks_a_major_downgrade_on_its_row() -> None:
    page = Node.parse(rendered(Format.HTML))
    (row,) = page.first("tbody").find_all("tr")
    assert row.attrs.get("class") == "marked"
    assert "another major version (2.x to 0.x, a downgrade)" in row.text


def test_names_from_the_index_stay_text_in_the_plan_page() -> None:
    plan = downgrade_plan()
    hostile = PlanChange("<img src=x>", "1", "2", "<script>alert(1)</script>")
    stream = io.StringIO()
    write_plan(Plan(plan.targets, "compile-free", "x", (hostile,), (), (), ()), Format.HTML, stream)
    page = Node.parse(stream.getvalue())
    assert not page.find_all("img") and not page.find_all("script")
    assert "<img src=x>" in page.first("tbody").text
