"""Dependency metadata without running package code: METADATA, wheels by range, sdists."""

from __future__ import annotations

import asyncio
import io
import logging
import struct
import tarfile
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from fileserver import FileServer
from packaging.requirements import Requirement

from wheelcheck._index.ranges import HttpByteSource
from wheelcheck._metadata import (
    TAIL_BYTES,
    MemoryByteSource,
    MetadataError,
    ZipEntry,
    installed_size,
    parse_core_metadata,
    read_zip_member,
    sdist_dependencies,
    wheel_metadata,
    zip_entries,
)
from wheelcheck.errors import EXIT_INDEX

FILES = Path(__file__).parent / "data" / "files"
SIX = "six-1.17.0-py2.py3-none-any.whl"
HTTPX_WHEEL = "httpx-0.28.1-py3-none-any.whl"
HTTPX_SDIST = "httpx-0.28.1.tar.gz"
RETRYING_SDIST = "retrying-1.3.4.tar.gz"

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


METADATA = b"""\
Metadata-Version: 2.3
Name: Demo_Pkg
Version: 1.2.0
Requires-Python: >=3.9
Requires-Dist: requests>=2.31
Requires-Dist: uvloop; sys_platform != "win32" and platform_python_implementation == "CPython"
Requires-Dist: numpy>=1.26; platform_machine == "aarch64"
Provides-Extra: Fast_IO
Requires-Dist: orjson>=3; extra == "fast-io"
Requires-Dist: demo-native[simd]; extra == 'fast_io' and python_version >= "3.11"

A long description that is not a header.
"""


def make_wheel(
    name: str = "Demo_Pkg",
    version: str = "1.2.0",
    metadata: bytes = METADATA,
    *,
    files: dict[str, bytes] | None = None,
    dist_info: str | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
    metadata_first: bool = False,
) -> bytes:
    """A wheel as build backends write it: package files, then the .dist-info directory."""
    buffer = io.BytesIO()
    directory = dist_info or f"{name}-{version}.dist-info"
    package = files if files is not None else {f"{name.lower()}/__init__.py": b"VALUE = 1\n"}
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        if metadata_first:
            archive.writestr(f"{directory}/METADATA", metadata)
        for path, content in package.items():
            archive.writestr(path, content)
        if not metadata_first:
            archive.writestr(f"{directory}/METADATA", metadata)
        archive.writestr(f"{directory}/WHEEL", b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\n")
        archive.writestr(f"{directory}/RECORD", b"")
    return buffer.getvalue()


def patch_central(data: bytes, name: str, **fields: int) -> bytes:
    """Rewrite fields of `name`'s central directory header (sizes, offset, crc, method)."""
    offsets = {"crc": 16, "compressed": 20, "uncompressed": 24, "offset": 42, "method": 10}
    formats = {"crc": "<L", "compressed": "<L", "uncompressed": "<L", "offset": "<L"}
    eocd = data.rindex(b"PK\x05\x06")
    (position,) = struct.unpack_from("<L", data, eocd + 16)  # start of the central directory
    out = bytearray(data)
    while True:
        position = data.index(b"PK\x01\x02", position)
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + name_length] == name.encode():
            break
        position += 4
    for key, value in fields.items():
        struct.pack_into(formats.get(key, "<H"), out, position + offsets[key], value)
    return bytes(out)


