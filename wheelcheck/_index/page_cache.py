"""Project pages on the cache's store: parsed rows grouped by version, with HTTP validators.

What is stored is what is expensive to get again: a project page already parsed into file
rows (a 2 MB JSON page costs far more to parse than to read back), keyed by the index and
project, with the response's ``ETag``, ``Last-Modified``, freshness lifetime and the sha256
of the raw body (a validator of our own for indexes that send none: an unchanged body is
not parsed again). The store (wheelcheck._cache.store) frames, writes and stamps entries;
this module is the page's payload.

A page's payload is an index line (its warnings, and each version with the byte range,
CRC-32 and `_version_key` of its rows) and then the rows grouped by version; the header's
CRC covers the index line. A pinned requirement reads back one version's rows with a seek,
not the whole page (1,000 pins: 200 MB of rows otherwise).
"""

from __future__ import annotations

import contextlib
import json
import time
import zlib
from dataclasses import dataclass, field
from typing import IO, Any

import orjson
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_version
from packaging.version import InvalidVersion, Version

from wheelcheck._cache.keys import key_of
from wheelcheck._cache.store import Store
from wheelcheck._index.pages import ParsedPage, Row, files_from_groups

__all__ = [
    "PAGES",
    "CachedPage",
    "Validators",
    "delete_page",
    "freshness_lifetime",
    "load_page",
    "page_key",
    "store_page",
]

PAGES = "pages"  # the kind of a page's entries in the store


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

    def parsed(self, index_url: str, versions: SpecifierSet | None = None) -> ParsedPage | None:
        """The page's files (with `index_url`, redacted, as their index), or None if corrupt.

        `versions` keeps only the files of versions it contains (pre-releases admitted).
        """
        try:
            groups: list[tuple[Version, list[Row]]] = []
            for text, chunk in self.chunks.items():
                version = Version(text)
                if versions is None or versions.contains(version, prereleases=True):
                    groups.append((version, orjson.loads(chunk)))
            files = files_from_groups(groups, index_url)
        except (
            ValueError, KeyError, TypeError, IndexError, AttributeError, OverflowError,
            InvalidVersion,
        ):  # fmt: skip
            return None  # not rows: a filename that is not a string, int(Infinity)...
        return ParsedPage(files=tuple(files), warnings=self.warnings)


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


def _page_payload(page: ParsedPage | None) -> tuple[bytes, bytes]:
    """(index line, rows): the rows grouped by version, each group's range, CRC-32 and
    `_version_key` in the index line (see the module's docstring)."""
    chunks: list[bytes] = []
    ranges: list[list[Any]] = []
    offset = 0
    if page is not None and page.files and not page.groups:
        raise ValueError("a page is stored from its groups (made by the page parsers)")
    for group in page.groups if page is not None else ():
        # orjson: 2.6x faster than the stdlib on the rows of 1,161 real pages (scripts/
        # bench_json.py); it writes non-ASCII as UTF-8, which both read back alike.
        chunk = orjson.dumps(group.rows)
        end = offset + len(chunk)
        ranges.append(
            [str(group.version), offset, end, zlib.crc32(chunk), _version_key(group.version)]
        )
        chunks.append(chunk)
        offset = end
    warnings = list(page.warnings) if page is not None else []
    index = json.dumps({"warnings": warnings, "versions": ranges}, separators=(",", ":"))
    return index.encode() + b"\n", b"".join(chunks)


def page_key(index_url: str, display: str, project: str, accept: str) -> str:
    """The key of one project page on one index (URL without credentials, and the user)."""
    return key_of(index_url, display, project, accept)


def load_page(store: Store, key: str, versions: SpecifierSet | None = None) -> CachedPage | None:
    """The stored page for `key`, or None when absent or unusable.

    With `versions`, only the rows of versions that may match are read from the file (a
    pin's among thousands); the entry is then not `complete`.
    """
    pin = _pin_key(versions)

    def read(header: dict[str, Any], stream: IO[bytes]) -> CachedPage | None:
        if not isinstance(header.get("index_len"), int):
            return None
        index_line = stream.read(header["index_len"])
        if zlib.crc32(index_line) != header.get("crc"):
            return None
        body = stream.tell()
        index = json.loads(index_line)
        warnings = tuple(str(w) for w in index["warnings"])
        chunks: dict[str, bytes] = {}
        for text, start, end, crc, version_key in index["versions"]:
            if pin is not None and version_key != pin:
                continue
            stream.seek(body + start)
            chunk = stream.read(end - start)
            if zlib.crc32(chunk) != crc:
                return None
            chunks[str(text)] = chunk
        complete = pin is None
        return CachedPage(key, header, index_line, chunks, complete=complete, warnings=warnings)

    return store.read_parts(PAGES, key, read)


def store_page(
    store: Store,
    key: str,
    page: ParsedPage | None,
    *,
    validators: Validators,
    body_sha256: str | None,
    entry: CachedPage | None = None,
) -> bool:
    """Store `page` (None: the index answered 404/410) with what revalidates it; False when
    it is not stored.

    `entry` (a complete one) is stored again as it is, with new validators (after a 304).
    Responses marked ``no-store`` are not stored.
    """
    if validators.no_store:
        delete_page(store, key)
        return False
    if entry is not None:
        index_line, body = entry.index_line, b"".join(entry.chunks.values())
    else:
        index_line, body = _page_payload(page)
    header = {
        "found": page is not None,
        "etag": validators.etag,
        "last_modified": validators.last_modified,
        "sha256": body_sha256,
        "index_len": len(index_line),
    }
    # The header's CRC covers the index line; each version's rows have their own.
    return store.write(
        PAGES,
        key,
        index_line + body,
        header=header,
        crc=zlib.crc32(index_line),
        expires=True,
        max_age=validators.max_age,
    )


def delete_page(store: Store, key: str) -> None:
    """Forget the page (the index marked it no-store): the check used what is not kept."""
    store.note_gap("a page the index marked no-store")
    store.delete(PAGES, key)
