"""The on-disk cache: project pages stored parsed, with their HTTP freshness and validators.

What is stored is what is expensive to get again: a project page already parsed into file
rows (a 2 MB JSON page costs far more to parse than to read back), keyed by the index and
project, with the response's ``ETag``, ``Last-Modified``, freshness lifetime and the sha256
of the raw body (a validator of our own for indexes that send none: an unchanged body is
not parsed again). Dependencies read from a release's metadata are stored per file URL and
hash: a published file never changes, so they never expire.

Each entry is one file: a JSON header line, then the payload, whose length and CRC-32 the
header records. A page's payload is an index line (its warnings, and each version with the
byte range, CRC-32 and `_version_key` of its rows) and then the rows grouped by version; the
header's CRC covers the index line. A pinned requirement reads back one version's rows with
a seek, not the whole page (1,000 pins: 200 MB of rows otherwise). Writes go to a temporary
file in the same directory and are renamed over the entry (``os.replace``), so concurrent
checks sharing the cache see an old entry or a new one, never a partial one. An entry that
is unreadable, truncated, corrupt or from another format version is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_version
from packaging.version import InvalidVersion, Version

from wheelcheck._defaults import DEFAULT_MAX_AGE  # configurable: --cache-max-age
from wheelcheck._index.pages import ParsedPage, Row, files_from_groups
from wheelcheck.models import Dependencies, DistFile

__all__ = [
    "DEFAULT_MAX_AGE",
    "FORMAT_VERSION",
    "CacheLedger",
    "CachedPage",
    "EntryStamp",
    "IndexCache",
    "Validators",
    "default_cache_dir",
    "freshness_lifetime",
    "is_fresh",
]

FORMAT_VERSION = 4  # 4: a page's rows carry their position on the page
_MAX_ENTRY_BYTES = 512 * 1024 * 1024  # anything larger on disk is not ours
_MAX_HEADER_BYTES = 64 * 1024
_KEPT_CHECKS = 32  # finished checks kept for reuse (wheelcheck._cache.checks), newest first

logger = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    """platformdirs' user cache directory for wheelcheck (``~/.cache/wheelcheck`` on Linux)."""
    from platformdirs import user_cache_path

    return user_cache_path("wheelcheck", appauthor=False)


@dataclass(frozen=True, slots=True)
class Validators:
    """What a response says about its own freshness and how to revalidate it."""

    etag: str | None = None
    last_modified: str | None = None
    max_age: float | None = None  # seconds fresh from `date`; None: the index said nothing
    no_store: bool = False


def freshness_lifetime(
    cache_control: str | None, expires: str | None, date: str | None, age: str | None
) -> tuple[float | None, bool]:
    """(seconds the response stays fresh, no-store) from its headers, RFC 9111 section 4.2.1.

    ``no-cache`` gives 0 (always revalidate); ``max-age`` wins over ``Expires``; ``Age``
    is subtracted. Returns (None, False) when the response says nothing about freshness.
    """
    import email.utils

    directives: dict[str, str] = {}
    for part in (cache_control or "").split(","):
        key, _, value = part.strip().partition("=")
        if key:
            directives[key.lower()] = value.strip().strip('"')
    no_store = "no-store" in directives
    if "no-cache" in directives:
        return 0.0, no_store
    lifetime: float | None = None
    if "max-age" in directives:
        try:
            lifetime = float(int(directives["max-age"]))
        except ValueError:
            lifetime = 0.0  # an invalid max-age means stale (RFC 9111 4.2.1)
    elif expires is not None:
        try:
            expiry = email.utils.parsedate_to_datetime(expires).timestamp()
            sent = email.utils.parsedate_to_datetime(date).timestamp() if date else time.time()
        except (TypeError, ValueError, IndexError):
            lifetime = 0.0  # an invalid Expires means already expired
        else:
            lifetime = max(0.0, expiry - sent)
    if lifetime is not None and age is not None and age.strip().isdigit():
        lifetime = max(0.0, lifetime - int(age.strip()))
    return lifetime, no_store


