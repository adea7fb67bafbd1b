"""The official ``python`` Docker images: what each tag means (distribution, libc, Python, arches).

The facts live in ``data/base-images.json`` (shipped in the wheel as ``wheelcheck/_data``);
this module loads them once and answers "what is ``python:3.12-alpine``?".
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from packaging.version import InvalidVersion, Version

from wheelcheck._data import read_json
from wheelcheck.errors import UnknownTarget
from wheelcheck.models import Libc

if TYPE_CHECKING:
    from collections.abc import Mapping

DATA_FILE = "base-images.json"
REPOSITORY = "python"
# Prefixes that name Docker Hub's official python repository.
_REPOSITORY_PREFIXES = (
    "docker.io/library/",
    "index.docker.io/library/",
    "registry-1.docker.io/library/",
    "docker.io/",
    "library/",
)
FAMILIES = ("alpine", "slim", "full")


@dataclass(frozen=True, slots=True)
class Platform:
    """A Docker platform and the machine name wheels use for it."""

    docker_arch: str  # official-images name: amd64, arm64v8, arm32v7, ...
    platform: str  # linux/arm64
    machine: str  # aarch64

    @property
    def short(self) -> str:
        """The platform without ``linux/``: ``amd64``, ``arm64``, ``arm/v7``."""
        return self.platform.removeprefix("linux/")


@dataclass(frozen=True, slots=True)
class Distro:
    """One distribution release and the libc it ships."""

    key: str  # alpine3.24, bookworm
    name: str  # Alpine, Debian
    release: str  # 3.24, 12
    codename: str | None
    display: str  # "Alpine 3.24", "Debian 12 (bookworm)"
    libc: Libc
    libc_version: str  # full, e.g. 1.2.6 or 2.36
    max_platform_tag: str  # musllinux_1_2, manylinux_2_36
    source: str

    @property
    def libc_minor(self) -> tuple[int, int]:
        """The libc (major, minor), which is what the platform tags compare."""
        release = Version(self.libc_version).release
        return (release[0], release[1] if len(release) > 1 else 0)


@dataclass(frozen=True, slots=True)
class PatchRange:
    """The oldest and newest Python patch published with a variant (`last` None: current).

    `architectures` is set where this minor's images had other platforms than the variant's.
    """

    first: Version
    last: Version | None
    architectures: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Variant:
    """One image variant, the part of a tag after the Python version: ``alpine3.24``."""

    tag: str
    family: str  # alpine | slim | full
    distro: Distro
    published: bool  # False: no longer rebuilt, old tags still pullable
    architectures: tuple[str, ...]  # Docker platforms
    python: Mapping[str, PatchRange]  # minor "3.12" -> patches
    source: str

    def architectures_for(self, minor: str) -> tuple[str, ...]:
        """The Docker platforms of this variant's images of Python `minor`."""
        span = self.python.get(minor)
        if span is not None and span.architectures is not None:
            return span.architectures
        return self.architectures


@dataclass(frozen=True, slots=True)
class Move:
    """From `since`, a moving tag means `variant`; `first_patch[minor]` is the first patch on it."""

    variant: str
    since: date | None
    first_patch: Mapping[str, Version]


@dataclass(frozen=True, slots=True)
class MovingTag:
    """A tag suffix whose distribution changes over time: ``alpine``, ``slim`` or none."""

    suffix: str
    history: tuple[Move, ...]  # oldest first
    source: str


@dataclass(frozen=True, slots=True)
class ImageTable:
    """The whole data file, parsed."""

    as_of: date
    repository: str
    source: str
    current: Mapping[str, Version]  # minor -> current patch
    platforms: tuple[Platform, ...]
    distros: Mapping[str, Distro]
    variants: Mapping[str, Variant]
    moving: Mapping[str, MovingTag]

    @property
    def newest_minor(self) -> str:
        """The newest Python minor in the table, what ``python:latest`` carries."""
        return max(self.current, key=_minor_key)

    def python_patch(self, variant: Variant, minor: str) -> Version:
        """The patch that ``python:<minor>-<variant>`` carries today."""
        last = variant.python[minor].last
        return last if last is not None else self.current[minor]


@dataclass(frozen=True, slots=True)
class ResolvedImage:
    """What one image reference means.

    `reference` is the normalised short form without the free-threaded ``t``
    (``python:3.13-slim``); `name` keeps it (``python:3.13t-slim``) for target ids.
    """

    reference: str
    name: str
    tag: str
    minor: tuple[int, int]
    python_full_version: str
    free_threaded: bool
    variant: Variant


