"""Record trimmed Simple API project pages from a real index as test fixtures.

For every project in the spec (TOML, one table per project) this fetches the project
page twice, as PEP 691 JSON and as PEP 503 HTML, keeps only the files of the versions
(and optional file-name patterns) the spec names, and writes them under the output
directory as ``json/<name>.json`` and ``html/<name>.html``. Nothing is typed by hand:
every kept entry is the index's own answer, in the index's own order.

It also records what a resolver reads about each kept version, so the local test index can
serve dependency metadata without the internet:

- a version with kept wheels: the wheel's core metadata, from the PEP 658 file
  (``<wheel url>.metadata``) or, where the index has none, read out of the wheel's zip with
  range requests. One file per version, ``metadata/<name>-<version>.metadata``; every
  wheel of the version is compared with it, and a wheel whose dependency fields differ
  gets its own ``metadata/<wheel filename>.metadata``;
- a version with only an sdist: the sdist's top-level ``PKG-INFO``, ``pyproject.toml``,
  ``setup.cfg`` and ``setup.py`` texts (the last two cut to 20 KB), and the
  ``requires.txt`` and ``PKG-INFO`` of an ``X.egg-info/`` at the top or one level below,
  under ``sdist/<sdist filename>/`` at their paths. The sdist itself is not kept. A
  project whose table says ``sdist_texts = true`` gets these texts for every kept sdist,
  wheels or not: the advice reads a native sdist's build files to say what it needs.

Usage::

    python scripts/record_index.py [--spec tests/data/index/spec.toml]
        [--out tests/data/index] [--index-url https://pypi.org/simple] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import datetime
import email.parser
import fnmatch
import io
import json
import shutil
import sys
import tarfile
import time
import tomllib
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

JSON_ACCEPT = "application/vnd.pypi.simple.v1+json"
HTML_ACCEPT = "text/html"
DEFAULT_INDEX = "https://pypi.org/simple"
MAX_CONNECTIONS = 8
ATTEMPTS = 4
ROOT = Path(__file__).resolve().parent.parent
SDIST_FILES = ("PKG-INFO", "pyproject.toml", "setup.cfg", "setup.py")
EGG_INFO_FILES = ("requires.txt", "PKG-INFO")  # what setuptools wrote when it built the sdist
TRUNCATED = ("setup.cfg", "setup.py")  # build scripts are only evidence; PKG-INFO stays whole
MAX_TEXT = 20 * 1024
MAX_SDIST_BYTES = 256 * 1024 * 1024
RANGE_CHUNK = 256 * 1024
# The recorded setup.py files are other projects' code: keep `ruff check tests` off them.
SDIST_RUFF_CONFIG = """\
# Recorded texts of other projects' sdists (setup.py and friends), kept verbatim as
# scripts/record_index.py found them: not this project's code, so never linted.
exclude = ["*"]
"""


class RecordError(Exception):
    """A spec, network or index problem that stops the recording."""


@dataclass(frozen=True)
class ProjectSpec:
    """What to keep of one project's page."""

    name: NormalizedName
    versions: frozenset[Version]
    patterns: tuple[str, ...]
    why: str
    sdist_texts: bool = False  # record the sdist's texts even where wheels exist

    def keeps(self, filename: str) -> bool:
        """Return whether a distribution file belongs to a kept version and pattern."""
        version = file_version(filename)
        if version is None or version not in self.versions:
            return False
        return not self.patterns or any(fnmatch.fnmatchcase(filename, p) for p in self.patterns)