def to_zip64(data: bytes) -> bytes:
    """The same archive with ZIP64 records: placeholders in every central header and the
    end record, the real values in ZIP64 extra fields and a ZIP64 end record + locator."""
    eocd = data.rindex(b"PK\x05\x06")
    _, _, _, _, count, _, cd_offset, _ = struct.unpack_from("<4s4H2LH", data, eocd)
    central = bytearray()
    position = cd_offset
    for _ in range(count):
        header = bytearray(data[position : position + 46])
        name_length, extra_length, comment_length = struct.unpack_from("<3H", header, 28)
        compressed, uncompressed = struct.unpack_from("<2L", header, 20)
        (offset,) = struct.unpack_from("<L", header, 42)
        rest = data[position + 46 : position + 46 + name_length + extra_length + comment_length]
        name = rest[:name_length]
        extra = struct.pack("<HH3Q", 1, 24, uncompressed, compressed, offset)
        struct.pack_into("<2L", header, 20, 0xFFFFFFFF, 0xFFFFFFFF)
        struct.pack_into("<L", header, 42, 0xFFFFFFFF)
        struct.pack_into("<H", header, 30, len(extra) + extra_length)
        struct.pack_into("<B", header, 6, 45)  # version needed to extract: ZIP64
        central += header + name + extra + rest[name_length:]
        position += 46 + name_length + extra_length + comment_length
    z64_offset = cd_offset + len(central)
    record = struct.pack(
        "<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(central), cd_offset
    )
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, z64_offset, 1)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return data[:cd_offset] + bytes(central) + record + locator + end


def make_sdist(
    members: dict[str, bytes],
    *,
    extra: Callable[[tarfile.TarFile], None] | None = None,
    fmt: str = "gz",
) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=f"w:{fmt}") as archive:  # type: ignore[call-overload]
        for path, content in members.items():
            info = tarfile.TarInfo(path)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
        if extra is not None:
            extra(archive)
    return buffer.getvalue()


# --- core metadata ------------------------------------------------------------------------


def test_core_metadata_keeps_markers_and_extras() -> None:
    metadata = parse_core_metadata(METADATA, source="demo")
    assert metadata.name == "Demo_Pkg"
    assert metadata.canonical_name == "demo-pkg"
    assert metadata.version == "1.2.0"
    assert metadata.requires_python == ">=3.9"
    assert metadata.metadata_version == "2.3"
    assert metadata.provides_extra == ("fast-io",)  # PEP 685 normalised
    names = [r.name for r in metadata.requires_dist]
    assert names == ["requests", "uvloop", "numpy", "orjson", "demo-native"]
    numpy = metadata.requires_dist[2]
    assert numpy.marker is not None
    base = {"python_version": "3.12", "sys_platform": "linux"}
    assert numpy.marker.evaluate({**base, "platform_machine": "aarch64"})
    assert not numpy.marker.evaluate({**base, "platform_machine": "x86_64"})
    native = metadata.requires_dist[4]
    assert native.extras == {"simd"}
    assert native.marker is not None
    assert native.marker.evaluate({**base, "extra": "fast-io"})
    assert not native.marker.evaluate({**base, "extra": ""})


def test_core_metadata_skips_an_invalid_requirement_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = (
        b"Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Python: >=3.lol\n"
        b"Requires-Dist: good>=1\nRequires-Dist: bad >=>= 1\nRequires-Dist: also-good\n"
    )
    with caplog.at_level(logging.WARNING):
        metadata = parse_core_metadata(data, source="a-1.whl")
    assert [str(r) for r in metadata.requires_dist] == ["good>=1", "also-good"]
    assert metadata.requires_python is None
    assert "bad >=>= 1" in caplog.text
    assert "a-1.whl" in caplog.text


def test_core_metadata_without_a_name_is_an_index_error_naming_the_source() -> None:
    with pytest.raises(MetadataError) as caught:
        parse_core_metadata(b"Metadata-Version: 2.1\nVersion: 1\n", source="x-1.tar.gz#PKG-INFO")
    assert "x-1.tar.gz#PKG-INFO" in str(caught.value)
    assert caught.value.exit_code == EXIT_INDEX


def test_core_metadata_dynamic_fields_compare_case_insensitively() -> None:
    data = b"Metadata-Version: 2.2\nName: a\nVersion: 1\nDynamic: Requires-Dist\n"
    metadata = parse_core_metadata(data, source="a")
    assert metadata.is_dynamic("requires-dist")
    assert metadata.is_dynamic("Requires-Dist")
    assert not metadata.is_dynamic("Requires-Python")


