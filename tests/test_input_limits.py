"""Caps on input (issue 13): a line, a file and a page have documented caps; past a line or
file cap the input is refused at once with one ``FILE:LINE`` error (exit 2) that quotes at
most 200 characters of it, and every message that echoes input is cut to that length."""

from __future__ import annotations

import hashlib
import locale
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result

from wheelcheck._cli import main
from wheelcheck._limits import (
    MAX_LINE_CHARS,
    MAX_REQUIREMENTS_BYTES,
    MAX_TOML_BYTES,
)

if TYPE_CHECKING:
    from indexserver import IndexServer

QUOTE = re.compile(r"'([^']*)'")


@pytest.fixture
def cli(index_server: IndexServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    monkeypatch.setattr(locale, "getpreferredencoding", lambda do_setlocale=True: "utf-8")
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str, input: str | bytes | None = None) -> Result:
        index_server.clear_requests()
        argv = ["check", "-i", f"{index_server.url}/simple/", "--retries", "0", "--no-deps"]
        return CliRunner().invoke(main, [*argv, *args], input=input, catch_exceptions=False)

    return invoke


def refused(outcome: Result, index_server: IndexServer, prefix: str) -> str:
    """The one stderr line of an input error starting with `prefix`: exit 2, short, no
    traceback, nothing on stdout, nothing fetched; its quote at most 200 characters + '...'."""
    assert outcome.exit_code == 2, outcome.output[:2000]
    assert "Traceback" not in outcome.output
    assert len(outcome.stderr_bytes) < 1000, outcome.stderr[:2000]
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(prefix), (lines[0], prefix)
    assert outcome.stdout == ""
    assert index_server.requests == []
    for quoted in QUOTE.findall(lines[0]):
        assert len(quoted) <= 203
    return lines[0]


def test_a_1_mb_garbage_line_is_refused_at_once(cli: Any, index_server: IndexServer) -> None:
    Path("requirements.txt").write_text("six\n" + "a" * 1_000_000 + "\nrequests\n")
    started = time.monotonic()
    outcome = cli("requirements.txt")
    elapsed = time.monotonic() - started
    line = refused(
        outcome,
        index_server,
        "requirements.txt:2: line of 1,000,000 characters is over the cap of 131,072 characters:",
    )
    assert line.endswith("'" + "a" * 200 + "...'")
    assert elapsed < 5  # a sanity bound: it took minutes


def test_a_50_mb_line_is_refused_by_the_file_cap(cli: Any, index_server: IndexServer) -> None:
    Path("huge.txt").write_text("six\nrequests\n" + "x" * 50_000_000 + "\n")
    started = time.monotonic()
    outcome = cli("huge.txt")
    elapsed = time.monotonic() - started
    line = refused(
        outcome,
        index_server,
        "huge.txt:3: file is over the cap of 16 MiB for a requirements file; reading stopped here:",
    )
    assert line.endswith("'" + "x" * 200 + "...'")
    assert elapsed < 5


def test_the_caps_of_an_included_file_name_its_own_line(
    cli: Any, index_server: IndexServer
) -> None:
    Path("requirements.txt").write_text("six\n-r more.txt\n")
    Path("more.txt").write_text("requests\n\n" + "=" * (MAX_LINE_CHARS + 1) + "\n")
    refused(cli("requirements.txt"), index_server, "more.txt:3: line of 131,073 characters")


def test_stdin_past_the_file_cap(cli: Any, index_server: IndexServer) -> None:
    outcome = cli("-", input=b"six\n" * (MAX_REQUIREMENTS_BYTES // 4 + 1))
    refused(outcome, index_server, f"-:{MAX_REQUIREMENTS_BYTES // 4 + 1}: file is over the cap")


def test_continuation_lines_joined_past_the_cap_are_one_long_line(
    cli: Any, index_server: IndexServer
) -> None:
    chunk = "--hash=sha256:" + "0" * 64
    text = "six\nnumpy==2.1.0 \\\n" + f"    {chunk} \\\n" * 2000 + f"    {chunk}\n"
    Path("requirements.txt").write_text(text)
    refused(cli("requirements.txt"), index_server, "requirements.txt:2: line of ")


def test_a_pin_with_a_thousand_hashes_is_within_the_cap(cli: Any) -> None:
    """pip-compile --generate-hashes: one continued line per pin, a hash per file."""
    hashes = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(1000)]
    text = "six==1.16.0 \\\n" + " \\\n".join(f"    --hash=sha256:{h}" for h in hashes) + "\n"
    Path("requirements.txt").write_text(text)
    outcome = cli("requirements.txt", "--target", "python:3.12-slim", "--arch", "amd64")
    # Read and checked: the hashes match no file of six, which pip would refuse at install.
    assert outcome.exit_code in (0, 1), outcome.output
    assert "cap" not in outcome.stderr


@pytest.mark.parametrize(
    "line",
    [
        " " * 100_000 + "six",  # pip-requirements-parser's comment pattern: quadratic
        "x" + " " * 100_000 + "y",
        "w" * 130_000 + "=>1",  # the credentials pattern, tried from every letter
    ],
    ids=["leading-blanks", "inner-blanks", "one-word"],
)
def test_long_lines_under_the_cap_are_read_in_linear_time(
    cli: Any, index_server: IndexServer, line: str
) -> None:
    Path("requirements.txt").write_text(f"{line}\n")
    started = time.monotonic()
    outcome = cli("requirements.txt", "--target", "python:3.12-slim", "--arch", "amd64")
    assert time.monotonic() - started < 5, outcome.output[:500]
    assert "Traceback" not in outcome.output
    assert len(outcome.stderr_bytes) < 1000


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("numpy=>1" + "0" * 5000, "requirements.txt:1: invalid requirement 'numpy=>1000"),
        ("six --hash=" + "h" * 5000, "requirements.txt:1: invalid --hash 'hhhh"),
        ("-r " + "d" * 5000 + ".txt", "requirements.txt:1: cannot open included file 'dddd"),
        ("--" + "o" * 5000, "requirements.txt:1: no such option: --oooo"),
        ("six --pre '" + "q" * 5000, "requirements.txt:1: cannot split options '--pre 'qqq"),
        (
            "-e git+https://host/" + "e" * 5000,
            "requirements.txt:1: invalid editable requirement '-e git+https://host/eee",
        ),
    ],
    ids=["requirement", "hash", "include", "option", "quote", "editable"],
)
def test_messages_that_quote_a_line_quote_200_characters(
    cli: Any, index_server: IndexServer, content: str, expected: str
) -> None:
    Path("requirements.txt").write_text(content + "\n")
    line = refused(cli("requirements.txt"), index_server, expected)
    assert "..." in line


