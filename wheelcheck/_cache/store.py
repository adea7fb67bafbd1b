"""The one on-disk store of the cache: entries by kind and key, shared safely between processes.

Everything wheelcheck keeps lives here: index pages (encoded by wheelcheck._index.page_cache),
release metadata (`metadata`), advice answers (`advice`) and finished checks (`checks`). An
entry is one file, ``<kind>-v<FORMAT_VERSION>/<key[:2]>/<key>``: a JSON header line (the
format version, the payload's length and a CRC-32), then the payload. Writes go to a
temporary file in the same directory and are renamed over the entry (``os.replace``), so
concurrent checks sharing the cache see an old entry or a new one, never a partial one. An
entry that is unreadable, truncated, corrupt or from another format version is a miss,
never an error; a failed write is skipped, and logged once.

An entry written with `expires` (a page) goes stale `max_age` seconds after it was stored;
others (what was read from a published file) never do. Every entry a check reads or writes
is stamped in the store's `ledger`, which is what a kept check is judged by.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

from wheelcheck._cache.ledger import EntryStamp, Ledger
from wheelcheck._defaults import DEFAULT_MAX_AGE  # configurable: --cache-max-age

__all__ = ["DEFAULT_MAX_AGE", "FORMAT_VERSION", "Held", "Store", "default_cache_dir", "is_fresh"]

FORMAT_VERSION = 4  # 4: a page's rows carry their position on the page
_MAX_ENTRY_BYTES = 512 * 1024 * 1024  # anything larger on disk is not ours
_MAX_HEADER_BYTES = 64 * 1024

logger = logging.getLogger(__name__)
T = TypeVar("T")
Header = dict[str, Any]


def default_cache_dir() -> Path:
    """platformdirs' user cache directory for wheelcheck (``~/.cache/wheelcheck`` on Linux)."""
    from platformdirs import user_cache_path

    return user_cache_path("wheelcheck", appauthor=False)


def is_fresh(stored: object, max_age: object, default_max_age: float, now: float | None) -> bool:
    """Whether an entry stored at `stored` (epoch seconds) with its own lifetime `max_age`
    (None: `default_max_age`) may be used at `now` without asking the index again."""
    if max_age is None:
        max_age = default_max_age
    if not isinstance(stored, int | float) or not isinstance(max_age, int | float):
        return False
    age = (time.time() if now is None else now) - stored
    return 0 <= age < max_age


@dataclass(frozen=True, slots=True)
class Held:
    """What a check used for an entry the store does not hold (a page that could not be
    written, a lookup that failed): it stands for the entry for the rest of the check."""

    content: object