# --- zip reading from memory --------------------------------------------------------------


def test_real_wheel_lists_members_and_reads_metadata() -> None:
    data = (FILES / HTTPX_WHEEL).read_bytes()
    source = MemoryByteSource(data, label=HTTPX_WHEEL)
    entries = run(zip_entries(source))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
    assert [e.name for e in entries] == [i.filename for i in infos]
    assert installed_size(entries) == sum(i.file_size for i in infos)
    metadata = run(wheel_metadata(source, wheel_filename=HTTPX_WHEEL, entries=entries))
    assert metadata.name == "httpx"
    assert metadata.provides_extra == ("brotli", "cli", "http2", "socks", "zstd")
    brotli = next(r for r in metadata.requires_dist if r.name == "brotli")
    assert str(brotli.marker) == (
        'platform_python_implementation == "CPython" and extra == "brotli"'
    )


def test_real_six_wheel_metadata() -> None:
    source = MemoryByteSource((FILES / SIX).read_bytes(), label=SIX)
    metadata = run(wheel_metadata(source, wheel_filename=SIX))
    assert (metadata.name, metadata.version) == ("six", "1.17.0")
    assert metadata.requires_dist == ()
    assert metadata.requires_python == ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*"


def test_stored_members_are_read_too() -> None:
    data = make_wheel(compression=zipfile.ZIP_STORED)
    metadata = run(
        wheel_metadata(MemoryByteSource(data), wheel_filename="demo_pkg-1.2.0-py3-none-any.whl")
    )
    assert metadata.version == "1.2.0"


def test_dist_info_is_matched_by_normalised_name_and_version() -> None:
    data = make_wheel(
        files={
            "demo_pkg/__init__.py": b"",
            # A vendored distribution's metadata must not be taken for the wheel's own.
            "demo_pkg/_vendor/other-2.0.dist-info/METADATA": b"Name: other\nVersion: 2.0\n",
        },
        dist_info="demo.pkg-1.2.0.dist-info",
    )
    extra = io.BytesIO(data)
    with zipfile.ZipFile(extra, "a") as archive:
        archive.writestr(
            "zzz-9.dist-info/METADATA", b"Metadata-Version: 2.1\nName: zzz\nVersion: 9\n"
        )
    source = MemoryByteSource(extra.getvalue())
    metadata = run(wheel_metadata(source, wheel_filename="Demo_Pkg-1.2.0-py3-none-any.whl"))
    assert metadata.name == "Demo_Pkg"


def test_the_only_dist_info_is_taken_when_the_name_differs() -> None:
    data = make_wheel(dist_info="demo_pkg-1.2.0.post0.dist-info")
    metadata = run(
        wheel_metadata(MemoryByteSource(data), wheel_filename="demo_pkg-1.2.0-py3-none-any.whl")
    )
    assert metadata.name == "Demo_Pkg"


def test_wheel_without_metadata_or_with_a_bad_name_is_rejected() -> None:
    bare = io.BytesIO()
    with zipfile.ZipFile(bare, "w") as archive:
        archive.writestr("demo/__init__.py", b"")
    with pytest.raises(MetadataError, match=r"no \*\.dist-info/METADATA"):
        run(
            wheel_metadata(
                MemoryByteSource(bare.getvalue()), wheel_filename="demo-1-py3-none-any.whl"
            )
        )
    with pytest.raises(MetadataError, match="not a wheel file name"):
        run(wheel_metadata(MemoryByteSource(make_wheel()), wheel_filename="demo.zip"))


def test_zip64_archive_is_listed_and_read() -> None:
    plain = make_wheel()
    data = to_zip64(plain)
    # The stdlib agrees the rewritten archive is a valid ZIP64 zip.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        expected = [(i.filename, i.file_size, i.header_offset) for i in archive.infolist()]
    assert b"PK\x06\x06" in data[-200:]
    source = MemoryByteSource(data)
    entries = run(zip_entries(source))
    assert [(e.name, e.uncompressed_size, e.header_offset) for e in entries] == expected
    metadata = run(wheel_metadata(source, wheel_filename="demo_pkg-1.2.0-py3-none-any.whl"))
    assert metadata.requires_python == ">=3.9"


