"""A static file server on 127.0.0.1 for tests: byte blobs by path, with HTTP Range support.

Answers GET and HEAD. A single ``Range: bytes=a-b`` / ``a-`` / ``-n`` gets a 206 with
Content-Range, an unsatisfiable one a 416 with ``Content-Range: bytes */size``, anything
else (no Range, several ranges, unparseable) the whole body with 200. Switches:
``ignore_range`` answers every GET with 200 and the whole body, like servers without range
support; ``omit_content_length`` leaves out Content-Length (the body then ends when the
connection closes). ``requests`` records ``(method, path, range header)`` and ``headers``
the matching request headers (lower-cased names).
"""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class FileServer:
    """Serve ``files[path]`` at ``http://127.0.0.1:<port><path>``; use as a context manager."""

    def __init__(self, files: dict[str, bytes] | None = None) -> None:
        self.files: dict[str, bytes] = dict(files or {})
        self.ignore_range = False
        self.omit_content_length = False
        self.requests: list[tuple[str, str, str | None]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def reset(self) -> None:
        """Forget recorded requests and turn both switches off."""
        with self._lock:
            self.requests.clear()
            self.headers.clear()
        self.ignore_range = False
        self.omit_content_length = False

    def requests_for(self, path: str) -> list[tuple[str, str, str | None]]:
        with self._lock:
            return [request for request in self.requests if request[1] == path]

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output clean

            def do_HEAD(self) -> None:
                self._answer(head=True)

            def do_GET(self) -> None:
                self._answer(head=False)

            def _answer(self, *, head: bool) -> None:
                range_header = self.headers.get("Range")
                with server._lock:
                    server.requests.append((self.command, self.path, range_header))
                    server.headers.append({k.lower(): v for k, v in self.headers.items()})
                body = server.files.get(self.path)
                if body is None:
                    self._send(404, b"not found", {}, head=head)
                    return
                if range_header is None or server.ignore_range or head:
                    self._send(200, body, {}, head=head)
                    return
                match = _RANGE.match(range_header.strip())
                if match is None or match.group(1) == match.group(2) == "":
                    self._send(200, body, {}, head=head)
                    return
                size = len(body)
                first_text, last_text = match.groups()
                if first_text == "":
                    suffix = int(last_text)
                    first, last = max(0, size - suffix), size - 1
                    satisfiable = suffix > 0 and size > 0
                else:
                    first = int(first_text)
                    last = min(int(last_text), size - 1) if last_text else size - 1
                    satisfiable = first < size and first <= last
                if not satisfiable:
                    self._send(416, b"", {"Content-Range": f"bytes */{size}"}, head=head)
                    return
                headers = {"Content-Range": f"bytes {first}-{last}/{size}"}
                self._send(206, body[first : last + 1], headers, head=head)

            def _send(
                self, status: int, body: bytes, headers: dict[str, str], *, head: bool
            ) -> None:
                self.send_response(status)
                self.send_header("Accept-Ranges", "none" if server.ignore_range else "bytes")
                self.send_header("Content-Type", "application/octet-stream")
                for key, value in headers.items():
                    self.send_header(key, value)
                if server.omit_content_length:
                    # Without a length the body ends with the connection.
                    self.send_header("Connection", "close")
                    self.close_connection = True
                else:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)

        return Handler