class Store:
    """Cache entries under `root`, and what this check read, wrote and holds (one instance
    per check).

    `default_max_age` is the freshness, in seconds, of an expiring entry stored without a
    lifetime of its own. Methods never raise for a bad entry or a full or read-only disk: a
    bad entry is a miss, a failed write is skipped; the first failed write logs a warning
    (the check runs on, storing nothing the next one could reuse).
    """

    def __init__(self, root: Path, *, default_max_age: float = DEFAULT_MAX_AGE) -> None:
        self.root = Path(root)
        self.default_max_age = default_max_age
        self.ledger = Ledger()
        self._made: set[Path] = set()  # directories this instance created or found
        self._warned = False  # about a failed write, once
        # One content per check: entries whose content this check settled (read it, or
        # wrote it), and what stands for those it could not write.
        self._settled: set[str] = set()
        self._held: dict[str, Held] = {}

    # -- entries ----------------------------------------------------------------------------

    def read(self, kind: str, key: str) -> tuple[Header, bytes] | None:
        """The header and payload of the entry, or None when absent or not intact."""
        path = self._path(kind, key)
        try:
            with path.open("rb") as stream:
                status = os.fstat(stream.fileno())
                data = stream.read(_MAX_ENTRY_BYTES + 1)
        except OSError:
            return None
        found = _split_entry(data)
        if found is not None:
            self._note(path, status, found[0])
        return found

    def read_parts(
        self, kind: str, key: str, read: Callable[[Header, IO[bytes]], T | None]
    ) -> T | None:
        """What `read` makes of the entry (its header, and the file just past the header
        line, for reads of a part: one version of a page), or None when the entry is absent
        or not ours, or `read` returns None or raises ValueError, KeyError or TypeError.

        `read` checks the payload's CRCs itself: the header's `crc` is the writer's.
        """
        path = self._path(kind, key)
        try:
            with path.open("rb") as stream:
                status = os.fstat(stream.fileno())
                line = stream.readline(_MAX_HEADER_BYTES)
                header = json.loads(line)
                if (
                    not isinstance(header, dict)
                    or header.get("v") != FORMAT_VERSION
                    or header.get("len") != status.st_size - len(line)
                ):
                    return None
                found = read(header, stream)
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent, unreadable, truncated, or not ours
        if found is not None:
            self._note(path, status, header)
        return found

    def write(
        self,
        kind: str,
        key: str,
        payload: bytes,
        *,
        header: Mapping[str, Any] | None = None,
        crc: int | None = None,
        expires: bool = False,
        max_age: float | None = None,
    ) -> bool:
        """Write one entry, with `header`'s fields in its header line; False when it could
        not be written (a gap in the ledger).

        `crc` is the CRC-32 the header records (default: the payload's). With `expires`
        the entry goes stale `max_age` seconds from now (None: `default_max_age`).
        """
        fields = dict(header or {})
        if expires:
            fields.update(stored=time.time(), max_age=max_age)
        return self._write(self._path(kind, key), fields, payload, crc, noted=True)

    def delete(self, kind: str, key: str) -> None:
        with contextlib.suppress(OSError):
            self._path(kind, key).unlink()

    def read_json(self, kind: str, key: str) -> Any | None:
        """A JSON document stored with `write_json`, or None when absent or unusable."""
        found = self.read(kind, key)
        if found is None:
            return None
        try:
            return json.loads(found[1])
        except ValueError:
            return None

    def write_json(self, kind: str, key: str, document: Any) -> bool:
        """Store a JSON-serializable `document` under `kind` (a short word) and `key`."""
        payload = json.dumps(document, separators=(",", ":")).encode()
        return self.write(kind, key, payload)

    def is_fresh(self, header: Mapping[str, Any], now: float | None = None) -> bool:
        """Whether the entry with this header may be used without asking again."""
        return is_fresh(header.get("stored"), header.get("max_age"), self.default_max_age, now)

    # -- kept entries: the newest few of a kind, which no check reads as an input -----------

    def read_kept(self, kind: str, key: str) -> bytes | None:
        """The payload stored with `keep`, or None; not stamped in the ledger."""
        try:
            with (self._kept_directory(kind) / key).open("rb") as stream:
                data = stream.read(_MAX_ENTRY_BYTES + 1)
        except OSError:
            return None
        found = _split_entry(data)
        return None if found is None else found[1]

    def keep(self, kind: str, key: str, payload: bytes, *, newest: int) -> None:
        """Keep `payload` under `key`; only the `newest` entries of `kind` stay."""
        directory = self._kept_directory(kind)
        self._write(directory / key, {}, payload, None, noted=False)
        try:
            kept = sorted(
                (e for e in os.scandir(directory) if not e.name.startswith(".")),
                key=lambda e: e.stat().st_mtime_ns,
                reverse=True,
            )
            for old in kept[newest:]:
                Path(old.path).unlink()
        except OSError:
            pass  # another check pruned first, or a read-only cache: nothing to do

    # -- what this check used ---------------------------------------------------------------

    def note_gap(self, what: str) -> None:
        """Record that the check used `what`, which the cache does not hold: its report must
        not be reused from the cache (wheelcheck._cache.checks)."""
        self.ledger.gaps.append(what)

    def entry_identity(self, relative: str) -> tuple[int, int, int] | None:
        """The identity (`EntryStamp.identity`) of the entry at `relative` (a ledger path),
        None if absent."""
        try:
            return EntryStamp.identity_of((self.root / relative).stat())
        except OSError:
            return None

    def settle(self, kind: str, key: str) -> None:
        """Mark the entry's content, as this check read or wrote it, as the check's own: a
        later read in the check uses it without asking whether it is fresh."""
        self._settled.add(f"{kind}/{key}")

    def settled(self, kind: str, key: str) -> bool:
        return f"{kind}/{key}" in self._settled

    def hold(self, kind: str, key: str, content: object) -> None:
        """Keep `content` in memory for the entry for the rest of the check (it could not
        be written, or its lookup failed)."""
        self._held[f"{kind}/{key}"] = Held(content)

    def held(self, kind: str, key: str) -> Held | None:
        return self._held.get(f"{kind}/{key}")

    # -- files ------------------------------------------------------------------------------

    def _path(self, kind: str, key: str) -> Path:
        return self.root / f"{kind}-v{FORMAT_VERSION}" / key[:2] / key

    def _kept_directory(self, kind: str) -> Path:
        return self.root / f"{kind}-v{FORMAT_VERSION}"

    def _note(
        self, path: Path, status: os.stat_result, header: Header, *, wrote: bool = False
    ) -> None:
        """Record in the ledger that this check used the entry at `path` as `status` says
        (`wrote`: as this check wrote it)."""
        relative = f"{path.parent.parent.name}/{path.parent.name}/{path.name}"  # kind/xx/key
        identity = EntryStamp.identity_of(status)
        earlier = self.ledger.entries.get(relative)
        if not wrote and earlier is not None and earlier.identity != identity:
            # Another process rewrote it between two reads: the report may rest on both.
            self.note_gap("an entry changed while the check read it")
        stored, max_age = header.get("stored"), header.get("max_age")
        self.ledger.entries[relative] = EntryStamp(
            *identity,
            expires="stored" in header,
            stored=float(stored) if isinstance(stored, int | float) else None,
            max_age=float(max_age) if isinstance(max_age, int | float) else None,
        )

    def _write(
        self, path: Path, header: Header, payload: bytes, crc: int | None, *, noted: bool
    ) -> bool:
        """Write one entry at `path`; False when it could not be written (a gap)."""
        checksum = zlib.crc32(payload) if crc is None else crc
        full = {**header, "v": FORMAT_VERSION, "len": len(payload), "crc": checksum}
        data = json.dumps(full, separators=(",", ":")).encode() + b"\n" + payload
        try:
            if path.parent not in self._made:  # one mkdir per directory, not per write
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                self._made.add(path.parent)
            status = _replace_atomically(path, data)
        except OSError as error:
            self.note_gap("a cache write failed")
            self._made.discard(path.parent)  # removed under us, perhaps: mkdir next time
            if not self._warned:
                self._warned = True
                logger.warning(
                    "cannot write to the cache in %s (%s): the check runs, storing nothing",
                    self.root,
                    error.strerror or error,
                )
            return False
        if noted:
            self._note(path, status, full, wrote=True)
        return True


def _replace_atomically(path: Path, data: bytes) -> os.stat_result:
    """Write `data` to a temporary file beside `path`, then rename it over `path`; the
    status of what was written (a rename keeps inode and mtime)."""
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            status = os.fstat(stream.fileno())
        Path(temporary).replace(path)
    except BaseException:  # an interrupt too: no temporary file stays behind
        if temporary is not None:
            with contextlib.suppress(OSError):
                Path(temporary).unlink()
        raise
    return status


def _split_entry(data: bytes) -> tuple[Header, bytes] | None:
    """(header, payload) of a whole entry, or None when it is not intact."""
    if len(data) > _MAX_ENTRY_BYTES:
        return None
    line, newline, payload = data.partition(b"\n")
    if not newline:
        return None
    try:
        header = json.loads(line)
    except ValueError:
        return None
    if (
        not isinstance(header, dict)
        or header.get("v") != FORMAT_VERSION
        or header.get("len") != len(payload)
        or header.get("crc") != zlib.crc32(payload)
    ):
        return None
    return header, payload