def is_fresh(stored: object, max_age: object, default_max_age: float, now: float | None) -> bool:
    """Whether a page stored at `stored` (epoch seconds) with its own lifetime `max_age`
    (None: `default_max_age`) may be used at `now` without asking the index again."""
    if max_age is None:
        max_age = default_max_age
    if not isinstance(stored, int | float) or not isinstance(max_age, int | float):
        return False
    age = (time.time() if now is None else now) - stored
    return 0 <= age < max_age


@dataclass(frozen=True, slots=True)
class CachedPage:
    """A stored project page: its header, its index line, and the rows of the versions read.

    `load_page` reads only the versions asked for; `complete` says whether all were read
    (only a complete entry is stored again after a 304).
    """

    key: str
    header: dict[str, Any]
    index_line: bytes = b""
    chunks: dict[str, bytes] = field(default_factory=dict)  # version text -> its rows (JSON)
    complete: bool = True
    warnings: tuple[str, ...] = ()  # from the index line, read once by load_page

    @property
    def found(self) -> bool:
        """False for a stored 404/410: the index does not know the project."""
        return bool(self.header.get("found"))

    @property
    def etag(self) -> str | None:
        value = self.header.get("etag")
        return value if isinstance(value, str) else None

    @property
    def last_modified(self) -> str | None:
        value = self.header.get("last_modified")
        return value if isinstance(value, str) else None

    @property
    def body_sha256(self) -> str | None:
        value = self.header.get("sha256")
        return value if isinstance(value, str) else None

    def is_fresh(self, default_max_age: float, now: float | None = None) -> bool:
        """Whether the entry may be used without asking the index again."""
        return is_fresh(self.header.get("stored"), self.header.get("max_age"), default_max_age, now)

    def parsed(self, index_url: str, versions: SpecifierSet | None = None) -> ParsedPage | None:
        """The page's files (with `index_url`, redacted, as their index), or None if corrupt.

        `versions` keeps only the files of versions it contains (pre-releases admitted).
        """
        try:
            groups: list[tuple[Version, list[Row]]] = []
            for text, chunk in self.chunks.items():
                version = Version(text)
                if versions is None or versions.contains(version, prereleases=True):
                    groups.append((version, json.loads(chunk)))
            files = files_from_groups(groups, index_url)
        except (
            ValueError, KeyError, TypeError, IndexError, AttributeError, OverflowError,
            InvalidVersion,
        ):  # fmt: skip
            return None  # not rows: a filename that is not a string, int(Infinity)...
        return ParsedPage(files=tuple(files), warnings=self.warnings)


@dataclass(frozen=True, slots=True)
class EntryStamp:
    """One cache entry as a check read or wrote it: the file's identity and, for a page, when
    it was stored and its own freshness lifetime (None: the default)."""

    size: int
    mtime_ns: int
    inode: int
    page: bool = False
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
class CacheLedger:
    """What one check read from the cache or wrote to it (path relative to the cache root ->
    stamp), and `gaps`: things it used that the cache does not hold (a failed write, a
    no-store page, a file read without a hash). A check with no gaps can be reused while
    every entry is unchanged (wheelcheck._cache.checks)."""

    entries: dict[str, EntryStamp] = field(default_factory=dict)
    gaps: list[str] = field(default_factory=list)


def _pin_key(versions: SpecifierSet | None) -> str | None:
    """The `_version_key` every version matching an ``==X`` clause of `versions` has (a
    necessary condition, checked before the exact one), or None when there is no such clause."""
    for clause in versions or ():
        if clause.operator == "==" and not clause.version.endswith(".*"):
            with contextlib.suppress(InvalidVersion):
                return _version_key(Version(clause.version))
    return None


def _version_key(version: Version) -> str:
    """The public version, trailing zeros stripped: equal for versions that PEP 440 calls
    equal under ``==`` (a local label aside), so a pin need not parse every version."""
    public = version if version.local is None else Version(version.public)
    return canonicalize_version(public, strip_trailing_zero=True)  # a Version: not re-parsed


# One encoder for every version's rows: json.dumps with separators builds a new one per call,
# which cost more than the encoding for the many small versions of a page.
_COMPACT = json.JSONEncoder(separators=(",", ":"))


