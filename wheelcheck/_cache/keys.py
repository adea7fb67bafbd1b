"""Keys of cache entries: a sha256 of what names the entry, the same in every process."""

from __future__ import annotations

import hashlib

from wheelcheck.models import DistFile

__all__ = ["file_key", "key_of"]


def key_of(*parts: str) -> str:
    """The key of the entry these strings name (NUL-separated: no two tuples share one)."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def file_key(file: DistFile) -> str | None:
    """The key of what is read from a release file: its URL and hash (a published file never
    changes, so neither does what it says); None without a hash."""
    algorithm = next((a for a in ("sha256", "sha512", "sha384") if a in file.hashes), None)
    if algorithm is None:
        return None
    return key_of(file.url.split("#", 1)[0], f"{algorithm}={file.hashes[algorithm].lower()}")
