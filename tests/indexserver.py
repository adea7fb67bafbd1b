"""A real Simple API index on 127.0.0.1 for tests, serving recorded pages from a directory.

Layout: ``<root>/json/<normalized-name>.json`` (PEP 691 body) and
``<root>/html/<normalized-name>.html`` (PEP 503 body). When only the JSON page exists, the
HTML flavour is rendered from it. Routes (``<name>`` is normalized by the server):

- ``/simple/<name>/``: content negotiation by the Accept header's quality values
  (JSON, ``application/vnd.pypi.simple.v1+html`` or ``text/html``);
- ``/html-only/simple/<name>/``: always ``text/html``, like many mirrors;
- ``/auth/simple/<name>/``: needs Basic auth ``alice`` / ``s3cr%t``, else 401;
- ``/relative/simple/<name>/``: HTML with file URLs rewritten to ``../../files/<file>``;
- ``/redirect-other-host/simple/<name>/``: 302 to ``/simple/<name>/`` on a second server at
  127.0.0.2 (``localhost`` where 127.0.0.2 cannot be bound), to see which headers follow.

Unknown projects answer 404. ``fail()`` injects error statuses; ``requests`` records
``(path, headers)`` with lower-cased header names (``host`` tells which server answered).
"""

from __future__ import annotations

import base64
import html
import json
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import unquote, urlsplit

from packaging.utils import canonicalize_name

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from types import TracebackType

AUTH_USER = "alice"
AUTH_PASSWORD = "s3cr%t"
JSON_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_TYPE = "application/vnd.pypi.simple.v1+html"
FLAVOURS = ("", "html-only", "auth", "relative", "redirect-other-host")

_HREF = re.compile(r'href="(https?://[^"]+)"')


@dataclass
class _Fault:
    statuses: list[int]
    permanent: bool
    headers: Mapping[str, str]


def choose_media_type(accept: str | None) -> str:
    """The flavour a PEP 691 server answers for `accept`: highest quality wins, JSON on ties."""
    offered = (JSON_TYPE, HTML_TYPE, "text/html")
    if not accept:
        return "text/html"
    quality: dict[str, float] = {}
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        for candidate in offered:
            if media in (candidate, "*/*", candidate.split("/")[0] + "/*"):
                quality[candidate] = max(quality.get(candidate, 0.0), q)
    best = max(offered, key=lambda m: quality.get(m, 0.0))  # first (JSON) wins ties
    if quality.get(best, 0.0) <= 0.0:
        return "text/html"
    # A bare */* gets HTML, as PyPI answers browsers.
    if accept.strip() == "*/*":
        return "text/html"
    return best


def render_html(document: Mapping[str, Any]) -> str:
    """A PEP 503 page equivalent to a PEP 691 JSON document."""
    lines = ["<!DOCTYPE html>", "<html><body>"]
    for entry in document.get("files", []):
        url = entry["url"]
        hashes = entry.get("hashes") or {}
        if "sha256" in hashes:
            url += f"#sha256={hashes['sha256']}"
        attrs = [f'href="{html.escape(url)}"']
        if entry.get("requires-python"):
            attrs.append(f'data-requires-python="{html.escape(entry["requires-python"])}"')
        yanked = entry.get("yanked")
        if yanked:
            reason = yanked if isinstance(yanked, str) else ""
            attrs.append(f'data-yanked="{html.escape(reason)}"')
        metadata = entry.get("core-metadata", entry.get("dist-info-metadata"))
        if metadata:
            value = "true"
            if isinstance(metadata, dict) and metadata:
                algorithm = "sha256" if "sha256" in metadata else next(iter(metadata))
                value = f"{algorithm}={metadata[algorithm]}"
            attrs.append(f'data-dist-info-metadata="{value}" data-core-metadata="{value}"')
        lines.append(f"<a {' '.join(attrs)}>{html.escape(entry['filename'])}</a><br/>")
    lines.append("</body></html>")
    return "\n".join(lines)


