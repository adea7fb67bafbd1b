"""`wheelcheck dockerfile` takes its settings as `check` does (issue 14): from the command
line, WHEELCHECK_* variables and [tool.wheelcheck], and it uses the cache."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

from wheelcheck._cli import main

if TYPE_CHECKING:
    from indexserver import IndexServer

DOCKERFILE = str(Path(__file__).parent.parent / "examples" / "llm-app" / "Dockerfile")


@pytest.fixture(autouse=True)
def _in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # the project whose pyproject.toml is read


def dockerfile(*args: str, env: dict[str, str] | None = None) -> Result:
    argv = ["dockerfile", DOCKERFILE, "--no-deps", "--retries", "1", *args]
    return CliRunner(env=env).invoke(main, argv)


def write_config(table: str) -> Path:
    path = Path("pyproject.toml")
    path.write_text(f"[tool.wheelcheck]\n{table}", encoding="utf-8")
    return path.absolute()


def test_the_file_and_the_environment_set_the_format_and_the_index(
    index_server: IndexServer,
) -> None:
    url = f"{index_server.url}/simple/"
    write_config(f'format = "json"\nindex-url = "{url}"\n')
    from_file = dockerfile()
    assert from_file.exit_code == 0, from_file.output
    index = json.loads(from_file.stdout)["index"]
    assert index["url"] == url
    assert index["source"] == f"index-url at {Path.cwd() / 'pyproject.toml'}:3"

    from_env = dockerfile(env={"WHEELCHECK_INDEX_URL": url, "WHEELCHECK_FORMAT": "sarif"})
    assert json.loads(from_env.stdout)["version"] == "2.1.0"  # the variable wins
    from_cli = dockerfile("--index-url", url, "-f", "json", env={"WHEELCHECK_FORMAT": "sarif"})
    index = json.loads(from_cli.stdout)["index"]
    assert index["source"] == "--index-url on the command line"


def test_the_check_is_cached_as_for_check(index_server: IndexServer) -> None:
    args = ["--index-url", f"{index_server.url}/simple/", "-f", "json"]
    index_server.clear_requests()
    cold = dockerfile(*args)
    assert cold.exit_code == 0, cold.output
    cold_requests = len(index_server.requests)
    index_server.clear_requests()
    warm = dockerfile(*args)
    pages = [path for path, _ in index_server.requests if "/simple/" in path]
    assert pages == []  # every page came from the cache
    assert len(index_server.requests) < cold_requests
    uncached = dockerfile(*args, "--no-cache")
    assert cold.stdout == warm.stdout == uncached.stdout


def test_its_own_fail_on_is_its_own_key(index_server: IndexServer) -> None:
    """A check's fail-on ("source") means nothing here; dockerfile-fail-on does."""
    write_config(f'fail-on = "source"\nindex-url = "{index_server.url}/simple/"\n')
    assert dockerfile().exit_code == 0  # warnings only: the default is error
    assert dockerfile(env={"WHEELCHECK_DOCKERFILE_FAIL_ON": "warning"}).exit_code == 1
    write_config('dockerfile-fail-on = "warning"\n')
    assert dockerfile("--no-check").exit_code == 1
    assert dockerfile("--no-check", "--fail-on", "never").exit_code == 0


def test_a_bad_configuration_is_exit_2_naming_its_line(index_server: IndexServer) -> None:
    path = write_config('targets = ["python:3.12-slim"]\ndockerfile-fail-on = "errors"\n')
    outcome = dockerfile("--no-check")
    assert outcome.exit_code == 2
    assert outcome.stderr.startswith(f"{path}:3: dockerfile-fail-on: expected one of never,")
    assert outcome.stdout == ""


def test_verbose_and_quiet(index_server: IndexServer) -> None:
    write_config('targets = ["python:3.12-slim"]\n')
    verbose = dockerfile("--no-check", "-v", env={"WHEELCHECK_FAILON": "x"})
    assert "warning: unknown environment variable WHEELCHECK_FAILON" in verbose.stderr
    assert "wheelcheck: targets = ('python:3.12-slim',) from " in verbose.stderr
    loud = dockerfile("--no-check", "--fix")
    assert "finding" in loud.stderr
    quiet = dockerfile("--no-check", "--fix", env={"WHEELCHECK_QUIET": "1"})
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert quiet.stdout == loud.stdout
