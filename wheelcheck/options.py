"""Every option of wheelcheck, in one table, and the options of a check (`CheckOptions`).

The table is data: data/options.toml, one row an option, says its flags, value type, default,
help, the commands it applies to (``check``, ``dockerfile``, ``plan``), and where else it may
be set: its key in ``[tool.wheelcheck]`` and its ``WHEELCHECK_*`` variable (none: the command
line only). It is read once, here, into `OPTIONS`; below it each option the code uses has a
typed name (``settings[TIMEOUT]`` is a float), checked against its row when this module is
imported. From the table come the click options of every command (`click_options`), the
reading of the file and the environment (wheelcheck._config), and the `CheckOptions` of a
command run (`check_options`). Precedence: the command line, then the environment, then the
file, then the row's default. Adding an option is a row there, its name here, and its use.

The library takes `CheckOptions` (or the same names as keyword arguments, `CheckOverrides`)::

    wheelcheck.check(["requirements.txt"], options=CheckOptions(targets=["python:3.12-slim"]))
    wheelcheck.check(["requirements.txt"], targets=["python:3.12-slim"])
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, TypedDict, TypeVar, cast, get_type_hints

from wheelcheck._argtypes import require_type
from wheelcheck._data import read_toml
from wheelcheck._option_types import (
    VALUE_TYPES,
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
    ValueType,
)
from wheelcheck.models import Target

if TYPE_CHECKING:
    from wheelcheck._config import Settings
    from wheelcheck._report import Format

__all__ = [
    "CACHE_DIR_VARIABLE",
    "COMMANDS",
    "OPTIONS",
    "CheckOptions",
    "CheckOverrides",
    "Command",
    "Option",
    "check_options",
    "click_options",
    "options_of",
]

Command = Literal["check", "dockerfile", "plan"]
COMMANDS: tuple[Command, ...] = ("check", "dockerfile", "plan")
_COMMAND_NAMED: Mapping[str, Command] = {command: command for command in COMMANDS}

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class Option(Generic[T_co]):
    """One row of the table."""

    name: str  # the click parameter and the settings name: "fail_on"
    flags: tuple[str, ...]  # "-f", "--format"
    type: ValueType[T_co]
    default: T_co
    help: str | Mapping[Command, str]  # a mapping where the commands mean it differently
    commands: frozenset[Command]
    key: str | None = None  # in [tool.wheelcheck]; None: not in the file
    env: str | None = None  # WHEELCHECK_*; None: not from the environment
    metavar: str | None = None

    @property
    def flag(self) -> str:
        """The long flag, as messages name the option: ``--fail-on``."""
        return self.flags[-1]

    def help_for(self, command: Command) -> str:
        """Its help for `command`; a plan reads the check's unless it has its own."""
        if isinstance(self.help, str):
            return self.help
        return self.help.get(command) or self.help["check"]

    def shows_default(self) -> bool:
        """Whether --help shows the default: only a default that says something (not a
        flag's, not a count's)."""
        if isinstance(self.type, Count):
            return False
        return self.default not in (None, ()) and self.default is not False

    def click_option(self, command: Command) -> Callable[[F], F]:
        import click

        return click.option(
            *self.flags,
            self.name,
            default=self.type.click_default(self.default),
            show_default=self.shows_default(),
            metavar=self.metavar,
            help=self.help_for(command),
            **self.type.click(),
        )


# The fields a row of data/options.toml may have (its header says what each means).
_ROW_FIELDS = frozenset(
    {"flags", "type", "type-args", "default", "commands", "key", "env", "metavar", "help"}
)


def _read_row(name: str, row: Mapping[str, Any]) -> Option[object]:
    """The option of one row. Raises ValueError or KeyError, naming the row, where the
    shipped table is wrong: a maintainer's mistake, found by any test on import."""
    unknown = set(row) - _ROW_FIELDS
    if unknown:
        raise ValueError(f"options.toml [{name}]: unknown fields {sorted(unknown)}")
    args = {
        arg.replace("-", "_"): tuple(value) if isinstance(value, list) else value
        for arg, value in row.get("type-args", {}).items()
    }
    value_type = VALUE_TYPES[row["type"]](**args)
    help_text = row["help"]
    return Option(
        name=name,
        flags=tuple(row["flags"]),
        type=value_type,
        # written as the file would write it, so read as the file is
        default=value_type.from_toml(row["default"]) if "default" in row else None,
        help=help_text if isinstance(help_text, str) else _by_command(help_text),
        commands=frozenset(_by_command(dict.fromkeys(row["commands"], ""))),
        key=row.get("key"),
        env=row.get("env"),
        metavar=row.get("metavar"),
    )


