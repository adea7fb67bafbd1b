"""A real Simple API index on 127.0.0.1 for tests: recorded pages, metadata and files.

Layout of the root (``scripts/record_index.py`` writes it, ``tests/data/index/README.md``
describes it): ``json/<name>.json`` (PEP 691 body), ``html/<name>.html`` (PEP 503 body; when
only the JSON page exists, the HTML flavour is rendered from it), ``metadata/<name>-<version>
.metadata`` (core metadata of a version's wheels; ``metadata/<wheel filename>.metadata`` for a
wheel whose dependencies differ) and ``sdist/<sdist filename>/{PKG-INFO,pyproject.toml,...}``
(egg-info files at their paths: ``X.egg-info/requires.txt``).

Pages are served with every file URL pointing back at this server (``<flavour>/files/<file>``),
keeping the recorded hashes (which are the real files' hashes: the served files are
synthetic). Routes (``<name>`` is normalized by the server; every flavour prefix also has a
``/<flavour>/files/`` route):

- ``/simple/<name>/``: content negotiation by the Accept header's quality values (JSON,
  ``application/vnd.pypi.simple.v1+html`` or ``text/html``); wheels with recorded metadata
  advertise it (JSON ``core-metadata``/``dist-info-metadata`` with the served file's sha256,
  HTML ``data-core-metadata``/``data-dist-info-metadata``), as PyPI does;
- ``/no-metadata/simple/<name>/``: the same without any metadata advertised, like many
  mirrors (clients must read wheels by range);
- ``/no-range/simple/<name>/``: no metadata advertised and its files ignore Range (200 with
  the whole body), like servers without range support;
- ``/html-only/simple/<name>/``: always ``text/html``, like many mirrors;
- ``/auth/simple/<name>/`` and ``/auth/files/...``: need Basic auth ``alice`` / ``s3cr%t``,
  else 401;
- ``/relative/simple/<name>/``: HTML with file URLs relative (``../../files/<file>``);
- ``/redirect-other-host/simple/<name>/``: 302 to ``/simple/<name>/`` on a second server at
  127.0.0.2 (``localhost`` where 127.0.0.2 cannot be bound), to see which headers follow;
- ``/files/<wheel>.metadata``: the recorded metadata (404 if none);
- ``/files/<wheel>``: a synthetic wheel built from the recorded metadata (dist-info METADATA,
  WHEEL, RECORD, and a stored padding member of PADDING_BYTES so range reads can be told from
  downloads); ``/files/<sdist>``: a synthetic ``.tar.gz``/``.zip`` holding the recorded
  PKG-INFO, pyproject.toml, setup.cfg and setup.py. A single ``Range: bytes=a-b`` / ``a-`` /
  ``-n`` gets 206 with Content-Range, an unsatisfiable one 416. Files without recorded data
  answer 404.

Unknown projects answer 404. ``fail()`` injects error statuses; ``requests`` records
``(path, headers)`` with lower-cased header names (``host`` tells which server answered);
``served`` records one ``Served`` per answer (kind, status, bytes, whole body or not) and
``count()`` sums them, e.g. ``server.count("wheel", full=True) == 0``.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
import io
import json
import re
import tarfile
import threading
import time
import zipfile
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Self
from urllib.parse import unquote, urlsplit

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping, Sequence
    from types import TracebackType

AUTH_USER = "alice"
AUTH_PASSWORD = "s3cr%t"
JSON_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_TYPE = "application/vnd.pypi.simple.v1+html"
FLAVOURS = (
    "",
    "html-only",
    "auth",
    "relative",
    "redirect-other-host",
    "no-metadata",
    "no-range",
)
WITHOUT_METADATA = frozenset({"no-metadata", "no-range"})
PADDING_BYTES = 256 * 1024
SDIST_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip")

Kind = Literal["page", "metadata", "wheel", "sdist", "other"]

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_ANCHOR = re.compile(r"<a\b([^>]*)>", re.IGNORECASE)
_HREF = re.compile(r"""\bhref\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
_METADATA_ATTR = re.compile(
    r"""\s+data-(?:core|dist-info)-metadata(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?""",
    re.IGNORECASE,
)
_EPOCH = (1980, 1, 1, 0, 0, 0)
PAGES_ONLY: tuple[Kind, ...] = ("page",)


