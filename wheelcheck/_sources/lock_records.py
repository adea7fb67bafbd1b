"""What the pdm.lock, Pipfile.lock and pixi.lock readers keep about each locked package
beyond its pin: its files (names, URLs, hashes), the index or source the lock names for
it, and its requires-python. `locked_sources` hands the files, the index and
requires-python to the judging step as the `LockedSource` of each entry
(wheelcheck._sources.locked_files)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from packaging.utils import NormalizedName

from wheelcheck._sources import locked_files
from wheelcheck._sources.lockfiles import LockedSet, LockNode, _LockReader, _Package


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
    # The index to ask for it, as the lock writes it (it may carry credentials: never print
    # it); None for the installer's default. `source` tells entries of one pin apart.
    index_url: str | None = None
    source: str = ""


class LockRead(NamedTuple):
    """A lock's pins (`locked`, what the checker judges) and its entries, in lock order."""

    locked: LockedSet
    entries: tuple[LockEntry, ...]


class EntryReader(_LockReader):
    """A lock reader that also keeps each package's entry as the lock records it; its
    `read` appends to `entries`."""

    entries: list[LockEntry]

    def read_with_entries(self) -> LockRead:
        """The lock's pins, each with its files and requires-python, and its entries.
        Raises InvalidInputFiles listing every problem `read` found."""
        self.entries = []
        self.read()
        self.sources.update(locked_sources(self.entries))
        return LockRead(self.result(), tuple(self.entries))

    def record(
        self,
        package: _Package,
        *,
        files: tuple[LockedFile, ...] = (),
        hashes: tuple[str, ...] = (),
        index: str | None = None,
        requires_python: str | None = None,
        index_url: str | None = None,
    ) -> None:
        """Keep the entry of `package` (its pin) with what the lock says of its files."""
        name, version = package.key
        self.entries.append(
            LockEntry(
                name,
                version,
                files,
                hashes,
                index,
                requires_python,
                index_url=index_url,
                source=package.source,
            )
        )


def locked_sources(
    entries: tuple[LockEntry, ...] | list[LockEntry],
) -> dict[LockNode, locked_files.LockedSource]:
    """Each entry's files (with their hashes), its index and requires-python, as the
    judging step reads them."""
    found: dict[LockNode, locked_files.LockedSource] = {}
    for entry in entries:
        files = tuple(
            locked_files.LockedFile(
                f.name,
                f.url,
                {k: v for h in f.hashes for k, v in locked_files.split_hash(h).items()},
            )
            for f in entry.files
        )
        found[(entry.name, entry.version, entry.source)] = locked_files.LockedSource(
            index_url=entry.index_url, files=files, requires_python=entry.requires_python
        )
    return found