def file_version(filename: str) -> Version | None:
    """Return the version a wheel or sdist file name carries, or None if it is neither.

    Legacy formats (.egg, .exe, .tar.bz2) give None: pip ignores them too.
    """
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        return parse_sdist_filename(filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None


def load_spec(path: Path) -> dict[NormalizedName, ProjectSpec]:
    """Read the spec file and return its projects by canonical name, in file order.

    Raises RecordError for a missing file, bad TOML or a malformed table.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise RecordError(f"{path}: {e}") from e
    specs: dict[NormalizedName, ProjectSpec] = {}
    for key, table in raw.items():
        where = f"{path}: [{key}]"
        if not isinstance(table, dict):
            raise RecordError(f"{where}: expected a table")
        unknown = set(table) - {"versions", "files", "why", "sdist_texts"}
        if unknown:
            raise RecordError(f"{where}: unknown keys {sorted(unknown)}")
        versions = table.get("versions")
        patterns = table.get("files", [])
        why = table.get("why")
        if not _is_str_list(versions) or not versions:
            raise RecordError(f"{where}: 'versions' must be a non-empty list of strings")
        if not _is_str_list(patterns):
            raise RecordError(f"{where}: 'files' must be a list of strings")
        if not isinstance(why, str) or not why.strip():
            raise RecordError(f"{where}: 'why' must say what the project demonstrates")
        sdist_texts = table.get("sdist_texts", False)
        if not isinstance(sdist_texts, bool):
            raise RecordError(f"{where}: 'sdist_texts' must be true or false")
        try:
            parsed = frozenset(Version(v) for v in versions)
        except InvalidVersion as e:
            raise RecordError(f"{where}: {e}") from e
        name = canonicalize_name(key)
        if name in specs:
            raise RecordError(f"{where}: {name} is listed twice")
        specs[name] = ProjectSpec(name, parsed, tuple(patterns), why, sdist_texts)
    return specs


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def fetch(
    client: httpx.Client,
    url: str,
    accept: str = "*/*",
    *,
    headers: dict[str, str] | None = None,
    missing_ok: bool = False,
) -> httpx.Response:
    """Return the successful response for url, retrying transport errors and 5xx answers.

    With `missing_ok`, a 404 is returned instead of raised. Raises RecordError once
    attempts run out or for another 4xx answer.
    """
    for attempt in range(1, ATTEMPTS + 1):
        try:
            response = client.get(url, headers={"Accept": accept, **(headers or {})})
        except httpx.TransportError as e:
            if attempt == ATTEMPTS:
                raise RecordError(f"{_redact(url)}: {type(e).__name__}: {e}") from e
        else:
            if response.status_code < 500 or attempt == ATTEMPTS:
                if response.is_success or (missing_ok and response.status_code == 404):
                    return response
                raise RecordError(f"{_redact(url)}: HTTP {response.status_code}")
        time.sleep(0.5 * 2**attempt)
    raise AssertionError("unreachable")


def _redact(url: str) -> str:
    """Return url without user name or password, for messages and the RECORDED file."""
    parsed = httpx.URL(url)
    if parsed.userinfo:
        parsed = parsed.copy_with(username=None, password=None)
    return str(parsed)


def trim_json(page: dict[str, Any], spec: ProjectSpec) -> dict[str, Any]:
    """Return the PEP 691 page with only the kept files and versions, keys in index order."""
    trimmed: dict[str, Any] = {}
    for key, value in page.items():
        if key == "files":
            trimmed[key] = [f for f in value if spec.keeps(f["filename"])]
        elif key == "versions":
            trimmed[key] = [v for v in value if _version_or_none(v) in spec.versions]
        else:
            trimmed[key] = value
    return trimmed


def _version_or_none(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


class _AnchorFinder(HTMLParser):
    """Finds each <a>...</a> element's character span and link text in a page."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self._line_starts = [0]
        for i, char in enumerate(source):
            if char == "\n":
                self._line_starts.append(i + 1)
        self._source = source
        self._start: int | None = None
        self._text: list[str] = []
        self.anchors: list[tuple[int, int, str]] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._start = self._offset()
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._start is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._start is not None:
            end = self._source.index(">", self._offset()) + 1
            self.anchors.append((self._start, end, "".join(self._text).strip()))
            self._start = None


def trim_html(source: str, spec: ProjectSpec) -> str:
    """Return the PEP 503 page with only the kept <a> elements, each copied verbatim.

    Everything before the first and after the last anchor is kept as the index sent it;
    kept anchors are joined by the separator the index put between anchors.
    """
    finder = _AnchorFinder(source)
    finder.feed(source)
    finder.close()
    anchors = finder.anchors
    if not anchors:
        return source
    separator = source[anchors[0][1] : anchors[1][0]] if len(anchors) > 1 else ""
    suffix = source[anchors[-1][1] :]
    if separator and suffix.startswith(separator):
        suffix = suffix[len(separator) :]
    kept = [source[start:end] + separator for start, end, text in anchors if spec.keeps(text)]
    return source[: anchors[0][0]] + "".join(kept) + suffix


def record_project(
    client: httpx.Client, index_url: str, spec: ProjectSpec
) -> tuple[dict[str, Any], str]:
    """Fetch one project's JSON and HTML pages and return both trimmed.

    Raises RecordError when the index fails, answers in the wrong format, or a spec
    version has no file (a typo in the spec, or a version the index does not have).
    """
    url = f"{index_url.rstrip('/')}/{spec.name}/"
    json_response = fetch(client, url, JSON_ACCEPT)
    if not json_response.headers.get("content-type", "").startswith(JSON_ACCEPT):
        raise RecordError(f"{_redact(url)}: the index did not answer in PEP 691 JSON")
    page = trim_json(json_response.json(), spec)
    html = trim_html(fetch(client, url, HTML_ACCEPT).text, spec)
    found = {file_version(f["filename"]) for f in page["files"]}
    missing = sorted(str(v) for v in spec.versions - found)
    if missing:
        raise RecordError(f"{spec.name}: no kept file for version(s) {', '.join(missing)}")
    html_names = [a[2] for a in _anchors(html)]
    json_names = [f["filename"] for f in page["files"]]
    if sorted(html_names) != sorted(json_names):
        raise RecordError(f"{spec.name}: the HTML and JSON pages list different files")
    return page, html


def _anchors(source: str) -> list[tuple[int, int, str]]:
    finder = _AnchorFinder(source)
    finder.feed(source)
    finder.close()
    return finder.anchors


class RemoteZip(io.RawIOBase):
    """A remote file read with HTTP range requests, seekable, for ``zipfile``.

    Reads are served from fetched chunks of at least RANGE_CHUNK bytes, so listing a wheel and
    reading one member costs a few requests however big the wheel is.
    """

    def __init__(self, client: httpx.Client, url: str) -> None:
        super().__init__()
        self._client = client
        self._url = url
        self._position = 0
        tail = fetch(client, url, headers={"Range": f"bytes=-{RANGE_CHUNK}"})
        total = tail.headers.get("content-range", "").rpartition("/")[2]
        if tail.status_code != 206 or not total.isdigit():
            raise RecordError(f"{_redact(url)}: no range support (HTTP {tail.status_code})")
        self.size = int(total)
        self._chunks: list[tuple[int, bytes]] = [(self.size - len(tail.content), tail.content)]

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def read(self, size: int | None = -1) -> bytes:
        start = self._position
        end = self.size if size is None or size < 0 else min(self.size, start + size)
        if start >= end:
            return b""
        for first, data in self._chunks:
            if first <= start and end <= first + len(data):
                self._position = end
                return data[start - first : end - first]
        last = min(self.size, max(end, start + RANGE_CHUNK)) - 1
        data = fetch(self._client, self._url, headers={"Range": f"bytes={start}-{last}"}).content
        if len(data) != last - start + 1:
            raise RecordError(f"{_redact(self._url)}: short range answer")
        self._chunks.append((start, data))
        self._position = end
        return data[: end - start]

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def wheel_metadata(client: httpx.Client, url: str, filename: str) -> tuple[bytes, str]:
    """Return a wheel's core metadata and how it was read ("PEP 658" or "range").

    The PEP 658 file is the index's copy of the wheel's ``METADATA``; wheels uploaded
    without one are read with range requests. Raises RecordError when neither works.
    """
    response = fetch(client, url + ".metadata", missing_ok=True)
    if response.status_code == 200:
        return response.content, "PEP 658"
    name, version, _, _ = parse_wheel_filename(filename)
    with zipfile.ZipFile(RemoteZip(client, url)) as archive:
        found = []
        for member in archive.namelist():
            directory, _, leaf = member.partition("/")
            if leaf != "METADATA" or not directory.endswith(".dist-info"):
                continue
            dist, _, dist_version = directory.removesuffix(".dist-info").rpartition("-")
            if canonicalize_name(dist) == name and _version_or_none(dist_version) == version:
                found.append(member)
        if len(found) != 1:
            raise RecordError(f"{filename}: {len(found)} matching .dist-info/METADATA members")
        return archive.read(found[0]), "range"


def _kept_path(parts: list[str]) -> str | None:
    """The path below the top directory of a member worth keeping, None for others."""
    if ".." in parts:
        return None
    if len(parts) == 2 and parts[1] in SDIST_FILES:
        return parts[1]
    if len(parts) in (3, 4) and parts[-2].endswith(".egg-info") and parts[-1] in EGG_INFO_FILES:
        return "/".join(parts[1:])
    return None


def sdist_texts(client: httpx.Client, url: str, filename: str) -> dict[str, bytes]:
    """Return the sdist's top-level SDIST_FILES and egg-info files that exist, by path below
    the top directory, setup.* cut to MAX_TEXT bytes.

    The whole sdist is downloaded (bounded) and read in memory; nothing is extracted.
    """
    body = fetch(client, url).content
    if len(body) > MAX_SDIST_BYTES:
        raise RecordError(f"{filename}: larger than {MAX_SDIST_BYTES} bytes")
    members: dict[str, bytes] = {}
    if filename.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            for info in archive.infolist():
                kept = _kept_path(info.filename.strip("/").split("/"))
                if kept is not None and not info.is_dir():
                    members.setdefault(kept, archive.read(info))
    else:
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:*") as archive:
            for member in archive:
                kept = _kept_path([p for p in member.name.split("/") if p not in ("", ".")])
                if kept is not None and member.isfile():
                    extracted = archive.extractfile(member)
                    if extracted is not None:
                        members.setdefault(kept, extracted.read())
    for name in TRUNCATED:
        if name in members and len(members[name]) > MAX_TEXT:
            members[name] = members[name][:MAX_TEXT].rpartition(b"\n")[0] + b"\n"
    return members


@dataclass
class VersionRecord:
    """What was recorded for one kept version: files written and findings to report."""

    paths: list[Path]
    notes: list[str]


def dependency_fields(metadata: bytes) -> tuple[tuple[str, ...], ...]:
    """What a resolver reads (Requires-Dist, Requires-Python, Provides-Extra), normalised.

    Spelling that means the same (``Sphinx ~=4.1 ; extra == 'docs'`` against
    ``sphinx~=4.1; extra == "docs"``) compares equal; the order of entries does not count.
    """
    message = email.parser.BytesHeaderParser().parsebytes(metadata)

    def requirement(text: str) -> str:
        try:
            parsed = Requirement(text)
        except InvalidRequirement:
            return text.strip()
        extras = ",".join(sorted(canonicalize_name(e) for e in parsed.extras))
        return f"{canonicalize_name(parsed.name)}[{extras}]{parsed.specifier};{parsed.marker}"

    def specifier(text: str) -> str:
        try:
            return str(SpecifierSet(text))
        except InvalidSpecifier:
            return text.strip()

    return (
        tuple(sorted({requirement(str(v)) for v in message.get_all("Requires-Dist") or []})),
        tuple(specifier(str(v)) for v in message.get_all("Requires-Python") or []),
        tuple(sorted(canonicalize_name(str(v)) for v in message.get_all("Provides-Extra") or [])),
    )


def record_version(
    client: httpx.Client,
    out: Path,
    name: NormalizedName,
    version: Version,
    files: list[Any],
    with_sdist_texts: bool = False,
) -> VersionRecord:
    """Record the dependency metadata of one kept version (see the module docstring).

    Every kept wheel's metadata is read. The version's file holds the metadata of the first
    wheel (index order) among those sharing the most common dependency fields; a wheel whose
    dependency fields differ gets its own file. Wheels that differ only elsewhere (a
    description, bundled license texts) are served the version's file.
    """
    wheels = [f for f in files if f["filename"].endswith(".whl")]
    sdists = [f for f in files if not f["filename"].endswith(".whl")]
    notes: list[str] = []
    if wheels:
        texts: dict[str, bytes] = {}
        ranged = 0
        for wheel in wheels:
            texts[wheel["filename"]], how = wheel_metadata(client, wheel["url"], wheel["filename"])
            ranged += how != "PEP 658"
        if ranged:
            notes.append(f"{name} {version}: {ranged} wheel(s) without a PEP 658 file, ranged")
        groups: dict[tuple[tuple[str, ...], ...], list[str]] = {}
        for filename, text in texts.items():
            groups.setdefault(dependency_fields(text), []).append(filename)
        main = max(groups.values(), key=len)  # the first of the largest group wins ties
        path = out / "metadata" / f"{name}-{version}.metadata"
        path.write_bytes(texts[main[0]])
        paths = [path]
        for group in groups.values():
            if group is main:
                continue
            notes.append(
                f"{name} {version}: {', '.join(group)} differ(s) from {main[0]} in "
                "dependency fields; recorded per wheel"
            )
            for filename in group:
                own = out / "metadata" / f"{filename}.metadata"
                own.write_bytes(texts[filename])
                paths.append(own)
        distinct = len(set(texts.values()))
        if distinct > len(groups):
            notes.append(
                f"{name} {version}: {len(wheels)} wheels carry {distinct} different metadata "
                "texts that differ only outside the dependency fields"
            )
        if not (with_sdist_texts and sdists):
            return VersionRecord(paths, notes)
        record = record_sdist_texts(client, out, name, version, sdists[0])
        return VersionRecord(paths + record.paths, notes + record.notes)
    if not sdists:
        raise RecordError(f"{name} {version}: no kept file to read metadata from")
    return record_sdist_texts(client, out, name, version, sdists[0])


def record_sdist_texts(
    client: httpx.Client, out: Path, name: NormalizedName, version: Version, sdist: Any
) -> VersionRecord:
    """Record the build and metadata texts of one sdist under ``sdist/<filename>/``."""
    folder = out / "sdist" / sdist["filename"]
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    sdist_files = sdist_texts(client, sdist["url"], sdist["filename"])
    for member, content in sdist_files.items():
        (folder / member).parent.mkdir(parents=True, exist_ok=True)
        (folder / member).write_bytes(content)
    kept = ", ".join(sorted(sdist_files)) or "nothing"
    return VersionRecord([folder], [f"{name} {version}: sdist, kept {kept}"])


def record_metadata(
    client: httpx.Client,
    pool: ThreadPoolExecutor,
    out: Path,
    pages: dict[NormalizedName, Any],
    specs: dict[NormalizedName, ProjectSpec],
) -> tuple[set[Path], list[str]]:
    """Record every kept version of `pages`; return the paths written and the findings."""
    jobs = []
    for name, page in pages.items():
        by_version: dict[Version, list[Any]] = {}
        for entry in page["files"]:
            version = file_version(entry["filename"])
            if version is not None:
                by_version.setdefault(version, []).append(entry)
        for version, files in by_version.items():
            jobs.append((name, version, files, specs[name].sdist_texts))
    written: set[Path] = set()
    notes: list[str] = []
    results = pool.map(lambda job: record_version(client, out, *job), jobs)
    for record in results:
        written.update(record.paths)
        notes.extend(record.notes)
    return written, notes


def recorded_project(path: Path) -> NormalizedName | None:
    """The project a file under metadata/ or sdist/ belongs to, None if the name is foreign."""
    name = path.name.removesuffix(".metadata")
    try:
        if name.endswith(".whl"):
            return parse_wheel_filename(name)[0]
        if path.parent.name == "sdist":
            return parse_sdist_filename(name)[0]
        project, _, version = name.rpartition("-")
        Version(version)
        return canonicalize_name(project)
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None


def prune_metadata(out: Path, written: set[Path], projects: set[NormalizedName] | None) -> None:
    """Delete metadata and sdist texts not written now, of `projects` (None: of all)."""
    for folder in ("metadata", "sdist"):
        for path in sorted((out / folder).glob("*")):
            project = recorded_project(path)
            if path in written or project is None:  # foreign files (ruff.toml) stay
                continue
            if projects is not None and project not in projects:
                continue
            print(f"removing {path} (no longer kept)", file=sys.stderr)
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()


def write_recorded(path: Path, index_url: str, names: list[NormalizedName]) -> None:
    """Write (or update, for --only runs) the RECORDED file: one project per line."""
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    lines: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                lines[line.split()[0]] = line
    for name in names:
        lines[name] = f"{name} {today} {_redact(index_url)}"
    header = "# project, date recorded, index URL; written by scripts/record_index.py\n"
    path.write_text(header + "".join(lines[n] + "\n" for n in sorted(lines)), encoding="utf-8")


def prune(out: Path, keep: set[NormalizedName]) -> None:
    """Delete recorded pages of projects no longer in the spec."""
    for folder, suffix in (("json", ".json"), ("html", ".html")):
        for path in sorted((out / folder).glob(f"*{suffix}")):
            if path.stem not in keep:
                print(f"removing {path} (not in spec)", file=sys.stderr)
                path.unlink()


def main(argv: list[str] | None = None) -> int:
    """Record the pages; return the process exit code (0 ok, 1 failure)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--spec", type=Path, default=ROOT / "tests/data/index/spec.toml")
    parser.add_argument("--out", type=Path, default=ROOT / "tests/data/index")
    parser.add_argument("--index-url", default=DEFAULT_INDEX)
    parser.add_argument("--only", nargs="+", metavar="NAME", help="record only these projects")
    args = parser.parse_args(argv)

    try:
        specs = load_spec(args.spec)
        chosen = list(specs)
        if args.only:
            chosen = [canonicalize_name(n) for n in args.only]
            unknown = [n for n in chosen if n not in specs]
            if unknown:
                raise RecordError(f"not in {args.spec}: {', '.join(unknown)}")
        out: Path = args.out
        for folder in ("json", "html", "metadata", "sdist"):
            (out / folder).mkdir(parents=True, exist_ok=True)
        (out / "sdist" / "ruff.toml").write_text(SDIST_RUFF_CONFIG, encoding="utf-8")
        # The transport owns the pool, so the connection bound goes on it.
        limits = httpx.Limits(max_connections=MAX_CONNECTIONS)
        transport = httpx.HTTPTransport(retries=2, limits=limits)
        pages: dict[NormalizedName, Any] = {}
        with (
            httpx.Client(transport=transport, timeout=60.0, follow_redirects=True) as client,
            ThreadPoolExecutor(max_workers=MAX_CONNECTIONS // 2) as pool,
        ):
            results = pool.map(lambda n: record_project(client, args.index_url, specs[n]), chosen)
            for name, (page, html) in zip(chosen, results, strict=True):
                text = json.dumps(page, indent=1, ensure_ascii=False) + "\n"
                (out / "json" / f"{name}.json").write_text(text, encoding="utf-8")
                (out / "html" / f"{name}.html").write_text(html, encoding="utf-8")
                pages[name] = page
                print(f"{name}: {len(page['files'])} files", file=sys.stderr)
            written, notes = record_metadata(client, pool, out, pages, specs)
        for note in notes:
            print(note, file=sys.stderr)
        if not args.only:
            prune(out, set(specs))
        prune_metadata(out, written, set(chosen) if args.only else None)
        write_recorded(out / "RECORDED", args.index_url, chosen)
    except RecordError as e:
        print(f"record_index: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
