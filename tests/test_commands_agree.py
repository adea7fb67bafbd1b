"""`wheelcheck check` and `wheelcheck dockerfile` agree on the same mistakes (issue 13): the
same exit code, the same message, and the error at the user's own ``FILE:LINE``."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

from wheelcheck._cli import main
from wheelcheck._limits import MAX_DOCKERFILE_BYTES

if TYPE_CHECKING:
    from indexserver import IndexServer


@pytest.fixture(autouse=True)
def _in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # relative names in messages, no pyproject.toml around


def check(index_server: IndexServer, *args: str) -> Result:
    index_server.clear_requests()
    argv = ["check", "-i", f"{index_server.url}/simple/", "--retries", "0", "--no-deps"]
    return CliRunner().invoke(main, [*argv, *args])


def dockerfile(index_server: IndexServer, *args: str) -> Result:
    index_server.clear_requests()
    argv = ["dockerfile", "--index-url", f"{index_server.url}/simple/", "--retries", "0"]
    return CliRunner().invoke(main, [*argv, "--no-deps", *args])


def one_error(outcome: Result) -> str:
    """Exit 2 with one line on stderr, nothing on stdout, no traceback; that line."""
    assert outcome.exit_code == 2, outcome.output
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
    assert "Traceback" not in outcome.output
    assert outcome.stdout == ""
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def write(name: str, text: str | bytes) -> str:
    if isinstance(text, bytes):
        Path(name).write_bytes(text)
    else:
        Path(name).write_text(text, encoding="utf-8")
    return name


DOCKERFILE = "FROM python:3.12-slim\nWORKDIR /app\nRUN pip install --no-cache-dir six\n"


@pytest.mark.parametrize("arch", ["sparc", ""])
@pytest.mark.parametrize("no_check", [False, True])
def test_an_unknown_arch_is_exit_2_for_both(
    index_server: IndexServer, arch: str, no_check: bool
) -> None:
    write("requirements.txt", "six\n")
    write("Dockerfile", DOCKERFILE)
    from_check = one_error(check(index_server, "requirements.txt", "--arch", arch))
    args = ["Dockerfile", "--arch", arch, *(["--no-check"] if no_check else [])]
    from_dockerfile = one_error(dockerfile(index_server, *args))
    assert from_dockerfile == from_check
    assert index_server.requests == []
    assert from_check.startswith(f"wheelcheck: error: unknown architecture '{arch}'")


def test_an_unknown_target_is_exit_2_for_both(index_server: IndexServer) -> None:
    write("requirements.txt", "six\n")
    write("Dockerfile", DOCKERFILE)
    from_check = one_error(check(index_server, "requirements.txt", "-t", "python:3.12-alpnie"))
    from_dockerfile = one_error(dockerfile(index_server, "Dockerfile", "-t", "python:3.12-alpnie"))
    assert from_dockerfile == from_check


@pytest.mark.parametrize("timeout", ["0", "-1"])
def test_a_timeout_that_cannot_work_is_exit_2_for_both(
    index_server: IndexServer, timeout: str
) -> None:
    write("requirements.txt", "six\n")
    write("Dockerfile", DOCKERFILE)
    for outcome in (
        check(index_server, "requirements.txt", "--timeout", timeout),
        dockerfile(index_server, "Dockerfile", "--no-check", "--timeout", timeout),
    ):
        assert outcome.exit_code == 2, outcome.output
        assert "Invalid value for '--timeout'" in outcome.stderr
        assert index_server.requests == []


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("timeout = 0", "pyproject.toml:2: timeout: expected a number above 0, not 0.0"),
        ("retries = 11", "pyproject.toml:2: retries: expected 0 to 10, not 11"),
    ],
)
def test_the_configuration_has_the_command_lines_ranges(
    index_server: IndexServer, setting: str, expected: str
) -> None:
    write("pyproject.toml", f"[tool.wheelcheck]\n{setting}\n")
    write("requirements.txt", "six\n")
    line = one_error(check(index_server, "requirements.txt"))
    assert line == str(Path.cwd() / expected)


def test_an_invalid_requirement_in_a_run_line_is_at_that_line(index_server: IndexServer) -> None:
    write("requirements.txt", "numpy=>1\n")
    write("Dockerfile", 'FROM python:3.12-slim\nWORKDIR /app\nRUN pip install six "numpy=>1"\n')
    from_check = one_error(check(index_server, "requirements.txt"))
    from_dockerfile = one_error(dockerfile(index_server, "Dockerfile"))
    assert from_check.startswith("requirements.txt:1: invalid requirement 'numpy=>1': ")
    assert from_dockerfile == from_check.replace("requirements.txt:1:", "Dockerfile:3:")


def test_an_invalid_line_of_a_heredoc_requirements_file_is_at_its_run(
    index_server: IndexServer,
) -> None:
    write(
        "Dockerfile",
        "FROM python:3.12-slim\nCOPY <<EOF /app/requirements.txt\nsix\nfoo[bar\nEOF\n"
        "RUN pip install -r /app/requirements.txt\n",
    )
    line = one_error(dockerfile(index_server, "Dockerfile"))
    assert line.startswith("Dockerfile:6: invalid requirement 'foo[bar': ")
    assert "<string>" not in line


def test_a_binary_dockerfile_is_one_line_naming_the_file(index_server: IndexServer) -> None:
    write("Dockerfile", b"FROM python:3.12-slim\n\xff\xfe\n")
    write("requirements.txt", b"six\n\xff\xfe\n")
    from_dockerfile = one_error(dockerfile(index_server, "Dockerfile", "--no-check"))
    from_check = one_error(check(index_server, "requirements.txt"))
    assert from_dockerfile == "Dockerfile: not a text file: byte 0xff at offset 22 is not UTF-8"
    assert from_check.startswith("requirements.txt: not a text file: byte 0xff at offset 4 is not")


def test_a_dockerfile_with_nul_bytes_is_not_text(index_server: IndexServer) -> None:
    write("Dockerfile", b"FROM python:3.12-slim\nRUN true\x00\n")
    line = one_error(dockerfile(index_server, "Dockerfile", "--no-check"))
    assert line == "Dockerfile: not a text file: it contains NUL bytes"


def test_a_dockerfile_with_a_byte_order_mark_is_read(index_server: IndexServer) -> None:
    """BuildKit skips a UTF-8 BOM; it used to hide the FROM ("no FROM instruction")."""
    write("Dockerfile", "\ufeff" + DOCKERFILE)
    outcome = dockerfile(index_server, "Dockerfile", "--no-check", "-v")
    assert outcome.exit_code == 0, outcome.output
    assert "line 1: FROM python:3.12-slim" in outcome.stdout


def test_a_missing_dockerfile_is_one_line_naming_it(index_server: IndexServer) -> None:
    line = one_error(dockerfile(index_server, "Nowhere.Dockerfile", "--no-check"))
    assert line == "Nowhere.Dockerfile: cannot read Dockerfile: No such file or directory"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ARG X=1\nFROM\n", "Dockerfile:2: FROM names no image"),
        ("RUN true\n", "Dockerfile: no FROM instruction: this is not a Dockerfile"),
        ("FROM python:3.12-slim\nRUN <<EOF\ntrue\n", "Dockerfile:2: heredoc <<EOF has no closing"),
    ],
)
def test_dockerfile_errors_are_at_file_line_as_for_a_check(
    index_server: IndexServer, text: str, expected: str
) -> None:
    write("Dockerfile", text)
    assert one_error(dockerfile(index_server, "Dockerfile", "--no-check")).startswith(expected)


def test_a_dockerfile_past_its_cap(index_server: IndexServer) -> None:
    write("Dockerfile", "FROM python:3.12-slim\n# " + "c" * MAX_DOCKERFILE_BYTES + "\n")
    started = time.monotonic()
    line = one_error(dockerfile(index_server, "Dockerfile", "--no-check"))
    assert time.monotonic() - started < 5
    assert line == (
        "Dockerfile:2: file is over the cap of 1 MiB for a Dockerfile; reading stopped here: "
        f"'# {'c' * 198}...'"
    )


def test_a_1_mb_dockerfile_line_is_refused_at_once(index_server: IndexServer) -> None:
    write("Dockerfile", "FROM python:3.12-slim\nRUN pip install " + "p" * 900_000 + "\n")
    started = time.monotonic()
    line = one_error(dockerfile(index_server, "Dockerfile"))
    assert time.monotonic() - started < 5  # a sanity bound: it took 9 s
    assert line == (
        "Dockerfile:2: line of 900,016 characters is over the cap of 131,072 characters: "
        f"'RUN pip install {'p' * 184}...'"
    )
    assert index_server.requests == []


def test_an_inline_requirement_has_its_dockerfile_line_in_the_json(
    index_server: IndexServer,
) -> None:
    write("Dockerfile", "FROM python:3.12-slim\nWORKDIR /app\nRUN pip install six\n")
    outcome = dockerfile(index_server, "Dockerfile", "-f", "json")
    assert outcome.exit_code == 0, outcome.output
    package = json.loads(outcome.stdout)["check"]["packages"][0]
    assert package["name"] == "six"
    assert package["origin"] == {"file": "Dockerfile", "line": 3}