def test_zip64_written_by_the_stdlib_for_many_members() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(65_600):  # more than a 16-bit count: zipfile writes ZIP64
            archive.writestr(f"pkg/m{index}.py", b"")
        archive.writestr(
            "pkg-1.dist-info/METADATA", b"Metadata-Version: 2.1\nName: pkg\nVersion: 1\n"
        )
    data = buffer.getvalue()
    assert b"PK\x06\x06" in data
    entries = run(zip_entries(MemoryByteSource(data)))
    assert len(entries) == 65_601
    with pytest.raises(MetadataError, match="65601 members, more than the limit of 1000"):
        run(zip_entries(MemoryByteSource(data), max_entries=1000))


def test_zip_bomb_metadata_is_rejected_without_inflating_it() -> None:
    bomb = b"Metadata-Version: 2.1\nName: demo_pkg\nVersion: 1.2.0\nSummary: " + b"A" * (
        40 * 1024 * 1024
    )
    data = make_wheel(metadata=bomb)
    assert len(data) < 200_000  # tiny compressed, huge uncompressed
    source = MemoryByteSource(data)
    name = "demo_pkg-1.2.0-py3-none-any.whl"
    # Honest sizes: refused from the central directory alone.
    with pytest.raises(MetadataError, match="more than the limit"):
        run(wheel_metadata(source, wheel_filename=name, max_bytes=1024 * 1024))
    # Lying sizes: the directory claims 100 bytes; inflating stops at the cap.
    liar = patch_central(data, "Demo_Pkg-1.2.0.dist-info/METADATA", uncompressed=100)
    tracemalloc.start()
    try:
        with pytest.raises(MetadataError, match="inflates past the limit"):
            run(wheel_metadata(MemoryByteSource(liar), wheel_filename=name, max_bytes=1 << 20))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024  # far below the 40 MiB the member inflates to


def test_absurd_member_count_is_rejected_before_reading_the_directory() -> None:
    data = bytearray(make_wheel())
    eocd = bytes(data).rindex(b"PK\x05\x06")
    struct.pack_into("<2H", data, eocd + 8, 60_000, 60_000)
    source = MemoryByteSource(bytes(data))
    with pytest.raises(MetadataError, match="60000 members, more than the limit of 1000"):
        run(zip_entries(source, max_entries=1000))
    with pytest.raises(MetadataError, match="too small for 60000 members"):
        run(zip_entries(source))
    assert source.reads == 2  # only the tail was ever read


def test_oversized_central_directory_is_rejected() -> None:
    data = make_wheel(files={f"demo_pkg/m{i}.py": b"" for i in range(500)})
    with pytest.raises(MetadataError, match="central directory of"):
        run(zip_entries(MemoryByteSource(data), max_directory_bytes=4096))


def test_overlapping_and_out_of_range_offsets_are_rejected() -> None:
    data = make_wheel(files={"demo_pkg/a.py": b"a" * 100, "demo_pkg/b.py": b"b" * 100})
    overlapping = patch_central(data, "demo_pkg/b.py", offset=0)
    with pytest.raises(MetadataError, match="overlaps"):
        run(zip_entries(MemoryByteSource(overlapping)))
    beyond = patch_central(data, "demo_pkg/b.py", offset=len(data) - 30)
    with pytest.raises(MetadataError, match="runs into the central directory"):
        run(zip_entries(MemoryByteSource(beyond)))
    huge = patch_central(data, "demo_pkg/a.py", compressed=0xFFFF_FFF0)
    with pytest.raises(MetadataError):
        run(zip_entries(MemoryByteSource(huge)))


