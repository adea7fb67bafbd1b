"""Configuration that cannot take effect is never silent (issue 13): a cache directory that is
a file is exit 2 wherever it comes from, an unwritable one gets one warning and the check runs,
and an --ignore that names no package of the check gets a warning naming it and its source."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

import wheelcheck
from wheelcheck._cache import store as store_module
from wheelcheck._cli import main
from wheelcheck.errors import InputError

if TYPE_CHECKING:
    from indexserver import IndexServer

WARNING = "wheelcheck: warning: "


@pytest.fixture(autouse=True)
def _in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # relative names, and no pyproject.toml around
    Path("requirements.txt").write_text("six\n")


def check(index_server: IndexServer, *args: str, env: dict[str, str] | None = None) -> Result:
    argv = ["check", "requirements.txt", "-i", f"{index_server.url}/simple/", "--no-deps"]
    argv += ["-t", "python:3.12-slim", "--arch", "amd64", "--retries", "0"]
    return CliRunner(env=env).invoke(main, [*argv, *args])


def warnings(outcome: Result) -> list[str]:
    return [line for line in outcome.stderr.splitlines() if line.startswith(WARNING)]


# -- a cache directory that is a file ------------------------------------------------------


def test_a_file_as_cache_dir_is_exit_2_from_the_option_and_the_variable(
    index_server: IndexServer,
) -> None:
    Path("not-a-dir").write_text("")
    from_option = check(index_server, "--cache-dir", "not-a-dir")
    from_variable = check(index_server, env={"WHEELCHECK_CACHE_DIR": "not-a-dir"})
    assert (from_option.exit_code, from_variable.exit_code) == (2, 2), from_variable.output
    assert "--cache-dir" in from_option.stderr and "not-a-dir" in from_option.stderr
    assert from_variable.stderr == (
        "wheelcheck: error: WHEELCHECK_CACHE_DIR=not-a-dir: cannot be the cache directory: "
        "it is a file\n"
    )
    assert from_variable.stdout == ""


def test_a_cache_dir_below_a_file_is_exit_2(index_server: IndexServer) -> None:
    Path("not-a-dir").write_text("")
    outcome = check(index_server, "--cache-dir", "not-a-dir/cache")
    assert outcome.exit_code == 2, outcome.output
    assert outcome.stderr == (
        "wheelcheck: error: --cache-dir not-a-dir/cache: cannot be the cache directory: "
        "not-a-dir is a file\n"
    )


def test_no_cache_does_not_look_at_the_cache_dir(index_server: IndexServer) -> None:
    Path("not-a-dir").write_text("")
    outcome = check(index_server, "--no-cache", env={"WHEELCHECK_CACHE_DIR": "not-a-dir"})
    assert outcome.exit_code == 0, outcome.output


def test_the_library_refuses_a_file_as_cache_dir(index_server: IndexServer) -> None:
    Path("not-a-dir").write_text("")
    with pytest.raises(InputError, match="cannot be the cache directory"):
        wheelcheck.check(
            requirements=["six"],
            index_url=f"{index_server.url}/simple/",
            cache_dir="not-a-dir",
            pip_config_files=(),
        )


# -- a cache directory that cannot be written ----------------------------------------------


@pytest.fixture
def read_only(monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache directory whose writes fail with EACCES (root ignores the mode: then the
    cache's temporary files are refused as the kernel would refuse them)."""
    folder = Path("read-only-cache").absolute()
    folder.mkdir()
    folder.chmod(0o555)
    if os.geteuid() == 0:
        real_mkstemp = tempfile.mkstemp

        def refused(*args: object, **kwargs: object) -> tuple[int, str]:
            if str(kwargs.get("dir", "")).startswith(str(folder)):
                raise PermissionError(errno.EACCES, "Permission denied")
            return real_mkstemp(*args, **kwargs)  # type: ignore[call-overload,no-any-return]

        monkeypatch.setattr(store_module.tempfile, "mkstemp", refused)
    return folder


def test_a_read_only_cache_warns_once_and_the_check_runs(
    index_server: IndexServer, read_only: Path
) -> None:
    Path("requirements.txt").write_text("six\nrequests\nnumpy\n")
    outcome = check(index_server, "--cache-dir", str(read_only), "-f", "json")
    uncached = check(index_server, "--no-cache", "-f", "json")
    assert outcome.exit_code == uncached.exit_code, outcome.output
    assert outcome.stdout == uncached.stdout
    assert warnings(outcome) == [
        f"{WARNING}cannot write to the cache in {read_only} (Permission denied): "
        "the check runs, storing nothing"
    ]


def test_a_read_only_cache_is_still_read(
    index_server: IndexServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = Path("filled").absolute()
    assert check(index_server, "--cache-dir", str(folder)).exit_code == 0

    def refused(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(store_module.tempfile, "mkstemp", refused)
    index_server.clear_requests()
    outcome = check(index_server, "--cache-dir", str(folder), "--offline", "--pre")
    assert outcome.exit_code == 0, outcome.output  # six's page came from the cache
    assert index_server.requests == []
    assert len(warnings(outcome)) == 1


# -- --ignore that names no package -------------------------------------------------------


def test_an_ignore_that_matches_nothing_is_a_warning(index_server: IndexServer) -> None:
    outcome = check(index_server, "--ignore", "psycopg:built elsewhere", "--ignore", "six")
    assert outcome.exit_code == 0, outcome.output
    assert warnings(outcome) == [
        f"{WARNING}--ignore psycopg: no package of this check has that name; it changes nothing"
    ]


def test_an_ignore_from_the_configuration_names_its_line(index_server: IndexServer) -> None:
    Path("pyproject.toml").write_text('[tool.wheelcheck]\nignore = ["psycopg"]\n')
    outcome = check(index_server)
    assert outcome.exit_code == 0, outcome.output
    where = Path.cwd() / "pyproject.toml"
    assert warnings(outcome) == [
        f"{WARNING}ignore psycopg ({where}:2): no package of this check has that name; "
        "it changes nothing"
    ]


def test_an_ignore_from_the_environment_names_the_variable(index_server: IndexServer) -> None:
    outcome = check(index_server, env={"WHEELCHECK_IGNORE": "Psycopg_2"})
    assert warnings(outcome) == [
        f"{WARNING}ignore psycopg-2 (WHEELCHECK_IGNORE): no package of this check has that "
        "name; it changes nothing"
    ]


def test_an_ignore_that_matches_a_dependency_is_used(index_server: IndexServer) -> None:
    Path("requirements.txt").write_text("requests\n")
    argv = ["check", "requirements.txt", "-i", f"{index_server.url}/simple/"]
    argv += ["-t", "python:3.12-slim", "--arch", "amd64", "--retries", "0"]
    outcome = CliRunner().invoke(main, [*argv, "--ignore", "urllib3"])
    assert outcome.exit_code == 0, outcome.output
    assert warnings(outcome) == []
