"""Bad input at the command line: exit 2, one ``FILE:LINE: message`` per problem, nothing
fetched, never a traceback. An empty file is not an error: "nothing to check", exit 0.
"""

from __future__ import annotations

import codecs
import locale
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result

from wheelcheck._cli import main

if TYPE_CHECKING:
    from indexserver import IndexServer


@pytest.fixture
def cli(index_server: IndexServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    # pip falls back to the locale's encoding; pin it so results do not depend on the host.
    monkeypatch.setattr(locale, "getpreferredencoding", lambda do_setlocale=True: "utf-8")
    monkeypatch.chdir(tmp_path)  # relative names in messages, and no pyproject.toml around

    def invoke(*args: str, input: str | bytes | None = None) -> Result:
        index_server.clear_requests()
        argv = ["check", "-i", f"{index_server.url}/simple/", "--retries", "0", "--no-deps"]
        return CliRunner().invoke(main, [*argv, *args], input=input, catch_exceptions=False)

    return invoke


def write(name: str, content: str | bytes) -> str:
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return name


def assert_input_error(outcome: Result, index_server: IndexServer, *lines: str) -> None:
    """Exit 2, exactly `lines` on stderr (each a prefix), nothing on stdout, nothing fetched."""
    assert outcome.exit_code == 2, outcome.output
    assert "Traceback" not in outcome.output
    shown = outcome.stderr.strip().splitlines()
    assert len(shown) == len(lines), shown
    for line, expected in zip(shown, lines, strict=True):
        assert line.startswith(expected), (line, expected)
    assert outcome.stdout == ""
    assert index_server.requests == []


def test_every_invalid_line_of_every_file_is_reported(cli: Any, index_server: IndexServer) -> None:
    write("a.txt", "six\nnumpy=>1.0\n-r sub/b.txt\n--frobnicate\n")
    write("sub/b.txt", "requests\nfoo[bar\npandas ; python_version >> '3'\n")
    write("c.txt", "ok-name\n!!\n")
    outcome = cli("a.txt", "c.txt")
    assert_input_error(
        outcome,
        index_server,
        "a.txt:2: invalid requirement 'numpy=>1.0'",
        "sub/b.txt:2: invalid requirement 'foo[bar'",
        "sub/b.txt:3: ",
        "a.txt:4: ",
        "c.txt:2: invalid requirement '!!'",
    )
    assert "frobnicate" in outcome.stderr


def test_missing_include_is_reported_at_the_including_line(
    cli: Any, index_server: IndexServer
) -> None:
    write("requirements.txt", "six\n\n-r nowhere.txt\n-c also-missing.txt\n")
    outcome = cli("requirements.txt")
    assert_input_error(
        outcome,
        index_server,
        "requirements.txt:3: cannot open included file 'nowhere.txt'",
        "requirements.txt:4: cannot open included file 'also-missing.txt'",
    )


def test_missing_top_level_file(cli: Any, index_server: IndexServer) -> None:
    assert_input_error(cli("absent.txt"), index_server, "absent.txt: cannot open file")


def test_a_directory_is_not_a_requirements_file(cli: Any, index_server: IndexServer) -> None:
    Path("folder").mkdir()
    assert_input_error(cli("folder"), index_server, "folder: ")


def test_include_cycle_is_named_with_its_path(cli: Any, index_server: IndexServer) -> None:
    write("a.txt", "six\n-r b.txt\n")
    write("b.txt", "requests\n-r a.txt\n")
    write("self.txt", "-r self.txt\n")
    outcome = cli("a.txt", "self.txt")
    assert_input_error(
        outcome,
        index_server,
        "b.txt:2: include cycle: a.txt -> b.txt -> a.txt",
        "self.txt:1: include cycle: self.txt -> self.txt",
    )


@pytest.mark.parametrize(
    "content",
    [
        codecs.BOM_UTF8 + b"six\n",
        codecs.BOM_UTF16_LE + "six\n".encode("utf-16-le"),
        codecs.BOM_UTF16_BE + "six\n".encode("utf-16-be"),
        b"# -*- coding: latin-1 -*-\nsix  # caf\xe9\n",
        b"#!/bin/true\n# vim: set fileencoding=cp1252 :\nsix  # \x93quoted\x94\n",
    ],
    ids=["utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "pep263-latin-1", "pep263-line-2"],
)
def test_encodings_pip_accepts_are_read(cli: Any, content: bytes) -> None:
    outcome = cli(write("requirements.txt", content), "--all")
    assert outcome.exit_code == 0, outcome.output
    assert "six" in outcome.stdout and "pure" in outcome.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"six  # caf\xe9\n",
            "requirements.txt: not a text file: byte 0xe9 at offset 10 is not UTF-8",
        ),
        (b"# coding: klingon\nsix\n", "requirements.txt: unknown encoding 'klingon'"),
        (
            b"# -*- coding: ascii -*-\nsix # \xe9\n",
            "requirements.txt: not a text file: cannot decode",
        ),
        (codecs.BOM_UTF8 + b"six \xff\n", "requirements.txt: not a text file: cannot decode"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", "requirements.txt: not a text file"),
        (b"six\n\x00\x00\x00\n", "requirements.txt: not a text file: it contains NUL bytes"),
        (bytes(range(256)) * 4, "requirements.txt: not a text file"),
    ],
    ids=[
        "latin-1-undeclared",
        "unknown-coding",
        "lying-coding",
        "bad-after-bom",
        "png",
        "nul",
        "all-bytes",
    ],
)
def test_undecodable_or_binary_file_is_one_line(
    cli: Any, index_server: IndexServer, content: bytes, message: str
) -> None:
    assert_input_error(cli(write("requirements.txt", content)), index_server, message)


