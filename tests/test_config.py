"""[tool.wheelcheck] and WHEELCHECK_* variables: precedence, errors with file and line."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result

from wheelcheck._cli import main
from wheelcheck._config import (
    find_pyproject,
    load_configuration,
    read_env_settings,
    read_file_settings,
)
from wheelcheck.errors import InputError, InvalidInputFiles
from wheelcheck.options import FAIL_ON, PYTHON

if TYPE_CHECKING:
    from indexserver import IndexServer


def write_pyproject(folder: Path, table: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text('[project]\nname = "app"\n\n[tool.wheelcheck]\n' + table, encoding="utf-8")
    return path


# -- reading -------------------------------------------------------------------------------


def test_file_settings_by_parameter_with_their_line(tmp_path: Path) -> None:
    path = write_pyproject(
        tmp_path,
        'targets = ["python:3.12-slim"]\n'
        'fail-on = "source"\n'
        'ignore = { psycopg2 = "built elsewhere", six = "" }\n'
        "no-deps = true\n"
        "timeout = 5\n",
    )
    settings = read_file_settings(path)
    assert settings["targets"].value == ("python:3.12-slim",)
    assert settings["targets"].source == f"{path}:5"
    assert settings["fail_on"].value == ("source",)
    assert settings["ignore"].value == ("psycopg2:built elsewhere", "six")
    assert settings["no_deps"].value is True
    assert settings["timeout"].value == 5.0


def test_unknown_keys_are_errors_naming_key_file_and_line(tmp_path: Path) -> None:
    path = write_pyproject(tmp_path, 'fail-on = "source"\nfial-on = "never"\nformats = "json"\n')
    with pytest.raises(InvalidInputFiles) as caught:
        read_file_settings(path)
    messages = [str(p) for p in caught.value.problems]
    assert messages[0].startswith(f"{path}:6: unknown key 'fial-on' in [tool.wheelcheck]")
    assert "did you mean 'fail-on'?" in messages[0]
    assert messages[1].startswith(f"{path}:7: unknown key 'formats'")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("python = 3.12", "python: expected a string"),
        ('format = "yaml"', "format: expected one of table, json, markdown, sarif, github"),
        ("targets = [1, 2]", "targets: expected a string or a list of strings"),
        ('pre = "yes"', "pre: expected true or false"),
        ("retries = 1.5", "retries: expected an integer"),
    ],
)
def test_bad_values_name_key_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = write_pyproject(tmp_path, f"\n{line}\n")
    with pytest.raises(InvalidInputFiles) as caught:
        read_file_settings(path)
    assert str(caught.value.problems[0]) == f"{path}:6: {message}" or str(
        caught.value.problems[0]
    ).startswith(f"{path}:6: {message}")


def test_subtable_keys_and_quoted_keys_get_lines(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[tool.wheelcheck]\n"fail-on" = "source"\n\n[tool.wheelcheck.ignore]\nsix = "x"\n'
        "[tool.wheelcheck.bogus]\nk = 1\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInputFiles) as caught:
        read_file_settings(path)
    assert [str(p).split(": ", 1)[0] for p in caught.value.problems] == [f"{path}:6"]


def test_a_pyproject_without_the_table_sets_nothing_unless_named(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert read_file_settings(path) == {}
    with pytest.raises(InputError, match=r"no \[tool.wheelcheck\] table"):
        load_configuration(config_file=path, cwd=tmp_path, environ={})


def test_invalid_toml_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.wheelcheck\n", encoding="utf-8")
    with pytest.raises(InvalidInputFiles, match="invalid TOML"):
        read_file_settings(path)


def test_the_nearest_pyproject_is_found_from_a_subfolder(tmp_path: Path) -> None:
    write_pyproject(tmp_path, 'python = "3.13"\n')
    sub = tmp_path / "services" / "api"
    sub.mkdir(parents=True)
    assert find_pyproject(sub) == tmp_path / "pyproject.toml"
    configuration = load_configuration(config_file=None, cwd=sub, environ={})
    assert configuration.values["python"].value == "3.13"


def test_environment_values_lists_and_empties() -> None:
    settings, warnings = read_env_settings(
        {
            "WHEELCHECK_TARGETS": "python:3.12-alpine, python:3.12-slim\npython:3.13-slim",
            "WHEELCHECK_IGNORE": "psycopg2: built in the builder stage, with libpq\npywin32 six",
            "WHEELCHECK_PRE": "Yes",
            "WHEELCHECK_PYTHON": "",  # empty: unset, as an action input left blank
            "WHEELCHECK_FAILON": "never",
            "PATH": "/bin",
        }
    )
    assert settings["targets"].value == (
        "python:3.12-alpine",
        "python:3.12-slim",
        "python:3.13-slim",
    )
    assert settings["ignore"].value == (
        "psycopg2: built in the builder stage, with libpq",
        "pywin32",
        "six",
    )
    assert settings["pre"].value is True and settings["pre"].source == "WHEELCHECK_PRE"
    assert "python" not in settings
    assert warnings == [
        "unknown environment variable WHEELCHECK_FAILON"
        " (did you mean 'WHEELCHECK_FAIL_ON'?); ignored"
    ]


def test_a_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(InputError, match="WHEELCHECK_NO_DEPS='maybe'"):
        read_env_settings({"WHEELCHECK_NO_DEPS": "maybe"})


def test_environment_wins_over_the_file(tmp_path: Path) -> None:
    write_pyproject(tmp_path, 'fail-on = "source"\npython = "3.11"\n')
    configuration = load_configuration(
        config_file=None, cwd=tmp_path, environ={"WHEELCHECK_FAIL_ON": "never"}
    )
    assert configuration.values["fail_on"].value == ("never",)
    assert configuration.values["python"].value == "3.11"
    cli = {"fail_on": ("missing",), "python": None}
    settings = configuration.settings_for("check", cli, given={"fail_on"})
    assert (settings[FAIL_ON], settings[PYTHON]) == (("missing",), "3.11")


# -- through the command line --------------------------------------------------------------


@pytest.fixture
def project(index_server: IndexServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A project folder (the working directory) with psycopg2, which builds from source
    everywhere: its exit code tells which --fail-on applied."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "requirements.txt").write_text("psycopg2==2.9.13\n", encoding="utf-8")
    monkeypatch.setenv("WHEELCHECK_INDEX_URL", f"{index_server.url}/simple/")

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        argv = ["check", "requirements.txt", "--no-deps", "--retries", "1", *args]
        return CliRunner().invoke(main, argv, env=env)

    return invoke


def test_precedence_command_line_then_environment_then_file(project: Any, tmp_path: Path) -> None:
    write_pyproject(tmp_path, 'fail-on = "source"\n')
    assert project().exit_code == 1  # the file: source
    assert project(env={"WHEELCHECK_FAIL_ON": "never"}).exit_code == 0  # env beats file
    outcome = project("--fail-on", "source", env={"WHEELCHECK_FAIL_ON": "never"})
    assert outcome.exit_code == 1  # command line beats env


def test_file_format_and_targets_apply(project: Any, tmp_path: Path) -> None:
    write_pyproject(
        tmp_path, 'format = "json"\ntargets = ["python:3.12-slim"]\narches = ["amd64"]\n'
    )
    outcome = project()
    assert outcome.exit_code == 0, outcome.output
    assert [t["id"] for t in json.loads(outcome.stdout)["targets"]] == ["python:3.12-slim/amd64"]
    assert project("--format", "table").stdout.startswith("Use python:3.12-slim: ")


def test_unknown_key_in_pyproject_is_exit_2_with_file_and_line(
    project: Any, tmp_path: Path, index_server: IndexServer
) -> None:
    write_pyproject(tmp_path, 'fial-on = "source"\n')
    index_server.clear_requests()
    outcome = project()
    assert outcome.exit_code == 2
    assert outcome.stderr.startswith(f"{tmp_path / 'pyproject.toml'}:5: unknown key 'fial-on'")
    assert outcome.stdout == "" and index_server.requests == []


def test_explicit_config_file(project: Any, tmp_path: Path) -> None:
    other = tmp_path / "ci" / "wheelcheck.toml"
    other.parent.mkdir()
    other.write_text('[tool.wheelcheck]\nfail-on = "source"\n', encoding="utf-8")
    assert project().exit_code == 0
    assert project("--config", str(other)).exit_code == 1


def test_verbose_says_where_settings_came_from_without_credentials(
    project: Any, tmp_path: Path, index_server: IndexServer
) -> None:
    write_pyproject(tmp_path, 'fail-on = "source"\n')
    host = index_server.url.split("://", 1)[1]
    env = {"WHEELCHECK_INDEX_URL": f"http://alice:s3cr%25t@{host}/auth/simple/"}
    outcome = project("-v", "--fail-on", "never", env=env)
    assert outcome.exit_code == 0, outcome.output
    assert f"configuration file: {tmp_path / 'pyproject.toml'}" in outcome.stderr
    assert "fail_on = ('source',) from" in outcome.stderr
    assert "(overridden by the command line)" in outcome.stderr
    assert "from WHEELCHECK_INDEX_URL (used)" in outcome.stderr
    assert "s3cr" not in outcome.output
    assert "python:3.12-slim/amd64=never" in outcome.stderr


def test_quiet_and_verbose_exclude_each_other(project: Any) -> None:
    outcome = project("-q", "-v")
    assert outcome.exit_code == 2
    assert "exclude each other" in outcome.stderr


def test_unknown_environment_variable_is_a_warning(project: Any) -> None:
    outcome = project(env={"WHEELCHECK_FAILON": "never"})
    assert outcome.exit_code == 0
    assert "warning: unknown environment variable WHEELCHECK_FAILON" in outcome.stderr


@pytest.mark.parametrize("doc", ["docs/options.md", "docs/ci.md"])
def test_documented_configuration_tables_are_valid(doc: str, tmp_path: Path) -> None:
    text = (Path(__file__).parent.parent / doc).read_text(encoding="utf-8")
    blocks = [
        b for b in re.findall(r"```toml\n(.*?)```", text, flags=re.S) if "[tool.wheelcheck]" in b
    ]
    assert blocks
    for block in blocks:
        path = tmp_path / "pyproject.toml"
        path.write_text(block, encoding="utf-8")
        settings = read_file_settings(path)
        assert settings["fail_on"].value