def _page_payload(page: ParsedPage | None) -> tuple[bytes, bytes]:
    """(index line, rows): the rows grouped by version, each group's range, CRC-32 and
    `_version_key` in the index line (see the module's docstring)."""
    chunks: list[bytes] = []
    ranges: list[list[Any]] = []
    offset = 0
    if page is not None and page.files and not page.groups:
        raise ValueError("a page is stored from its groups (made by the page parsers)")
    for group in page.groups if page is not None else ():
        chunk = _COMPACT.encode(group.rows).encode()
        end = offset + len(chunk)
        ranges.append(
            [str(group.version), offset, end, zlib.crc32(chunk), _version_key(group.version)]
        )
        chunks.append(chunk)
        offset = end
    warnings = list(page.warnings) if page is not None else []
    index = json.dumps({"warnings": warnings, "versions": ranges}, separators=(",", ":"))
    return index.encode() + b"\n", b"".join(chunks)


def _dependencies_to_json(dependencies: Dependencies) -> dict[str, Any]:
    return {
        "requires_dist": [str(r) for r in dependencies.requires_dist],
        "requires_python": dependencies.requires_python,
        "known": dependencies.known,
        "evidence": dependencies.evidence,
    }


@functools.lru_cache(maxsize=16384)
def _requirement(text: str) -> Requirement:
    """A parsed Requires-Dist line: popular ones ("typing-extensions>=4") recur across
    releases. Shared, so never modified (nothing in wheelcheck modifies a Requirement)."""
    return Requirement(text)


def _dependencies_from_json(document: dict[str, Any]) -> Dependencies:
    requires_python = document["requires_python"]
    return Dependencies(
        requires_dist=tuple(_requirement(str(r)) for r in document["requires_dist"]),
        requires_python=None if requires_python is None else str(requires_python),
        known=bool(document["known"]),
        evidence=str(document["evidence"]),
    )


