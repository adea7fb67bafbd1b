"""A release's dependencies, read from index metadata without running any package code.

Order of sources, cheapest first (issue 3):

1. the PEP 658/714 metadata file, when the index advertises one;
2. HTTP range requests that read ``METADATA`` out of a wheel's zip (one or two requests);
   a server that ignores Range gets one bounded full download instead;
3. for a release with only an sdist: a bounded download, then PKG-INFO 2.2+ with static
   Requires-Dist, or static ``[project]`` dependencies, or those a legacy sdist's files
   declare (egg-info, PKG-INFO, Poetry tables, setup.cfg, setup.py read statically);
   otherwise "dependencies unknown".

All wheels of a release are taken to carry the same dependency metadata (uv assumes the same),
so each release is read once for every target. With the client's cache, what was read is kept
per file URL and hash (a published file never changes): a warm check reads no metadata, and an
offline one fails (MetadataError, naming the release) only for a release never read before.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import Awaitable, Callable

from packaging.utils import NormalizedName
from packaging.version import Version

from wheelcheck._cache.keys import file_key
from wheelcheck._cache.metadata import load_dependencies, store_dependencies
from wheelcheck._index.client import IndexClient
from wheelcheck._metadata.core import MetadataError, parse_core_metadata
from wheelcheck._urls import redact_url
from wheelcheck.models import Dependencies, DistFile, ProjectPage, Provenance

MAX_METADATA_BYTES = 16 * 1024 * 1024
MAX_SDIST_BYTES = 64 * 1024 * 1024


class DependencyReader:
    """Reads and memoizes the dependencies of (project, version) through an IndexClient."""

    def __init__(self, client: IndexClient, *, backoff: float = 0.5) -> None:
        self._client = client
        self._backoff = backoff
        self._tasks: dict[tuple[NormalizedName, Version], asyncio.Task[Dependencies]] = {}
        self.requests = 0  # HTTP requests spent on metadata, for benchmarks and tests

    async def dependencies(self, page: ProjectPage, version: Version) -> Dependencies:
        """The dependencies of `page.name` at `version`.

        Raises MetadataError (exit code 3) when the metadata cannot be read after retries.
        Concurrent callers share one read.
        """
        key = (page.name, version)
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.create_task(self._read(page, version))
            self._tasks[key] = task
        return await asyncio.shield(task)

    async def aclose(self) -> None:
        """Cancel the reads still running and wait for them; call before the client closes.

        A resolver's prefetch may start a read nobody ends up awaiting (its waiter was
        cancelled, and `shield` keeps the read going): left running, it would meet a closed
        client, and its error would surface only as a log line when the task is collected.
        """
        pending = [task for task in self._tasks.values() if not task.done()]
        for task in pending:
            task.cancel()
        # Their failures are not the run's: a read anyone needed was awaited, and reported.
        await asyncio.gather(*pending, return_exceptions=True)
        self._tasks = {key: task for key, task in self._tasks.items() if not task.cancelled()}

    async def _read(self, page: ProjectPage, version: Version) -> Dependencies:
        files = [f for f in page.files if f.version == version]
        wheels = [f for f in files if f.is_wheel]
        advertised = [f for f in wheels if f.core_metadata is not None]
        read: Callable[[DistFile], Awaitable[Dependencies]]
        if advertised:
            read, file = self._from_metadata_file, advertised[0]
        elif wheels:
            # A pure wheel is usually the smallest zip directory to read.
            read, file = self._from_wheel, min(wheels, key=lambda f: (not f.is_pure, f.size or 0))
        elif files:
            read, file = self._from_sdist, files[0]
        else:
            raise MetadataError(f"{page.name} {version}", "no file to read metadata from")
        cache = self._client.cache
        key = None if cache is None else file_key(file)
        if cache is not None and key is not None:
            found = load_dependencies(cache, key)
            if found is not None:
                return found
        if self._client.offline:
            raise MetadataError(
                f"{page.name} {version}",
                "metadata not in the cache; run once without --offline to fill it",
            )
        dependencies = await self._retrying(read, file)
        if cache is not None and key is not None:
            store_dependencies(cache, key, dependencies)
        elif key is None:
            self._client.note_uncached(f"the metadata of {file.filename} (no hash to key it)")
        return dependencies

    async def _retrying(
        self, read: Callable[[DistFile], Awaitable[Dependencies]], file: DistFile
    ) -> Dependencies:
        attempt = 0
        while True:
            try:
                async with self._client.connection_slots:
                    return await read(file)
            except MetadataError as error:
                if attempt >= self._client.retries or not _transient(error):
                    raise
                ceiling = self._backoff * 2**attempt
                await asyncio.sleep(random.uniform(ceiling / 2, ceiling))
                attempt += 1

    async def _from_metadata_file(self, file: DistFile) -> Dependencies:
        import httpx

        from wheelcheck._index.http import drain
        from wheelcheck._index.ranges import unusable_url

        http, auth = self._client.file_access(file)
        url = file.url.split("#", 1)[0] + ".metadata"
        label = redact_url(url)
        self.requests += 1
        too_big = f"metadata file larger than the {MAX_METADATA_BYTES} byte cap"
        problem = unusable_url(url)
        if problem is not None:
            raise MetadataError(label, problem)
        try:
            # Streamed, so the cap stops the download instead of judging it afterwards.
            async with http.stream("GET", url, auth=auth or httpx.USE_CLIENT_DEFAULT) as response:
                if not response.is_success:
                    await drain(response)  # keeps the connection for the retry
                    raise MetadataError(label, f"HTTP {response.status_code}")
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > MAX_METADATA_BYTES:
                    raise MetadataError(label, too_big)
                parts = bytearray()
                async for chunk in response.aiter_bytes():
                    parts += chunk
                    if len(parts) > MAX_METADATA_BYTES:
                        raise MetadataError(label, too_big)
        except httpx.HTTPError as error:
            raise MetadataError(label, f"request failed: {type(error).__name__}") from error
        except (httpx.InvalidURL, ValueError, OverflowError) as error:
            raise MetadataError(label, f"unusable file URL ({type(error).__name__})") from error
        body = bytes(parts)
        expected = (file.core_metadata or {}).get("sha256")
        if expected and hashlib.sha256(body).hexdigest() != expected.lower():
            raise MetadataError(label, "metadata file does not match its sha256 on the index")
        core = parse_core_metadata(body, source=label)
        return Dependencies(
            core.requires_dist, core.requires_python, True, "PEP 658 metadata", Provenance.METADATA
        )

    async def _from_wheel(self, file: DistFile) -> Dependencies:
        from wheelcheck._index.ranges import HttpByteSource
        from wheelcheck._metadata.zipread import wheel_metadata

        http, auth = self._client.file_access(file)
        source = HttpByteSource(http, file.url.split("#", 1)[0], auth=auth)
        try:
            core = await wheel_metadata(source, wheel_filename=file.filename)
        finally:
            self.requests += source.requests
        how = "a full download" if source.full_download else f"{source.requests} range requests"
        return Dependencies(
            core.requires_dist,
            core.requires_python,
            True,
            f"wheel METADATA via {how}",
            Provenance.METADATA,
        )

    async def _from_sdist(self, file: DistFile) -> Dependencies:
        import httpx

        from wheelcheck._index.http import drain
        from wheelcheck._index.ranges import unusable_url
        from wheelcheck._metadata.sdist import sdist_dependencies

        http, auth = self._client.file_access(file)
        label = redact_url(file.url)
        if file.size is not None and file.size > MAX_SDIST_BYTES:
            return _too_big()
        problem = unusable_url(file.url.split("#", 1)[0])
        if problem is not None:
            raise MetadataError(label, problem)
        self.requests += 1
        try:
            async with http.stream(
                "GET", file.url.split("#", 1)[0], auth=auth or httpx.USE_CLIENT_DEFAULT
            ) as response:
                if not response.is_success:
                    await drain(response)  # keeps the connection for the retry
                    raise MetadataError(label, f"HTTP {response.status_code}")
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_SDIST_BYTES:
                        return _too_big()
        except httpx.HTTPError as error:
            raise MetadataError(label, f"request failed: {type(error).__name__}") from error
        except (httpx.InvalidURL, ValueError, OverflowError) as error:
            raise MetadataError(label, f"unusable file URL ({type(error).__name__})") from error
        found = sdist_dependencies(bytes(body), filename=file.filename)
        return Dependencies(
            found.requires_dist,
            found.requires_python,
            found.status != "unknown",
            found.evidence,
            found.provenance,
        )


def _too_big() -> Dependencies:
    return Dependencies(
        (), None, False, f"sdist larger than {MAX_SDIST_BYTES} bytes", Provenance.UNKNOWN
    )


def _transient(error: MetadataError) -> bool:
    """Worth another try: a transport failure or a 5xx/429 answer, not a broken archive."""
    import httpx

    cause = error.__cause__
    if isinstance(cause, httpx.TransportError):
        return True
    text = str(error)
    return "HTTP 5" in text or "HTTP 429" in text