def _by_command(values: Mapping[str, str]) -> dict[Command, str]:
    return {_COMMAND_NAMED[command]: value for command, value in values.items()}


OPTIONS: tuple[Option[object], ...] = tuple(
    _read_row(name, row) for name, row in read_toml("options.toml").items()
)
_NAMED: Mapping[str, Option[object]] = {option.name: option for option in OPTIONS}


def _row(name: str, kind: type[ValueType[T]]) -> Option[T]:
    """The row `name`, whose type must be `kind` and whose default a value of it."""
    option = _NAMED[name]
    if not isinstance(option.type, kind) or option.default is None:
        raise TypeError(f"options.toml [{name}]: not a {kind.__name__} with a default")
    return cast("Option[T]", option)  # checked just above


def _optional_row(name: str, kind: type[ValueType[T]]) -> Option[T | None]:
    """The row `name`, whose type must be `kind` and which has no default (None)."""
    option = _NAMED[name]
    if not isinstance(option.type, kind) or option.default is not None:
        raise TypeError(f"options.toml [{name}]: not a {kind.__name__} without a default")
    return cast("Option[T | None]", option)  # checked just above


# The options by the names the code uses, in the table's order.
CONTEXT = _optional_row("context", PathValue)
TARGETS = _row("targets", Strings)
ARCHES = _row("arches", Strings)
PYTHON = _optional_row("python", Text)
INDEX_URL = _optional_row("index_url", IndexURL)
EXTRA_INDEX_URLS = _row("extra_index_urls", IndexURLs)
MIRROR = _optional_row("mirror", MirrorName)
BUILD_ARGS = _row("build_args", Strings)
PRE = _row("pre", Flag)
PREFER_BINARY = _row("prefer_binary", Flag)
NO_DEPS = _row("no_deps", Flag)
NO_CHECK = _row("no_check", Flag)
NO_ADVICE = _row("no_advice", Flag)
NO_SIZES = _row("no_sizes", Flag)
KIND = _optional_row("kind", Choice)
FORMAT_IN = _optional_row("format_in", Choice)
DEV = _row("dev", Flag)
ENVIRONMENT = _row("environment", Text)
EXTRAS = _row("extras", Strings)
GROUPS = _row("groups", Strings)
PREFER = _row("prefer", Choice)
ALLOW_OUTSIDE = _row("allow_outside", Flag)
ALLOW_SWAPS = _row("allow_swaps", Flag)
FORMAT: Option[Format] = _row("fmt", EnumChoice)
OUTPUT = _optional_row("output", PathValue)
REPORTS = _row("reports", Strings)
FIX = _row("fix", Flag)
DIFF = _row("diff", Flag)
WRITE = _row("write", Flag)
FAIL_ON = _row("fail_on", Strings)
# The dockerfile command's --fail-on, a severity of its findings: another setting.
FAIL_ON_SEVERITY = _row("fail_on_severity", Choice)
IGNORE = _row("ignore", Ignores)
CONFIG = _optional_row("config", PathValue)
TIMEOUT = _row("timeout", Number)
RETRIES = _row("retries", Integer)
CERT = _optional_row("cert", CertFile)
CACHE_DIR = _optional_row("cache_dir", PathValue)
NO_CACHE = _row("no_cache", Flag)
REFRESH = _row("refresh", Flag)
OFFLINE = _row("offline", Flag)
CACHE_MAX_AGE = _row("cache_max_age", Number)
QUIET = _row("quiet", Flag)
VERBOSE = _row("verbose", Count)
SHOW_ALL = _row("all", Flag)
COLOR = _row("color", Choice)

# A directory of this machine, so not in a project's file; the check reads the variable
# itself (CheckOptions.environ) and names it when the directory cannot be used.
if CACHE_DIR.env is None:
    raise TypeError("options.toml [cache_dir]: the check reads its variable, so it needs one")
CACHE_DIR_VARIABLE: str = CACHE_DIR.env


def options_of(command: Command) -> tuple[Option[object], ...]:
    """The rows of `command`, in --help order."""
    return tuple(option for option in OPTIONS if command in option.commands)