class IndexCache:
    """Project pages and release dependencies under `root`, shared safely between processes.

    `default_max_age` is the freshness, in seconds, of a page whose index sent no
    Cache-Control or Expires header. Methods never raise for a bad entry or a full or
    read-only disk: a bad entry is a miss, a failed write is skipped; the first failed
    write logs a warning (the check runs on, storing nothing the next one could reuse).
    """

    def __init__(self, root: Path, *, default_max_age: float = DEFAULT_MAX_AGE) -> None:
        self.root = Path(root)
        self.default_max_age = default_max_age
        self._pages = self.root / f"pages-v{FORMAT_VERSION}"
        self._metadata = self.root / f"metadata-v{FORMAT_VERSION}"
        self._checks = self.root / f"checks-v{FORMAT_VERSION}"
        self.ledger = CacheLedger()
        self._made: set[Path] = set()  # directories this instance created or found
        self._warned = False  # about a failed write, once

    # -- keys -------------------------------------------------------------------------------

    @staticmethod
    def page_key(index_url: str, display: str, project: str, accept: str) -> str:
        """The key of one project page on one index (URL without credentials, and the user)."""
        text = "\0".join((index_url, display, project, accept))
        return hashlib.sha256(text.encode()).hexdigest()

    @staticmethod
    def file_key(file: DistFile) -> str | None:
        """The key of a release file's dependencies: its URL and hash; None without a hash."""
        algorithm = next((a for a in ("sha256", "sha512", "sha384") if a in file.hashes), None)
        if algorithm is None:
            return None
        url = file.url.split("#", 1)[0]
        text = f"{url}\0{algorithm}={file.hashes[algorithm].lower()}"
        return hashlib.sha256(text.encode()).hexdigest()

    # -- pages ------------------------------------------------------------------------------

    def load_page(self, key: str, versions: SpecifierSet | None = None) -> CachedPage | None:
        """The stored page for `key`, or None when absent or unusable.

        With `versions`, only the rows of versions that may match are read from the file
        (a pin's among thousands); the entry is then not `complete`.
        """
        pin = _pin_key(versions)
        path = self._path(self._pages, key)
        try:
            with path.open("rb") as stream:
                status = os.fstat(stream.fileno())
                size = status.st_size
                line = stream.readline(_MAX_HEADER_BYTES)
                header = json.loads(line)
                if (
                    not isinstance(header, dict)
                    or header.get("v") != FORMAT_VERSION
                    or header.get("len") != size - len(line)
                    or not isinstance(header.get("index_len"), int)
                ):
                    return None
                index_line = stream.read(header["index_len"])
                if zlib.crc32(index_line) != header.get("crc"):
                    return None
                chunks: dict[str, bytes] = {}
                body = len(line) + len(index_line)
                index = json.loads(index_line)
                warnings = tuple(str(w) for w in index["warnings"])
                for text, start, end, crc, version_key in index["versions"]:
                    if pin is not None and version_key != pin:
                        continue
                    stream.seek(body + start)
                    chunk = stream.read(end - start)
                    if zlib.crc32(chunk) != crc:
                        return None
                    chunks[str(text)] = chunk
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent, unreadable, truncated, or not ours
        self._note(path, status, header)
        return CachedPage(key, header, index_line, chunks, complete=pin is None, warnings=warnings)

    def store_page(
        self,
        key: str,
        page: ParsedPage | None,
        *,
        validators: Validators,
        body_sha256: str | None,
        entry: CachedPage | None = None,
    ) -> bool:
        """Store `page` (None: the index answered 404/410) with what revalidates it; False
        when it is not stored.

        `entry` (a complete one) is stored again as it is, with new validators (after a
        304). Responses marked ``no-store`` are not stored.
        """
        if validators.no_store:
            self.delete_page(key)
            return False
        if entry is not None:
            index_line, body = entry.index_line, b"".join(entry.chunks.values())
        else:
            index_line, body = _page_payload(page)
        header = {
            "found": page is not None,
            "stored": time.time(),
            "max_age": validators.max_age,
            "etag": validators.etag,
            "last_modified": validators.last_modified,
            "sha256": body_sha256,
            "index_len": len(index_line),
        }
        # The header's CRC covers the index line; each version's rows have their own.
        return self._write(self._pages, key, header, index_line + body, crc=zlib.crc32(index_line))

    def delete_page(self, key: str) -> None:
        self.ledger.gaps.append("a page the index marked no-store")
        with contextlib.suppress(OSError):
            self._path(self._pages, key).unlink()

    # -- dependencies -----------------------------------------------------------------------

    def load_dependencies(self, key: str) -> Dependencies | None:
        """The stored dependencies for a file key, or None when absent or unusable."""
        found = self._read(self._metadata, key)
        if found is None:
            return None
        try:
            return _dependencies_from_json(json.loads(found[1]))
        except (ValueError, KeyError, TypeError, InvalidRequirement):
            return None

    def store_dependencies(self, key: str, dependencies: Dependencies) -> None:
        payload = json.dumps(_dependencies_to_json(dependencies), separators=(",", ":"))
        self._write(self._metadata, key, {}, payload.encode())

    # -- other immutable documents (for other readers of release files) --------------------

    def load_document(self, kind: str, key: str) -> Any | None:
        """A JSON document stored with `store_document`, or None when absent or unusable.

        For facts read from a release file (say a wheel's zip directory), keyed with
        `file_key`: a published file never changes, so these never expire.
        """
        found = self._read(self.root / f"{kind}-v{FORMAT_VERSION}", key)
        if found is None:
            return None
        try:
            return json.loads(found[1])
        except ValueError:
            return None

    def store_document(self, kind: str, key: str, document: Any) -> None:
        """Store a JSON-serializable `document` under `kind` (a short word) and `key`."""
        payload = json.dumps(document, separators=(",", ":")).encode()
        self._write(self.root / f"{kind}-v{FORMAT_VERSION}", key, {}, payload)

    # -- finished checks (wheelcheck._cache.checks) --------------------------------------------

    def load_check(self, key: str) -> bytes | None:
        """The payload stored with `store_check`, or None; not noted in the ledger."""
        try:
            with (self._checks / key).open("rb") as stream:
                data = stream.read(_MAX_ENTRY_BYTES + 1)
        except OSError:
            return None
        found = _split_entry(data)
        return None if found is None else found[1]

    def store_check(self, key: str, payload: bytes) -> None:
        """Keep a finished check's payload; only the newest few are kept."""
        self._write(self._checks, key, {}, payload, flat=True)
        try:
            kept = sorted(
                (e for e in os.scandir(self._checks) if not e.name.startswith(".")),
                key=lambda e: e.stat().st_mtime_ns,
                reverse=True,
            )
            for old in kept[_KEPT_CHECKS:]:
                Path(old.path).unlink()
        except OSError:
            pass  # another check pruned first, or a read-only cache: nothing to do

    def entry_identity(self, relative: str) -> tuple[int, int, int] | None:
        """The identity (`EntryStamp.identity`) of the entry at `relative`, None if absent."""
        try:
            return EntryStamp.identity_of((self.root / relative).stat())
        except OSError:
            return None

    # -- files ------------------------------------------------------------------------------

    @staticmethod
    def _path(directory: Path, key: str) -> Path:
        return directory / key[:2] / key

    def _note(
        self, path: Path, status: os.stat_result, header: dict[str, Any], *, wrote: bool = False
    ) -> None:
        """Record in the ledger that this check used the entry at `path` as `status` says
        (`wrote`: as this check wrote it)."""
        relative = f"{path.parent.parent.name}/{path.parent.name}/{path.name}"  # kind/xx/key
        identity = EntryStamp.identity_of(status)
        earlier = self.ledger.entries.get(relative)
        if not wrote and earlier is not None and earlier.identity != identity:
            # Another process rewrote it between two reads: the report may rest on both.
            self.ledger.gaps.append("an entry changed while the check read it")
        page = "stored" in header  # only pages carry freshness
        stored, max_age = header.get("stored"), header.get("max_age")
        self.ledger.entries[relative] = EntryStamp(
            *identity,
            page=page,
            stored=float(stored) if isinstance(stored, int | float) else None,
            max_age=float(max_age) if isinstance(max_age, int | float) else None,
        )

    def _read(self, directory: Path, key: str) -> tuple[dict[str, Any], bytes] | None:
        path = self._path(directory, key)
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

    def _write(
        self,
        directory: Path,
        key: str,
        header: dict[str, Any],
        payload: bytes,
        crc: int | None = None,
        *,
        flat: bool = False,
    ) -> bool:
        """Write one entry; False when it could not be written (a gap in the ledger)."""
        path = directory / key if flat else self._path(directory, key)
        checksum = zlib.crc32(payload) if crc is None else crc
        full = {**header, "v": FORMAT_VERSION, "len": len(payload), "crc": checksum}
        data = json.dumps(full, separators=(",", ":")).encode() + b"\n" + payload
        try:
            if path.parent not in self._made:  # one mkdir per directory, not per write
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                self._made.add(path.parent)
            temporary: str | None = None
            try:
                handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
                with os.fdopen(handle, "wb") as stream:
                    stream.write(data)
                    stream.flush()
                    status = os.fstat(stream.fileno())  # a rename keeps inode and mtime
                Path(temporary).replace(path)
            except BaseException:  # an interrupt too: no temporary file stays behind
                if temporary is not None:
                    with contextlib.suppress(OSError):
                        Path(temporary).unlink()
                raise
        except OSError as error:
            self.ledger.gaps.append("a cache write failed")
            self._made.discard(path.parent)  # removed under us, perhaps: mkdir next time
            if not self._warned:
                self._warned = True
                logger.warning(
                    "cannot write to the cache in %s (%s): the check runs, storing nothing",
                    self.root,
                    error.strerror or error,
                )
            return False
        if not flat:  # a finished check is not something a check reads
            self._note(path, status, full, wrote=True)
        return True


def _split_entry(data: bytes) -> tuple[dict[str, Any], bytes] | None:
    """(header, payload) of a whole entry read by `_read`, or None when it is not intact."""
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