def _minor_key(minor: str) -> tuple[int, ...]:
    return Version(minor).release


# --- loading -------------------------------------------------------------------------------


def _get(obj: Any, key: str, kind: type[Any]) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise ValueError(f"{DATA_FILE}: missing {key!r}")
    value = obj[key]
    if not isinstance(value, kind):
        raise ValueError(f"{DATA_FILE}: {key!r} should be {kind.__name__}")
    return value


def _opt_str(obj: Any, key: str) -> str | None:
    value = obj.get(key) if isinstance(obj, dict) else None
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{DATA_FILE}: {key!r} should be a string or null")
    return value


def _rows(doc: Any, section: str) -> list[Any]:
    rows: list[Any] = _get(_get(doc, section, dict), "rows", list)
    return rows


def _distro(row: Any) -> Distro:
    return Distro(
        key=_get(row, "key", str),
        name=_get(row, "name", str),
        release=_get(row, "release", str),
        codename=_opt_str(row, "codename"),
        display=_get(row, "display", str),
        libc=Libc(_get(row, "libc", str)),
        libc_version=_get(row, "libc_version", str),
        max_platform_tag=_get(row, "max_platform_tag", str),
        source=_get(row, "source", str),
    )


def _patch_range(row: Any) -> PatchRange:
    arches = row.get("architectures") if isinstance(row, dict) else None
    return PatchRange(
        Version(_get(row, "first", str)),
        None if (last := _opt_str(row, "last")) is None else Version(last),
        None if arches is None else tuple(_get(row, "architectures", list)),
    )


def _variant(row: Any, distros: Mapping[str, Distro]) -> Variant:
    family = _get(row, "family", str)
    if family not in FAMILIES:
        raise ValueError(f"{DATA_FILE}: unknown family {family!r}")
    pythons = {minor: _patch_range(p) for minor, p in _get(row, "python", dict).items()}
    return Variant(
        tag=_get(row, "tag", str),
        family=family,
        distro=distros[_get(row, "distro", str)],
        published=_get(row, "published", bool),
        architectures=tuple(_get(row, "architectures", list)),
        python=MappingProxyType(pythons),
        source=_get(row, "source", str),
    )


def _moving_tag(row: Any, variants: Mapping[str, Variant]) -> MovingTag:
    history = tuple(
        Move(
            variant=_get(h, "variant", str),
            since=None if (s := _opt_str(h, "since")) is None else date.fromisoformat(s),
            first_patch=MappingProxyType(
                {m: Version(v) for m, v in _get(h, "first_patch", dict).items()}
            ),
        )
        for h in _get(row, "history", list)
    )
    if any(move.variant not in variants for move in history):
        raise ValueError(f"{DATA_FILE}: moving tag {row.get('suffix')!r} names unknown variant")
    return MovingTag(_get(row, "suffix", str), history, _get(row, "source", str))


def _parse(doc: Any) -> ImageTable:
    current = {
        _get(r, "minor", str): Version(_get(r, "current", str)) for r in _rows(doc, "pythons")
    }
    platforms = tuple(
        Platform(_get(r, "docker_arch", str), _get(r, "platform", str), _get(r, "machine", str))
        for r in _rows(doc, "platforms")
    )
    distros = {_get(r, "key", str): _distro(r) for r in _rows(doc, "distros")}
    variants = {_get(r, "tag", str): _variant(r, distros) for r in _rows(doc, "variants")}
    moving = {_get(r, "suffix", str): _moving_tag(r, variants) for r in _rows(doc, "moving_tags")}
    return ImageTable(
        as_of=date.fromisoformat(_get(doc, "as_of", str)),
        repository=_get(doc, "repository", str),
        source=_get(doc, "source", str),
        current=MappingProxyType(current),
        platforms=platforms,
        distros=MappingProxyType(distros),
        variants=MappingProxyType(variants),
        moving=MappingProxyType(moving),
    )


@functools.cache
def load_table() -> ImageTable:
    """The parsed image table (read once per process).

    Raises ValueError if the shipped data file is malformed (a packaging bug).
    """
    return _parse(read_json(DATA_FILE))


# --- names -----------------------------------------------------------------------------------