@dataclass
class _Fault:
    statuses: list[int]
    permanent: bool
    headers: Mapping[str, str]
    kinds: frozenset[str]


@dataclass(frozen=True)
class Served:
    """One answer: what was asked for, the status, body bytes sent, and whether the whole
    file went out (a 200 to a GET for a wheel, sdist or metadata file)."""

    kind: Kind
    path: str
    status: int
    bytes: int
    full: bool


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


def _zip_info(name: str, compression: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.compress_type = compression
    info.external_attr = 0o644 << 16
    return info


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def build_wheel(filename: str, metadata: bytes) -> bytes:
    """A valid, deterministic wheel named `filename` whose dist-info METADATA is `metadata`.

    Members, in the order build backends write them: a stored padding file of
    PADDING_BYTES (so the wheel is larger than any tail a range reader fetches first), then
    ``<name>-<version>.dist-info/METADATA`` (deflated), ``WHEEL`` and ``RECORD``.
    Raises InvalidWheelFilename for a bad name.
    """
    _, _, _, tags = parse_wheel_filename(filename)
    distribution, version = filename.split("-")[:2]  # as escaped in the file name
    info = f"{distribution}-{version}.dist-info"
    pure = all(tag.platform == "any" for tag in tags)
    wheel = "Wheel-Version: 1.0\nGenerator: wheelcheck-tests\n"
    wheel += f"Root-Is-Purelib: {'true' if pure else 'false'}\n"
    wheel += "".join(f"Tag: {tag}\n" for tag in sorted(str(t) for t in tags))
    members = [
        (f"{distribution.lower()}/_padding.bin", bytes(PADDING_BYTES), zipfile.ZIP_STORED),
        (f"{info}/METADATA", metadata, zipfile.ZIP_DEFLATED),
        (f"{info}/WHEEL", wheel.encode(), zipfile.ZIP_DEFLATED),
    ]
    record = "".join(f"{name},{_record_hash(data)},{len(data)}\n" for name, data, _ in members)
    record += f"{info}/RECORD,,\n"
    members.append((f"{info}/RECORD", record.encode(), zipfile.ZIP_DEFLATED))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, compression in members:
            archive.writestr(_zip_info(name, compression), data)
    return buffer.getvalue()


def build_sdist(filename: str, files: Mapping[str, bytes]) -> bytes:
    """A deterministic sdist named `filename` holding `files` under ``<name>-<version>/``.

    A ``.zip`` name gives a zip archive, any other a gzipped tar. Raises
    InvalidSdistFilename for a bad name.
    """
    parse_sdist_filename(filename)
    top = next(filename[: -len(s)] for s in SDIST_SUFFIXES if filename.endswith(s))
    buffer = io.BytesIO()
    if filename.endswith(".zip"):
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in files.items():
                archive.writestr(_zip_info(f"{top}/{name}", zipfile.ZIP_DEFLATED), data)
        return buffer.getvalue()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as compressed,
        tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as archive,
    ):
        directory = tarfile.TarInfo(top)
        directory.type = tarfile.DIRTYPE
        directory.mode = 0o755
        archive.addfile(directory)
        for name, data in files.items():
            member = tarfile.TarInfo(f"{top}/{name}")
            member.size = len(data)
            member.mode = 0o644
            archive.addfile(member, io.BytesIO(data))
    return buffer.getvalue()


