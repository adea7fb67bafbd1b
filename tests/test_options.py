"""The option table (wheelcheck.options): every option is accepted where the table says, by
both commands where it applies, and its help and default come from the table."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import get_type_hints

import click
import pytest

import wheelcheck
from wheelcheck._cli import main
from wheelcheck._cli.settings import command_settings
from wheelcheck._config import Settings
from wheelcheck._option_types import (
    CertFile,
    Choice,
    Count,
    EnumChoice,
    Flag,
    Ignores,
    IndexURL,
    IndexURLs,
    Integer,
    MirrorName,
    Number,
    PathValue,
    Strings,
    Text,
)
from wheelcheck.options import (
    CACHE_DIR_VARIABLE,
    COMMANDS,
    FAIL_ON,
    FAIL_ON_SEVERITY,
    OPTIONS,
    RETRIES,
    TARGETS,
    TIMEOUT,
    CheckOptions,
    CheckOverrides,
    Command,
    Option,
    check_options,
    options_of,
)

# -- the library's keyword overrides ---------------------------------------------------------


def test_the_keyword_overrides_are_the_fields_of_check_options() -> None:
    """check(..., **overrides) is typed by CheckOverrides: it must name every field of
    CheckOptions, with the same type."""
    fields = {f.name for f in dataclasses.fields(CheckOptions)}
    assert set(CheckOverrides.__annotations__) == fields
    assert get_type_hints(CheckOverrides) == get_type_hints(CheckOptions)
    assert CheckOverrides.__required_keys__ == frozenset()


def test_an_unknown_keyword_override_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"unknown check option\(s\): timout"):
        wheelcheck.check(requirements=["six"], timout=3)  # type: ignore[call-arg]


# -- walking the table ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Sample:
    """One value of an option that is not its default, as each source writes it."""

    cli: list[str]  # the arguments after the command
    env: str  # the variable's text
    toml: str  # the key's value in [tool.wheelcheck]
    expected: object  # what Settings gives back


def sample(option: Option[object], folder: Path) -> Sample:
    """A value for `option` built from its type, so a new row is walked without a new test."""
    kind, flag = option.type, option.flag
    if isinstance(kind, Flag):
        return Sample([flag], "yes", "true", True)
    if isinstance(kind, Count):
        return Sample([flag, flag], "2", "2", 2)
    if isinstance(kind, Ignores):
        items = ["six:built elsewhere", "numpy"]
        toml = '{ six = "built elsewhere", numpy = "" }'
        return Sample([flag, items[0], flag, items[1]], "\n".join(items), toml, tuple(items))
    if isinstance(kind, Strings):
        items = ["x=1", "y=2"]
        if isinstance(kind, IndexURLs):
            items = ["https://a.example/simple/", "https://b.example/simple/"]
        toml = "[" + ", ".join(f'"{item}"' for item in items) + "]"
        return Sample([flag, items[0], flag, items[1]], ", ".join(items), toml, tuple(items))
    if isinstance(kind, Choice | EnumChoice):
        names = kind.names if isinstance(kind, EnumChoice) else kind
        default = option.type.click_default(option.default)
        value = next(c for c in reversed(names.choices) if c != default)
        return Sample([flag, value], value, f'"{value}"', kind.check(value))
    if isinstance(kind, Integer | Number):
        value = kind.low + 7 if isinstance(kind, Integer) else 7.5
        return Sample([flag, str(value)], str(value), str(value), value)
    text, expected = _sample_text(kind, folder)
    return Sample([flag, text], text, f'"{text}"', expected)


def _sample_text(kind: object, folder: Path) -> tuple[str, object]:
    if isinstance(kind, IndexURL):
        return "https://example.org/simple/", "https://example.org/simple/"
    if isinstance(kind, MirrorName):
        return "tuna", "tuna"
    if isinstance(kind, Text):
        return "3.13", "3.13"
    if isinstance(kind, CertFile):
        (folder / "ca.pem").write_text("not read here\n", encoding="utf-8")
        return "ca.pem", "ca.pem"
    assert isinstance(kind, PathValue), f"no sample for {kind!r}: add one here"
    if kind.file_okay:  # a file: also a usable --config
        (folder / "sample.toml").write_text("[tool.wheelcheck]\n", encoding="utf-8")
        return "sample.toml", Path("sample.toml")
    (folder / "sample-dir").mkdir(exist_ok=True)
    return "sample-dir", Path("sample-dir")


COMMAND_LINES: dict[Command, list[str]] = {
    "check": ["requirements.txt"],
    "dockerfile": [],
    "plan": ["requirements.txt"],
}


def settings_of(command: Command, *args: str) -> Settings:
    """The settings the real click command builds from `args`, the environment and the
    working directory's pyproject.toml (parsed as on the command line; not run)."""
    cli = main.commands[command]  # type: ignore[attr-defined]
    # With the group's context settings: click keeps the help option a command first built,
    # and one built without them would drop -h from every later --help of the command.
    with cli.make_context(command, [*COMMAND_LINES[command], *args], **main.context_settings):  # type: ignore[attr-defined]
        return command_settings(command)