def test_a_constraint_quoted_in_a_message_is_cut(cli: Any, index_server: IndexServer) -> None:
    Path("requirements.txt").write_text("six\n-c constraints.txt\n")
    Path("constraints.txt").write_text("-e ./" + "p" * 5000 + "#egg=p\n")
    line = refused(
        cli("requirements.txt"),
        index_server,
        "constraints.txt:1: editable requirements are not allowed as constraints: '-e ./ppp",
    )
    assert line.endswith("...'")


def test_a_pyproject_past_the_toml_cap(cli: Any, index_server: IndexServer) -> None:
    head = '[project]\nname = "app"\nversion = "1"\ndependencies = ["six"]\n'
    Path("app.toml").write_text(head + "# " + "c" * MAX_TOML_BYTES + "\n")
    refused(
        cli("--kind", "pyproject", "app.toml"),
        index_server,
        "app.toml:5: file is over the cap of 32 MiB for a TOML file; reading stopped here: '# ccc",
    )


def test_a_lockfile_past_the_toml_cap(cli: Any, index_server: IndexServer) -> None:
    Path("uv.lock").write_bytes(b"version = 1\n" + b"#" * MAX_TOML_BYTES)
    refused(cli("uv.lock"), index_server, "uv.lock:2: file is over the cap of 32 MiB")


def test_a_configuration_file_past_the_toml_cap(cli: Any, index_server: IndexServer) -> None:
    Path("wheelcheck.toml").write_bytes(b"[tool.wheelcheck]\n" + b"#" * MAX_TOML_BYTES)
    Path("requirements.txt").write_text("six\n")
    outcome = cli("requirements.txt", "--config", "wheelcheck.toml")
    refused(outcome, index_server, "wheelcheck.toml:2: file is over the cap of 32 MiB")


def test_a_long_invalid_dependency_in_pyproject_is_quoted_short(
    cli: Any, index_server: IndexServer
) -> None:
    bad = "numpy=>" + "1" * 5000
    Path("pyproject.toml").write_text(
        f'[project]\nname = "app"\nversion = "1"\ndependencies = ["{bad}"]\n'
    )
    line = refused(cli("pyproject.toml"), index_server, "pyproject.toml:4: invalid dependency '")
    assert "'numpy=>" + "1" * 193 + "...': Expected semicolon" in line


def test_a_long_unknown_target_in_the_configuration_is_cut(
    cli: Any, index_server: IndexServer
) -> None:
    Path("pyproject.toml").write_text(
        f'[tool.wheelcheck]\ntargets = ["python:3.12-{"z" * 5000}"]\n'
    )
    Path("requirements.txt").write_text("six\n")
    refused(
        cli("requirements.txt"), index_server, "wheelcheck: error: unknown image 'python:3.12-zz"
    )


def test_a_project_name_too_long_for_a_url_is_an_error_row_not_a_traceback(
    tmp_path: Path,
) -> None:
    # Under the line cap, but longer than a URL may be: the lookup fails, the check goes on.
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("x" * 70_000 + "==1.0\n", encoding="utf-8")
    argv = ["check", str(requirements), "-i", "http://127.0.0.1:9/simple", "--retries", "0"]
    outcome = CliRunner().invoke(main, [*argv, "-f", "json"], catch_exceptions=False)
    assert outcome.exit_code == 3
    assert "Traceback" not in outcome.output
    assert "cannot ask for this page: URL too long" in outcome.stdout


def test_toml_nested_too_deeply_is_an_input_error(tmp_path: Path) -> None:
    # Found in review: tomllib recurses once per level and raised RecursionError (exit 1).
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[project]\nname='x'\nversion='1'\nx = " + "[" * 1200 + "]" * 1200 + "\n")
    outcome = CliRunner().invoke(main, ["check", str(pyproject)], catch_exceptions=False)
    assert outcome.exit_code == 2
    assert "invalid TOML: nested too deeply" in outcome.stderr
    assert "Traceback" not in outcome.output