def byte_range(header: str | None, size: int) -> tuple[int, int] | Literal[False] | None:
    """The ``(first, last)`` bytes a single ``Range`` header asks for.

    None means "send the whole body" (no header, several ranges, or unparseable, as servers
    do); False means unsatisfiable (answer 416).
    """
    if header is None:
        return None
    match = _RANGE.match(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first_text, last_text = match.groups()
    if first_text == "":
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            return False
        return max(0, size - suffix), size - 1
    first = int(first_text)
    last = min(int(last_text), size - 1) if last_text else size - 1
    if first >= size or first > last:
        return False
    return first, last


def _project_of(filename: str) -> NormalizedName | None:
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[0]
        return parse_sdist_filename(filename)[0]
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        self._route(head=False)

    def do_HEAD(self) -> None:
        self._route(head=True)

    def _route(self, *, head: bool) -> None:
        index = self.server.index
        headers = {key.lower(): value for key, value in self.headers.items()}
        index._record(self.path, headers)
        index._wait(self.path)
        path = unquote(urlsplit(self.path).path)
        segments = [s for s in path.split("/") if s]
        flavour = ""
        if segments and segments[0] in FLAVOURS[1:]:
            flavour, segments = segments[0], segments[1:]
        if len(segments) == 2 and segments[0] == "files":
            return self._file(flavour, segments[1], headers, head=head)
        if len(segments) != 2 or segments[0] != "simple":
            return self._send(404, "text/plain", b"not found", kind="other", head=head)
        return self._project_page(flavour, canonicalize_name(segments[1]), head=head)

    def _refused(self, flavour: str, name: str, kind: Kind, *, head: bool) -> bool:
        """Answer an injected fault or a missing login; return whether an answer went out."""
        index = self.server.index
        fault = index._next_fault(name, kind)
        if fault is not None:
            status, extra = fault
            self._send(status, "text/plain", b"injected fault", extra, kind=kind, head=head)
            return True
        if flavour == "auth" and not self._authorized(self.headers.get("Authorization")):
            challenge = {"WWW-Authenticate": 'Basic realm="test"'}
            self._send(401, "text/plain", b"unauthorized", challenge, kind=kind, head=head)
            return True
        return False

    def _project_page(self, flavour: str, name: NormalizedName, *, head: bool) -> None:
        index = self.server.index
        if self._refused(flavour, name, "page", head=head):
            return
        if flavour == "redirect-other-host":
            location = {"Location": index._other_url(name)}
            return self._send(302, "text/plain", b"", location, kind="page", head=head)

        media = "text/html" if flavour in ("html-only", "relative") else None
        media = media or choose_media_type(self.headers.get("Accept"))
        body = index._page(name, json_wanted=media == JSON_TYPE)
        if body is None:
            return self._send(404, "text/plain", b"no such project", kind="page", head=head)
        content, content_type = body
        if flavour == "relative":
            files_url = "../../files/"
        else:
            host = self.headers.get("Host") or urlsplit(index.url).netloc
            files_url = f"http://{host}{'/' + flavour if flavour else ''}/files/"
        advertise = flavour not in WITHOUT_METADATA
        if content_type == JSON_TYPE:
            try:
                document = json.loads(content)
            except ValueError:
                document = None  # a deliberately broken page goes out as recorded
            if isinstance(document, dict):
                document = index._rewrite_json(document, files_url, advertise=advertise)
                content = json.dumps(document, indent=1).encode()
        else:
            content_type = media if media != JSON_TYPE else "text/html"
            content = index._rewrite_html(content.decode(), files_url, advertise=advertise)
        return self._send(200, content_type, content, kind="page", head=head)

    def _file(self, flavour: str, filename: str, headers: Mapping[str, str], *, head: bool) -> None:
        index = self.server.index
        kind: Kind
        if filename.endswith(".metadata"):
            kind, body = "metadata", index.metadata(filename.removesuffix(".metadata"))
        elif filename.endswith(".whl"):
            kind, body = "wheel", index.wheel(filename)
        else:
            kind, body = "sdist", index.sdist(filename)
        project = _project_of(filename.removesuffix(".metadata"))
        if self._refused(flavour, project or "", kind, head=head):
            return
        if body is None:
            return self._send(404, "text/plain", b"no such file", kind=kind, head=head)
        content_type = "application/zip" if kind == "wheel" else "application/octet-stream"
        ranges = flavour != "no-range"
        extra = {"Accept-Ranges": "bytes" if ranges else "none"}
        wanted = byte_range(headers.get("range"), len(body)) if ranges else None
        if wanted is False:
            extra["Content-Range"] = f"bytes */{len(body)}"
            return self._send(416, content_type, b"", extra, kind=kind, head=head)
        if wanted is None:
            return self._send(200, content_type, body, extra, kind=kind, head=head)
        first, last = wanted
        extra["Content-Range"] = f"bytes {first}-{last}/{len(body)}"
        part = body[first : last + 1]
        return self._send(206, content_type, part, extra, kind=kind, head=head)

    def _authorized(self, header: str | None) -> bool:
        expected = base64.b64encode(f"{AUTH_USER}:{AUTH_PASSWORD}".encode()).decode()
        return header == f"Basic {expected}"

    def _send(
        self,
        status: int,
        content_type: str,
        body: bytes,
        headers: Mapping[str, str] | None = None,
        *,
        kind: Kind,
        head: bool = False,
    ) -> None:
        sent = 0 if head else len(body)
        full = status == 200 and not head and kind in ("metadata", "wheel", "sdist")
        self.server.index._served(Served(kind, self.path, status, sent, full))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # resolutions open many connections at once; 5 drops some

    def __init__(self, address: tuple[str, int], index: IndexServer) -> None:
        super().__init__(address, _Handler)
        self.index = index


class IndexServer:
    """Serves `root` on 127.0.0.1 (and 127.0.0.2 for cross-host redirects) until stop().

    Use as a context manager or call stop(). `url` is ``http://127.0.0.1:PORT``; an index
    URL is ``f"{server.url}/simple"``, ``f"{server.url}/no-metadata/simple"``, ...
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        self._requests: list[tuple[str, dict[str, str]]] = []
        self._served_list: list[Served] = []
        self._faults: dict[str, _Fault] = {}
        self._slow: dict[str, float] = {}  # part of a request path -> seconds
        self._cache: dict[tuple[str, str], bytes | None] = {}
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

    # -- what was asked ---------------------------------------------------------------------

    @property
    def requests(self) -> list[tuple[str, dict[str, str]]]:
        """A snapshot of ``(path, headers)`` received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def served(self) -> list[Served]:
        """A snapshot of the answers sent so far, oldest first."""
        with self._lock:
            return list(self._served_list)

    def count(self, kind: Kind, *, status: int | None = None, full: bool | None = None) -> int:
        """How many answers of `kind` went out (optionally with `status`, or sent whole)."""
        return sum(
            1
            for s in self.served
            if s.kind == kind
            and (status is None or s.status == status)
            and (full is None or s.full == full)
        )

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()
            self._served_list.clear()

    def fail(
        self,
        name: str,
        statuses: Sequence[int] = (500,),
        *,
        permanent: bool = False,
        headers: Mapping[str, str] | None = None,
        kinds: Collection[str] = PAGES_ONLY,
    ) -> None:
        """Answer the next requests for `name` (any flavour) with `statuses`, in order.

        `kinds` says which routes fail: project pages by default; ``"metadata"``,
        ``"wheel"`` and ``"sdist"`` are the project's files. With `permanent`, the last
        status repeats until reset(). `headers` (e.g. Retry-After) go with each answer.
        """
        with self._lock:
            self._faults[canonicalize_name(name)] = _Fault(
                list(statuses), permanent, dict(headers or {}), frozenset(kinds)
            )

    def slow(self, part: str, seconds: float) -> None:
        """Answer every request whose path contains `part` (``/simple/six/``, a file name)
        `seconds` late, until reset(): a read still in flight when the rest of a run is done."""
        with self._lock:
            self._slow[part] = seconds

    def reset(self) -> None:
        """Forget injected faults, delays and recorded requests."""
        with self._lock:
            self._faults.clear()
            self._slow.clear()
            self._requests.clear()
            self._served_list.clear()

    # -- recorded data ----------------------------------------------------------------------

    def metadata(self, wheel_filename: str) -> bytes | None:
        """The recorded core metadata served for a wheel, None if there is none."""
        try:
            name, version, _, _ = parse_wheel_filename(wheel_filename)
        except InvalidWheelFilename:
            return None
        folder = self.root / "metadata"
        for path in (folder / f"{wheel_filename}.metadata", folder / f"{name}-{version}.metadata"):
            if path.is_file():
                return path.read_bytes()
        return None

    def metadata_sha256(self, wheel_filename: str) -> str | None:
        """The hex sha256 of what ``metadata(wheel_filename)`` serves, None if nothing."""
        data = self._cached("metadata-sha256", wheel_filename, self._metadata_hash)
        return data.decode() if data is not None else None

    def wheel(self, filename: str) -> bytes | None:
        """The synthetic wheel served as `filename`, None without recorded metadata."""
        return self._cached("wheel", filename, self._build_wheel)

    def sdist(self, filename: str) -> bytes | None:
        """The synthetic sdist served as `filename`, None without recorded texts."""
        return self._cached("sdist", filename, self._build_sdist)

    def _metadata_hash(self, filename: str) -> bytes | None:
        data = self.metadata(filename)
        return None if data is None else hashlib.sha256(data).hexdigest().encode()

    def _build_wheel(self, filename: str) -> bytes | None:
        data = self.metadata(filename)
        return None if data is None else build_wheel(filename, data)

    def _build_sdist(self, filename: str) -> bytes | None:
        folder = self.root / "sdist" / filename
        if _project_of(filename) is None or not folder.is_dir():
            return None
        # The recorded top-level texts and, at their paths, egg-info files.
        files = {
            path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*"))
            if path.is_file()
        }
        return build_sdist(filename, files)

    def _cached(self, kind: str, filename: str, build: Any) -> bytes | None:
        key = (kind, filename)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        value: bytes | None = build(filename)
        with self._lock:
            self._cache[key] = value
        return value

    # -- pages ------------------------------------------------------------------------------

    def _rewrite_json(
        self, document: dict[str, Any], files_url: str, *, advertise: bool
    ) -> dict[str, Any]:
        files = []
        for entry in document.get("files", []):
            entry = {
                k: v for k, v in entry.items() if k not in ("core-metadata", "dist-info-metadata")
            }
            filename = entry["filename"]
            entry["url"] = files_url + filename
            digest = self.metadata_sha256(filename) if advertise else None
            if digest is not None:
                entry["core-metadata"] = {"sha256": digest}
                entry["dist-info-metadata"] = {"sha256": digest}
            files.append(entry)
        return {**document, "files": files}

    def _rewrite_html(self, page: str, files_url: str, *, advertise: bool) -> bytes:
        def anchor(match: re.Match[str]) -> str:
            attrs = _METADATA_ATTR.sub("", match.group(1))
            href = _HREF.search(attrs)
            if href is None:
                return f"<a{attrs}>"
            parts = urlsplit(html.unescape(href.group(2)))
            filename = unquote(parts.path.rpartition("/")[2])
            fragment = f"#{parts.fragment}" if parts.fragment else ""
            new = f'href="{html.escape(files_url + filename + fragment)}"'
            digest = self.metadata_sha256(filename) if advertise else None
            if digest is not None:
                new += f' data-dist-info-metadata="sha256={digest}"'
                new += f' data-core-metadata="sha256={digest}"'
            return f"<a{attrs[: href.start()]}{new}{attrs[href.end() :]}>"

        return _ANCHOR.sub(anchor, page).encode()

    def _record(self, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self._requests.append((path, headers))

    def _served(self, served: Served) -> None:
        with self._lock:
            self._served_list.append(served)

    def _wait(self, path: str) -> None:
        with self._lock:
            seconds = max((s for part, s in self._slow.items() if part in path), default=0.0)
        if seconds:
            time.sleep(seconds)

    def _next_fault(self, name: str, kind: str) -> tuple[int, Mapping[str, str]] | None:
        with self._lock:
            fault = self._faults.get(name)
            if fault is None or not fault.statuses or kind not in fault.kinds:
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

    def project_names(self) -> Iterable[NormalizedName]:
        """The projects with a recorded page, sorted."""
        names = {p.stem for p in (self.root / "json").glob("*.json")}
        names |= {p.stem for p in (self.root / "html").glob("*.html")}
        return [canonicalize_name(n) for n in sorted(names)]
