"""Index URLs are checked where they enter (issue 13): a typo fails, it never checks PyPI.

Whatever names the index (the command line, WHEELCHECK_* or PIP_* variables,
[tool.wheelcheck], pip's config file, a requirements file, a Dockerfile, --mirror), a value
that is not an absolute http(s) URL with a host is exit 2 with one line on stderr naming
where it came from, quoting the value without its credentials, and nothing is fetched. A
local index named by pip's own settings stays a note: pip reads it, wheelcheck cannot.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result

from wheelcheck._cli import main

if TYPE_CHECKING:
    from collections.abc import Mapping

    from indexserver import IndexServer

SECRET = "topsecret"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no pyproject.toml of ours around; relative names
    (tmp_path / "requirements.txt").write_text("six\n", encoding="utf-8")
    return tmp_path


def run(*args: str, env: Mapping[str, str] | None = None) -> Result:
    argv = ["check", "requirements.txt", "--retries", "0", "--no-deps", "--no-advice", *args]
    return CliRunner().invoke(main, argv, env=dict(env or {}), catch_exceptions=False)


def assert_one_line_input_error(outcome: Result, starts: str, *shown: str) -> str:
    assert outcome.exit_code == 2, outcome.output
    assert "Traceback" not in outcome.output
    assert outcome.stdout == ""
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith(starts), line
    for text in shown:
        assert text in line, line
    assert SECRET not in line
    return line


BAD = [
    ("not-a-url", "'not-a-url' is not an absolute URL"),
    (f"ftp://bob:{SECRET}@host/simple", "'ftp://bob:****@host/simple' has scheme ftp:"),
    ("http://", "'http://' has no host"),
    (f"https://{SECRET}@/simple", "'https://****@/simple' has no host"),
    ("https://host:99999/simple", "not a valid URL"),
    (f"bob:{SECRET}@host/simple", "'****@host/simple' is not an absolute URL"),
    (f"ftp://host/simple?token={SECRET}", "'ftp://host/simple?token=****' has scheme ftp:"),
]


@pytest.mark.parametrize(("value", "shown"), BAD, ids=[v for v, _ in BAD])
def test_bad_index_url_on_the_command_line(
    project: Path, index_server: IndexServer, value: str, shown: str
) -> None:
    index_server.clear_requests()
    assert_one_line_input_error(
        run("--index-url", value), "wheelcheck: error: --index-url: index URL ", shown
    )
    outcome = run("-i", f"{index_server.url}/simple/", "--extra-index-url", value)
    assert_one_line_input_error(outcome, "wheelcheck: error: --extra-index-url: ", shown)
    assert index_server.requests == []


def test_local_index_asked_for_on_the_command_line_is_an_error(project: Path) -> None:
    # Asked for by name, it cannot be honoured: checking PyPI instead would answer for
    # another index.
    assert_one_line_input_error(
        run("--index-url", "file:///srv/wheels"),
        "wheelcheck: error: --index-url: ",
        "'file:///srv/wheels' is a local index",
    )


def test_long_values_are_quoted_short(project: Path) -> None:
    line = assert_one_line_input_error(
        run("--index-url", "x" * 10_000 + "\n"), "wheelcheck: error: --index-url: "
    )
    assert len(line) < 320


@pytest.mark.parametrize(
    ("variable", "value", "starts"),
    [
        ("PIP_INDEX_URL", "htps://typo.example/simple", "wheelcheck: error: PIP_INDEX_URL: "),
        ("PIP_EXTRA_INDEX_URL", f"ftp://u:{SECRET}@x/", "wheelcheck: error: PIP_EXTRA_INDEX_URL: "),
        (
            "WHEELCHECK_INDEX_URL",
            "pypi.example.com/simple",
            "wheelcheck: error: WHEELCHECK_INDEX_URL: ",
        ),
        (
            "WHEELCHECK_EXTRA_INDEX_URLS",
            f"https://{SECRET}@",
            "wheelcheck: error: WHEELCHECK_EXTRA_INDEX_URLS: ",
        ),
        ("WHEELCHECK_MIRROR", "tsinghua", "wheelcheck: error: WHEELCHECK_MIRROR: unknown mirror"),
    ],
)
def test_bad_index_in_the_environment_names_the_variable(
    project: Path, variable: str, value: str, starts: str
) -> None:
    assert_one_line_input_error(run(env={variable: value}), starts)


def test_bad_mirror_on_the_command_line(project: Path) -> None:
    assert_one_line_input_error(
        run("--mirror", "tsinghua"), "wheelcheck: error: --mirror: unknown mirror 'tsinghua'"
    )


def test_bad_index_in_tool_wheelcheck_names_file_and_line(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        "[project]\nname = 'x'\n\n[tool.wheelcheck]\ntargets = ['python:3.12-slim']\n"
        f"index-url = 'https://bob:{SECRET}@'\nmirror = 'nowhere'\n",
        encoding="utf-8",
    )
    outcome = run()
    assert outcome.exit_code == 2, outcome.output
    lines = outcome.stderr.strip().splitlines()
    config = project / "pyproject.toml"
    assert lines == [
        f"{config}:6: index-url: 'https://bob:****@' has no host",
        f"{config}:7: mirror: unknown mirror 'nowhere'; known mirrors: aliyun, pypi, tencent, tuna",
    ]


def test_bad_index_in_pip_conf_names_the_file(project: Path) -> None:
    conf = project / "pip.conf"
    conf.write_text(f"[global]\nindex-url = ftp://bob:{SECRET}@mirror/simple\n", encoding="utf-8")
    assert_one_line_input_error(
        run(env={"PIP_CONFIG_FILE": str(conf)}),
        f"wheelcheck: error: pip config {conf}: index URL 'ftp://bob:****@mirror/simple'",
    )


def test_local_indexes_in_pip_conf_stay_a_note(project: Path, index_server: IndexServer) -> None:
    # As on a host whose pip.conf lists file:// mirrors: the user's pip setup, not a typo.
    conf = project / "pip.conf"
    conf.write_text(
        "[global]\nextra-index-url = file:///opt/pypi/simple file:///opt/pypi-more/simple\n",
        encoding="utf-8",
    )
    outcome = run(
        "-i", f"{index_server.url}/simple/", "-f", "json", env={"PIP_CONFIG_FILE": str(conf)}
    )
    assert outcome.exit_code == 0, outcome.output
    notes = json.loads(outcome.stdout)["notes"]
    assert any("file:///opt/pypi/simple" in n and "only http(s)" in n for n in notes), notes


def test_bad_index_in_a_requirements_file_names_file_and_line(
    project: Path, index_server: IndexServer
) -> None:
    (project / "requirements.txt").write_text(
        f"six\n--extra-index-url https://ok.example/simple\n-i ftp://bob:{SECRET}@host/\n"
        "--extra-index-url=not-a-url\n",
        encoding="utf-8",
    )
    index_server.clear_requests()
    outcome = CliRunner().invoke(
        main, ["check", "requirements.txt", "--no-deps"], catch_exceptions=False
    )
    assert outcome.exit_code == 2, outcome.output
    assert outcome.stderr.strip().splitlines() == [
        "requirements.txt:3: --index-url 'ftp://bob:****@host/' has scheme ftp:, not http or https",
        "requirements.txt:4: --extra-index-url 'not-a-url' is not an absolute URL "
        "(expected https://host/...)",
    ]
    assert index_server.requests == []


def dockerfile(project: Path, *lines: str) -> str:
    text = "FROM python:3.12-slim\nCOPY requirements.txt .\n" + "".join(f"{x}\n" for x in lines)
    (project / "Dockerfile").write_text(text, encoding="utf-8")
    return "Dockerfile"


def run_dockerfile(*args: str) -> Result:
    argv = ["dockerfile", *args, "--no-deps", "--retries", "0"]
    return CliRunner().invoke(main, argv, catch_exceptions=False)


@pytest.mark.parametrize(
    ("lines", "starts"),
    [
        (
            ["RUN pip install -i not-a-url -r requirements.txt"],
            "wheelcheck: error: Dockerfile:3: pip install -i 'not-a-url' is not an absolute URL",
        ),
        (
            [f"ENV PIP_INDEX_URL=https://bob:{SECRET}@", "RUN pip install -r requirements.txt"],
            "wheelcheck: error: Dockerfile:3: ENV PIP_INDEX_URL 'https://bob:****@' has no host",
        ),
        (
            ["RUN pip install --extra-index-url ftp://x/ -r requirements.txt"],
            "wheelcheck: error: Dockerfile:3: pip install --extra-index-url 'ftp://x/' has scheme",
        ),
        (
            ["RUN pip install --index-url $PRIVATE_INDEX -r requirements.txt"],
            "wheelcheck: error: Dockerfile:3: pip install --index-url '$PRIVATE_INDEX' is not",
        ),
    ],
    ids=["run-i", "env", "run-extra", "unset-variable"],
)
def test_bad_index_in_a_dockerfile_names_its_line(
    project: Path, index_server: IndexServer, lines: list[str], starts: str
) -> None:
    index_server.clear_requests()
    assert_one_line_input_error(run_dockerfile(dockerfile(project, *lines)), starts)
    assert index_server.requests == []


def test_dockerfile_index_overridden_on_the_command_line_is_not_judged(
    project: Path, index_server: IndexServer
) -> None:
    # `-i` replaces the Dockerfile's index (say, an unset build argument): it is not used.
    name = dockerfile(project, "RUN pip install --index-url $PRIVATE_INDEX -r requirements.txt")
    outcome = run_dockerfile(name, "-i", f"{index_server.url}/simple/")
    assert outcome.exit_code in (0, 1), outcome.output


def test_local_index_in_a_dockerfile_is_a_note(project: Path, index_server: IndexServer) -> None:
    name = dockerfile(
        project,
        "ENV PIP_EXTRA_INDEX_URL=file:///wheels",
        f"RUN pip install -i {index_server.url}/simple/ -r requirements.txt",
    )
    outcome = run_dockerfile(name, "-f", "json")
    assert outcome.exit_code in (0, 1), outcome.output
    document: dict[str, Any] = json.loads(outcome.stdout)
    assert any("file:///wheels" in note and "Dockerfile:3" in note for note in document["notes"])
    assert document["check"]["index_urls"] == [f"{index_server.url}/simple/"]