def test_undecodable_stdin(cli: Any, index_server: IndexServer) -> None:
    assert_input_error(cli("-", input=b"six\n\xff\xfe\xfd\n"), index_server, "-: not a text file")


@pytest.mark.parametrize("content", ["", "\n\n", "# only comments\n  # indented\n", "\\\n"])
def test_empty_file_is_nothing_to_check_exit_0(
    cli: Any, index_server: IndexServer, content: str
) -> None:
    outcome = cli(write("requirements.txt", content))
    assert outcome.exit_code == 0, outcome.output
    assert "nothing to check" in outcome.stderr
    assert "Traceback" not in outcome.output
    assert index_server.requests == []


def test_bad_lines_and_a_bad_file_are_reported_together(
    cli: Any, index_server: IndexServer
) -> None:
    write("good.txt", "six\nnot a requirement at all\n")
    write("binary.txt", b"\x00\x01\x02")
    outcome = cli("good.txt", "binary.txt", "missing.txt")
    assert_input_error(
        outcome,
        index_server,
        "good.txt:2: invalid requirement",
        "binary.txt: not a text file",
        "missing.txt: cannot open file",
    )


@pytest.mark.parametrize(
    ("option", "value", "suggestion"),
    [
        ("--target", "python:3.12-alpnie", "python:3.12-alpine"),
        ("--target", "pyhton:3.12-slim", "python"),
        ("--arch", "amd46", "amd64"),
    ],
)
def test_unknown_target_or_arch_says_did_you_mean(
    cli: Any, index_server: IndexServer, option: str, value: str, suggestion: str
) -> None:
    outcome = cli(write("requirements.txt", "six\n"), option, value)
    assert_input_error(outcome, index_server, "wheelcheck: error: unknown")
    assert "did you mean" in outcome.stderr and suggestion in outcome.stderr
    assert value in outcome.stderr


@pytest.mark.parametrize("value", ["cp312-nonsense", "", "python:", "python:3.12-alpine:latest:x"])
def test_unparsable_target_is_exit_2_without_traceback(
    cli: Any, index_server: IndexServer, value: str
) -> None:
    outcome = cli(write("requirements.txt", "six\n"), "--target", value)
    assert_input_error(outcome, index_server, "wheelcheck: error: ")


def test_unknown_keys_in_the_config_file_are_each_reported_with_their_line(
    cli: Any, index_server: IndexServer
) -> None:
    write(
        "wheelcheck.toml",
        '[tool.wheelcheck]\ntargets = ["python:3.12-slim"]\nfial-on = "source"\nretries = "x"\n',
    )
    outcome = cli(write("requirements.txt", "six\n"), "--config", "wheelcheck.toml")
    assert_input_error(
        outcome,
        index_server,
        "wheelcheck.toml:3: unknown key 'fial-on'",
        "wheelcheck.toml:4: retries: expected an integer",
    )
    assert "did you mean 'fail-on'" in outcome.stderr


def test_config_file_that_is_not_toml(cli: Any, index_server: IndexServer) -> None:
    write("wheelcheck.toml", "[tool.wheelcheck\ntargets = 1\n")
    outcome = cli(write("requirements.txt", "six\n"), "--config", "wheelcheck.toml")
    assert_input_error(outcome, index_server, "wheelcheck.toml:1: invalid TOML")


def test_config_file_that_is_not_text(cli: Any, index_server: IndexServer) -> None:
    write("wheelcheck.toml", b"[tool.wheelcheck]\npython = '3.12\xff'\n")
    outcome = cli(write("requirements.txt", "six\n"), "--config", "wheelcheck.toml")
    assert_input_error(outcome, index_server, "wheelcheck.toml")


def test_bad_pyproject_and_lockfile_are_exit_2(cli: Any, index_server: IndexServer) -> None:
    write("pyproject.toml", '[project]\nname = "x"\ndependencies = ["ok", "bad=="]\n')
    write("uv.lock", "this is = not [ toml\n")
    outcome = cli("pyproject.toml", "uv.lock")
    assert outcome.exit_code == 2, outcome.output
    assert "Traceback" not in outcome.output
    lines = outcome.stderr.strip().splitlines()
    assert any(line.startswith("pyproject.toml") for line in lines)
    assert any(line.startswith("uv.lock") for line in lines)
    assert index_server.requests == []
