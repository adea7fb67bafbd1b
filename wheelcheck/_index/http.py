"""The HTTP layer under IndexClient: the one httpx client, its TLS trust and credentials.

Imported only when a request is about to be sent, so a check answered from the cache, and
``wheelcheck --help``, never pay for importing httpx. One GET of a project page is
`get_page`: it streams the body under a size cap and turns every transport failure into
`Retryable` or `Fatal`, whose reasons never hold a credential.
"""

from __future__ import annotations

import base64
import email.utils
import ssl
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import httpx

__all__ = [
    "Answer",
    "Fatal",
    "OfflineTransport",
    "OriginBoundBasicAuth",
    "Retryable",
    "drain",
    "get_page",
    "make_http_client",
    "origin",
    "ssl_verify",
]


class Retryable(Exception):
    """A failure worth another try: connection, timeout, 5xx, 429."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class Fatal(Exception):
    """A failure that another try would not fix: 4xx, TLS, a page over the size cap."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def origin(url: httpx.URL | str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port filled in."""
    url = httpx.URL(url) if isinstance(url, str) else url
    default_port = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default_port


class OriginBoundBasicAuth(httpx.Auth):
    """Basic auth added only to requests for one scheme, host and port.

    httpx also strips Authorization on a redirect to another origin; this guard keeps that
    true whatever route a request takes.
    """

    def __init__(self, username: str, password: str, bound_to: tuple[str, str, int | None]):
        token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self._header = f"Basic {token}"
        self._origin = bound_to

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if origin(request.url) == self._origin:
            request.headers["Authorization"] = self._header
        yield request


def _user_agent() -> str:
    try:
        version = metadata.version("wheelcheck")
    except metadata.PackageNotFoundError:
        version = "0+unknown"
    return f"wheelcheck/{version} httpx/{httpx.__version__}"


def ssl_verify(verify: bool | str) -> bool | ssl.SSLContext:
    """What httpx gets for `verify`: True (its default trust) or a context for a CA bundle.

    A directory is taken as a ``capath`` of hashed certificates. Raises ValueError for
    False: verification is never turned off.
    """
    if verify is False:
        raise ValueError("TLS verification cannot be disabled")
    if verify is True:
        return True
    path = Path(verify)
    if path.is_dir():
        return ssl.create_default_context(capath=str(path))
    return ssl.create_default_context(cafile=str(path))


class OfflineTransport(httpx.AsyncBaseTransport):
    """--offline: every request fails at once, as if the network were down."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("--offline: no request is sent", request=request)


def make_http_client(
    *,
    accept: str,
    max_connections: int,
    timeout: float,
    verify: bool | str,
    transport: httpx.AsyncBaseTransport | None,
    http2: bool = False,
    offline: bool = False,
) -> httpx.AsyncClient:
    """The shared client: keep-alive pool of `max_connections`, redirects followed.

    `offline` gives a client whose requests all fail with ConnectError, so code that reads
    files (advice, metadata) can never reach the network behind --offline's back.
    """
    if offline:
        transport = OfflineTransport()
        verify = True  # no TLS happens: do not load a CA bundle
    return httpx.AsyncClient(
        headers={"User-Agent": _user_agent(), "Accept": accept},
        timeout=httpx.Timeout(timeout),
        limits=httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        ),
        verify=ssl_verify(verify),
        transport=transport,
        follow_redirects=True,
        http2=http2,
    )


def retry_after_seconds(value: str | None) -> float | None:
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


@dataclass(frozen=True, slots=True)
class Answer:
    """A project page response: status 200 (with body), 304, 404 or 410."""

    status: int
    url: str  # after redirects
    headers: Mapping[str, str]  # the few caching and content headers, lower-case names
    body: bytes = b""


_KEPT_HEADERS = ("content-type", "etag", "last-modified", "cache-control", "expires", "date", "age")


async def drain(response: httpx.Response, limit: int = 1 << 20) -> None:
    """Read a small unwanted body, so the connection is reused rather than reset."""
    received = 0
    try:
        async for chunk in response.aiter_raw():
            received += len(chunk)
            if received > limit:
                return
    except (httpx.HTTPError, httpx.StreamError):
        return


async def get_page(
    http: httpx.AsyncClient,
    url: str,
    *,
    auth: httpx.Auth | None,
    headers: Mapping[str, str],
    max_bytes: int,
) -> Answer:
    """One GET of a project page, its body read under `max_bytes` (after decompression).

    Returns the Answer for 200, 304, 404 and 410. Raises Retryable (connection errors,
    timeouts, truncated bodies, 5xx, 429 with its Retry-After) or Fatal (other statuses,
    TLS verification, too many redirects, a body over `max_bytes`).
    """
    try:
        request = http.build_request("GET", url, headers=dict(headers))
        response = await http.send(request, auth=auth, stream=True)
        try:
            status = response.status_code
            kept = {k: v for k in _KEPT_HEADERS if (v := response.headers.get(k)) is not None}
            if status in (304, 404, 410):
                await drain(response)
                return Answer(status, str(response.url), kept)
            if not response.is_success:
                await drain(response)
                described = f"HTTP {status} {response.reason_phrase}".rstrip()
                if status == 429 or status >= 500:
                    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                    raise Retryable(described, retry_after)
                if status in (401, 403):
                    described += ": check the credentials for this index"
                raise Fatal(described)
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise Fatal(f"project page of {declared} bytes is over the {max_bytes} byte cap")
            parts: list[bytes] = []
            received = 0
            async for chunk in response.aiter_bytes():
                received += len(chunk)
                if received > max_bytes:
                    raise Fatal(f"project page is over the {max_bytes} byte cap")
                parts.append(chunk)
            return Answer(status, str(response.url), kept, b"".join(parts))
        finally:
            await response.aclose()
    except httpx.TooManyRedirects:
        raise Fatal("too many redirects") from None
    except httpx.InvalidURL as error:  # e.g. a project name too long for a URL
        raise Fatal(f"cannot ask for this page: {error}") from None
    except httpx.TimeoutException as error:
        raise Retryable(f"timed out ({type(error).__name__})") from None
    except httpx.UnsupportedProtocol as error:
        raise Fatal(f"unsupported URL ({error})") from None
    except httpx.DecodingError as error:
        raise Retryable(f"undecodable body ({type(error).__name__})") from None
    except httpx.TransportError as error:
        if _is_certificate_error(error):
            raise Fatal("TLS certificate verification failed") from None
        detail = str(error) or type(error).__name__
        raise Retryable(f"connection failed: {detail}") from None
