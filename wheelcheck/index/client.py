"""The Simple API client: fetch a project's page from every configured index, merged.

This is the only module that talks HTTP. Transport failures become ProjectLookupError here,
credentials travel only as Basic auth to their own index, and a 404 is an answer (None),
not an error.
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import random
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Self

import httpx
from packaging.utils import NormalizedName, canonicalize_name

from wheelcheck.errors import ProjectLookupError
from wheelcheck.index.pages import MalformedPage, ParsedPage, parse_html_page, parse_json_page
from wheelcheck.index.urls import normalize_index_url, redact_url, split_credentials
from wheelcheck.models import DistFile, ProjectPage

if TYPE_CHECKING:
    from collections.abc import Callable, Generator
    from types import TracebackType

    from wheelcheck.index.config import IndexSettings

__all__ = ["ACCEPT", "IndexClient", "RawPage"]

# PEP 691 content negotiation: JSON preferred, HTML for indexes that only have that.
ACCEPT = (
    "application/vnd.pypi.simple.v1+json, "
    "application/vnd.pypi.simple.v1+html;q=0.2, "
    "text/html;q=0.01"
)
_JSON_TYPES = frozenset(
    {"application/vnd.pypi.simple.v1+json", "application/vnd.pypi.simple.latest+json"}
)
_HTML_TYPES = frozenset(
    {
        "application/vnd.pypi.simple.v1+html",
        "application/vnd.pypi.simple.latest+html",
        "text/html",
    }
)
_NOT_FOUND = frozenset({404, 410})


def _user_agent() -> str:
    try:
        version = metadata.version("wheelcheck")
    except metadata.PackageNotFoundError:
        version = "0+unknown"
    return f"wheelcheck/{version} httpx/{httpx.__version__}"


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default_port = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default_port


class _OriginBoundBasicAuth(httpx.Auth):
    """Basic auth added only to requests for the index's own scheme, host and port.

    httpx also strips Authorization on a redirect to another origin; this guard keeps that
    true whatever route a request takes.
    """

    def __init__(self, username: str, password: str, origin: tuple[str, str, int | None]):
        token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self._header = f"Basic {token}"
        self._origin = origin

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if _origin(request.url) == self._origin:
            request.headers["Authorization"] = self._header
        yield request


@dataclass(frozen=True, slots=True)
class _Index:
    url: str  # normalized, without credentials
    display: str  # redacted, as configured: the only form that is ever shown
    auth: httpx.Auth | None


@dataclass(frozen=True, slots=True)
class RawPage:
    """One project page as served: what a cache would store."""

    url: str  # after redirects; used to resolve relative file URLs
    content_type: str
    body: bytes


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class _Fatal(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds (delta or HTTP date), None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _is_certificate_error(error: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return True
        current = current.__cause__ or current.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(error)


def _ssl_verify(verify: bool | str) -> bool | ssl.SSLContext:
    """What httpx gets for `verify`.

    Hook for CA bundle options: the caller resolves ``--cert``, ``PIP_CERT``,
    ``REQUESTS_CA_BUNDLE`` or ``SSL_CERT_FILE`` to a path and passes it as `verify`;
    ``True`` keeps httpx's default trust store. Verification is never turned off.
    """
    if verify is False:
        raise ValueError("TLS verification cannot be disabled")
    if verify is True:
        return True
    path = Path(verify)
    if path.is_dir():
        return ssl.create_default_context(capath=str(path))
    return ssl.create_default_context(cafile=str(path))


class IndexClient:
    """Looks projects up on the main index and every extra index, concurrently.

    Use as ``async with IndexClient(settings) as client: page = await
    client.get_project(name)``. Each project is fetched at most once per client; concurrent
    callers share the same lookup. `backoff` is the first retry delay in seconds (doubled
    on each retry, with jitter) and `max_delay` caps it and any Retry-After. Warnings about
    skipped files (redacted) go to `on_warning` and are kept in `warnings`.
    """

    def __init__(
        self,
        settings: IndexSettings,
        *,
        max_connections: int = 10,
        timeout: float = 30.0,
        retries: int = 3,
        verify: bool | str = True,
        transport: httpx.AsyncBaseTransport | None = None,
        on_warning: Callable[[str], None] | None = None,
        backoff: float = 0.5,
        max_delay: float = 10.0,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self.settings = settings
        self.warnings: list[str] = []
        self._on_warning = on_warning
        self._retries = max(0, retries)
        self._backoff = backoff
        self._max_delay = max_delay
        self._indexes = tuple(self._make_index(url) for url in settings.index_urls)
        self._semaphore = asyncio.Semaphore(max_connections)
        self._lookups: dict[NormalizedName, asyncio.Task[ProjectPage | None]] = {}
        self._http = httpx.AsyncClient(
            headers={"User-Agent": _user_agent(), "Accept": ACCEPT},
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            verify=_ssl_verify(verify),
            transport=transport,
            follow_redirects=True,
        )

    @staticmethod
    def _make_index(configured: str) -> _Index:
        bare, credentials = split_credentials(configured.strip())
        url = normalize_index_url(bare)
        auth = None
        if credentials is not None:
            auth = _OriginBoundBasicAuth(*credentials, origin=_origin(httpx.URL(url)))
        return _Index(url=url, display=redact_url(configured.strip()), auth=auth)

    def file_access(self, file: DistFile) -> tuple[httpx.AsyncClient, httpx.Auth | None]:
        """The shared HTTP client, and the credentials of the index that served `file`.

        The auth is bound to that index's origin, so it is sent only when the file lives on
        the index's own host (private indexes), never to a CDN or another host.
        """
        auth = next((i.auth for i in self._indexes if i.display == file.index_url), None)
        return self._http, auth

    @property
    def connection_slots(self) -> asyncio.Semaphore:
        """The bound on requests in flight; file downloads take a slot too."""
        return self._semaphore

    @property
    def retries(self) -> int:
        return self._retries

    @property
    def index_urls(self) -> tuple[str, ...]:
        """The configured indexes, redacted, main index first."""
        return tuple(index.display for index in self._indexes)

    async def __aenter__(self) -> Self:
        await self._http.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Cancel lookups still running and close the connections."""
        pending = [task for task in self._lookups.values() if not task.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await self._http.aclose()

    async def get_project(self, name: NormalizedName) -> ProjectPage | None:
        """Return `name`'s files from every index that has it, main index first.

        Returns None when every index answers 404 or 410. Raises ProjectLookupError (its
        MalformedPage subclass for an unreadable page) when any index fails after retries:
        a partial answer could change the verdict.
        """
        key = canonicalize_name(name)
        task = self._lookups.get(key)
        if task is None:
            task = asyncio.create_task(self._lookup(key), name=f"wheelcheck-lookup-{key}")
            self._lookups[key] = task
        # shield: one caller's cancellation must not cancel the lookup the others share.
        return await asyncio.shield(task)

    async def _lookup(self, name: NormalizedName) -> ProjectPage | None:
        results = await asyncio.gather(
            *(self._get_from_index(index, name) for index in self._indexes),
            return_exceptions=True,
        )
        files: list[DistFile] = []
        found_on: list[str] = []
        for index, result in zip(self._indexes, results, strict=True):
            if isinstance(result, BaseException):
                raise result
            if result is not None:
                files.extend(result.files)
                found_on.append(index.display)
        if not found_on:
            return None
        return ProjectPage(name=name, files=tuple(files), index_urls=tuple(found_on))

    async def _get_from_index(self, index: _Index, name: NormalizedName) -> ParsedPage | None:
        raw = await self._fetch_page(index, name)
        if raw is None:
            return None
        media_type = raw.content_type.partition(";")[0].strip().lower()
        if media_type in _JSON_TYPES:
            parse = parse_json_page
        elif media_type in _HTML_TYPES:
            parse = parse_html_page
        else:
            shown = media_type or "none"
            raise MalformedPage(name, index.display, f"unexpected Content-Type {shown}")
        page = parse(raw.body, page_url=raw.url, index_url=index.display, project=name)
        for warning in page.warnings:
            self._warn(warning)
        return page

    def _warn(self, message: str) -> None:
        self.warnings.append(message)
        if self._on_warning is not None:
            self._on_warning(message)

    async def _fetch_page(self, index: _Index, name: NormalizedName) -> RawPage | None:
        """GET one project page with retries; None for 404/410.

        The single network seam: a cache wraps this method.
        """
        url = f"{index.url}{name}/"
        attempt = 0
        while True:
            try:
                return await self._fetch_once(index, url)
            except _Retryable as failure:
                if attempt >= self._retries:
                    tries = f"{attempt + 1} attempt{'s' if attempt else ''}"
                    raise ProjectLookupError(
                        name, index.display, f"{failure.reason} (after {tries})"
                    ) from None
                if failure.retry_after is not None:
                    delay = min(failure.retry_after, self._max_delay)
                else:
                    ceiling = min(self._max_delay, self._backoff * 2**attempt)
                    delay = random.uniform(ceiling / 2, ceiling)
                await asyncio.sleep(delay)
                attempt += 1
            except _Fatal as failure:
                raise ProjectLookupError(name, index.display, failure.reason) from None

    async def _fetch_once(self, index: _Index, url: str) -> RawPage | None:
        """One GET; raises _Retryable or _Fatal with a reason that holds no credentials."""
        try:
            async with self._semaphore:
                response = await self._http.get(url, auth=index.auth)
        except httpx.TooManyRedirects:
            raise _Fatal("too many redirects") from None
        except httpx.TimeoutException as error:
            raise _Retryable(f"timed out ({type(error).__name__})") from None
        except httpx.UnsupportedProtocol as error:
            raise _Fatal(f"unsupported URL ({error})") from None
        except httpx.TransportError as error:
            if _is_certificate_error(error):
                raise _Fatal("TLS certificate verification failed") from None
            detail = str(error) or type(error).__name__
            raise _Retryable(f"connection failed: {detail}") from None

        status = response.status_code
        if status in _NOT_FOUND:
            return None
        if response.is_success:
            return RawPage(
                url=str(response.url),
                content_type=response.headers.get("Content-Type", ""),
                body=response.content,
            )
        described = f"HTTP {status} {response.reason_phrase}".rstrip()
        if status == 429 or status >= 500:
            retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
            raise _Retryable(described, retry_after)
        if status in (401, 403):
            described += ": check the credentials for this index"
        raise _Fatal(described)
