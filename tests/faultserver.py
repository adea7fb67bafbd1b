"""A fault-injecting Simple API index with its files, on 127.0.0.1, for resilience tests.

Projects are built in memory (`add_project`): the PEP 691 JSON page lists each file with a
URL back on this server, and wheels advertise PEP 658 metadata served at
``<file URL>.metadata``, so a full tree check (pages, metadata, sdist downloads) runs offline.

Routes: ``/simple/<name>/`` (JSON, or HTML when the Accept header does not take JSON),
``/files/<filename>`` and ``/files/<filename>.metadata``. Unknown paths answer 404.

Faults are scripted per request path with `inject` and consumed in order, one per request;
with ``permanent=True`` the last one repeats. Kinds:

- `status`: an error status (500/502/503/...), with optional headers;
- `too_many`: 429 with ``Retry-After``;
- `drop`: promises a body (Content-Length) and closes the connection half way through;
- `hang`: answers nothing for a while, then closes (a timeout for the client);
- `serve`: any body and Content-Type (malformed JSON/HTML, a wrong type, a huge page).

`set_page` replaces a project's page for good (invalid file names, escape sequences).
`requests` records every request path, oldest first.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import tarfile
import threading
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Literal, Self
from urllib.parse import unquote, urlsplit

from packaging.utils import canonicalize_name

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from types import TracebackType

JSON_TYPE = "application/vnd.pypi.simple.v1+json"

FaultKind = Literal["status", "drop", "hang", "serve"]


@dataclass(frozen=True, slots=True)
class Fault:
    """One scripted answer; build it with the functions below."""

    kind: FaultKind
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    content_type: str = "text/plain"
    seconds: float = 0.0


def status(code: int, headers: Mapping[str, str] | None = None) -> Fault:
    """An error answer such as 500, 502 or 503."""
    return Fault("status", status=code, headers=dict(headers or {}), body=b"injected fault")


def too_many(retry_after: str) -> Fault:
    """429 Too Many Requests with ``Retry-After: <retry_after>``."""
    return status(429, {"Retry-After": retry_after})


def drop() -> Fault:
    """A 200 whose connection closes after half of the promised body (a truncated body)."""
    return Fault("drop")


def hang(seconds: float) -> Fault:
    """Say nothing for `seconds`, then close the connection."""
    return Fault("hang", seconds=seconds)


def serve(body: bytes, content_type: str, code: int = 200) -> Fault:
    """Answer `body` as `content_type` once (or for good, with ``permanent=True``)."""
    return Fault("serve", status=code, body=body, content_type=content_type)


# -- building distributions in memory ----------------------------------------------------


def core_metadata(
    name: str,
    version: str,
    requires: Iterable[str] = (),
    *,
    metadata_version: str = "2.1",
    requires_python: str | None = None,
) -> bytes:
    """A METADATA / PKG-INFO document."""
    lines = [f"Metadata-Version: {metadata_version}", f"Name: {name}", f"Version: {version}"]
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    lines += [f"Requires-Dist: {r}" for r in requires]
    return ("\n".join(lines) + "\n\n").encode()


def make_wheel(
    name: str, version: str, requires: Iterable[str] = (), *, tag: str = "py3-none-any"
) -> tuple[str, bytes, bytes]:
    """(file name, wheel bytes, METADATA bytes) of a minimal wheel."""
    dist = f"{canonicalize_name(name).replace('-', '_')}-{version}"
    metadata = core_metadata(name, version, requires)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{dist}.dist-info/METADATA", metadata)
        archive.writestr(f"{dist}.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n")
        archive.writestr(f"{dist}.dist-info/RECORD", "")
    return f"{dist}-{tag}.whl", buffer.getvalue(), metadata


def make_sdist(
    name: str,
    version: str,
    members: Mapping[str, bytes],
    *,
    fmt: Literal["tar.gz", "zip"] = "tar.gz",
) -> tuple[str, bytes]:
    """(file name, archive bytes) of an sdist holding `members` under ``name-version/``."""
    top = f"{canonicalize_name(name).replace('-', '_')}-{version}"
    buffer = io.BytesIO()
    if fmt == "zip":
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for member, content in members.items():
                archive.writestr(f"{top}/{member}", content)
    else:
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            for member, content in members.items():
                info = tarfile.TarInfo(f"{top}/{member}")
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
    return f"{top}.{fmt}", buffer.getvalue()


# -- the server --------------------------------------------------------------------------


@dataclass
class _Script:
    faults: list[Fault]
    permanent: bool


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        owner = self.server.owner
        path = unquote(urlsplit(self.path).path)
        owner._record(path)
        fault = owner._next_fault(path)
        if fault is not None:
            return self._fault(fault)
        found = owner._answer(path, self.headers.get("Accept") or "")
        if found is None:
            return self._send(404, "text/plain", b"not found")
        body, content_type = found
        return self._send(200, content_type, body)

    def _fault(self, fault: Fault) -> None:
        if fault.kind == "hang":
            self.server.owner._stopping.wait(fault.seconds)
            self.close_connection = True
            return
        if fault.kind == "drop":
            self.send_response(200)
            self.send_header("Content-Type", JSON_TYPE)
            self.send_header("Content-Length", "1000")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b'{"meta": {"api-version": "1.1"}, "fi')
            self.wfile.flush()
            self.close_connection = True
            return
        self._send(fault.status, fault.content_type, fault.body, fault.headers)

    def _send(
        self, code: int, content_type: str, body: bytes, headers: Mapping[str, str] | None = None
    ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: FaultServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.owner = owner


class FaultServer:
    """An index on ``http://127.0.0.1:PORT``; `index_url` is its ``/simple/`` root.

    Use as a context manager. Thread-safe: the server answers from its own threads.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._pages: dict[str, tuple[bytes, str]] = {}
        self._files: dict[str, bytes] = {}
        self._scripts: dict[str, _Script] = {}
        self._requests: list[str] = []
        self._server = _Server(self)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.index_url = f"{self.url}/simple/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

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
        self._stopping.set()  # wakes hanging handlers
        self._server.shutdown()
        self._server.server_close()

    # -- content -------------------------------------------------------------------------

    def add_project(
        self,
        name: str,
        files: Sequence[tuple[str, bytes]],
        *,
        metadata: Mapping[str, bytes] | None = None,
        requires_python: Mapping[str, str] | None = None,
    ) -> None:
        """Serve `files` ((filename, content) pairs) on `name`'s page.

        `metadata` maps a wheel's file name to its METADATA, served as PEP 658 metadata.
        """
        metadata = dict(metadata or {})
        entries = []
        for filename, content in files:
            entry: dict[str, Any] = {
                "filename": filename,
                "url": f"{self.url}/files/{filename}",
                "hashes": {"sha256": hashlib.sha256(content).hexdigest()},
                "size": len(content),
            }
            if filename in metadata:
                digest = hashlib.sha256(metadata[filename]).hexdigest()
                entry["core-metadata"] = {"sha256": digest}
                self._files[f"{filename}.metadata"] = metadata[filename]
            if requires_python and filename in requires_python:
                entry["requires-python"] = requires_python[filename]
            entries.append(entry)
            self._files[filename] = content
        document = {"meta": {"api-version": "1.1"}, "name": name, "files": entries}
        self.set_page(name, json.dumps(document).encode(), JSON_TYPE)

    def set_page(self, name: str, body: bytes, content_type: str) -> None:
        """Serve `body` as `name`'s page from now on."""
        with self._lock:
            self._pages[canonicalize_name(name)] = (body, content_type)

    @staticmethod
    def page_path(name: str) -> str:
        return f"/simple/{canonicalize_name(name)}/"

    @staticmethod
    def file_path(filename: str) -> str:
        return f"/files/{filename}"

    # -- faults --------------------------------------------------------------------------

    def inject(self, path: str, *faults: Fault, permanent: bool = False) -> None:
        """Answer the next requests for `path` with `faults`, in order.

        With `permanent`, the last fault repeats until `clear_faults`.
        """
        with self._lock:
            self._scripts[path] = _Script(list(faults), permanent)

    def clear_faults(self) -> None:
        """Forget scripted faults and recorded requests."""
        with self._lock:
            self._scripts.clear()
            self._requests.clear()

    @property
    def requests(self) -> list[str]:
        """Request paths received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def count(self, path: str) -> int:
        return self.requests.count(path)

    def _record(self, path: str) -> None:
        with self._lock:
            self._requests.append(path)

    def _next_fault(self, path: str) -> Fault | None:
        with self._lock:
            script = self._scripts.get(path)
            if script is None or not script.faults:
                return None
            if script.permanent and len(script.faults) == 1:
                return script.faults[0]
            fault = script.faults.pop(0)
            if not script.faults:
                del self._scripts[path]
            return fault

    def _answer(self, path: str, accept: str) -> tuple[bytes, str] | None:
        with self._lock:
            segments = [s for s in path.split("/") if s]
            if len(segments) == 2 and segments[0] == "simple":
                page = self._pages.get(canonicalize_name(segments[1]))
                if page is None:
                    return None
                body, content_type = page
                if content_type == JSON_TYPE and "json" not in accept:
                    return _as_html(body), "text/html"
                return page
            if len(segments) == 2 and segments[0] == "files":
                content = self._files.get(segments[1])
                return None if content is None else (content, "application/octet-stream")
            return None


def _as_html(json_body: bytes) -> bytes:
    document = json.loads(json_body)
    anchors = [
        f'<a href="{html.escape(e["url"])}">{html.escape(e["filename"])}</a><br/>'
        for e in document["files"]
    ]
    return ("<!DOCTYPE html><html><body>\n" + "\n".join(anchors) + "\n</body></html>").encode()


# -- a small dependency tree ---------------------------------------------------------------


def evil_code(marker: str) -> bytes:
    """Python that leaves `marker` behind if it ever runs (setup.py, an imported module)."""
    return f"import pathlib\npathlib.Path({marker!r}).write_text('ran')\n".encode()


def add_sample_tree(server: FaultServer, marker: str) -> None:
    """alpha -> beta>=1, gamma; delta -> beta. Every sdist would write `marker` if run.

    - alpha 1.0: pure wheel (PEP 658 metadata);
    - beta 1.0 pure wheel; beta 2.0 manylinux x86_64 wheel and an sdist (source on alpine);
    - gamma 1.0: a setup.py-only sdist (dependencies unknown without running it);
    - delta 1.0: a zip sdist with static PKG-INFO 2.2 dependencies and a setup.py.
    """
    code = evil_code(marker)
    alpha, alpha_bytes, alpha_meta = make_wheel("alpha", "1.0", ["beta>=1.0", "gamma"])
    server.add_project("alpha", [(alpha, alpha_bytes)], metadata={alpha: alpha_meta})

    beta1, beta1_bytes, beta1_meta = make_wheel("beta", "1.0")
    beta2, beta2_bytes, beta2_meta = make_wheel(
        "beta", "2.0", tag="cp312-cp312-manylinux_2_17_x86_64"
    )
    beta_sdist = make_sdist(
        "beta",
        "2.0",
        {"PKG-INFO": core_metadata("beta", "2.0", metadata_version="2.2"), "setup.py": code},
    )
    server.add_project(
        "beta",
        [(beta1, beta1_bytes), (beta2, beta2_bytes), beta_sdist],
        metadata={beta1: beta1_meta, beta2: beta2_meta},
    )

    gamma_sdist = make_sdist(
        "gamma",
        "1.0",
        {
            "PKG-INFO": core_metadata("gamma", "1.0"),
            "setup.py": code,
            "gamma/__init__.py": code,
        },
    )
    server.add_project("gamma", [gamma_sdist])

    delta_sdist = make_sdist(
        "delta",
        "1.0",
        {
            "PKG-INFO": core_metadata("delta", "1.0", ["beta"], metadata_version="2.2"),
            "setup.py": code,
            "delta/__init__.py": code,
        },
        fmt="zip",
    )
    server.add_project("delta", [delta_sdist])