def click_options(command: Command) -> Callable[[F], F]:
    """A decorator giving a click command the options of `command`, from the table."""

    def decorate(function: F) -> F:
        for option in reversed(options_of(command)):
            function = option.click_option(command)(function)
        return function

    return decorate


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """Everything besides the requirements that shapes a check. The library's defaults are
    the command line's but for the cache, advice and sizes, which the library asks for."""

    targets: Sequence[str | Target] = ()
    arches: Sequence[str] = ()
    python: str | None = None
    index_url: str | None = None
    extra_index_urls: Sequence[str] = ()
    mirror: str | None = None
    pre: bool = False
    prefer_binary: bool = False
    no_deps: bool = False
    max_connections: int = 8  # the index serves everyone: a pool the size of the download floor
    timeout: float = TIMEOUT.default
    retries: int = RETRIES.default
    verify: bool | str = True  # True: --cert, PIP_CERT, REQUESTS_CA_BUNDLE, SSL_CERT_FILE
    environ: Mapping[str, str] | None = None  # None: os.environ
    # The on-disk cache (issue 7): off for the library unless asked (`cache=True` or a
    # `cache_dir`); the CLI turns it on. cache_dir None: WHEELCHECK_CACHE_DIR, else the
    # user cache directory. cache_max_age: freshness of pages sent without cache headers.
    cache: bool = False
    cache_dir: str | Path | None = None
    refresh: bool = False
    offline: bool = False
    cache_max_age: float = CACHE_MAX_AGE.default
    # Reuse the report of an identical earlier check while every cache entry it read is
    # unchanged and fresh (wheelcheck._cache.checks); False recomputes it from the cached pages.
    reuse: bool = True
    pip_config_files: Sequence[Path] | None = None  # None: pip's usual places
    kind: str | None = None  # input file kind (SourceKind value); None: from the file name
    format_in: str | None = None  # the kind of files whose name does not tell it
    extras: Sequence[str] = ()  # of pyproject.toml / lockfiles
    groups: Sequence[str] = ()  # dependency groups of pyproject.toml / lockfiles
    dev: bool = False  # development packages of Pipfile, Pipfile.lock and pdm.lock
    environment: str = "default"  # the pixi environment of a pixi.lock
    # Issue 4 advice costs extra requests, so the library asks for it (the CLI does by
    # default): build needs and remedies for source builds (reads their sdists), and
    # installed sizes with image estimates (range-reads every chosen wheel).
    advice: bool = False
    sizes: bool = False

    def __post_init__(self) -> None:
        # A caller mypy does not see may pass a string for a list, or a number for a string.
        hints = _check_option_hints()
        for name, annotation in hints.items():
            require_type(name, getattr(self, name), annotation)


@functools.cache
def _check_option_hints() -> dict[str, Any]:
    return get_type_hints(CheckOptions)


class CheckOverrides(TypedDict, total=False):
    """The fields of CheckOptions as keyword arguments of `check` and `acheck` (a test
    keeps the two equal)."""

    targets: Sequence[str | Target]
    arches: Sequence[str]
    python: str | None
    index_url: str | None
    extra_index_urls: Sequence[str]
    mirror: str | None
    pre: bool
    prefer_binary: bool
    no_deps: bool
    max_connections: int
    timeout: float
    retries: int
    verify: bool | str
    environ: Mapping[str, str] | None
    cache: bool
    cache_dir: str | Path | None
    refresh: bool
    offline: bool
    cache_max_age: float
    reuse: bool
    pip_config_files: Sequence[Path] | None
    kind: str | None
    format_in: str | None
    extras: Sequence[str]
    groups: Sequence[str]
    dev: bool
    environment: str
    advice: bool
    sizes: bool


# The fields of CheckOptions a setting of the same name fills; check_options sets the others.
_SAME_NAMED = frozenset(field.name for field in fields(CheckOptions)) - {
    "advice",
    "sizes",
    "verify",
    "cache",
    "cache_dir",
}


def check_options(settings: Settings) -> CheckOptions:
    """The CheckOptions of a command run (a setting its command lacks keeps the table's
    default). A setting named as a field of CheckOptions passes as it is; the others below
    say what they turn on or off. A cache directory from WHEELCHECK_CACHE_DIR is left to the
    check, which reads the variable itself and names it if the directory cannot be used."""
    same: dict[str, Any] = {  # typed by the table; CheckOptions checks each on the way in
        option.name: settings[option] for option in OPTIONS if option.name in _SAME_NAMED
    }
    no_cache, no_advice = settings[NO_CACHE], settings[NO_ADVICE]
    cache_dir = settings[CACHE_DIR] if settings.is_given(CACHE_DIR) else None
    return CheckOptions(
        **same,
        advice=not no_advice,
        sizes=not (settings[NO_SIZES] or no_advice),
        verify=settings[CERT] or True,
        cache=not no_cache,
        cache_dir=None if no_cache else cache_dir,
    )