def test_corrupt_member_data_is_caught_by_crc() -> None:
    data = make_wheel(compression=zipfile.ZIP_STORED, metadata_first=True)
    corrupt = bytearray(data)
    position = data.index(b"Requires-Python: >=3.9")
    corrupt[position] ^= 0x20
    source = MemoryByteSource(bytes(corrupt))
    with pytest.raises(MetadataError, match="CRC-32"):
        run(wheel_metadata(source, wheel_filename="demo_pkg-1.2.0-py3-none-any.whl"))


@pytest.mark.parametrize(
    "data",
    [b"", b"not a zip at all", b"PK\x03\x04" + b"\0" * 100, (FILES / SIX).read_bytes()[:5000]],
    ids=["empty", "text", "local-header-only", "truncated"],
)
def test_non_zips_are_a_metadata_error(data: bytes) -> None:
    with pytest.raises(MetadataError, match="not a zip archive"):
        run(zip_entries(MemoryByteSource(data, label="x.whl")))


def test_unsupported_method_and_encryption_are_reported() -> None:
    entry = ZipEntry("a/METADATA", 10, 10, 0, 12)
    with pytest.raises(MetadataError, match="compression method 12"):
        run(read_zip_member(MemoryByteSource(b"\0" * 100), entry, max_bytes=100))
    encrypted = ZipEntry("a/METADATA", 10, 10, 0, 8, flags=1)
    with pytest.raises(MetadataError, match="encrypted"):
        run(read_zip_member(MemoryByteSource(b"\0" * 100), encrypted, max_bytes=100))


# --- over HTTP range requests --------------------------------------------------------------