@functools.cache
def known_image_names() -> tuple[str, ...]:
    """Every ``python:<minor>[-<variant>]`` name the table knows, for suggestions."""
    table = load_table()
    names: list[str] = [f"{REPOSITORY}:latest", REPOSITORY]
    for suffix in table.moving:
        names.append(f"{REPOSITORY}:{suffix}" if suffix else f"{REPOSITORY}:latest")
    names.extend(f"{REPOSITORY}:{tag}" for tag in table.variants)
    for minor in sorted(table.current, key=_minor_key):
        names.append(f"{REPOSITORY}:{minor}")
        names.extend(f"{REPOSITORY}:{minor}-{suffix}" for suffix in table.moving if suffix)
        names.extend(
            f"{REPOSITORY}:{minor}-{tag}"
            for tag, variant in table.variants.items()
            if minor in variant.python
        )
    names.extend(_other_repositories())
    return tuple(dict.fromkeys(names))


def _other_repositories() -> list[str]:
    """The repositories of the table's other bases (read in full by other_images.py)."""
    section = read_json(DATA_FILE).get("other_images", {})
    return [str(r["repository"]) for r in section.get("rows", ()) if isinstance(r, dict)]


def suggest(word: str, candidates: tuple[str, ...] | list[str]) -> str:
    """`` (did you mean X?)`` for the closest candidate, or an empty string."""
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _unknown(reference: str, why: str) -> UnknownTarget:
    hint = suggest(reference, known_image_names())
    return UnknownTarget(f"unknown image {reference!r}: {why}{hint}")


def _strip_repository(reference: str) -> str | None:
    """The tag part of a python image reference ('' for none), or None if not python."""
    rest = reference.strip()
    for prefix in _REPOSITORY_PREFIXES:
        if rest.startswith(prefix):
            rest = rest[len(prefix) :]
            break
    name, sep, tag = rest.partition(":")
    if name != REPOSITORY or "@" in tag:
        return None
    if sep and not tag:
        return None
    return tag


def _parse_python(text: str) -> tuple[Version, bool] | None:
    """``3.12`` / ``3.12.14`` / ``3.13t`` -> (version, free_threaded), or None."""
    free_threaded = text.endswith("t")
    try:
        version = Version(text.removesuffix("t"))
    except InvalidVersion:
        return None
    if (
        version.is_prerelease
        or version.is_postrelease
        or version.local is not None
        or version.epoch
        or str(version) != text.removesuffix("t")
        or not 1 <= len(version.release) <= 3
    ):
        return None
    return version, free_threaded


def resolve_image(reference: str) -> ResolvedImage:
    """What an official python image reference means.

    Accepts ``python``, ``python:latest``, ``python:alpine``, ``python:slim``,
    ``python:3.12``, ``python:3.12-alpine``, ``python:3.12-alpine3.20``,
    ``python:3.11-slim-bookworm``, ``python:3.10.13``, ``python:3.12.14-slim-trixie``,
    ``docker.io/library/python:3.12``, and ``python:3.13t-slim`` (a free-threaded
    CPython on that base; the official images ship only the GIL build).

    Example: ``resolve_image("python:3.10.13").variant.distro.display`` is
    ``"Debian 12 (bookworm)"``.

    Raises UnknownTarget (with a suggestion) for a reference the table does not know.
    """
    table = load_table()
    tag, version_text, suffix = _split_tag(reference)
    version, free_threaded = _python_of(table, reference, version_text)
    minor = f"{version.major}.{version.minor}"
    patch = version if len(version.release) == 3 else None
    if suffix in table.moving:
        variant = _moving_variant(table, table.moving[suffix], minor, patch, reference)
    elif suffix in table.variants:
        variant = table.variants[suffix]
    else:
        raise _unknown(reference, f"no variant {suffix!r}")
    full = _python_patch_on(table, variant, minor, patch, reference)

    short_tag = tag or "latest"
    plain = short_tag
    if free_threaded:
        plain = str(version) + (f"-{suffix}" if suffix else "")
    return ResolvedImage(
        reference=f"{REPOSITORY}:{plain}",
        name=f"{REPOSITORY}:{short_tag}",
        tag=plain,
        minor=(version.major, version.minor),
        python_full_version=str(full),
        free_threaded=free_threaded,
        variant=variant,
    )


def _split_tag(reference: str) -> tuple[str, str, str]:
    """(tag, Python version part, variant part) of a python image reference: ``3.12-slim``,
    ``3.12``, ``slim``; raises UnknownTarget for a digest or another repository."""
    if "@" in reference:
        raise _unknown(reference, "a digest names no tag; give the tag, e.g. python:3.12-slim")
    tag = _strip_repository(reference)
    if tag is None:
        raise _unknown(
            reference,
            "wheelcheck knows the official 'python' images and the other bases of "
            f"data/{DATA_FILE} (distroless, AWS Lambda, UBI 9)",
        )
    if tag in ("", "latest"):
        return tag, "", ""
    if tag[0].isdigit():
        version_text, _, suffix = tag.partition("-")
        return tag, version_text, suffix
    return tag, "", tag


