"""Which indexes to ask: the command line, the requirements file, the environment, pip's config.

The main index is taken from the first source that names one, in this order:
``--index-url`` or ``--mirror`` > ``-i`` in a requirements file > ``PIP_INDEX_URL`` >
pip's configuration files > ``https://pypi.org/simple``. Extra indexes follow pip:
``PIP_EXTRA_INDEX_URL`` replaces the config files' value, and ``--extra-index-url`` from
the command line and from requirements files is appended to it. A URL that is used must
be an absolute http(s) URL with a host: anything else fails naming its source, never falls
back to PyPI (a typo in a private index URL would check the public index instead).
"""

from __future__ import annotations

import configparser
import locale
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wheelcheck._urls import (
    index_url_message,
    is_local_index,
    normalize_index_url,
    redact_url,
    split_credentials,
)
from wheelcheck.errors import InputError, InvalidIndexURL

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "DEFAULT_INDEX_URL",
    "MIRRORS",
    "IndexChoice",
    "IndexSettings",
    "discover_pip_config_files",
    "mirror_url",
    "select_indexes",
]

DEFAULT_INDEX_URL = "https://pypi.org/simple"

# Well-known public mirrors of PyPI's Simple API, for --mirror NAME.
MIRRORS: Mapping[str, str] = {
    "tuna": "https://pypi.tuna.tsinghua.edu.cn/simple",
    "aliyun": "https://mirrors.aliyun.com/pypi/simple",
    "tencent": "https://mirrors.cloud.tencent.com/pypi/simple",
    "pypi": DEFAULT_INDEX_URL,
}

_CONFIG_BASENAME = "pip.ini" if sys.platform == "win32" else "pip.conf"


@dataclass(frozen=True)
class IndexSettings:
    """The indexes to query, as given (credentials included: never print these fields raw).

    `origin` says where `index_url` came from: ``--index-url``, ``--mirror tuna``,
    ``requirements file``, ``PIP_INDEX_URL``, ``pip config <path>`` or ``default``.
    `warnings` are already redacted and meant for the user.
    """

    index_url: str
    extra_index_urls: tuple[str, ...] = ()
    origin: str = "default"
    warnings: tuple[str, ...] = ()

    @property
    def index_urls(self) -> tuple[str, ...]:
        """The main index followed by the extra indexes."""
        return (self.index_url, *self.extra_index_urls)


def _home(environ: Mapping[str, str]) -> Path:
    home = environ.get("HOME") or environ.get("USERPROFILE")
    return Path(home) if home else Path.home()


def discover_pip_config_files(
    environ: Mapping[str, str] | None = None, *, platform: str = sys.platform
) -> tuple[Path, ...]:
    """Return pip's configuration files in pip's override order (later files win).

    Global files (``$XDG_CONFIG_DIRS/pip/pip.conf`` or ``/etc/xdg/pip/pip.conf``, then
    ``/etc/pip.conf``), the user's (``~/.pip/pip.conf``, ``$XDG_CONFIG_HOME/pip/pip.conf``
    or ``~/.config/pip/pip.conf``; skipped, as in pip, when ``PIP_CONFIG_FILE`` names an
    existing file), then ``PIP_CONFIG_FILE``. ``PIP_CONFIG_FILE=os.devnull`` disables all
    files and gives ``()``. Paths that do not exist are included; readers skip them.
    pip's per-environment files (``sys.prefix/pip.conf``) are not read: wheelcheck's own
    environment is not the one the user's pip runs in.
    """
    env = os.environ if environ is None else environ
    env_file = env.get("PIP_CONFIG_FILE") or None
    if env_file == os.devnull:
        return ()
    home = _home(env)
    files: list[Path] = []

    if platform == "win32":
        program_data = env.get("ProgramData") or env.get("PROGRAMDATA") or r"C:\ProgramData"
        files.append(Path(program_data) / "pip" / _CONFIG_BASENAME)
    elif platform == "darwin":
        files.append(Path("/Library/Application Support/pip") / _CONFIG_BASENAME)
    else:
        xdg_dirs = env.get("XDG_CONFIG_DIRS", "")
        if not xdg_dirs.strip():
            xdg_dirs = "/etc/xdg"
        for directory in xdg_dirs.split(os.pathsep):
            files.append(Path(directory.rstrip("/")).expanduser() / "pip" / _CONFIG_BASENAME)
        files.append(Path("/etc") / _CONFIG_BASENAME)

    if not (env_file and Path(env_file).exists()):
        legacy_dir = "pip" if platform == "win32" else ".pip"
        files.append(home / legacy_dir / _CONFIG_BASENAME)
        if platform == "win32":
            appdata = env.get("APPDATA")
            user_dir = Path(appdata) if appdata else home / "AppData" / "Roaming"
        elif platform == "darwin":
            user_dir = home / "Library" / "Application Support"
            if not (user_dir / "pip").is_dir():
                user_dir = home / ".config"
        else:
            xdg_home = env.get("XDG_CONFIG_HOME", "")
            user_dir = Path(xdg_home) if xdg_home.strip() else home / ".config"
        files.append(user_dir / "pip" / _CONFIG_BASENAME)

    if env_file:
        files.append(Path(env_file))
    return tuple(files)