def _incompressible(size: int) -> bytes:
    """Deterministic bytes deflate cannot shrink, so the wheel is really that large."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += zlib.crc32(counter.to_bytes(8, "little")).to_bytes(4, "little") * 1
        out += struct.pack("<Q", (counter * 0x9E3779B97F4A7C15) & 0xFFFF_FFFF_FFFF_FFFF)
        counter += 1
    return bytes(out[:size])


BIG_WHEEL = make_wheel(
    files={"demo_pkg/_native.so": _incompressible(2 * 1024 * 1024)}, metadata_first=True
)
MANY_WHEEL = make_wheel(files={f"demo_pkg/sub/module_{i:05}.py": b"x = 1\n" for i in range(3000)})
WHEEL_NAME = "demo_pkg-1.2.0-py3-none-any.whl"


@pytest.fixture(scope="module")
def file_server() -> Iterator[FileServer]:
    files = {
        "/big.whl": BIG_WHEEL,
        "/many.whl": MANY_WHEEL,
        "/six.whl": (FILES / SIX).read_bytes(),
        "/empty": b"",
    }
    with FileServer(files) as server:
        yield server


@pytest.fixture
def server(file_server: FileServer) -> Iterator[FileServer]:
    file_server.reset()
    yield file_server
    file_server.reset()


async def _fetch_metadata(url: str, **options: Any) -> tuple[HttpByteSource, list[ZipEntry], Any]:
    async with httpx.AsyncClient() as client:
        source = HttpByteSource(client, url, **options)
        entries = await zip_entries(source)
        metadata = await wheel_metadata(source, wheel_filename=WHEEL_NAME, entries=entries)
        return source, entries, metadata


def test_range_reads_take_two_requests_and_skip_the_payload(server: FileServer) -> None:
    source, entries, metadata = run(_fetch_metadata(server.url("/big.whl")))
    assert metadata.name == "Demo_Pkg"
    assert installed_size(entries) > 2 * 1024 * 1024
    assert source.requests == 2  # tail (size + directory) and METADATA
    assert not source.full_download
    assert source.bytes_received < TAIL_BYTES + 4096 < len(BIG_WHEEL) // 10
    requests = server.requests_for("/big.whl")
    assert requests[0][2] == f"bytes=-{TAIL_BYTES}"
    assert all(method == "GET" and rng for method, _, rng in requests)
    assert all(h.get("accept-encoding") == "identity" for h in server.headers)


def test_a_directory_larger_than_the_tail_costs_one_more_request(server: FileServer) -> None:
    source, entries, metadata = run(_fetch_metadata(server.url("/many.whl")))
    assert len(entries) == 3003
    assert metadata.version == "1.2.0"
    assert source.requests == 3  # tail, the rest of the directory, METADATA


def test_small_real_wheel_costs_one_request(server: FileServer) -> None:
    async def go() -> tuple[int, str]:
        async with httpx.AsyncClient() as client:
            source = HttpByteSource(client, server.url("/six.whl"))
            metadata = await wheel_metadata(source, wheel_filename=SIX)
            return source.requests, metadata.version

    assert run(go()) == (1, "1.17.0")  # the tail covers the whole 11 kB file


@pytest.mark.parametrize("omit_length", [False, True])
def test_server_ignoring_range_falls_back_to_one_bounded_download(
    server: FileServer, omit_length: bool
) -> None:
    server.ignore_range = True
    server.omit_content_length = omit_length
    source, entries, metadata = run(_fetch_metadata(server.url("/many.whl")))
    assert source.full_download
    assert source.requests == 1
    assert len(entries) == 3003
    assert metadata.requires_python == ">=3.9"


@pytest.mark.parametrize("omit_length", [False, True])
def test_full_download_fallback_respects_its_cap(server: FileServer, omit_length: bool) -> None:
    server.ignore_range = True
    server.omit_content_length = omit_length
    with pytest.raises(MetadataError, match="download limit"):
        run(_fetch_metadata(server.url("/big.whl"), max_download_bytes=512 * 1024))


def test_http_errors_are_metadata_errors_without_credentials(server: FileServer) -> None:
    url = server.url("/missing.whl").replace("http://", "http://alice:s3cret@")
    with pytest.raises(MetadataError) as caught:
        run(_fetch_metadata(url))
    assert "404" in str(caught.value)
    assert "s3cret" not in str(caught.value)
    assert caught.value.exit_code == EXIT_INDEX


def test_given_auth_is_sent(server: FileServer) -> None:
    run(_fetch_metadata(server.url("/big.whl"), auth=httpx.BasicAuth("bob", "pw")))
    assert server.headers
    assert all(h.get("authorization", "").startswith("Basic ") for h in server.headers)


def test_empty_file_is_not_a_zip(server: FileServer) -> None:
    with pytest.raises(MetadataError, match="not a zip archive"):
        run(_fetch_metadata(server.url("/empty")))


def test_unreachable_server_is_a_metadata_error() -> None:
    with FileServer() as closed:
        url = closed.url("/x.whl")
    with pytest.raises(MetadataError, match="request failed"):
        run(_fetch_metadata(url))


# --- sdists -------------------------------------------------------------------------------


def test_real_sdist_with_static_metadata() -> None:
    result = sdist_dependencies((FILES / HTTPX_SDIST).read_bytes(), filename=HTTPX_SDIST)
    assert result.status == "static"
    assert "PKG-INFO Metadata-Version 2.3" in result.evidence
    assert [str(r) for r in result.requires_dist][:4] == [
        "anyio",
        "certifi",
        "httpcore==1.*",
        "idna",
    ]
    assert "socks" in result.provides_extra
    assert result.requires_python == ">=3.8"
    assert (result.name, result.version) == ("httpx", "0.28.1")
    assert "httpx-0.28.1/httpx/_client.py" in result.members
    assert result.file("pyproject.toml") is not None


def test_real_setup_py_sdist_declares_dependencies_in_egg_info() -> None:
    result = sdist_dependencies((FILES / RETRYING_SDIST).read_bytes(), filename=RETRYING_SDIST)
    assert result.status == "declared"
    assert result.provenance == "egg-info"
    assert [str(r) for r in result.requires_dist] == ["six>=1.7.0"]
    assert result.evidence == "retrying.egg-info/requires.txt"
    assert "retrying-1.3.4/setup.py" in result.members
    assert result.file("setup.py") is not None
    assert result.file("retrying.egg-info/requires.txt") == b"six>=1.7.0\n"


PKG_INFO_21 = b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"
PYPROJECT_STATIC = b"""
[project]
name = "demo"
version = "1.0"
requires-python = ">=3.10"
dependencies = ["attrs>=23", "cffi>=1.15; platform_python_implementation == 'CPython'"]

