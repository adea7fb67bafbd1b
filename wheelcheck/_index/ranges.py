"""One remote file read by HTTP range requests, as a ByteSource for the zip reader.

The first request asks for the file's last bytes (``Range: bytes=-N``): its Content-Range
gives the size and its body is the tail the zip reader reads first, so listing a wheel costs
one request. A server that ignores Range and answers 200 gets one bounded full download,
which then serves every later read from memory.
"""

from __future__ import annotations

import asyncio
import re

import httpx

from wheelcheck._index.http import drain
from wheelcheck._metadata.core import MetadataError
from wheelcheck._metadata.zipread import TAIL_BYTES
from wheelcheck._urls import redact_url

__all__ = ["DEFAULT_MAX_DOWNLOAD_BYTES", "HttpByteSource", "unusable_url"]

DEFAULT_MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024

_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(?:(\d+)-(\d+)|\*)\s*/\s*(\d+|\*)\s*$", re.IGNORECASE)


def unusable_url(url: str) -> str | None:
    """Why the client cannot send a request to `url` (an index gave it), or None.

    Checked before sending: a port out of range fails deep inside the socket layer with an
    error no caller expects.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        return "unusable file URL"
    if parsed.scheme not in ("http", "https"):
        return f"unusable file URL (scheme {parsed.scheme or 'none'!r})"
    if parsed.port is not None and not 0 < parsed.port < 65536:
        return f"unusable file URL (port {parsed.port})"
    return None


def _content_range(value: str | None) -> tuple[int | None, int | None, int | None]:
    """(first, last, total) from a Content-Range header; None for ``*`` or absent parts."""
    match = _CONTENT_RANGE.match(value or "")
    if match is None:
        return None, None, None
    first, last, total = match.groups()
    return (
        int(first) if first is not None else None,
        int(last) if last is not None else None,
        int(total) if total is not None and total != "*" else None,
    )


class HttpByteSource:
    """A file URL read with ``Range`` requests (a ``wheelcheck._metadata.zipread.ByteSource``).

    `client` is shared and not closed here. `auth`, when given, is sent with every request
    (httpx drops it on redirects to another origin). `max_download_bytes` caps the full
    download used when the server ignores Range. `requests` counts HTTP requests sent and
    `bytes_received` the body bytes they returned; `full_download` says whether the fallback
    was taken. Not for concurrent use by several tasks at once.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        url: str,
        *,
        auth: httpx.Auth | None = None,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
        tail_bytes: int = TAIL_BYTES,
    ) -> None:
        self._client = client
        self._url = url
        self._label = redact_url(url)
        self._auth = auth
        self._max_download = max_download_bytes
        self._tail_bytes = tail_bytes
        self._size: int | None = None
        self._full: bytes | None = None
        self._chunks: list[tuple[int, bytes]] = []
        self._size_lock = asyncio.Lock()
        self.requests = 0
        self.bytes_received = 0

    @property
    def label(self) -> str:
        """The URL with any credentials masked."""
        return self._label

    @property
    def full_download(self) -> bool:
        """Whether the whole file was downloaded because the server ignored Range."""
        return self._full is not None

    def _fail(self, reason: str) -> MetadataError:
        return MetadataError(self._label, reason.replace(self._url, self._label))

    async def _send(self, method: str, headers: dict[str, str]) -> httpx.Response:
        """Send a request and return the open streaming response (caller closes it)."""
        self.requests += 1
        problem = unusable_url(self._url)
        if problem is not None:
            raise self._fail(problem)
        request = self._client.build_request(method, self._url, headers=headers)
        try:
            return await self._client.send(
                request,
                stream=True,
                auth=self._auth if self._auth is not None else httpx.USE_CLIENT_DEFAULT,
                follow_redirects=True,
            )
        except httpx.HTTPError as error:
            raise self._fail(f"request failed: {type(error).__name__}: {error}") from error
        except (httpx.InvalidURL, ValueError, OverflowError) as error:
            # A file URL the client cannot use (a port out of range, say): the index's fault.
            raise self._fail(f"unusable file URL ({type(error).__name__})") from error

    async def _body(self, response: httpx.Response, limit: int, *, raw: bool) -> bytes:
        """The response body, failing as soon as it passes `limit` bytes."""
        parts: list[bytes] = []
        received = 0
        try:
            chunks = response.aiter_raw() if raw else response.aiter_bytes()
            async for chunk in chunks:
                received += len(chunk)
                self.bytes_received += len(chunk)
                if received > limit:
                    raise self._fail(f"response is larger than {limit} bytes")
                parts.append(chunk)
        except httpx.HTTPError as error:
            raise self._fail(f"transfer failed: {type(error).__name__}: {error}") from error
        return b"".join(parts)

    async def _take_full(self, response: httpx.Response) -> bytes:
        """Keep a 200 response's whole body (bounded) and serve reads from it from now on."""
        declared = response.headers.get("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > self._max_download:
            raise self._fail(
                f"server ignores Range and the file ({declared} bytes) is larger than "
                f"the {self._max_download} byte download limit"
            )
        try:
            body = await self._body(response, self._max_download, raw=False)
        except MetadataError as error:
            raise self._fail(
                f"server ignores Range and the file is larger than the {self._max_download} "
                "byte download limit"
            ) from error
        self._full = body
        self._size = len(body)
        self._chunks.clear()
        return body

    def _status_error(self, response: httpx.Response) -> MetadataError:
        return self._fail(f"HTTP {response.status_code} {response.reason_phrase}".rstrip())

    async def _range(self, spec: str, first: int | None, length: int) -> tuple[int, bytes] | None:
        """GET ``Range: bytes=spec``: (offset, body) of a 206, or None after a 200 fallback.

        `first` is the expected start offset (None for a suffix range), `length` the most
        bytes expected.
        """
        headers = {"Range": f"bytes={spec}", "Accept-Encoding": "identity"}
        response = await self._send("GET", headers)
        try:
            if response.status_code == 200:
                await self._take_full(response)
                return None
            if response.status_code == 416:
                _, _, total = _content_range(response.headers.get("Content-Range"))
                if first is None and total is not None:
                    self._size = total  # a suffix range of an empty file
                    return total, b""
                raise self._fail(f"range {spec} not satisfiable")
            if response.status_code != 206:
                await drain(response)  # keeps the connection for the retry
                raise self._status_error(response)
            if response.headers.get("Content-Encoding", "identity").lower() != "identity":
                raise self._fail("server compressed a range response")
            start, last, total = _content_range(response.headers.get("Content-Range"))
            if start is None or last is None:
                raise self._fail(
                    f"unusable Content-Range {response.headers.get('Content-Range')!r}"
                )
            body = await self._body(response, length, raw=True)
        finally:
            await response.aclose()
        if len(body) != last - start + 1 or (first is not None and start != first):
            raise self._fail(f"asked for bytes {spec}, got {len(body)} bytes at {start}")
        if total is not None:
            if self._size is not None and total != self._size:
                raise self._fail(f"file size changed from {self._size} to {total} bytes")
            self._size = total
        self._chunks.append((start, body))
        return start, body

    async def _size_from_head(self) -> int | None:
        response = await self._send("HEAD", {"Accept-Encoding": "identity"})
        await response.aclose()
        if response.status_code != 200:
            raise self._status_error(response)
        length = response.headers.get("Content-Length")
        return int(length) if length is not None and length.isdigit() else None

    async def size(self) -> int:
        """The file's length, learnt from a suffix range request that also caches the tail.

        Falls back to a HEAD when the Content-Range gives no total, and to a bounded full
        download when neither tells.

        Raises:
            MetadataError: the request failed, the server answered an error status, or it
                ignores Range and the file is larger than the download limit.
        """
        async with self._size_lock:
            if self._size is not None:
                return self._size
            await self._range(f"-{self._tail_bytes}", None, self._tail_bytes)
            if self._size is None:
                self._size = await self._size_from_head()
            if self._size is None:
                response = await self._send("GET", {"Accept-Encoding": "identity"})
                try:
                    if response.status_code != 200:
                        raise self._status_error(response)
                    await self._take_full(response)
                finally:
                    await response.aclose()
            assert self._size is not None
            return self._size

    def _cached(self, start: int, length: int) -> bytes | None:
        if self._full is not None:
            return self._full[start : start + length]
        for offset, chunk in self._chunks:
            if offset <= start and start + length <= offset + len(chunk):
                return chunk[start - offset : start - offset + length]
        return None

    async def read(self, start: int, length: int) -> bytes:
        """`length` bytes from offset `start`, from cache or one ``Range`` request.

        Raises:
            MetadataError: the range lies outside the file, the request failed, or the server
                answered something other than the asked bytes.
        """
        size = await self.size()
        if start < 0 or length < 0 or start + length > size:
            raise self._fail(f"read of {length} bytes at {start} lies outside the {size} bytes")
        if length == 0:
            return b""
        cached = self._cached(start, length)
        if cached is not None:
            return cached
        result = await self._range(f"{start}-{start + length - 1}", start, length)
        if result is None:  # the server sent the whole file instead
            cached = self._cached(start, length)
            assert cached is not None
            return cached
        return result[1]
