"""`wheelcheck dockerfile` on the command line: formats, exit codes, --fix/--diff/--write."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import jsonschema
import pytest
from click.testing import CliRunner

from wheelcheck._cli import main
from wheelcheck._dockerfile.analysis import analyze
from wheelcheck._dockerfile.fix import same_app, suggest
from wheelcheck._dockerfile.parse import read_dockerfile
from wheelcheck._report import Format, write_dockerfile_reports

if TYPE_CHECKING:
    from indexserver import IndexServer

EXAMPLE = Path(__file__).parent.parent / "examples" / "llm-app"
DATA = Path(__file__).parent / "data" / "dockerfiles"

ISSUE_FIX = """\
FROM python:3.10.13-slim
WORKDIR /app
COPY requirements.txt .
RUN apt-get update \\
    && apt-get install -y --no-install-recommends libpq5 build-essential libpq-dev \\
    && pip install --no-cache-dir -i https://pypi.tuna.tsinghua.edu.cn/simple --upgrade pip \\
    && pip install --no-cache-dir -i https://pypi.tuna.tsinghua.edu.cn/simple \
-r requirements.txt --ignore-installed \\
    && apt-get purge -y --auto-remove build-essential libpq-dev \\
    && rm -rf /var/lib/apt/lists/*
COPY . .
ENV HOST=0.0.0.0
ENV LISTEN_PORT 8000
EXPOSE 8000
CMD ["chainlit", "run", "app.py", "--no-cache"]
"""


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["dockerfile", *args])
    return result.exit_code, result.stdout, result.stderr


def index_args(index_server: IndexServer) -> list[str]:
    return ["--index-url", f"{index_server.url}/simple/", "--no-deps", "--retries", "1"]


def test_example_dockerfile_is_the_issues_verbatim() -> None:
    text = (EXAMPLE / "Dockerfile").read_text()
    assert text.splitlines()[0] == "FROM python:3.10.13"
    assert text.splitlines()[4] == (
        "RUN pip install -i https://pypi.tuna.tsinghua.edu.cn/simple -r requirements.txt "
        "--ignore-installed"
    )


def test_table_names_lines_rules_and_the_index(index_server: IndexServer) -> None:
    code, out, _ = invoke(str(EXAMPLE / "Dockerfile"), *index_args(index_server))
    assert code == 0  # warnings only; --fail-on error is the default
    lines = out.splitlines()
    # hadolint's layout: path:line rule severity: message, one line each
    assert f"{EXAMPLE / 'Dockerfile'}:1 WCD001 warning: python:3.10.13 is the full image" in out
    assert any(line.startswith(f"{EXAMPLE / 'Dockerfile'}:4 WCD003 warning: ") for line in lines)
    assert any(line.startswith(f"{EXAMPLE / 'Dockerfile'}:5 WCD004 warning: ") for line in lines)
    assert "hadolint" not in out and "index:" not in out  # -v says these
    # then the dependency answer, as `check` prints it
    answer = next(line for line in lines if line.startswith("Use "))
    assert answer.startswith("Use python:3.10.13-slim: ")
    attention = lines.index("Needs attention on all targets:")
    assert lines.index(answer) < attention
    assert lines[attention + 1].startswith("  psycopg2 2.9.13: source: ")
    code, out, _ = invoke(str(EXAMPLE / "Dockerfile"), *index_args(index_server), "-v")
    assert "    pip-cache (hadolint DL3042); fix: " in out
    assert "    split-pip-layers (hadolint DL3059)" in out
    assert f"index: {index_server.url}/simple/ (--index-url on the command line)" in out
    assert "the Dockerfile names https://pypi.tuna.tsinghua.edu.cn/simple" in out


def test_fail_on_warning_exits_1(index_server: IndexServer) -> None:
    code, _, _ = invoke(
        str(EXAMPLE / "Dockerfile"), *index_args(index_server), "--fail-on", "warning"
    )
    assert code == 1


def test_json_report(index_server: IndexServer) -> None:
    code, out, _ = invoke(str(EXAMPLE / "Dockerfile"), *index_args(index_server), "-f", "json")
    assert code == 0
    doc = json.loads(out)
    lines = {(f["rule"], f["line"]) for f in doc["findings"]}
    assert {("WCD001", 1), ("WCD003", 4), ("WCD003", 5), ("WCD004", 5)} <= lines
    assert doc["index"]["dockerfile_url"] == "https://pypi.tuna.tsinghua.edu.cn/simple"
    assert doc["stages"][0]["base"] == "python:3.10.13"
    assert doc["check"]["packages"][0]["name"] == "chainlit"


def test_ci_formats_locate_findings_by_line() -> None:
    path = str(EXAMPLE / "Dockerfile")
    _, sarif, _ = invoke(path, "--no-check", "-f", "sarif")
    run = json.loads(sarif)["runs"][0]
    first = run["results"][0]
    assert first["ruleId"] == "WCD001"
    assert first["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} >= {"WCD003", "WCD004"}
    _, github, _ = invoke(path, "--no-check", "-f", "github")
    assert "::warning file=" in github and ",line=4,title=WCD003 pip-cache::" in github
    _, markdown, _ = invoke(path, "--no-check", "-f", "markdown")
    assert "| 5 | warning | WCD004 split-pip-layers (DL3059) |" in markdown


@pytest.mark.parametrize("fmt", list(Format))
def test_every_format_shows_every_finding_by_rule(fmt: Format) -> None:
    code, out, err = invoke(str(EXAMPLE / "Dockerfile"), "--no-check", "-f", fmt.value)
    assert code == 0, err
    for rule in ("WCD001", "WCD003", "WCD004", "WCD005", "WCD011"):
        assert rule in out, f"{fmt}: {rule} missing"


def test_sarif_is_valid_and_levels_follow_severity() -> None:
    _, out, _ = invoke(str(EXAMPLE / "Dockerfile"), "--no-check", "-f", "sarif")
    document = json.loads(out)
    schema = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert [e.message for e in validator.iter_errors(document)] == []
    results = document["runs"][0]["results"]
    levels = {(r["ruleId"], r["level"]) for r in results}
    assert {("WCD001", "warning"), ("WCD005", "note"), ("WCD011", "note")} <= levels
    location = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"].endswith("examples/llm-app/Dockerfile")
    assert all(r["partialFingerprints"]["wheelcheck/v1"] for r in results)


def test_github_format_writes_the_step_summary_inside_actions(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    report = analyze(EXAMPLE / "Dockerfile", run_check=False)
    environ = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    out = io.StringIO()
    write_dockerfile_reports([report], Format.GITHUB, out, environ=environ)
    assert ",line=5,title=WCD004 split-pip-layers::" in out.getvalue()
    assert summary.read_text(encoding="utf-8").startswith("### wheelcheck dockerfile: `")


TWO = [str(DATA / "copy-all-first" / "Dockerfile"), str(DATA / "debian-distro" / "Dockerfile")]


def test_several_dockerfiles_make_one_report_with_the_worst_exit_code() -> None:
    code, out, _ = invoke(*TWO, "--no-check", "-v")
    assert code == 1  # WCD013 in the second file is an error; the first has a warning only
    first, second = out.index(f"{TWO[0]} (build context"), out.index(f"{TWO[1]} (build context")
    assert first < second
    assert f"{TWO[0]}:5 WCD006 warning: " in out and f"{TWO[1]}:6 WCD013 error: " in out
    assert invoke(TWO[0], "--no-check")[0] == 0
    code, out, _ = invoke(*TWO, "--no-check", "-f", "json")
    assert code == 1
    assert [doc["dockerfile"] for doc in json.loads(out)] == TWO
    _, out, _ = invoke(*TWO, "--no-check", "-f", "sarif")
    (run,) = json.loads(out)["runs"]
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert len(uris) == 2


def test_a_dockerfile_that_cannot_be_read_does_not_hide_the_others(tmp_path: Path) -> None:
    code, out, err = invoke(str(tmp_path / "Dockerfile"), TWO[0], "--no-check")
    assert code == 2 and "cannot read Dockerfile" in err
    assert f"{TWO[0]}:5 WCD006 warning: " in out


def test_an_error_shared_by_every_dockerfile_is_said_once() -> None:
    code, _, err = invoke(*TWO, "--target", "python:2.7-slim")
    assert code == 2
    assert err.count("unknown image") == 1


def test_fix_takes_one_dockerfile() -> None:
    code, out, err = invoke(*TWO, "--no-check", "--fix")
    assert code == 2 and out == ""
    assert "--fix prints one Dockerfile" in err


def test_fix_prints_a_dockerfile_that_builds_the_same_app(index_server: IndexServer) -> None:
    code, out, err = invoke(str(EXAMPLE / "Dockerfile"), *index_args(index_server), "--fix")
    assert code == 0
    assert out == ISSUE_FIX
    assert "changes the app" not in err
    original = read_dockerfile(EXAMPLE / "Dockerfile")
    assert same_app(original, out) == []


def test_diff_and_write(index_server: IndexServer, tmp_path: Path) -> None:
    shutil.copy(EXAMPLE / "Dockerfile", tmp_path / "Dockerfile")
    shutil.copy(EXAMPLE / "requirements.txt", tmp_path / "requirements.txt")
    path = str(tmp_path / "Dockerfile")
    code, out, _ = invoke(path, *index_args(index_server), "--diff")
    assert code == 0
    assert "-FROM python:3.10.13\n+FROM python:3.10.13-slim\n" in out
    assert (tmp_path / "Dockerfile").read_text().startswith("FROM python:3.10.13\n")  # untouched
    code, _, err = invoke(path, *index_args(index_server), "--write")
    assert code == 0 and "wrote" in err
    assert (tmp_path / "Dockerfile").read_text() == ISSUE_FIX


def test_copy_all_first_fix_copies_requirements_first() -> None:
    report = analyze(DATA / "copy-all-first" / "Dockerfile", run_check=False)
    suggestion = suggest(report)
    lines = suggestion.splitlines()
    assert (
        lines.index("COPY requirements.txt /code/")
        < lines.index("RUN pip install --no-cache-dir -r requirements.txt")
        < lines.index("COPY . .")
    )
    assert same_app(report.dockerfile, suggestion) == []


def test_same_app_notices_a_changed_python_or_cmd() -> None:
    original = read_dockerfile(EXAMPLE / "Dockerfile")
    text = (EXAMPLE / "Dockerfile").read_text()
    assert same_app(original, text.replace("python:3.10.13", "python:3.12-slim")) == [
        "base Python 3.10.13 became 3.12.14"
    ]
    changed = same_app(original, text.replace('"app.py"', '"main.py"'))
    assert len(changed) == 1 and changed[0].startswith("CMD/ENTRYPOINT")


def test_unreadable_dockerfile_exits_2(tmp_path: Path) -> None:
    code, _, err = invoke(str(tmp_path / "Dockerfile"), "--no-check")
    assert code == 2 and "cannot read Dockerfile" in err


def test_unknown_target_exits_2() -> None:
    code, _, err = invoke(str(EXAMPLE / "Dockerfile"), "--target", "python:2.7-slim")
    assert code == 2 and "unknown image" in err


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "sarif", "github"])
def test_credentials_in_a_pip_command_are_never_printed(tmp_path: Path, fmt: str) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(
        "FROM python:3.12-slim\n"
        "RUN pip install --index-url=https://bob:s3cret@h.example/simple flask\n"
        'RUN pip install -i "https://h.example/simple?token=t0ken" click\n'
    )
    code, out, err = invoke(str(dockerfile), "--no-check", "-f", fmt)
    assert code == 0, err
    assert "s3cret" not in out + err and "t0ken" not in out + err
    if fmt == "json":  # the command is shown, masked, with its quotes kept
        commands = [p["command"] for p in json.loads(out)["installs"]]
        assert "pip install -i 'https://h.example/simple?token=****' click" in commands