@dataclass(frozen=True)
class _ConfigValue:
    value: str
    path: Path


def _parse_error_text(path: Path, error: configparser.Error) -> str:
    # The parser's own message quotes the offending line, which may hold a credential.
    if isinstance(error, configparser.MissingSectionHeaderError):
        detail = f"line {error.lineno} comes before any [section] header"
    elif isinstance(error, configparser.ParsingError):
        numbers = [str(lineno) for lineno, _ in error.errors]
        if len(numbers) == 1:
            detail = f"line {numbers[0]} is not 'name = value'"
        else:
            detail = f"lines {', '.join(numbers)} are not 'name = value'"
    elif isinstance(error, configparser.DuplicateOptionError):
        detail = f"option {error.option!r} repeated in [{error.section}] (line {error.lineno})"
    elif isinstance(error, configparser.DuplicateSectionError):
        detail = f"section [{error.section}] repeated (line {error.lineno})"
    else:
        detail = type(error).__name__
    return f"cannot read pip configuration file {path}: {detail}"


def _read_pip_config(files: Sequence[Path]) -> dict[str, _ConfigValue]:
    """index-url and extra-index-url as pip sees them: [install] beats [global], later files
    beat earlier ones within a section, empty values are ignored."""
    sections: dict[str, dict[str, _ConfigValue]] = {"global": {}, "install": {}}
    for path in files:
        if not path.is_file():
            continue
        parser = configparser.RawConfigParser()
        try:
            parser.read(path, encoding=locale.getpreferredencoding(False))
        except UnicodeDecodeError as error:
            raise InputError(
                f"cannot read pip configuration file {path}: not valid text ({error.reason})"
            ) from None
        except configparser.Error as error:
            raise InputError(_parse_error_text(path, error)) from None
        for section, values in sections.items():
            if not parser.has_section(section):
                continue
            for name, raw in parser.items(section):
                key = name.lower().replace("_", "-").removeprefix("--")
                if key in ("index-url", "extra-index-url") and raw and raw.strip():
                    values[key] = _ConfigValue(raw.strip(), path)
    merged = dict(sections["global"])
    merged.update(sections["install"])
    return merged


def _split_list(value: str) -> list[str]:
    """pip splits list options from config and environment like a shell would."""
    try:
        return shlex.split(value)
    except ValueError:
        return value.split()


def _dedupe_key(url: str) -> str:
    try:
        return normalize_index_url(split_credentials(url)[0])
    except ValueError:
        return url


def mirror_url(name: str, source: str = "--mirror") -> str:
    """The index URL of the mirror called `name` (case and spaces ignored). Raises
    InvalidIndexURL naming `source` for a name wheelcheck does not know."""
    url = MIRRORS.get(name.strip().lower())
    if url is None:
        known = ", ".join(sorted(MIRRORS))
        shown = repr(name[:80] + ("..." if len(name) > 80 else ""))
        raise InvalidIndexURL(source, f"unknown mirror {shown}; known mirrors: {known}")
    return url


@dataclass(frozen=True, slots=True)
class _Candidate:
    url: str
    source: str  # where it came from, as the user knows it: "--index-url", "PIP_INDEX_URL"
    # pip's own settings (its config files, PIP_*, requirements files) may name a local
    # index pip reads and wheelcheck cannot: that is the user's setup, not a typo, so it is
    # skipped with a warning. wheelcheck's own options must name an index it can check.
    pip_setting: bool


def _usable(candidate: _Candidate, warnings: list[str], *, extra: bool) -> bool:
    """True for an http(s) index; False (with a warning) for a local index from pip's
    settings. Raises InvalidIndexURL for anything else."""
    message = index_url_message(candidate.url, extra=extra)
    if message is None:
        return True
    if candidate.pip_setting and is_local_index(candidate.url):
        what = "extra index URL" if extra else "index URL"
        warnings.append(
            f"ignoring {what} {redact_url(candidate.url.strip())} from {candidate.source}: "
            "only http(s) indexes can be checked"
        )
        return False
    raise InvalidIndexURL(candidate.source, message)


@dataclass(frozen=True, slots=True)
class IndexChoice:
    """The indexes one place names: wheelcheck's command line (which may also name a
    mirror) or the requirements files."""

    index_url: str | None = None
    extra_index_urls: Sequence[str] = ()
    mirror: str | None = None


