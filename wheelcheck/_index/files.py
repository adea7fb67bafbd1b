"""Reading distribution files for advice: a wheel's zip directory and an sdist's member list.

The HTTP half of wheelcheck._advise (which never imports httpx): a wheel's central directory
costs one or two range requests, an sdist one streamed download that stops at a size cap and
is read in memory, never extracted. Both take a connection slot of the IndexClient and send
the index's credentials only where `IndexClient.file_access` allows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx

from wheelcheck._index.client import IndexClient
from wheelcheck._index.ranges import HttpByteSource
from wheelcheck._metadata.core import MetadataError
from wheelcheck._metadata.sdist import SdistMetadata, sdist_dependencies
from wheelcheck._metadata.zipread import ZipEntry, zip_entries
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


async def read_wheel(client: IndexClient, file: DistFile) -> list[ZipEntry]:
    """The wheel's zip central directory: one or two range requests, no member's content.

    Raises MetadataError when the directory cannot be read.
    """
    http, auth = client.file_access(file)

    async def read() -> list[ZipEntry]:
        return list(await zip_entries(HttpByteSource(http, _bare_url(file), auth=auth)))

    return await _with_retry(client, read)


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
