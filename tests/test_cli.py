"""The command line as a user meets it: output, stderr messages and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result

from wheelcheck._cli import main

if TYPE_CHECKING:
    from indexserver import IndexServer


@pytest.fixture
def wheelcheck_cli(index_server: IndexServer, tmp_path: Path) -> Any:
    def invoke(*args: str, input: str | None = None, index: str | None = None) -> Result:
        index_url = index or f"{index_server.url}/simple/"
        argv = ["check", "--index-url", index_url, "--retries", "1", "--no-deps", *args]
        return CliRunner().invoke(main, argv, input=input, catch_exceptions=False)

    return invoke


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_all_wheels_exits_0_and_prints_table_and_recommendation(
    wheelcheck_cli: Any, tmp_path: Path
) -> None:
    req = write(tmp_path, "requirements.txt", "numpy==2.3.5\nsix\n")
    outcome = wheelcheck_cli(str(req))
    assert outcome.exit_code == 0, outcome.output
    lines = outcome.stdout.splitlines()
    assert lines[0].startswith("Use python:3.12-alpine: every package installs from a wheel")
    assert "2 packages, 4 targets: every one installs from a wheel everywhere" in lines
    assert "numpy" not in outcome.stdout  # nothing needs attention: no row
    assert "--no-deps: only the requirements the files name are checked" in outcome.stdout
    every = wheelcheck_cli(str(req), "--all").stdout
    assert any(line.split()[:3] == ["numpy", "2.3.5", "binary"] for line in every.splitlines())


def test_missing_package_exits_1_unless_fail_on_never(wheelcheck_cli: Any, tmp_path: Path) -> None:
    req = write(tmp_path, "requirements.txt", "pywin32\n")
    assert wheelcheck_cli(str(req)).exit_code == 1
    assert wheelcheck_cli(str(req), "--fail-on", "never").exit_code == 0


def test_source_build_fails_only_with_fail_on_source(wheelcheck_cli: Any, tmp_path: Path) -> None:
    req = write(tmp_path, "requirements.txt", "psycopg2==2.9.13\n")
    assert wheelcheck_cli(str(req)).exit_code == 0
    outcome = wheelcheck_cli(str(req), "--fail-on", "source")
    assert outcome.exit_code == 1
    assert outcome.stdout.startswith("Use python:3.12-slim: ")


def test_invalid_lines_are_all_reported_with_file_and_line_and_nothing_is_fetched(
    wheelcheck_cli: Any, tmp_path: Path
) -> None:
    from indexserver import IndexServer

    req = write(tmp_path, "requirements.txt", "numpy==2.3.5\nnumpy=>1.0\nsix\nfoo[bar\n")
    # A server of its own: the session's shared one may still see a straggler from an
    # earlier test, which would make "nothing is fetched" fail by chance.
    with IndexServer(Path(__file__).parent / "data" / "index") as server:
        outcome = wheelcheck_cli(str(req), index=f"{server.url}/simple/")
        assert server.requests == []
    assert outcome.exit_code == 2
    lines = outcome.stderr.strip().splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [f"{req}:2", f"{req}:4"]
    assert "Traceback" not in outcome.output
    assert outcome.stdout == ""


def test_missing_included_file_is_exit_2_at_the_including_line(
    wheelcheck_cli: Any, tmp_path: Path
) -> None:
    req = write(tmp_path, "requirements.txt", "six\n-r other.txt\n")
    outcome = wheelcheck_cli(str(req))
    assert outcome.exit_code == 2
    assert outcome.stderr.startswith(f"{req}:2: ")
    assert "other.txt" in outcome.stderr


def test_unknown_target_suggests_the_right_one(wheelcheck_cli: Any, tmp_path: Path) -> None:
    req = write(tmp_path, "requirements.txt", "six\n")
    outcome = wheelcheck_cli(str(req), "--target", "python:3.12-alpnie")
    assert outcome.exit_code == 2
    assert "did you mean" in outcome.stderr
    assert "python:3.12-alpine" in outcome.stderr
    assert len(outcome.stderr.strip().splitlines()) == 1


def test_empty_file_is_nothing_to_check_exit_0(wheelcheck_cli: Any, tmp_path: Path) -> None:
    req = write(tmp_path, "requirements.txt", "# nothing here\n\n")
    outcome = wheelcheck_cli(str(req))
    assert outcome.exit_code == 0
    assert "nothing to check" in outcome.stderr


def test_permanent_index_fault_exits_3_with_the_partial_report(
    wheelcheck_cli: Any, index_server: IndexServer, tmp_path: Path
) -> None:
    req = write(tmp_path, "requirements.txt", "six\nnumpy==2.3.5\n")
    index_server.fail("six", statuses=(503,), permanent=True)
    try:
        outcome = wheelcheck_cli(str(req), "--format", "json")
    finally:
        index_server.reset()
    assert outcome.exit_code == 3
    document = json.loads(outcome.stdout)
    verdicts = {
        p["name"]: p["results"]["python:3.12-slim/amd64"]["verdict"] for p in document["packages"]
    }
    assert verdicts == {"six": "error", "numpy": "binary"}


def test_credentials_are_used_and_never_shown(
    wheelcheck_cli: Any, index_server: IndexServer, tmp_path: Path
) -> None:
    req = write(tmp_path, "requirements.txt", "six\nno-such-project-anywhere\n")
    host = index_server.url.split("://", 1)[1]
    index = f"http://alice:s3cr%25t@{host}/auth/simple/"
    for fmt in ("table", "json"):
        args = ("--format", fmt, "--fail-on", "never", "--all")
        outcome = wheelcheck_cli(str(req), *args, index=index)
        assert outcome.exit_code == 0, outcome.output
        assert "pure" in outcome.stdout
        assert "s3cr" not in outcome.output
        assert "alice:****@" in outcome.stdout


def test_json_output_file_and_stdin(wheelcheck_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    outcome = wheelcheck_cli("-", "--format", "json", "--output", str(out), input="six\n")
    assert outcome.exit_code == 0
    assert outcome.stdout == ""
    document = json.loads(out.read_text())
    assert document["schema_version"] == "1"
    assert document["packages"][0]["origin"] == {"file": "-", "line": 1}


def test_requirements_file_index_option_is_used(
    wheelcheck_cli: Any, index_server: IndexServer, tmp_path: Path
) -> None:
    req = write(tmp_path, "requirements.txt", f"-i {index_server.url}/html-only/simple/\nsix\n")
    outcome = CliRunner().invoke(
        main, ["check", str(req), "--no-deps", "--format", "json"], catch_exceptions=False
    )
    assert outcome.exit_code == 0, outcome.output
    document = json.loads(outcome.stdout)
    assert document["index_urls"] == [f"{index_server.url}/html-only/simple/"]


def test_python_dash_m_runs_the_cli() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "wheelcheck", "check", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0
    assert "--target" in completed.stdout


def test_log_warnings_are_one_line_each_on_stderr() -> None:
    import logging

    from wheelcheck import _cli as cli

    runner = CliRunner()

    @cli.main.command("log-twice-for-test", hidden=True)
    def _log() -> None:
        logging.getLogger("wheelcheck._metadata.core").warning(
            "%s: ignoring invalid Requires-Dist %r: %s",
            "x.whl#METADATA",
            "b (>=1.0.*)",
            ".* suffix can only be used with `==`\n    b (>=1.0.*)\n       ~~~^",
        )

    try:
        result = runner.invoke(cli.main, ["log-twice-for-test"])
    finally:
        cli.main.commands.pop("log-twice-for-test")
    assert result.exit_code == 0
    assert result.stderr == (
        "wheelcheck: warning: x.whl#METADATA: ignoring invalid Requires-Dist 'b (>=1.0.*)': "
        ".* suffix can only be used with `==`\n"
    )


def test_the_command_leaves_its_host_processs_garbage_collector_alone() -> None:
    """Only the console script raises the collector's thresholds (a process of its own)."""
    import gc

    before = gc.get_threshold()
    assert CliRunner().invoke(main, ["--help"]).exit_code == 0
    assert gc.get_threshold() == before