def select_indexes(
    command_line: IndexChoice | None = None,
    requirements_files: IndexChoice | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    pip_config_files: Sequence[Path] | None = None,
) -> IndexSettings:
    """Choose the main and extra indexes the way the user's pip would, for wheelcheck.

    `environ` defaults to ``os.environ``; `pip_config_files` of None means discover them
    (see `discover_pip_config_files`), a sequence means read exactly those, later ones
    overriding earlier ones. Every index URL that is used must be an absolute http(s) URL
    with a host; the one exception is a local index (``file://``, a path) named by pip's own
    settings (pip's config files, ``PIP_INDEX_URL``/``PIP_EXTRA_INDEX_URL``, a requirements
    file): it is skipped with a warning and, for the main index, the next source down the
    order is used. Extra indexes equal to the main index or to an earlier extra are dropped.

    Returns the IndexSettings. Raises InvalidIndexURL (an InputError) naming the source of
    any other unusable URL (``--index-url``, ``PIP_INDEX_URL``, ``pip config <path>``...)
    and for an unknown mirror name; InputError when `command_line` names both an index URL
    and a mirror, and for a pip configuration file that cannot be parsed (pip refuses to run
    then too).
    """
    cli = command_line or IndexChoice()
    file = requirements_files or IndexChoice()
    env = os.environ if environ is None else environ
    if cli.index_url is not None and cli.mirror is not None:
        raise InputError("--index-url and --mirror cannot be used together; choose one")
    given: list[_Candidate] = []
    if cli.index_url is not None:
        given.append(_Candidate(cli.index_url, "--index-url", pip_setting=False))
    if cli.mirror is not None:  # an unknown name fails before any pip config file is read
        name = cli.mirror.strip().lower()
        given.append(_Candidate(mirror_url(cli.mirror), f"--mirror {name}", pip_setting=False))

    files = discover_pip_config_files(env) if pip_config_files is None else pip_config_files
    config = _read_pip_config(tuple(files))
    warnings: list[str] = []
    index_url, origin = _main_index(
        [*given, *_pip_index_candidates(file.index_url, env, config)], warnings
    )
    extras = [
        *_pip_extra_candidates(env, config),
        *(_Candidate(u, "--extra-index-url", pip_setting=False) for u in cli.extra_index_urls),
        *(_Candidate(u, "requirements file", pip_setting=True) for u in file.extra_index_urls),
    ]
    return IndexSettings(
        index_url=index_url,
        extra_index_urls=_extra_indexes(extras, index_url, warnings),
        origin=origin,
        warnings=tuple(warnings),
    )


def _pip_index_candidates(
    file_index_url: str | None, env: Mapping[str, str], config: Mapping[str, _ConfigValue]
) -> list[_Candidate]:
    """The main index as pip's own settings name it, first choice first."""
    candidates: list[_Candidate] = []
    if file_index_url:
        candidates.append(_Candidate(file_index_url, "requirements file", pip_setting=True))
    if env.get("PIP_INDEX_URL", "").strip():
        candidates.append(_Candidate(env["PIP_INDEX_URL"], "PIP_INDEX_URL", pip_setting=True))
    if "index-url" in config:
        found = config["index-url"]
        candidates.append(_Candidate(found.value, f"pip config {found.path}", pip_setting=True))
    return candidates


def _main_index(candidates: Sequence[_Candidate], warnings: list[str]) -> tuple[str, str]:
    """(URL, origin) of the first usable candidate, else PyPI's; sources below the one
    chosen are not looked at (pip ignores them)."""
    for candidate in candidates:
        if _usable(candidate, warnings, extra=False):
            return candidate.url.strip(), candidate.source
    return DEFAULT_INDEX_URL, "default"


def _pip_extra_candidates(
    env: Mapping[str, str], config: Mapping[str, _ConfigValue]
) -> list[_Candidate]:
    """Extra indexes from the environment or else pip's config files: pip lets the
    environment replace the config files' list (the command line and requirements files
    add to either)."""
    if env.get("PIP_EXTRA_INDEX_URL", "").strip():
        return [
            _Candidate(u, "PIP_EXTRA_INDEX_URL", pip_setting=True)
            for u in _split_list(env["PIP_EXTRA_INDEX_URL"])
        ]
    if "extra-index-url" in config:
        found = config["extra-index-url"]
        return [
            _Candidate(u, f"pip config {found.path}", pip_setting=True)
            for u in _split_list(found.value)
        ]
    return []


def _extra_indexes(
    candidates: Sequence[_Candidate], index_url: str, warnings: list[str]
) -> tuple[str, ...]:
    """The usable extra index URLs, without the main index and without repeats."""
    seen = {_dedupe_key(index_url)}
    extra_index_urls: list[str] = []
    for candidate in candidates:
        if not _usable(candidate, warnings, extra=True):
            continue
        url = candidate.url.strip()
        key = _dedupe_key(url)
        if key not in seen:
            seen.add(key)
            extra_index_urls.append(url)
    return tuple(extra_index_urls)
