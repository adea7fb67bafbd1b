"""Reading distribution files for advice: a wheel's zip directory and an sdist's member list.

The HTTP half of wheelcheck._advise (which never imports httpx): a wheel's central directory
costs one or two range requests, an sdist one streamed download that stops at a size cap and
is read in memory, never extracted. Both take a connection slot of the IndexClient and send
the index's credentials only where `IndexClient.file_access` allows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import httpx

from wheelcheck._index.client import IndexClient
from wheelcheck._index.ranges import HttpByteSource
from wheelcheck._metadata.core import MetadataError
from wheelcheck._metadata.sdist import SdistMetadata, sdist_dependencies
from wheelcheck._metadata.zipread import ZipEntry, read_zip_member, zip_entries
from wheelcheck._urls import redact_url
from wheelcheck.models import DistFile

__all__ = ["DEFAULT_MAX_SDIST_BYTES", "read_sdist", "read_wheel"]

DEFAULT_MAX_SDIST_BYTES = 64 * 1024 * 1024
T = TypeVar("T")


def _bare_url(file: DistFile) -> str:
    return file.url.split("#", 1)[0]


async def _with_retry(client: IndexClient, read: Callable[[], Awaitable[T]]) -> T:
    """One read under a connection slot, retried on transport failures and 5xx/429."""
    attempt = 0
    while True:
        try:
            async with client.connection_slots:
                return await read()
        except MetadataError as error:
            cause = error.__cause__
            transient = isinstance(cause, httpx.TransportError) or any(
                code in str(error) for code in ("HTTP 5", "HTTP 429")
            )
            # A refused connection is retried once, quickly: it is rarely a blip.
            limit = 1 if isinstance(cause, httpx.ConnectError) else min(client.retries, 2)
            if attempt >= limit or not transient:
                raise
            await asyncio.sleep(0.2 if limit == 1 else 0.5 * 2**attempt)
            attempt += 1


Chooser = Callable[[Sequence[ZipEntry]], Sequence[ZipEntry]]
_MAX_MEMBER = 4 * 1024 * 1024
_GAP = 4096  # members closer than this are fetched in one range request


async def read_wheel(
    client: IndexClient, file: DistFile, choose: Chooser
) -> tuple[list[ZipEntry], dict[str, bytes]]:
    """The wheel's central directory, and the content of the members `choose` picks from it.

    Members lying next to each other in the archive are fetched in one range request. A
    member that cannot be read is left out of the result. Raises MetadataError when the
    directory cannot be read.
    """
    http, auth = client.file_access(file)

    async def read() -> tuple[list[ZipEntry], dict[str, bytes]]:
        source = HttpByteSource(http, _bare_url(file), auth=auth)
        entries = list(await zip_entries(source))
        chosen = sorted(choose(entries), key=lambda e: e.header_offset)
        size = await source.size()
        runs: list[list[ZipEntry]] = []
        for entry in chosen:
            if runs and entry.header_offset - _end(runs[-1][-1]) < _GAP:
                runs[-1].append(entry)
            else:
                runs.append([entry])
        contents: dict[str, bytes] = {}
        for run in runs:
            start = run[0].header_offset
            await source.read(start, min(_end(run[-1]) + 1024, size) - start)  # now cached
            for entry in run:
                try:
                    contents[entry.name] = await read_zip_member(
                        source, entry, max_bytes=_MAX_MEMBER
                    )
                except MetadataError:
                    continue
        return entries, contents

    return await _with_retry(client, read)


def _end(entry: ZipEntry) -> int:
    """Where a member's data ends, allowing for a generous local header."""
    return entry.header_offset + 30 + len(entry.raw_name) + 256 + entry.compressed_size


async def read_sdist(
    client: IndexClient, file: DistFile, *, max_bytes: int = DEFAULT_MAX_SDIST_BYTES
) -> SdistMetadata:
    """The sdist `file`'s members and top-level build files, downloaded into memory.

    The download stops (MetadataError) once it passes `max_bytes`; so does an archive whose
    content inflates past it. Raises MetadataError when the file cannot be fetched or read.
    """
    http, auth = client.file_access(file)
    label = redact_url(file.url)
    if file.size is not None and file.size > max_bytes:
        raise MetadataError(label, f"sdist of {file.size} bytes is over the {max_bytes} byte cap")

    async def read() -> bytes:
        body = bytearray()
        try:
            async with http.stream(
                "GET", _bare_url(file), auth=auth or httpx.USE_CLIENT_DEFAULT
            ) as response:
                if not response.is_success:
                    raise MetadataError(label, f"HTTP {response.status_code}")
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        raise MetadataError(label, f"sdist larger than {max_bytes} bytes")
        except httpx.HTTPError as error:
            raise MetadataError(label, f"request failed: {type(error).__name__}") from error
        except (httpx.InvalidURL, ValueError, OverflowError) as error:
            raise MetadataError(label, f"unusable file URL ({type(error).__name__})") from error
        return bytes(body)

    data = await _with_retry(client, read)
    # Parsing a large archive is CPU work: keep the event loop free.
    return await asyncio.to_thread(
        sdist_dependencies, data, filename=file.filename, max_bytes=max_bytes
    )
