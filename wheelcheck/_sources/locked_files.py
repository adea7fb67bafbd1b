"""What a lock says about where each package comes from: its files and its index.

Every lock format names, per package, the files its installer may download (a file name or
URL, hashes) and often the index (registry) the package was locked from. The readers of
_sources/ fill one `LockedSource` per package from their own syntax, so the judging step
reads the lock's files without the network and asks the package's own index when it must.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True, slots=True)
class LockedFile:
    """One file a lock lists for a package: what its installer would download.

    `url` is as the lock writes it (it may carry credentials: never print it; None when the
    lock gives only a name, as poetry.lock does); `hashes` maps an algorithm to a hex digest.
    """

    name: str
    url: str | None = None
    hashes: Mapping[str, str] = field(default_factory=dict)
    size: int | None = None

    @property
    def is_wheel(self) -> bool:
        return self.name.endswith(".whl")


@dataclass(frozen=True, slots=True)
class LockedSource:
    """Where one locked package comes from.

    `index_url` is the index (registry, source, index) the lock names for the package, as
    written (it may carry credentials); None when it names none (the installer's default).
    `files` are the files it lists; empty when it lists none (then the index is asked).
    `requires_python` is the package's own range when the lock records one (pylock.toml).
    """

    index_url: str | None = None
    files: tuple[LockedFile, ...] = ()
    requires_python: str | None = None


def file_name(entry: Mapping[str, Any], *keys: str) -> str | None:
    """A file's name from the first of `keys` present: a name, a URL, or a path."""
    for key in keys:
        value = entry.get(key)
        if not isinstance(value, str) or not value:
            continue
        if key == "url":
            return unquote(PurePosixPath(urlsplit(value).path).name) or None
        if key == "path":
            return PurePath(value).name or None
        return value
    return None


def locked_file(
    entry: Mapping[str, Any], name_keys: tuple[str, ...], hashes: Mapping[str, str]
) -> LockedFile | None:
    """A `LockedFile` from one file entry of a lock; None when it has no usable name."""
    name = file_name(entry, *name_keys)
    if name is None:
        return None
    url = entry.get("url")
    size = entry.get("size")
    return LockedFile(
        name=name,
        url=url if isinstance(url, str) and url else None,
        hashes=dict(hashes),
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
    )


def split_hash(text: object) -> dict[str, str]:
    """``"sha256:abc"`` (uv.lock, poetry.lock) as ``{"sha256": "abc"}``; {} for anything else."""
    if not isinstance(text, str) or ":" not in text:
        return {}
    algorithm, _, digest = text.partition(":")
    return {algorithm.lower(): digest.lower()} if algorithm and digest else {}


def hash_table(value: object) -> dict[str, str]:
    """pylock.toml's ``hashes = {sha256 = "..."}``; {} for anything else."""
    if not isinstance(value, dict):
        return {}
    return {str(k).lower(): v.lower() for k, v in value.items() if isinstance(v, str) and v}