# The CheckOptions field each setting fills, when it is not the setting's own name.
def check_option_value(options: CheckOptions, option: Option[object], source: str) -> object:
    match option.name:
        case "no_cache":
            return not options.cache
        case "no_advice":
            return not (options.advice or options.sizes)
        case "no_sizes":
            return not options.sizes
        case "cert":
            return options.verify
        case "cache_dir":
            # From WHEELCHECK_CACHE_DIR the check reads the variable itself (and names it).
            return options.cache_dir if source == "cli" else Path(os.environ[CACHE_DIR_VARIABLE])
        case name:
            return getattr(options, name)


IN_CHECK_OPTIONS = {f.name for f in dataclasses.fields(CheckOptions)} | {
    "no_cache",
    "no_advice",
    "no_sizes",
    "cert",
}
WALK = [
    (command, option, source)
    for command in COMMANDS
    for option in options_of(command)
    for source, where in (("cli", option.flags), ("env", option.env), ("file", option.key))
    if where is not None
]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # relative paths, and no pyproject.toml above
    return tmp_path


@pytest.mark.parametrize(
    ("command", "option", "source"), WALK, ids=[f"{c}-{o.name}-{s}" for c, o, s in WALK]
)
def test_every_option_is_accepted_from_each_of_its_sources(
    command: Command,
    option: Option[object],
    source: str,
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    value = sample(option, folder)
    if source == "cli":
        settings = settings_of(command, *value.cli)
        assert settings.source(option) == option.flag
    elif source == "env" and option.env is not None:
        monkeypatch.setenv(option.env, value.env)
        settings = settings_of(command)
        assert settings.source(option) == option.env
    else:
        (folder / "pyproject.toml").write_text(
            f"[tool.wheelcheck]\n{option.key} = {value.toml}\n", encoding="utf-8"
        )
        settings = settings_of(command)
        assert settings.source(option) == f"{folder / 'pyproject.toml'}:2"
    assert settings[option] == value.expected
    if option.name in IN_CHECK_OPTIONS:
        options = check_options(settings)
        assert check_option_value(options, option, source) == value.expected


@pytest.mark.parametrize("command", COMMANDS)
def test_the_command_line_wins_over_the_environment_which_wins_over_the_file(
    command: Command, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder / "pyproject.toml").write_text(
        '[tool.wheelcheck]\ntimeout = 5\nretries = 5\ntargets = ["python:3.11-slim"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("WHEELCHECK_TIMEOUT", "6")
    monkeypatch.setenv("WHEELCHECK_TARGETS", "python:3.12-slim")
    settings = settings_of(command, "--target", "python:3.13-slim")
    assert (settings[TIMEOUT], settings[RETRIES]) == (6.0, 5)
    assert settings[TARGETS] == ("python:3.13-slim",)


def test_each_command_applies_only_its_own_settings(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check's fail-on means nothing to dockerfile, and its dockerfile-fail-on nothing to
    check: each is read (and checked) by both, and applied by its own command only."""
    (folder / "pyproject.toml").write_text(
        '[tool.wheelcheck]\nfail-on = "source"\ndockerfile-fail-on = "warning"\n',
        encoding="utf-8",
    )
    check, dockerfile = settings_of("check"), settings_of("dockerfile")
    assert (check[FAIL_ON], check[FAIL_ON_SEVERITY]) == (("source",), "error")
    assert (dockerfile[FAIL_ON], dockerfile[FAIL_ON_SEVERITY]) == (("missing",), "warning")


@pytest.mark.parametrize("command", COMMANDS)
def test_help_flags_and_defaults_come_from_the_table(
    command: Command, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CACHE_DIR_VARIABLE)
    cli = main.commands[command]  # type: ignore[attr-defined]
    params = {p.name: p for p in cli.params if isinstance(p, click.Option) and p.name != "help"}
    rows = {option.name: option for option in options_of(command)}
    assert list(params) == list(rows)  # every option of the command is a row, in its order
    defaults = settings_of(command)
    for name, param in params.items():
        row = rows[name]
        assert param.help == row.help_for(command), name
        assert (*param.opts, *param.secondary_opts) == row.flags, name
        assert param.default == row.type.click_default(row.default), name
        assert param.show_default == row.shows_default(), name
        assert defaults[row] == row.default, name


def test_the_table_is_consistent() -> None:
    names = [option.name for option in OPTIONS]
    keys = [option.key for option in OPTIONS if option.key is not None]
    assert len(set(names)) == len(names) and len(set(keys)) == len(keys)
    for option in OPTIONS:
        assert option.commands, option.name
        if option.key is not None and option.env is not None:
            assert option.env == "WHEELCHECK_" + option.key.upper().replace("-", "_")
        for command in option.commands:
            assert option.help_for(command), (option.name, command)
    for command in COMMANDS:
        flags = [flag for option in options_of(command) for flag in option.flags]
        assert len(set(flags)) == len(flags), command


@pytest.mark.parametrize("flag", ["--timeout", "--cache-max-age"])
def test_nan_is_refused_on_the_command_line_too(flag: str, tmp_path: Path) -> None:
    # Found in review: click's FloatRange lets NaN through; --timeout nan was a traceback.
    from click.testing import CliRunner

    from wheelcheck._cli import main

    requirements = tmp_path / "requirements.txt"
    requirements.write_text("six\n", encoding="utf-8")
    outcome = CliRunner().invoke(main, ["check", str(requirements), flag, "nan"])
    assert outcome.exit_code == 2
    assert "expected a number, not nan" in outcome.stderr


def test_verbose_written_as_a_flag_still_counts_once() -> None:
    # -v was a flag: `verbose = true` and WHEELCHECK_VERBOSE=yes keep meaning -v
    from wheelcheck.options import VERBOSE

    assert VERBOSE.type.from_toml(True) == 1 and VERBOSE.type.from_env("yes") == 1
    assert VERBOSE.type.from_toml(False) == 0 and VERBOSE.type.from_env("off") == 0
    assert VERBOSE.type.check(5) == 2  # -vvvvv: all there is
    with pytest.raises(ValueError, match="0 to 2"):
        VERBOSE.type.from_toml(3)
    with pytest.raises(ValueError, match="expected 1/true"):
        VERBOSE.type.from_env("loud")


def test_a_wrong_row_of_the_shipped_table_names_the_row() -> None:
    # data/options.toml is read on import: a maintainer's typo fails every test, named
    from wheelcheck.options import _read_row, _row

    row = {"flags": ["--x"], "type": "flag", "default": False, "commands": ["check"]}
    with pytest.raises(ValueError, match=r"options.toml \[x\]: unknown fields \['helps'\]"):
        _read_row("x", {**row, "help": "X.", "helps": "X."})
    with pytest.raises(TypeError, match=r"options.toml \[timeout\]: not a Flag"):
        _row("timeout", Flag)
