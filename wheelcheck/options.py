"""Every option of wheelcheck, in one table, and the options of a check (`CheckOptions`).

Each row (`Option`) says an option's name, type, default, command-line flags, help, the
commands it applies to (``check``, ``dockerfile``), and where else it may be set: its key in
``[tool.wheelcheck]`` and its ``WHEELCHECK_*`` variable (``None``: the command line only).
From the table come the click options of both commands (`click_options`), the reading of
the file and the environment (wheelcheck._config), and the `CheckOptions` of a command run
(`check_options`). Precedence: the command line, then the environment, then the file, then
the defaults here. Adding an option is one row here plus its use.

The library takes `CheckOptions` (or the same names as keyword arguments, `CheckOverrides`)::

    wheelcheck.check(["requirements.txt"], options=CheckOptions(targets=["python:3.12-slim"]))
    wheelcheck.check(["requirements.txt"], targets=["python:3.12-slim"])
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, TypedDict, TypeVar, get_type_hints

from wheelcheck._argtypes import require_type
from wheelcheck._defaults import DEFAULT_MAX_AGE, DEFAULT_RETRIES, DEFAULT_TIMEOUT, MAX_RETRIES
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
    ValueType,
)
from wheelcheck._report import Format
from wheelcheck.models import Target

if TYPE_CHECKING:
    from wheelcheck._config import Settings

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
CHECK: frozenset[Command] = frozenset({"check"})
DOCKERFILE: frozenset[Command] = frozenset({"dockerfile"})
PLAN: frozenset[Command] = frozenset({"plan"})
BOTH: frozenset[Command] = frozenset({"check", "dockerfile"})
ALL: frozenset[Command] = frozenset(COMMANDS)

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


_TABLE: list[Option[object]] = []


def _row(option: Option[T]) -> Option[T]:
    """Add `option` to the table, in --help order."""
    _TABLE.append(option)
    return option


# -- what to check, against what -------------------------------------------------------------

CONTEXT = _row(
    Option(
        name="context",
        flags=("--context",),
        type=PathValue(file_okay=False, exists=True),
        default=None,
        help="Build context directory. Default: the Dockerfile's folder.",
        commands=DOCKERFILE,
    )
)
TARGETS = _row(
    Option(
        name="targets",
        flags=("-t", "--target"),
        type=Strings(),
        default=(),
        help={
            "check": "Docker image (python:3.12-alpine) or tag spec (cp312-musllinux_1_2_x86_64). "
            "Repeatable. Default: the alpine and slim images of --python.",
            "dockerfile": "Check these targets instead of the base images' (for an unknown base). "
            "Repeatable.",
            "plan": "Docker image or tag spec to make compile-free; all of them together. "
            "Repeatable. Default: the alpine image of --python.",
        },
        commands=ALL,
        key="targets",
        env="WHEELCHECK_TARGETS",
        metavar="TARGET",
    )
)
ARCHES = _row(
    Option(
        name="arches",
        flags=("-a", "--arch"),
        type=Strings(),
        default=(),
        help={
            "check": "Architecture for image targets: amd64, arm64, linux/arm/v7, aarch64... "
            "Repeatable. Default: amd64 and arm64.",
            "dockerfile": "Architectures. Default: the FROM --platform, else amd64 and arm64.",
        },
        commands=ALL,
        key="arches",
        env="WHEELCHECK_ARCHES",
        metavar="ARCH",
    )
)
PYTHON = _row(
    Option(
        name="python",
        flags=("--python",),
        type=Text(),
        default=None,
        help="Python for the default targets (3.12).",
        commands=CHECK | PLAN,
        key="python",
        env="WHEELCHECK_PYTHON",
        metavar="X.Y",
    )
)
INDEX_URL = _row(
    Option(
        name="index_url",
        flags=("-i", "--index-url"),
        type=IndexURL(),
        default=None,
        help={
            "check": "Base URL of the Simple index.",
            "dockerfile": "Check against this index instead of the Dockerfile's (-i / "
            "PIP_INDEX_URL in its RUN or ENV).",
        },
        commands=ALL,
        key="index-url",
        env="WHEELCHECK_INDEX_URL",
        metavar="URL",
    )
)
EXTRA_INDEX_URLS = _row(
    Option(
        name="extra_index_urls",
        flags=("--extra-index-url",),
        type=IndexURLs(),
        default=(),
        help={
            "check": "Further indexes to search. Repeatable.",
            "dockerfile": "Further indexes to search instead of the Dockerfile's. Repeatable.",
        },
        commands=ALL,
        key="extra-index-urls",
        env="WHEELCHECK_EXTRA_INDEX_URLS",
        metavar="URL",
    )
)
MIRROR = _row(
    Option(
        name="mirror",
        flags=("--mirror",),
        type=MirrorName(),
        default=None,
        help="A known mirror by name: tuna (Tsinghua), pypi.",
        commands=CHECK | PLAN,
        key="mirror",
        env="WHEELCHECK_MIRROR",
        metavar="NAME",
    )
)
BUILD_ARGS = _row(
    Option(
        name="build_args",
        flags=("--build-arg",),
        type=Strings(),
        default=(),
        help="Override an ARG default, as docker build --build-arg.",
        commands=DOCKERFILE,
        metavar="KEY=VALUE",
    )
)

# -- how pip would choose --------------------------------------------------------------------

PRE = _row(
    Option(
        name="pre",
        flags=("--pre",),
        type=Flag(),
        default=False,
        help="Include pre-releases, as pip --pre.",
        commands=CHECK | PLAN,
        key="pre",
        env="WHEELCHECK_PRE",
    )
)
PREFER_BINARY = _row(
    Option(
        name="prefer_binary",
        flags=("--prefer-binary",),
        type=Flag(),
        default=False,
        help="Prefer older wheels over newer sdists, as pip.",
        commands=CHECK,
        key="prefer-binary",
        env="WHEELCHECK_PREFER_BINARY",
    )
)
NO_DEPS = _row(
    Option(
        name="no_deps",
        flags=("--no-deps",),
        type=Flag(),
        default=False,
        help={
            "check": "Judge only what the files name, trusting them as complete (lockfiles made "
            "elsewhere).",
            "dockerfile": "Judge only what the requirements name.",
        },
        commands=ALL,
        key="no-deps",
        env="WHEELCHECK_NO_DEPS",
    )
)
NO_CHECK = _row(
    Option(
        name="no_check",
        flags=("--no-check",),
        type=Flag(),
        default=False,
        help="Only the Dockerfile rules: ask no index.",
        commands=DOCKERFILE,
    )
)
NO_ADVICE = _row(
    Option(
        name="no_advice",
        flags=("--no-advice",),
        type=Flag(),
        default=False,
        help="Skip build needs, remedies, sizes and image estimates (reads no sdist or wheel).",
        commands=CHECK,
        key="no-advice",
        env="WHEELCHECK_NO_ADVICE",
    )
)
NO_SIZES = _row(
    Option(
        name="no_sizes",
        flags=("--no-sizes",),
        type=Flag(),
        default=False,
        help="Skip installed sizes and image estimates (no range requests for every wheel).",
        commands=CHECK,
        key="no-sizes",
        env="WHEELCHECK_NO_SIZES",
    )
)

# -- what the files are ----------------------------------------------------------------------

# The kinds of input file (wheelcheck._sources.SourceKind values; a test keeps them equal).
_KINDS = (
    "requirements",
    "pyproject",
    "pylock",
    "uv_lock",
    "poetry_lock",
    "pdm_lock",
    "pipfile_lock",
    "pixi_lock",
    "pipfile",
)

KIND = _row(
    Option(
        name="kind",
        flags=("--kind",),
        type=Choice(_KINDS),
        default=None,
        help="Read every FILE as this kind. Default: from the file name (pyproject.toml, "
        "pylock.toml, uv.lock, poetry.lock, pdm.lock, Pipfile.lock, pixi.lock, Pipfile), "
        "else from its content; anything else is a requirements file.",
        commands=CHECK | PLAN,
    )
)
FORMAT_IN = _row(
    Option(
        name="format_in",
        flags=("--format-in",),
        type=Choice(_KINDS),
        default=None,
        help="Read each FILE whose name does not tell its kind as this kind (a renamed lock); "
        "files with a known name keep theirs. Default: from the content.",
        commands=CHECK | PLAN,
    )
)
DEV = _row(
    Option(
        name="dev",
        flags=("--dev",),
        type=Flag(),
        default=False,
        help="Include development packages: Pipfile [dev-packages], Pipfile.lock develop, "
        "pdm.lock's dev groups.",
        commands=CHECK | PLAN,
        key="dev",
        env="WHEELCHECK_DEV",
    )
)
ENVIRONMENT = _row(
    Option(
        name="environment",
        flags=("--environment",),
        type=Text(),
        default="default",
        help="The pixi environment of a pixi.lock to check.",
        commands=CHECK | PLAN,
        key="environment",
        env="WHEELCHECK_ENVIRONMENT",
        metavar="NAME",
    )
)
EXTRAS = _row(
    Option(
        name="extras",
        flags=("--extra",),
        type=Strings(),
        default=(),
        help="Optional dependencies of a pyproject.toml or lockfile to include. Repeatable.",
        commands=CHECK | PLAN,
        key="extras",
        env="WHEELCHECK_EXTRAS",
        metavar="NAME",
    )
)
GROUPS = _row(
    Option(
        name="groups",
        flags=("--group",),
        type=Strings(),
        default=(),
        help="Dependency group (PEP 735) of a pyproject.toml or lockfile to include. Repeatable.",
        commands=CHECK | PLAN,
        key="groups",
        env="WHEELCHECK_GROUPS",
        metavar="NAME",
    )
)

# -- the plan --------------------------------------------------------------------------------

PREFER = _row(
    Option(
        name="prefer",
        flags=("--prefer",),
        type=Choice(("newer", "older")),
        default="newer",
        help="Between two versions as near to yours, take the newer or the older one.",
        commands=PLAN,
        key="prefer",
        env="WHEELCHECK_PREFER",
    )
)
ALLOW_OUTSIDE = _row(
    Option(
        name="allow_outside",
        flags=("--allow-outside",),
        type=Flag(),
        default=False,
        help="Also propose versions outside your own specifiers (each one is marked).",
        commands=PLAN,
        key="allow-outside",
        env="WHEELCHECK_ALLOW_OUTSIDE",
    )
)
ALLOW_SWAPS = _row(
    Option(
        name="allow_swaps",
        flags=("--allow-swaps",),
        type=Flag(),
        default=False,
        help="Replace a package without wheels by its binary alternative "
        "(psycopg2 -> psycopg2-binary), each with its caveat.",
        commands=PLAN,
        key="allow-swaps",
        env="WHEELCHECK_ALLOW_SWAPS",
    )
)

# -- the report ------------------------------------------------------------------------------

FORMAT = _row(
    Option(
        name="fmt",
        flags=("-f", "--format"),
        type=EnumChoice(Format),
        default=Format.TABLE,
        help={
            "check": "Report format: table for people; json for tools; markdown for a pull-request "
            "comment; sarif for code scanning; github for annotations on the diff (and the step "
            "summary inside GitHub Actions); html for a page to keep as a CI artifact.",
            "dockerfile": "Report format: table for people; json for tools; markdown for a "
            "pull-request comment; sarif for code scanning; github for annotations on the diff; "
            "html for a page to keep as a CI artifact.",
            "plan": "Report format: table for people; json for tools; markdown for a "
            "pull-request comment; sarif for code scanning; github for annotations on the "
            "diff; html for a page to keep as a CI artifact.",
        },
        commands=ALL,
        key="format",
        env="WHEELCHECK_FORMAT",
    )
)
OUTPUT = _row(
    Option(
        name="output",
        flags=("-o", "--output"),
        type=PathValue(dir_okay=False),
        default=None,
        help={
            "check": "Write the report to this file instead of stdout.",
            "dockerfile": "Write the report to this file instead of stdout.",
            "plan": "Write the plan's constraints file here (for pip install -c); the "
            "report still goes to stdout.",
        },
        commands=ALL,
    )
)
REPORTS = _row(
    Option(
        name="reports",
        flags=("--report",),
        type=Strings(),
        default=(),
        help="Also write the report in FORMAT to PATH, e.g. sarif=wheelcheck.sarif. Repeatable.",
        commands=CHECK,
        metavar="FORMAT=PATH",
    )
)
FIX = _row(
    Option(
        name="fix",
        flags=("--fix",),
        type=Flag(),
        default=False,
        help="Print the suggested Dockerfile instead of the report.",
        commands=DOCKERFILE,
    )
)
DIFF = _row(
    Option(
        name="diff",
        flags=("--diff",),
        type=Flag(),
        default=False,
        help="Print the suggestion as a unified diff.",
        commands=DOCKERFILE,
    )
)
WRITE = _row(
    Option(
        name="write",
        flags=("--write",),
        type=Flag(),
        default=False,
        help="Write the suggestion over DOCKERFILE.",
        commands=DOCKERFILE,
    )
)

# -- when to fail ----------------------------------------------------------------------------

FAIL_ON = _row(
    Option(
        name="fail_on",
        flags=("--fail-on",),
        type=Strings(),
        default=("missing",),
        help="Exit 1 when a package is missing (or not found) on a target (missing), also when "
        "it needs a source build (source), or never. TARGET=LEVEL sets one target: its id "
        "(python:3.12-alpine/arm64), image (python:3.12-alpine) or variant (alpine). Repeatable.",
        commands=CHECK,
        key="fail-on",
        env="WHEELCHECK_FAIL_ON",
        metavar="[TARGET=]LEVEL",
    )
)
# The dockerfile command's --fail-on is a severity of its findings: another setting, with a
# key of its own (a check's fail-on = "source" means nothing to it).
FAIL_ON_SEVERITY = _row(
    Option(
        name="fail_on_severity",
        flags=("--fail-on",),
        type=Choice(("never", "error", "warning", "info")),
        default="error",
        help="Exit 1 when a finding has this severity or a higher one.",
        commands=DOCKERFILE,
        key="dockerfile-fail-on",
        env="WHEELCHECK_DOCKERFILE_FAIL_ON",
    )
)
IGNORE = _row(
    Option(
        name="ignore",
        flags=("--ignore",),
        type=Ignores(),
        default=(),
        help="Accept this package: it stays in the report, marked ignored with the reason, and "
        "never fails the run. Repeatable.",
        commands=CHECK,
        key="ignore",
        env="WHEELCHECK_IGNORE",
        metavar="NAME[:REASON]",
    )
)
CONFIG = _row(
    Option(
        name="config",
        flags=("--config",),
        type=PathValue(dir_okay=False),
        default=None,
        help="TOML file with a [tool.wheelcheck] table. Default: the nearest pyproject.toml.",
        commands=ALL,
        metavar="FILE",
    )
)

# -- talking to the index --------------------------------------------------------------------

TIMEOUT = _row(
    Option(
        name="timeout",
        flags=("--timeout",),
        type=Number(0, low_open=True),
        default=DEFAULT_TIMEOUT,
        help="Seconds per request.",
        commands=ALL,
        key="timeout",
        env="WHEELCHECK_TIMEOUT",
    )
)
RETRIES = _row(
    Option(
        name="retries",
        flags=("--retries",),
        type=Integer(0, MAX_RETRIES),
        default=DEFAULT_RETRIES,
        help="Retries per request for transient faults.",
        commands=ALL,
        key="retries",
        env="WHEELCHECK_RETRIES",
    )
)
CERT = _row(
    Option(
        name="cert",
        flags=("--cert",),
        type=CertFile(),
        default=None,
        help="CA bundle for TLS verification (private indexes). Default: PIP_CERT, "
        "REQUESTS_CA_BUNDLE or SSL_CERT_FILE, else the system's trust store.",
        commands=ALL,
        key="cert",
        env="WHEELCHECK_CERT",
        metavar="PATH",
    )
)

# -- the cache -------------------------------------------------------------------------------

# A directory of this machine, so not in a project's file; the check reads the variable
# itself (CheckOptions.environ) and names it when the directory cannot be used.
CACHE_DIR_VARIABLE = "WHEELCHECK_CACHE_DIR"
CACHE_DIR = _row(
    Option(
        name="cache_dir",
        flags=("--cache-dir",),
        type=PathValue(file_okay=False),
        default=None,
        help="Cache directory. Default: WHEELCHECK_CACHE_DIR, else the user cache directory "
        "(~/.cache/wheelcheck on Linux).",
        commands=ALL,
        env=CACHE_DIR_VARIABLE,
        metavar="DIR",
    )
)
NO_CACHE = _row(
    Option(
        name="no_cache",
        flags=("--no-cache",),
        type=Flag(),
        default=False,
        help="Neither read nor write the cache.",
        commands=ALL,
        key="no-cache",
        env="WHEELCHECK_NO_CACHE",
    )
)
REFRESH = _row(
    Option(
        name="refresh",
        flags=("--refresh",),
        type=Flag(),
        default=False,
        help="Revalidate every cached page with the index (still cached).",
        commands=ALL,
        key="refresh",
        env="WHEELCHECK_REFRESH",
    )
)
OFFLINE = _row(
    Option(
        name="offline",
        flags=("--offline",),
        type=Flag(),
        default=False,
        help="Use only the cache, send no request; what is not cached is an error (exit 3).",
        commands=ALL,
        key="offline",
        env="WHEELCHECK_OFFLINE",
    )
)
CACHE_MAX_AGE = _row(
    Option(
        name="cache_max_age",
        flags=("--cache-max-age",),
        type=Number(0),
        default=DEFAULT_MAX_AGE,
        help="How long a page stays fresh when the index sends no Cache-Control or Expires.",
        commands=ALL,
        key="cache-max-age",
        env="WHEELCHECK_CACHE_MAX_AGE",
        metavar="SECONDS",
    )
)

# -- the terminal ----------------------------------------------------------------------------

QUIET = _row(
    Option(
        name="quiet",
        flags=("-q", "--quiet"),
        type=Flag(),
        default=False,
        help="Nothing on stderr but errors and warnings: no progress.",
        commands=ALL,
        key="quiet",
        env="WHEELCHECK_QUIET",
    )
)
VERBOSE = _row(
    Option(
        name="verbose",
        flags=("-v", "--verbose"),
        type=Count(2),
        default=0,
        help={
            "check": "The table report shows every package (as --all) and says on stderr "
            "where each setting came from; -vv also the assumptions and every index note.",
            "plan": "Also say on stderr where each setting came from.",
        },
        commands=ALL,
        key="verbose",
        env="WHEELCHECK_VERBOSE",
    )
)
SHOW_ALL = _row(
    Option(
        name="all",
        flags=("--all",),
        type=Flag(),
        default=False,
        help="The table report shows every package on every target, not only what needs attention.",
        commands=BOTH,
        key="all",
        env="WHEELCHECK_ALL",
    )
)
COLOR = _row(
    Option(
        name="color",
        flags=("--color",),
        type=Choice(("auto", "always", "never")),
        default="auto",
        help="Colour in the table report; auto: only on a terminal and when NO_COLOR is unset.",
        commands=ALL,
        key="color",
        env="WHEELCHECK_COLOR",
    )
)

OPTIONS: tuple[Option[object], ...] = tuple(_TABLE)


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


def check_options(settings: Settings) -> CheckOptions:
    """The CheckOptions of a command run (a setting its command lacks keeps the table's
    default). A cache directory from WHEELCHECK_CACHE_DIR is left to the check, which reads
    the variable itself and names it if the directory cannot be used."""
    no_cache = settings[NO_CACHE]
    no_advice = settings[NO_ADVICE]
    cache_dir = settings[CACHE_DIR] if settings.is_given(CACHE_DIR) else None
    return CheckOptions(
        targets=settings[TARGETS],
        arches=settings[ARCHES],
        python=settings[PYTHON],
        index_url=settings[INDEX_URL],
        extra_index_urls=settings[EXTRA_INDEX_URLS],
        mirror=settings[MIRROR],
        pre=settings[PRE],
        prefer_binary=settings[PREFER_BINARY],
        no_deps=settings[NO_DEPS],
        advice=not no_advice,
        sizes=not (settings[NO_SIZES] or no_advice),
        kind=settings[KIND],
        format_in=settings[FORMAT_IN],
        extras=settings[EXTRAS],
        groups=settings[GROUPS],
        dev=settings[DEV],
        environment=settings[ENVIRONMENT],
        timeout=settings[TIMEOUT],
        retries=settings[RETRIES],
        verify=settings[CERT] or True,
        cache=not no_cache,
        cache_dir=None if no_cache else cache_dir,
        refresh=settings[REFRESH],
        offline=settings[OFFLINE],
        cache_max_age=settings[CACHE_MAX_AGE],
    )
