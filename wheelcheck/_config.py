"""Configuration: `[tool.wheelcheck]` in pyproject.toml and `WHEELCHECK_*` variables, as
the option table (wheelcheck.options) names them, merged with the command line into the
typed `Settings` of one command run.

Precedence: the command line, then the environment, then the file, then the table's
defaults. A setting is replaced whole by a higher source, never merged (a `--target` on the
command line replaces the file's `targets`). An unknown key in the file is an error naming the
key, the file and its line; an unknown `WHEELCHECK_*` variable is a warning. Every key and
variable is read and checked whichever command runs (the configuration is one document);
each command applies those of its own options.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from wheelcheck._option_types import RedactedValueError
from wheelcheck._sources.pyproject import load_toml
from wheelcheck.errors import InputError, InputProblem, InvalidInputFiles
from wheelcheck.options import OPTIONS, Command, Option, options_of

ENV_PREFIX = "WHEELCHECK_"
BY_KEY: Mapping[str, Option[object]] = {o.key: o for o in OPTIONS if o.key is not None}
BY_ENV: Mapping[str, Option[object]] = {o.env: o for o in OPTIONS if o.env is not None}
# Variables with the prefix that are not settings.
OTHER_ENV: frozenset[str] = frozenset({"WHEELCHECK_CONFIG"})

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Setting:
    """A value and where it came from: ``pyproject.toml:12`` or ``WHEELCHECK_TARGETS``."""

    value: object  # as its option's type parsed it; Settings checks it on the way out
    source: str


@dataclass(frozen=True, slots=True)
class Configuration:
    """What the file and the environment set, by option name (the environment wins), for
    every command: a command applies the settings of its own options."""

    values: Mapping[str, Setting] = field(default_factory=dict)
    file: Path | None = None  # the file read, if any
    warnings: tuple[str, ...] = ()

    def settings_for(
        self, command: Command, cli: Mapping[str, object], given: Collection[str]
    ) -> Settings:
        """The settings of one run of `command`: `cli` (click's parameters) where `given`
        (typed on the command line), else this configuration, else the table's defaults."""
        names = {option.name for option in options_of(command)}
        return Settings(
            command=command,
            configured={n: s for n, s in self.values.items() if n in names},
            given={n: v for n, v in cli.items() if n in given and n in names},
            file=self.file,
            warnings=self.warnings,
        )


@dataclass(frozen=True, slots=True)
class Settings:
    """One command run's settings, typed: ``settings[TIMEOUT]`` is a float."""

    command: Command
    configured: Mapping[str, Setting]  # from the file and the environment
    given: Mapping[str, object]  # typed on the command line
    file: Path | None = None
    warnings: tuple[str, ...] = ()

    def __getitem__(self, option: Option[T]) -> T:
        if option.name in self.given:
            return option.type.check(self.given[option.name])
        setting = self.configured.get(option.name)
        if setting is not None:
            return option.type.check(setting.value)
        return option.default

    def is_given(self, option: Option[object]) -> bool:
        """True when the command line set `option`."""
        return option.name in self.given

    def source(self, option: Option[object]) -> str:
        """Where the value of `option` came from: its flag (the command line, or its
        default), a variable, or ``FILE:LINE``."""
        setting = self.configured.get(option.name)
        if option.name in self.given or setting is None:
            return option.flag
        return setting.source


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml in `start` or its parents, or None."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_configuration(
    *, config_file: Path | None, cwd: Path, environ: Mapping[str, str]
) -> Configuration:
    """The file's settings (`config_file`, else the nearest pyproject.toml from `cwd`)
    overlaid with the environment's. Raises InputError (InvalidInputFiles for the file, with
    line numbers) for unknown keys and bad values."""
    path = config_file if config_file is not None else find_pyproject(cwd)
    values: dict[str, Setting] = {}
    if path is not None:
        values.update(read_file_settings(path, required=config_file is not None))
    env_values, warnings = read_env_settings(environ)
    values.update(env_values)
    return Configuration(values=values, file=path, warnings=tuple(warnings))


def read_file_settings(path: Path, *, required: bool = False) -> dict[str, Setting]:
    """`[tool.wheelcheck]` of the TOML file `path`, by option name. A file without
    the table sets nothing (an error when `required`). Raises InvalidInputFiles listing every
    unknown key and bad value as FILE:LINE."""
    shown = str(path)
    toml = load_toml(shown)  # capped, UTF-8, tomllib's line on a syntax error
    document, text = toml.data, "\n".join(toml.lines)
    tool = document.get("tool")
    table = tool.get("wheelcheck") if isinstance(tool, dict) else None
    if table is None:
        if required:
            raise InputError(f"{shown}: no [tool.wheelcheck] table")
        return {}
    lines = _key_lines(text)
    if not isinstance(table, dict):
        raise InvalidInputFiles(
            [InputProblem(shown, lines.get(""), "tool.wheelcheck must be a table")]
        )
    problems: list[InputProblem] = []
    found: dict[str, Setting] = {}
    for name, raw in table.items():
        line = lines.get(name, lines.get(""))
        option = BY_KEY.get(name)
        if option is None:
            problems.append(InputProblem(shown, line, _unknown(name, BY_KEY, "[tool.wheelcheck]")))
            continue
        where = f"{shown}:{line}" if line else shown
        try:
            found[option.name] = Setting(option.type.from_toml(raw), where)
        except ValueError as error:
            problems.append(InputProblem(shown, line, f"{name}: {error}"))
    if problems:
        raise InvalidInputFiles(problems)
    return found


def read_env_settings(environ: Mapping[str, str]) -> tuple[dict[str, Setting], list[str]]:
    """Settings from `WHEELCHECK_*` variables (an empty variable counts as unset), and
    warnings for unknown ones. Raises InputError naming the variable for a bad value."""
    found: dict[str, Setting] = {}
    warnings: list[str] = []
    for name in sorted(environ):
        if not name.startswith(ENV_PREFIX) or name in OTHER_ENV:
            continue
        option = BY_ENV.get(name)
        if option is None:
            warnings.append(_unknown(name, BY_ENV, "environment variable"))
            continue
        raw = environ[name]
        if not raw.strip():
            continue
        try:
            found[option.name] = Setting(option.type.from_env(raw.strip()), name)
        except RedactedValueError as error:
            raise InputError(f"{name}: {error}") from None  # the value is quoted, redacted
        except ValueError as error:
            raise InputError(f"{name}={raw!r}: {error}") from None
    return found, warnings


def _unknown(name: str, known: Mapping[str, Option[object]], where: str) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    if where == "environment variable":
        return f"unknown environment variable {name}{hint}; ignored"
    return f"unknown key {name!r} in {where}{hint}; known keys: {', '.join(known)}"


_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]")
_KEY = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*[=.]""")


def _key_lines(text: str) -> dict[str, int]:
    """Line numbers of the keys of [tool.wheelcheck] ("" is the table header itself), found
    by scanning: tomllib keeps no positions."""
    lines: dict[str, int] = {}
    table: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = re.sub(r"""\s*\.\s*|["']""", lambda m: "." if "." in m[0] else "", header[1])
            if table == "tool.wheelcheck":
                lines.setdefault("", number)
            elif table.startswith("tool.wheelcheck."):
                lines.setdefault(table.split(".")[2], number)
            continue
        if table == "tool.wheelcheck":
            key = _KEY.match(line)
            if key:
                lines.setdefault(key[1] or key[2] or key[3], number)
    return lines
