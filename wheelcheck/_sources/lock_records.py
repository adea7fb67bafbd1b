"""What the pdm.lock, Pipfile.lock and pixi.lock readers keep about each locked package
beyond its pin: its files (names, URLs, hashes), the index or source the lock names for
it, and its requires-python. Judging does not act on these yet; they are kept so it can."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from packaging.utils import NormalizedName

from wheelcheck._sources.lockfiles import LockedSet


@dataclass(frozen=True, slots=True)
class LockedFile:
    """One file a lock records for a package (``name`` from its URL when it gives none)."""

    name: str
    url: str | None = None  # redacted
    hashes: tuple[str, ...] = ()  # "sha256:<hex>"


@dataclass(frozen=True, slots=True)
class LockEntry:
    """One locked package as the lock records it."""

    name: NormalizedName
    version: str
    files: tuple[LockedFile, ...] = ()
    hashes: tuple[str, ...] = ()  # hashes given without file names (Pipfile.lock)
    index: str | None = None  # the index (a source name or a redacted URL) it comes from
    requires_python: str | None = None


class LockRead(NamedTuple):
    """A lock's pins (`locked`, what the checker judges) and its entries, in lock order."""

    locked: LockedSet
    entries: tuple[LockEntry, ...]