def _python_of(table: ImageTable, reference: str, version_text: str) -> tuple[Version, bool]:
    """(Python version, free-threaded) a tag's version part names (none: the newest minor);
    raises UnknownTarget for a version the table does not have."""
    parsed = _parse_python(version_text) if version_text else (Version(table.newest_minor), False)
    if parsed is None:
        raise _unknown(reference, f"{version_text!r} is not a Python version")
    version, free_threaded = parsed
    if version.major == 3 and len(version.release) == 1:  # python:3-alpine: newest 3.x
        version = Version(table.newest_minor)
    minor = f"{version.major}.{version.minor}"
    if minor not in table.current:
        known = ", ".join(sorted(table.current, key=_minor_key))
        raise _unknown(reference, f"Python {minor} is not in the table (it has {known})")
    if free_threaded and (version.major, version.minor) < (3, 13):
        raise _unknown(reference, "free-threaded CPython starts at 3.13")
    return version, free_threaded


def _python_patch_on(
    table: ImageTable, variant: Variant, minor: str, patch: Version | None, reference: str
) -> Version:
    """The Python patch of `minor` the image carries: `patch` when the tag names one (and
    `variant` was published with it), else the variant's newest."""
    span = variant.python.get(minor)
    if span is None:
        raise _unknown(reference, f"{variant.tag} was never published with Python {minor}")
    newest = table.python_patch(variant, minor)
    if patch is not None and not span.first <= patch <= newest:
        raise _unknown(
            reference,
            f"{variant.tag} was published with Python {span.first} .. {newest}, not {patch}",
        )
    return patch if patch is not None else newest


def _moving_variant(
    table: ImageTable, moving: MovingTag, minor: str, patch: Version | None, reference: str
) -> Variant:
    # A minor tag follows the newest move that carries the minor; a patch tag stays on the
    # distribution it had when the next patch replaced it (see "rules" in the data file).
    chosen: Move | None = None
    for move in moving.history:
        first = move.first_patch.get(minor)
        if first is None:
            continue
        if patch is None or first <= patch:
            chosen = move
    if chosen is None:
        oldest = next((m for m in moving.history if minor in m.first_patch), None)
        why = f"the table does not record Python {minor}"
        if oldest is not None and patch is not None:
            why = (
                f"Python {patch} predates the oldest recorded {oldest.variant} "
                f"(from {oldest.first_patch[minor]})"
            )
        raise _unknown(reference, why)
    return table.variants[chosen.variant]


def image_for(minor: str, family: str, *, free_threaded: bool = False) -> str:
    """The moving image name for a Python minor and family: ``python:3.12-alpine``."""
    suffix = {"alpine": "-alpine", "slim": "-slim", "full": ""}[family]
    return f"{REPOSITORY}:{minor}{'t' if free_threaded else ''}{suffix}"


def platform_for(name: str) -> Platform | None:
    """The platform for a Docker platform, official-images arch or machine name, or None."""
    wanted = name.strip().lower()
    if wanted in _ARCH_ALIASES:
        wanted = _ARCH_ALIASES[wanted]
    for platform in load_table().platforms:
        if wanted in (platform.platform, platform.short, platform.docker_arch, platform.machine):
            return platform
    return None


def arch_names() -> tuple[str, ...]:
    """Every arch spelling `platform_for` accepts, for suggestions."""
    names: list[str] = []
    for p in load_table().platforms:
        names.extend((p.short, p.platform, p.machine, p.docker_arch))
    names.extend(_ARCH_ALIASES)
    return tuple(dict.fromkeys(names))


# Spellings people use that are none of the table's names.
_ARCH_ALIASES = {
    "x86-64": "x86_64",
    "x64": "x86_64",
    "linux/arm64/v8": "linux/arm64",
    "arm64/v8": "linux/arm64",
    "armv7": "armv7l",
    "armhf": "armv7l",
    "arm": "armv7l",
    "linux/arm": "armv7l",
    "armv6": "armv6l",
    "armel": "armv5tel",
    "i386": "i686",
    "x86": "i686",
    "mips64el": "mips64",
}