def _relative_hrefs(page: str) -> str:
    def relative(match: re.Match[str]) -> str:
        parts = urlsplit(html.unescape(match.group(1)))
        filename = parts.path.rpartition("/")[2]
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        return f'href="../../files/{filename}{html.escape(fragment)}"'

    return _HREF.sub(relative, page)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        index = self.server.index
        headers = {key.lower(): value for key, value in self.headers.items()}
        index._record(self.path, headers)
        path = unquote(urlsplit(self.path).path)
        segments = [s for s in path.split("/") if s]
        flavour = ""
        if segments and segments[0] in FLAVOURS[1:]:
            flavour, segments = segments[0], segments[1:]
        if len(segments) != 2 or segments[0] != "simple":
            return self._send(404, "text/plain", b"not found")
        name = canonicalize_name(segments[1])

        fault = index._next_fault(name)
        if fault is not None:
            status, extra = fault
            return self._send(status, "text/plain", b"injected fault", extra)

        if flavour == "auth" and not self._authorized(headers.get("authorization")):
            return self._send(
                401, "text/plain", b"unauthorized", {"WWW-Authenticate": 'Basic realm="test"'}
            )
        if flavour == "redirect-other-host":
            return self._send(302, "text/plain", b"", {"Location": index._other_url(name)})

        media = "text/html" if flavour in ("html-only", "relative") else None
        media = media or choose_media_type(self.headers.get("Accept"))
        body = index._page(name, json_wanted=media == JSON_TYPE)
        if body is None:
            return self._send(404, "text/plain", b"no such project")
        content, content_type = body
        if content_type != JSON_TYPE:
            content_type = media if media != JSON_TYPE else "text/html"
            if flavour == "relative":
                content = _relative_hrefs(content.decode()).encode()
        return self._send(200, content_type, content)

    def _authorized(self, header: str | None) -> bool:
        expected = base64.b64encode(f"{AUTH_USER}:{AUTH_PASSWORD}".encode()).decode()
        return header == f"Basic {expected}"

    def _send(
        self,
        status: int,
        content_type: str,
        body: bytes,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], index: IndexServer) -> None:
        super().__init__(address, _Handler)
        self.index = index


class IndexServer:
    """Serves `root` on 127.0.0.1 (and 127.0.0.2 for cross-host redirects) until stop().

    Use as a context manager or call stop(). `url` is ``http://127.0.0.1:PORT``; an index
    URL is ``f"{server.url}/simple"`` or ``f"{server.url}/html-only/simple"``.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        self._requests: list[tuple[str, dict[str, str]]] = []
        self._faults: dict[str, _Fault] = {}
        self._main = _Server(("127.0.0.1", 0), self)
        self.url = f"http://127.0.0.1:{self._main.server_address[1]}"
        self._servers = [self._main]
        try:
            other = _Server(("127.0.0.2", 0), self)
        except OSError:  # 127.0.0.2 is not on the loopback interface (macOS)
            self.other_url = f"http://localhost:{self._main.server_address[1]}"
        else:
            self._servers.append(other)
            self.other_url = f"http://127.0.0.2:{other.server_address[1]}"
        for server in self._servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    @property
    def requests(self) -> list[tuple[str, dict[str, str]]]:
        """A snapshot of ``(path, headers)`` received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def fail(
        self,
        name: str,
        statuses: Sequence[int] = (500,),
        *,
        permanent: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next requests for `name` (any route) with `statuses`, in order.

        With `permanent`, the last status repeats until reset(). `headers` (e.g.
        Retry-After) are sent with each injected answer.
        """
        with self._lock:
            self._faults[canonicalize_name(name)] = _Fault(
                list(statuses), permanent, dict(headers or {})
            )

    def reset(self) -> None:
        """Forget injected faults and recorded requests."""
        with self._lock:
            self._faults.clear()
            self._requests.clear()

    def _record(self, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self._requests.append((path, headers))

    def _next_fault(self, name: str) -> tuple[int, Mapping[str, str]] | None:
        with self._lock:
            fault = self._faults.get(name)
            if fault is None or not fault.statuses:
                return None
            if fault.permanent and len(fault.statuses) == 1:
                return fault.statuses[0], fault.headers
            status = fault.statuses.pop(0)
            if not fault.statuses:
                del self._faults[name]
            return status, fault.headers

    def _other_url(self, name: str) -> str:
        return f"{self.other_url}/simple/{name}/"

    def _page(self, name: str, *, json_wanted: bool) -> tuple[bytes, str] | None:
        json_path = self.root / "json" / f"{name}.json"
        html_path = self.root / "html" / f"{name}.html"
        if json_wanted and json_path.is_file():
            return json_path.read_bytes(), JSON_TYPE
        if html_path.is_file():
            return html_path.read_bytes(), "text/html"
        if json_path.is_file():
            return render_html(json.loads(json_path.read_bytes())).encode(), "text/html"
        return None
