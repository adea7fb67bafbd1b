"""Reading a zip archive (a wheel) through byte ranges, without fetching the whole file.

The end of central directory record sits in the last bytes of the file, the central
directory just before it, and each member's data behind a local header at a known offset: so
a wheel's file list costs one tail read and its METADATA one more. Every size and offset in
the archive is checked against the file and against caps before anything is read or inflated,
so a hostile archive costs bounded memory.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from wheelcheck._metadata.core import CoreMetadata, MetadataError, parse_core_metadata

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "TAIL_BYTES",
    "ByteSource",
    "MemoryByteSource",
    "ZipEntry",
    "find_metadata_entry",
    "installed_size",
    "read_zip_member",
    "wheel_metadata",
    "zip_entries",
]

# One tail read of this size finds the end record of any zip whose comment is shorter.
TAIL_BYTES = 65_536
_MAX_COMMENT = 0xFFFF

METHOD_STORED = 0
METHOD_DEFLATED = 8
_FLAG_ENCRYPTED = 0x1
_FLAG_UTF8 = 0x800

# Layouts as in the zip APPNOTE (and the stdlib zipfile module).
_EOCD = struct.Struct("<4s4H2LH")
_EOCD_SIG = b"PK\x05\x06"
_Z64_LOCATOR = struct.Struct("<4sLQL")
_Z64_LOCATOR_SIG = b"PK\x06\x07"
_Z64_EOCD = struct.Struct("<4sQ2H2L4Q")
_Z64_EOCD_SIG = b"PK\x06\x06"
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_CENTRAL_SIG = b"PK\x01\x02"
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_LOCAL_SIG = b"PK\x03\x04"
_Z64_EXTRA_ID = 0x0001
_U32_MAX = 0xFFFF_FFFF

# Bytes read past a local header's name in the same request, hoping to cover its extra field.
_LOCAL_EXTRA_GUESS = 256

DEFAULT_MAX_ENTRIES = 100_000
DEFAULT_MAX_DIRECTORY_BYTES = 32 * 1024 * 1024
DEFAULT_MAX_METADATA_BYTES = 16 * 1024 * 1024


class ByteSource(Protocol):
    """A file that can be read at any offset: a URL answering range requests, or memory."""

    @property
    def label(self) -> str:
        """What to call the file in messages: a redacted URL or a file name."""
        ...

    async def size(self) -> int:
        """Total length of the file in bytes."""
        ...

    async def read(self, start: int, length: int) -> bytes:
        """Exactly `length` bytes from offset `start` (the range lies within the file)."""
        ...


class MemoryByteSource:
    """A :class:`ByteSource` over bytes already held in memory (a full download, a test)."""

    def __init__(self, data: bytes, *, label: str = "<memory>") -> None:
        self._data = data
        self._label = label
        self.reads = 0  # how often read() was called, for tests

    @property
    def label(self) -> str:
        return self._label

    async def size(self) -> int:
        return len(self._data)

    async def read(self, start: int, length: int) -> bytes:
        if start < 0 or length < 0 or start + length > len(self._data):
            raise MetadataError(self._label, f"read of {length} bytes at {start} is out of range")
        self.reads += 1
        return self._data[start : start + length]


@dataclass(frozen=True, slots=True)
class ZipEntry:
    """One member as the central directory describes it (ZIP64 fields already applied)."""

    name: str
    compressed_size: int
    uncompressed_size: int
    header_offset: int
    method: int
    crc32: int = 0
    flags: int = 0
    raw_name: bytes = field(default=b"", repr=False)  # as stored, to check the local header

    @property
    def is_dir(self) -> bool:
        """Whether the member is a directory entry (name ends with ``/``)."""
        return self.name.endswith("/")


async def _read_exact(source: ByteSource, start: int, length: int) -> bytes:
    data = await source.read(start, length)
    if len(data) != length:
        raise MetadataError(
            source.label, f"asked for {length} bytes at offset {start}, got {len(data)}"
        )
    return data


def _find_eocd(tail: bytes) -> int | None:
    """Offset in `tail` of the last end record whose comment fits in `tail`."""
    position = tail.rfind(_EOCD_SIG, 0, len(tail) - _EOCD.size + len(_EOCD_SIG))
    while position >= 0:
        (comment_length,) = struct.unpack_from("<H", tail, position + _EOCD.size - 2)
        if position + _EOCD.size + comment_length <= len(tail):
            return position
        position = tail.rfind(_EOCD_SIG, 0, position + len(_EOCD_SIG) - 1)
    return None


@dataclass(frozen=True, slots=True)
class _Directory:
    offset: int
    size: int
    count: int
    tail_start: int
    tail: bytes


async def _locate_directory(
    source: ByteSource, file_size: int, *, max_entries: int, max_directory_bytes: int
) -> _Directory:
    label = source.label
    if file_size < _EOCD.size:
        raise MetadataError(label, f"not a zip archive: only {file_size} bytes")
    tail_length = min(file_size, TAIL_BYTES)
    tail_start = file_size - tail_length
    tail = await _read_exact(source, tail_start, tail_length)
    position = _find_eocd(tail)
    if position is None and tail_start > 0:
        # Only a comment longer than the first read can push the record further back.
        extra = min(tail_start, _MAX_COMMENT + _EOCD.size - tail_length)
        if extra > 0:
            tail = await _read_exact(source, tail_start - extra, extra) + tail
            tail_start -= extra
            position = _find_eocd(tail)
    if position is None:
        raise MetadataError(label, "not a zip archive: no end of central directory record")

    _, disk, cd_disk, _, count, cd_size, cd_offset, _ = _EOCD.unpack_from(tail, position)
    record_start = tail_start + position
    directory_end = record_start
    locator = position - _Z64_LOCATOR.size
    if locator >= 0 and tail[locator : locator + 4] == _Z64_LOCATOR_SIG:
        _, _, z64_offset, disks = _Z64_LOCATOR.unpack_from(tail, locator)
        if disks > 1:
            raise MetadataError(label, "multi-disk zip archives are not supported")
        if z64_offset + _Z64_EOCD.size > tail_start + locator:
            raise MetadataError(label, f"ZIP64 end record offset {z64_offset} is out of range")
        if z64_offset >= tail_start:
            record = tail[z64_offset - tail_start : z64_offset - tail_start + _Z64_EOCD.size]
        else:
            record = await _read_exact(source, z64_offset, _Z64_EOCD.size)
        if record[:4] != _Z64_EOCD_SIG:
            raise MetadataError(label, "ZIP64 locator points at no ZIP64 end record")
        fields = _Z64_EOCD.unpack(record)
        disk, cd_disk, count, cd_size, cd_offset = fields[4], fields[5], *fields[7:10]
        directory_end = z64_offset
    if disk != 0 or cd_disk != 0:
        raise MetadataError(label, "multi-disk zip archives are not supported")
    if count > max_entries:
        raise MetadataError(label, f"{count} members, more than the limit of {max_entries}")
    if cd_size > max_directory_bytes:
        raise MetadataError(
            label,
            f"central directory of {cd_size} bytes, more than the limit of {max_directory_bytes}",
        )
    if cd_offset + cd_size > directory_end:
        raise MetadataError(
            label,
            f"central directory ({cd_size} bytes at {cd_offset}) runs past its end record",
        )
    if count * _CENTRAL.size > cd_size:
        raise MetadataError(label, f"central directory too small for {count} members")
    return _Directory(cd_offset, cd_size, count, tail_start, tail)


def _apply_zip64_extra(
    extra: bytes, sizes: tuple[int, int, int], label: str, name: str
) -> tuple[int, int, int]:
    """(uncompressed, compressed, offset) with 0xFFFFFFFF placeholders taken from ZIP64 extra."""
    uncompressed, compressed, offset = sizes
    position = 0
    while position + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, position)
        body = extra[position + 4 : position + 4 + length]
        position += 4 + length
        if kind != _Z64_EXTRA_ID:
            continue
        values = [struct.unpack_from("<Q", body, index)[0] for index in range(0, len(body) - 7, 8)]
        try:
            if uncompressed == _U32_MAX:
                uncompressed = values.pop(0)
            if compressed == _U32_MAX:
                compressed = values.pop(0)
            if offset == _U32_MAX:
                offset = values.pop(0)
        except IndexError:
            raise MetadataError(label, f"{name}: ZIP64 extra field is too short") from None
        return uncompressed, compressed, offset
    if _U32_MAX in sizes:
        raise MetadataError(label, f"{name}: 32-bit size placeholder without a ZIP64 extra field")
    return sizes


def _parse_directory(data: bytes, label: str, max_entries: int) -> list[ZipEntry]:
    entries: list[ZipEntry] = []
    position = 0
    while position < len(data):
        if len(entries) >= max_entries:
            raise MetadataError(label, f"more than the limit of {max_entries} members")
        if data[position : position + 4] != _CENTRAL_SIG or position + _CENTRAL.size > len(data):
            raise MetadataError(label, f"corrupt central directory at member {len(entries) + 1}")
        fields = _CENTRAL.unpack_from(data, position)
        flags, method, crc = fields[5], fields[6], fields[9]
        name_length, extra_length, comment_length = fields[12], fields[13], fields[14]
        name_start = position + _CENTRAL.size
        extra_start = name_start + name_length
        end = extra_start + extra_length + comment_length
        if end > len(data):
            raise MetadataError(label, f"corrupt central directory at member {len(entries) + 1}")
        raw_name = data[name_start:extra_start]
        name = raw_name.decode("utf-8" if flags & _FLAG_UTF8 else "cp437", errors="replace")
        uncompressed, compressed, offset = _apply_zip64_extra(
            data[extra_start : extra_start + extra_length],
            (fields[11], fields[10], fields[18]),
            label,
            name,
        )
        entries.append(
            ZipEntry(name, compressed, uncompressed, offset, method, crc, flags, raw_name)
        )
        position = end
    return entries


def _check_layout(entries: Sequence[ZipEntry], directory_offset: int, label: str) -> None:
    """Members must lie before the central directory, one after another, never overlapping.

    Overlapping members are how "overlapped" zip bombs reuse one compressed stream.
    """
    previous_end = 0
    previous_name = ""
    for entry in sorted(entries, key=lambda e: e.header_offset):
        end = entry.header_offset + _LOCAL.size + len(entry.raw_name) + entry.compressed_size
        if end > directory_offset:
            raise MetadataError(label, f"{entry.name}: data runs into the central directory")
        if entry.header_offset < previous_end:
            raise MetadataError(label, f"{entry.name} overlaps {previous_name}")
        previous_end, previous_name = end, entry.name


async def zip_entries(
    source: ByteSource,
    *,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    max_directory_bytes: int = DEFAULT_MAX_DIRECTORY_BYTES,
) -> list[ZipEntry]:
    """List a zip archive's members from its central directory, in directory order.

    Reads the last :data:`TAIL_BYTES` of the file, then whatever part of the central
    directory lies before that (nothing more for most wheels). ZIP64 archives are supported;
    multi-disk archives, and archives with data prepended before the first member, are not.

    Raises:
        MetadataError: the file is no zip, is corrupt, has more than `max_entries` members or
            a central directory larger than `max_directory_bytes`, or has members with
            offsets or sizes that overlap each other or run past the central directory.
    """
    file_size = await source.size()
    directory = await _locate_directory(
        source, file_size, max_entries=max_entries, max_directory_bytes=max_directory_bytes
    )
    start, end, tail_start = (
        directory.offset,
        directory.offset + directory.size,
        directory.tail_start,
    )
    if start >= tail_start:
        data = directory.tail[start - tail_start : end - tail_start]
    elif end <= tail_start:
        data = await _read_exact(source, start, directory.size)
    else:
        # Fetch only the part of the directory the tail read did not already cover.
        data = await _read_exact(source, start, tail_start - start)
        data += directory.tail[: end - tail_start]
    entries = _parse_directory(data, source.label, max_entries)
    _check_layout(entries, directory.offset, source.label)
    return entries


async def read_zip_member(source: ByteSource, entry: ZipEntry, *, max_bytes: int) -> bytes:
    """The uncompressed content of `entry`, checked against its size and CRC-32.

    Reads the local header and the data in one request when the header's extra field is
    short (it almost always is). Stored (0) and deflated (8) members are supported. Inflating
    stops at `max_bytes` of output, so a member that claims little and inflates to much
    costs no more memory than that.

    Raises:
        MetadataError: the member is encrypted, uses another compression method, is larger
            than `max_bytes`, its local header disagrees with the central directory, its data
            is corrupt, or it inflates to another size or CRC than the directory says.
    """
    label = f"{source.label}#{entry.name}"
    _check_readable(entry, label, max_bytes)
    data = await _member_data(source, entry, label)
    content = data if entry.method == METHOD_STORED else _inflate(data, entry, label, max_bytes)
    if len(content) != entry.uncompressed_size:
        raise MetadataError(
            label,
            f"{len(content)} bytes of content, the directory says {entry.uncompressed_size}",
        )
    if zlib.crc32(content) != entry.crc32:
        raise MetadataError(label, "CRC-32 mismatch")
    return content


def _check_readable(entry: ZipEntry, label: str, max_bytes: int) -> None:
    """Refuse, before reading anything, a member that cannot be read or is too large."""
    if entry.flags & _FLAG_ENCRYPTED:
        raise MetadataError(label, "member is encrypted")
    if entry.method not in (METHOD_STORED, METHOD_DEFLATED):
        raise MetadataError(label, f"unsupported compression method {entry.method}")
    if entry.uncompressed_size > max_bytes:
        raise MetadataError(
            label, f"member is {entry.uncompressed_size} bytes, more than the limit of {max_bytes}"
        )
    # Deflate never grows honest data by more than a few bytes per 16 KiB block.
    if entry.compressed_size > max_bytes + max_bytes // 64 + 1024:
        raise MetadataError(label, f"compressed size {entry.compressed_size} is implausible")


async def _member_data(source: ByteSource, entry: ZipEntry, label: str) -> bytes:
    """The member's compressed data, behind a local header that must match the directory.

    The header and the data come in one request unless the header's extra field is longer
    than guessed; then the rest follows in a second.
    """
    file_size = await source.size()
    wanted = _LOCAL.size + len(entry.raw_name) + _LOCAL_EXTRA_GUESS + entry.compressed_size
    blob = await _read_exact(
        source, entry.header_offset, min(wanted, file_size - entry.header_offset)
    )
    if len(blob) < _LOCAL.size or blob[:4] != _LOCAL_SIG:
        raise MetadataError(label, f"no local header at offset {entry.header_offset}")
    fields = _LOCAL.unpack_from(blob)
    name_length, extra_length = fields[10], fields[11]
    local_name = blob[_LOCAL.size : _LOCAL.size + name_length]
    if entry.raw_name and local_name != entry.raw_name:
        raise MetadataError(label, f"local header names {local_name!r} instead")
    data_start = _LOCAL.size + name_length + extra_length
    data_end = data_start + entry.compressed_size
    if entry.header_offset + data_end > file_size:
        raise MetadataError(label, "member data runs past the end of the file")
    if data_end > len(blob):
        blob += await _read_exact(source, entry.header_offset + len(blob), data_end - len(blob))
    return blob[data_start:data_end]


def _inflate(data: bytes, entry: ZipEntry, label: str, max_bytes: int) -> bytes:
    """Deflated `data` inflated, stopping at `max_bytes` of output (one byte more tells
    that the member inflates past the limit)."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        content = inflater.decompress(data, max_bytes + 1)
    except zlib.error as error:
        raise MetadataError(label, f"corrupt deflate data: {error}") from error
    if len(content) > max_bytes:
        raise MetadataError(
            label,
            f"inflates past the limit of {max_bytes} bytes "
            f"(the directory claims {entry.uncompressed_size})",
        )
    return content


