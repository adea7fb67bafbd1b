"""What one check read from the cache and wrote to it: the ledger a kept check is judged by.

A kept check (wheelcheck._cache.checks) is reused only while every entry it read is still
the same file and, online, still fresh; and only a check with no gaps (things it used that
the cache does not hold) is kept at all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

__all__ = ["EntryStamp", "Ledger"]


@dataclass(frozen=True, slots=True)
class EntryStamp:
    """One cache entry as a check read or wrote it: the file's identity and, for an entry
    that expires (a page), when it was stored and its own freshness lifetime (None: the
    default)."""

    size: int
    mtime_ns: int
    inode: int
    expires: bool = False
    stored: float | None = None
    max_age: float | None = None

    @staticmethod
    def identity_of(status: os.stat_result) -> tuple[int, int, int]:
        """What changes whenever an entry is written again (every write is a new file)."""
        return status.st_size, status.st_mtime_ns, status.st_ino

    @property
    def identity(self) -> tuple[int, int, int]:
        return self.size, self.mtime_ns, self.inode


@dataclass(slots=True)
class Ledger:
    """What one check read from the cache or wrote to it (path relative to the cache root ->
    stamp), and `gaps`: things it used that the cache does not hold (a failed write, a
    no-store page, a file read without a hash). A check with no gaps can be reused while
    every entry is unchanged (wheelcheck._cache.checks)."""

    entries: dict[str, EntryStamp] = field(default_factory=dict)
    gaps: list[str] = field(default_factory=list)