[project.optional-dependencies]
Postgres = ["psycopg2>=2.9"]
speed = ["orjson; platform_machine != 'armv7l'"]
"""


def test_sdist_falls_back_to_static_pyproject() -> None:
    data = make_sdist(
        {"demo-1.0/PKG-INFO": PKG_INFO_21, "demo-1.0/pyproject.toml": PYPROJECT_STATIC}
    )
    result = sdist_dependencies(data, filename="demo-1.0.tar.gz")
    assert result.status == "static"
    assert "pyproject.toml" in result.evidence
    assert result.provides_extra == ("postgres", "speed")
    assert result.requires_python == ">=3.10"
    by_name = {r.name: r for r in result.requires_dist}
    assert set(by_name) == {"attrs", "cffi", "psycopg2", "orjson"}
    orjson = by_name["orjson"].marker
    assert orjson is not None
    env = {"python_version": "3.12"}
    assert orjson.evaluate({**env, "extra": "speed", "platform_machine": "x86_64"})
    assert not orjson.evaluate({**env, "extra": "speed", "platform_machine": "armv7l"})
    assert not orjson.evaluate({**env, "extra": "postgres", "platform_machine": "x86_64"})


def test_sdist_with_dynamic_dependencies_is_unknown() -> None:
    pkg_info = b"Metadata-Version: 2.2\nName: demo\nVersion: 1.0\nDynamic: Requires-Dist\n"
    pyproject = b'[project]\nname = "demo"\nversion = "1.0"\ndynamic = ["dependencies"]\n'
    data = make_sdist(
        {
            "demo-1.0/PKG-INFO": pkg_info,
            "demo-1.0/pyproject.toml": pyproject,
            "demo-1.0/setup.py": b"from setuptools import setup\n"
            b"setup(install_requires=open('requirements.txt').read().split())\n",
        }
    )
    result = sdist_dependencies(data, filename="demo-1.0.tar.gz")
    assert result.status == "unknown"
    assert result.provenance == "unknown"
    assert result.requires_dist == ()
    assert "Requires-Dist as dynamic" in result.evidence
    assert "dependencies as dynamic" in result.evidence
    assert "install_requires: setup.py computes it (Call at line 2)" in result.evidence


def test_sdist_pkg_info_22_without_requirements_means_none() -> None:
    pkg_info = b"Metadata-Version: 2.2\nName: demo\nVersion: 1.0\nDynamic: Summary\n"
    result = sdist_dependencies(
        make_sdist({"demo-1.0/PKG-INFO": pkg_info}), filename="demo-1.0.tar.gz"
    )
    assert result.status == "static"
    assert result.requires_dist == ()


def test_zip_sdist_and_streamed_tar() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("demo-1.0/PKG-INFO", PKG_INFO_21)
        archive.writestr("demo-1.0/pyproject.toml", PYPROJECT_STATIC)
    result = sdist_dependencies(buffer.getvalue(), filename="demo-1.0.zip")
    assert result.status == "static"

    class OneWay(io.RawIOBase):
        """A pipe-like stream: no seeking."""

        def __init__(self, data: bytes) -> None:
            self._inner = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            chunk = self._inner.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    streamed = sdist_dependencies(
        io.BufferedReader(OneWay((FILES / HTTPX_SDIST).read_bytes())), filename=HTTPX_SDIST
    )
    assert streamed.status == "static"
    assert len(streamed.members) == len(
        sdist_dependencies((FILES / HTTPX_SDIST).read_bytes(), filename=HTTPX_SDIST).members
    )


def test_tar_path_tricks_are_listed_but_never_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    hostile = b"Metadata-Version: 2.2\nName: evil\nVersion: 6.6\nRequires-Dist: malware\n"

    def links(archive: tarfile.TarFile) -> None:
        for kind, name, target in (
            (tarfile.SYMTYPE, "demo-1.0/setup.cfg", "/etc/passwd"),
            (tarfile.LNKTYPE, "demo-1.0/pyproject.toml", "../../../etc/shadow"),
            (tarfile.SYMTYPE, "demo-1.0/escape", "../../.."),
        ):
            info = tarfile.TarInfo(name)
            info.type = kind
            info.linkname = target
            archive.addfile(info)

    data = make_sdist(
        {
            "../PKG-INFO": hostile,
            "/abs/PKG-INFO": hostile,
            "demo-1.0/../../PKG-INFO": hostile,
            "./demo-1.0/PKG-INFO": PKG_INFO_21,
        },
        extra=links,
    )
    result = sdist_dependencies(data, filename="demo-1.0.tar.gz")
    assert result.status == "unknown"
    assert result.name == "demo"
    assert "malware" not in repr(result.requires_dist)
    assert "../PKG-INFO" in result.members
    assert "demo-1.0/escape" in result.members
    assert list(tmp_path.iterdir()) == []  # nothing was written anywhere


def test_sdist_caps_members_and_bytes() -> None:
    many = make_sdist({f"demo-1.0/f{i}.c": b"" for i in range(300)})
    with pytest.raises(MetadataError, match="more than the limit of 100 members"):
        sdist_dependencies(many, filename="demo-1.0.tar.gz", max_members=100)
    bomb = make_sdist({"demo-1.0/PKG-INFO": PKG_INFO_21, "demo-1.0/big.bin": b"\0" * (20 << 20)})
    assert len(bomb) < 100_000
    with pytest.raises(MetadataError, match="exceeds"):
        sdist_dependencies(bomb, filename="demo-1.0.tar.gz", max_bytes=1 << 20)


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"garbage", "demo-1.0.tar.gz"),
        (b"garbage", "demo-1.0.zip"),
        (make_sdist({"demo-1.0/PKG-INFO": PKG_INFO_21})[:60], "demo-1.0.tar.gz"),
    ],
    ids=["tar-garbage", "zip-garbage", "truncated"],
)
def test_unreadable_sdists_are_metadata_errors(data: bytes, filename: str) -> None:
    with pytest.raises(MetadataError, match="unreadable archive"):
        sdist_dependencies(data, filename=filename)


def test_requirements_are_packaging_objects() -> None:
    result = sdist_dependencies((FILES / HTTPX_SDIST).read_bytes(), filename=HTTPX_SDIST)
    assert all(isinstance(r, Requirement) for r in result.requires_dist)


# --- live ---------------------------------------------------------------------------------

NUMPY_URL = (
    "https://files.pythonhosted.org/packages/af/30/"
    "feba75f143bdc868a1cc3f44ccfa6c4b9ec522b36458e738cd00f67b573f/"
    "numpy-2.2.6-pp310-pypy310_pp73-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
)


@pytest.mark.live
def test_live_pypi_wheel_metadata_by_range() -> None:
    async def go() -> tuple[HttpByteSource, list[ZipEntry], Any]:
        async with httpx.AsyncClient(timeout=30) as client:
            source = HttpByteSource(client, NUMPY_URL)
            entries = await zip_entries(source)
            filename = NUMPY_URL.rsplit("/", 1)[1]
            metadata = await wheel_metadata(source, wheel_filename=filename, entries=entries)
            return source, entries, metadata

    source, entries, metadata = run(go())
    assert (metadata.name, metadata.version) == ("numpy", "2.2.6")
    assert installed_size(entries) > 40_000_000
    assert source.requests <= 3
    assert source.bytes_received < 500_000  # of a 16.6 MB file
