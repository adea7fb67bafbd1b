"""Configuration: `[tool.wheelcheck]` in pyproject.toml and `WHEELCHECK_*` variables.

Precedence: the command line, then the environment, then the file, then the built-in
defaults. A setting is replaced whole by a higher source, never merged (a `--target` on the
command line replaces the file's `targets`). An unknown key in the file is an error naming the
key, the file and its line; an unknown `WHEELCHECK_*` variable is a warning.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from wheelcheck._limits import MAX_TOML_BYTES, over_file_cap
from wheelcheck._report import Format
from wheelcheck.errors import InputError, InputProblem, InvalidInputFiles

Kind = Literal["str", "list", "bool", "int", "float", "ignore", "choice"]
ENV_PREFIX = "WHEELCHECK_"


@dataclass(frozen=True, slots=True)
class Key:
    """One setting: its name in the file, its CLI parameter, and its type."""

    name: str  # in [tool.wheelcheck], e.g. "fail-on"
    param: str  # the click parameter it fills, e.g. "fail_on"
    kind: Kind
    choices: tuple[str, ...] = ()

    @property
    def env(self) -> str:
        """``WHEELCHECK_FAIL_ON`` for ``fail-on``."""
        return ENV_PREFIX + self.name.upper().replace("-", "_")


KEYS: tuple[Key, ...] = (
    Key("targets", "targets", "list"),
    Key("arches", "arches", "list"),
    Key("python", "python", "str"),
    Key("fail-on", "fail_on", "list"),
    Key("ignore", "ignore", "ignore"),
    Key("index-url", "index_url", "str"),
    Key("extra-index-urls", "extra_index_urls", "list"),
    Key("mirror", "mirror", "str"),
    Key("format", "fmt", "choice", tuple(f.value for f in Format)),
    Key("pre", "pre", "bool"),
    Key("prefer-binary", "prefer_binary", "bool"),
    Key("no-deps", "no_deps", "bool"),
    Key("timeout", "timeout", "float"),
    Key("retries", "retries", "int"),
)
BY_NAME = {k.name: k for k in KEYS}
BY_ENV = {k.env: k for k in KEYS}
# Variables with the prefix that are not settings (read elsewhere).
OTHER_ENV: frozenset[str] = frozenset({"WHEELCHECK_CONFIG", "WHEELCHECK_CACHE_DIR"})

Value = str | bool | int | float | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Setting:
    """A value and where it came from: ``pyproject.toml:12`` or ``WHEELCHECK_TARGETS``."""

    value: Value
    source: str


@dataclass(frozen=True, slots=True)
class Settings:
    """What the file and the environment set, by CLI parameter name (environment wins)."""

    values: Mapping[str, Setting] = field(default_factory=dict)
    file: Path | None = None  # the file read, if any
    warnings: tuple[str, ...] = ()

    def merge(self, cli: Mapping[str, object], given: Collection[str]) -> dict[str, object]:
        """`cli` values with every parameter not in `given` (not typed on the command line)
        taken from these settings when they set it."""
        merged = dict(cli)
        for param, setting in self.values.items():
            if param not in given and param in merged:
                merged[param] = setting.value
        return merged


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml in `start` or its parents, or None."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_settings(*, config_file: Path | None, cwd: Path, environ: Mapping[str, str]) -> Settings:
    """The file's settings (`config_file`, else the nearest pyproject.toml from `cwd`)
    overlaid with the environment's. Raises InputError (InvalidInputFiles for the file, with
    line numbers) for unknown keys and bad values."""
    path = config_file if config_file is not None else find_pyproject(cwd)
    values: dict[str, Setting] = {}
    if path is not None:
        values.update(read_file_settings(path, required=config_file is not None))
    env_values, warnings = read_env_settings(environ)
    values.update(env_values)
    return Settings(values=values, file=path, warnings=tuple(warnings))


def read_file_settings(path: Path, *, required: bool = False) -> dict[str, Setting]:
    """`[tool.wheelcheck]` of the TOML file `path`, by CLI parameter name. A file without
    the table sets nothing (an error when `required`). Raises InvalidInputFiles listing every
    unknown key and bad value as FILE:LINE."""
    shown = str(path)
    try:
        with path.open("rb") as stream:
            content = stream.read(MAX_TOML_BYTES + 1)
        if len(content) > MAX_TOML_BYTES:
            problem = InputProblem(shown, *over_file_cap(content, MAX_TOML_BYTES, "a TOML file"))
            raise InvalidInputFiles([problem])
        text = content.decode("utf-8")
    except OSError as error:
        raise InputError(f"{shown}: cannot read the configuration: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise InvalidInputFiles(
            [InputProblem(shown, None, f"not UTF-8 text (TOML is UTF-8): {error.reason}")]
        ) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidInputFiles([InputProblem(shown, None, f"invalid TOML: {error}")]) from None
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
        key = BY_NAME.get(name)
        if key is None:
            problems.append(InputProblem(shown, line, _unknown(name, BY_NAME, "[tool.wheelcheck]")))
            continue
        where = f"{shown}:{line}" if line else shown
        try:
            found[key.param] = Setting(_checked(key, _in_range(key, _from_toml(key, raw))), where)
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
        key = BY_ENV.get(name)
        if key is None:
            warnings.append(_unknown(name, BY_ENV, "environment variable"))
            continue
        raw = environ[name]
        if not raw.strip():
            continue
        try:
            found[key.param] = Setting(_checked(key, _in_range(key, _from_env(key, raw))), name)
        except _BadIndex as error:
            raise InputError(f"{name}: {error}") from None  # the value is quoted, redacted
        except ValueError as error:
            raise InputError(f"{name}={raw!r}: {error}") from None
    return found, warnings


class _BadIndex(ValueError):
    """An index URL or mirror name that cannot be used; the message quotes it safely."""


def _checked(key: Key, value: Value) -> Value:
    """`value` when the setting can be used as is; index URLs and mirror names are checked
    here, where their source is known, so a typo fails naming the file line or variable."""
    # Imported here: the index package is not needed to read the other settings.
    from wheelcheck._index.config import mirror_url
    from wheelcheck._index.urls import index_url_problem, quote_url
    from wheelcheck.errors import InvalidIndexURL

    if key.param in ("index_url", "extra_index_urls"):
        urls = (value,) if isinstance(value, str) else value
        for url in urls if isinstance(urls, tuple) else ():
            problem = index_url_problem(url)
            if problem is not None:
                raise _BadIndex(f"{quote_url(url)} {problem}")
    elif key.param == "mirror" and isinstance(value, str):
        try:
            mirror_url(value)
        except InvalidIndexURL as error:
            raise _BadIndex(str(error).removeprefix(f"{error.source}: ")) from None
    return value


def _unknown(name: str, known: Mapping[str, Key], where: str) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    if where == "environment variable":
        return f"unknown environment variable {name}{hint}; ignored"
    return f"unknown key {name!r} in {where}{hint}; known keys: {', '.join(known)}"


# The ranges the command line enforces (--timeout above 0, --retries 0 to 10), for the same
# settings from the file or the environment: (lowest, highest, the lowest excluded).
_RANGES: Mapping[str, tuple[float, float | None, bool]] = {
    "timeout": (0, None, True),
    "retries": (0, 10, False),
}


def _in_range(key: Key, value: Value) -> Value:
    bounds = _RANGES.get(key.name)
    if bounds is None or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    low, high, low_excluded = bounds
    inside = (value > low if low_excluded else value >= low) and (high is None or value <= high)
    if not inside:
        wanted = f"a number above {low:g}" if high is None else f"{low:g} to {high:g}"
        raise ValueError(f"expected {wanted}, not {value!r}")
    return value


def _from_toml(key: Key, raw: object) -> Value:
    match key.kind:
        case "str":
            if not isinstance(raw, str):
                raise ValueError(f'expected a string, such as "3.12", not {raw!r}')
            return raw
        case "choice":
            if raw not in key.choices:
                raise ValueError(f"expected one of {', '.join(key.choices)}, not {raw!r}")
            assert isinstance(raw, str)
            return raw
        case "list":
            if isinstance(raw, str):
                return (raw,)
            if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
                return tuple(raw)
            raise ValueError("expected a string or a list of strings")
        case "ignore":
            if isinstance(raw, dict):
                if not all(isinstance(v, str) for v in raw.values()):
                    raise ValueError("expected a table of NAME = REASON strings")
                return tuple(f"{k}:{v}" if v else str(k) for k, v in raw.items())
            if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
                return tuple(raw)
            raise ValueError('expected a list of "NAME[:REASON]" or a table of NAME = REASON')
        case "bool":
            if not isinstance(raw, bool):
                raise ValueError(f"expected true or false, not {raw!r}")
            return raw
        case "int":
            if isinstance(raw, bool) or not isinstance(raw, int):
                raise ValueError(f"expected an integer, not {raw!r}")
            return raw
        case "float":
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                raise ValueError(f"expected a number, not {raw!r}")
            return float(raw)


_LIST_SEPARATORS = re.compile(r"[\s,]+")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _from_env(key: Key, raw: str) -> Value:
    text = raw.strip()
    match key.kind:
        case "str":
            return text
        case "choice":
            if text not in key.choices:
                raise ValueError(f"expected one of {', '.join(key.choices)}")
            return text
        case "list":
            return tuple(item for item in _LIST_SEPARATORS.split(text) if item)
        case "ignore":
            # One NAME: REASON per line; a line without a reason may list several names.
            items: list[str] = []
            for line in text.splitlines():
                if ":" in line:
                    items.append(line.strip())
                else:
                    items.extend(item for item in _LIST_SEPARATORS.split(line) if item)
            return tuple(items)
        case "bool":
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise ValueError("expected 1/true/yes/on or 0/false/no/off")
        case "int":
            try:
                return int(text)
            except ValueError:
                raise ValueError("expected an integer") from None
        case "float":
            try:
                return float(text)
            except ValueError:
                raise ValueError("expected a number") from None


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