def installed_size(entries: Iterable[ZipEntry]) -> int:
    """Sum of the members' uncompressed sizes: what unpacking the wheel writes to disk.

    It leaves out what installing adds (``.pyc`` files compiled afterwards, INSTALLER,
    REQUESTED, direct_url.json, console-script launchers) and file-system block rounding.
    """
    return sum(entry.uncompressed_size for entry in entries if not entry.is_dir)


def _dist_info_name(member: str) -> str | None:
    """``six-1.17.0`` for ``six-1.17.0.dist-info/METADATA``; None for anything else."""
    directory, slash, rest = member.partition("/")
    if slash and rest == "METADATA" and directory.endswith(".dist-info"):
        return directory.removesuffix(".dist-info")
    return None


def find_metadata_entry(
    entries: Sequence[ZipEntry], *, wheel_filename: str, label: str | None = None
) -> ZipEntry:
    """The ``{name}-{version}.dist-info/METADATA`` member of the wheel `wheel_filename`.

    The directory is matched by normalised name and version; when none matches and the wheel
    has exactly one top-level ``*.dist-info/METADATA``, that one is taken.

    Raises:
        MetadataError: `wheel_filename` is no valid wheel name, or no METADATA fits.
    """
    where = label or wheel_filename
    try:
        name, version, _, _ = parse_wheel_filename(wheel_filename)
    except InvalidWheelFilename as error:
        raise MetadataError(where, f"not a wheel file name: {error}") from error
    candidates: dict[str, ZipEntry] = {}
    for entry in entries:
        directory = _dist_info_name(entry.name)
        if directory is not None:
            candidates[directory] = entry  # a duplicate name: the last one wins, as in zipfile
    for directory, entry in candidates.items():
        dist_name, _, dist_version = directory.rpartition("-")
        try:
            if canonicalize_name(dist_name) == name and Version(dist_version) == version:
                return entry
        except InvalidVersion:
            continue
    if len(candidates) == 1:
        return next(iter(candidates.values()))
    if not candidates:
        raise MetadataError(where, "wheel has no *.dist-info/METADATA")
    found = ", ".join(sorted(f"{d}.dist-info" for d in candidates))
    raise MetadataError(where, f"no dist-info directory for {name} {version} among {found}")


async def wheel_metadata(
    source: ByteSource,
    *,
    wheel_filename: str,
    entries: Sequence[ZipEntry] | None = None,
    max_bytes: int = DEFAULT_MAX_METADATA_BYTES,
) -> CoreMetadata:
    """Read and parse a wheel's METADATA through `source`.

    Pass `entries` from an earlier :func:`zip_entries` call (for example one that also fed
    :func:`installed_size`) to skip listing the archive again.

    Raises:
        MetadataError: the archive cannot be read, has no fitting METADATA (see
            :func:`find_metadata_entry`), or the METADATA is larger than `max_bytes` or lacks
            a name or version.
    """
    if entries is None:
        entries = await zip_entries(source)
    entry = find_metadata_entry(entries, wheel_filename=wheel_filename, label=source.label)
    data = await read_zip_member(source, entry, max_bytes=max_bytes)
    return parse_core_metadata(data, source=f"{source.label}#{entry.name}")
