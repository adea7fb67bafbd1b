"""A release's dependencies, read from index metadata without running any package code.

Order of sources, cheapest first (issue 3):

1. the PEP 658/714 metadata file, when the index advertises one;
2. HTTP range requests that read ``METADATA`` out of a wheel's zip (one or two requests);
   a server that ignores Range gets one bounded full download instead;
3. for a release with only an sdist: a bounded download, then PKG-INFO 2.2+ with static
   Requires-Dist, or static ``[project]`` dependencies; otherwise "dependencies unknown".

All wheels of a release are taken to carry the same dependency metadata (uv assumes the same),
so each release is read once for every target.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import Awaitable, Callable

import httpx
from packaging.utils import NormalizedName
from packaging.version import Version

from wheelcheck.index.client import IndexClient
from wheelcheck.index.ranges import HttpByteSource
from wheelcheck.index.urls import redact_url
from wheelcheck.metadata.core import MetadataError, parse_core_metadata
from wheelcheck.metadata.sdist import sdist_dependencies
from wheelcheck.metadata.zipread import wheel_metadata
from wheelcheck.models import Dependencies, DistFile, ProjectPage

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

    async def _read(self, page: ProjectPage, version: Version) -> Dependencies:
        files = [f for f in page.files if f.version == version]
        wheels = [f for f in files if f.is_wheel]
        advertised = [f for f in wheels if f.core_metadata is not None]
        if advertised:
            return await self._retrying(self._from_metadata_file, advertised[0])
        if wheels:
            # A pure wheel is usually the smallest zip directory to read.
            wheel = min(wheels, key=lambda f: (not f.is_pure, f.size or 0))
            return await self._retrying(self._from_wheel, wheel)
        sdists = [f for f in files if not f.is_wheel]
        if sdists:
            return await self._retrying(self._from_sdist, sdists[0])
        raise MetadataError(f"{page.name} {version}", "no file to read metadata from")

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
        http, auth = self._client.file_access(file)
        url = file.url.split("#", 1)[0] + ".metadata"
        label = redact_url(url)
        self.requests += 1
        try:
            response = await http.get(url, auth=auth or httpx.USE_CLIENT_DEFAULT)
        except httpx.HTTPError as error:
            raise MetadataError(label, f"request failed: {type(error).__name__}") from error
        if not response.is_success:
            raise MetadataError(label, f"HTTP {response.status_code}")
        body = response.content
        if len(body) > MAX_METADATA_BYTES:
            raise MetadataError(label, f"metadata file larger than {MAX_METADATA_BYTES} bytes")
        expected = (file.core_metadata or {}).get("sha256")
        if expected and hashlib.sha256(body).hexdigest() != expected.lower():
            raise MetadataError(label, "metadata file does not match its sha256 on the index")
        core = parse_core_metadata(body, source=label)
        return Dependencies(core.requires_dist, core.requires_python, True, "PEP 658 metadata")

    async def _from_wheel(self, file: DistFile) -> Dependencies:
        http, auth = self._client.file_access(file)
        source = HttpByteSource(http, file.url.split("#", 1)[0], auth=auth)
        try:
            core = await wheel_metadata(source, wheel_filename=file.filename)
        finally:
            self.requests += source.requests
        how = "a full download" if source.full_download else f"{source.requests} range requests"
        return Dependencies(
            core.requires_dist, core.requires_python, True, f"wheel METADATA via {how}"
        )

    async def _from_sdist(self, file: DistFile) -> Dependencies:
        http, auth = self._client.file_access(file)
        label = redact_url(file.url)
        if file.size is not None and file.size > MAX_SDIST_BYTES:
            return Dependencies((), None, False, f"sdist larger than {MAX_SDIST_BYTES} bytes")
        self.requests += 1
        try:
            async with http.stream(
                "GET", file.url.split("#", 1)[0], auth=auth or httpx.USE_CLIENT_DEFAULT
            ) as response:
                if not response.is_success:
                    raise MetadataError(label, f"HTTP {response.status_code}")
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_SDIST_BYTES:
                        return Dependencies(
                            (), None, False, f"sdist larger than {MAX_SDIST_BYTES} bytes"
                        )
        except httpx.HTTPError as error:
            raise MetadataError(label, f"request failed: {type(error).__name__}") from error
        found = sdist_dependencies(bytes(body), filename=file.filename)
        if found.status != "static":
            return Dependencies((), found.requires_python, False, found.evidence)
        return Dependencies(found.requires_dist, found.requires_python, True, found.evidence)


def _transient(error: MetadataError) -> bool:
    """Worth another try: a transport failure or a 5xx/429 answer, not a broken archive."""
    cause = error.__cause__
    if isinstance(cause, httpx.TransportError):
        return True
    text = str(error)
    return "HTTP 5" in text or "HTTP 429" in text
