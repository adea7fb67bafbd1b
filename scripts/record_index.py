"""Record trimmed Simple API project pages from a real index as test fixtures.

For every project in the spec (TOML, one table per project) this fetches the project
page twice, as PEP 691 JSON and as PEP 503 HTML, keeps only the files of the versions
(and optional file-name patterns) the spec names, and writes them under the output
directory as ``json/<name>.json`` and ``html/<name>.html``. Nothing is typed by hand:
every kept entry is the index's own answer, in the index's own order.

Usage::

    python scripts/record_index.py [--spec tests/data/index/spec.toml]
        [--out tests/data/index] [--index-url https://pypi.org/simple] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import datetime
import fnmatch
import json
import sys
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
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


class RecordError(Exception):
    """A spec, network or index problem that stops the recording."""


@dataclass(frozen=True)
class ProjectSpec:
    """What to keep of one project's page."""

    name: NormalizedName
    versions: frozenset[Version]
    patterns: tuple[str, ...]
    why: str

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
        unknown = set(table) - {"versions", "files", "why"}
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
        try:
            parsed = frozenset(Version(v) for v in versions)
        except InvalidVersion as e:
            raise RecordError(f"{where}: {e}") from e
        name = canonicalize_name(key)
        if name in specs:
            raise RecordError(f"{where}: {name} is listed twice")
        specs[name] = ProjectSpec(name, parsed, tuple(patterns), why)
    return specs


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def fetch(client: httpx.Client, url: str, accept: str) -> httpx.Response:
    """Return the successful response for url, retrying transport errors and 5xx answers.

    Raises RecordError once attempts run out or for a 4xx answer.
    """
    for attempt in range(1, ATTEMPTS + 1):
        try:
            response = client.get(url, headers={"Accept": accept})
        except httpx.TransportError as e:
            if attempt == ATTEMPTS:
                raise RecordError(f"{_redact(url)}: {type(e).__name__}: {e}") from e
        else:
            if response.status_code < 500 or attempt == ATTEMPTS:
                if response.is_success:
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
        (out / "json").mkdir(parents=True, exist_ok=True)
        (out / "html").mkdir(parents=True, exist_ok=True)
        # The transport owns the pool, so the connection bound goes on it.
        limits = httpx.Limits(max_connections=MAX_CONNECTIONS)
        transport = httpx.HTTPTransport(retries=2, limits=limits)
        with (
            httpx.Client(transport=transport, timeout=60.0, follow_redirects=True) as client,
            ThreadPoolExecutor(max_workers=MAX_CONNECTIONS // 2) as pool,
        ):
            results = pool.map(lambda n: record_project(client, args.index_url, specs[n]), chosen)
            for name, (page, html) in zip(chosen, results, strict=True):
                text = json.dumps(page, indent=1, ensure_ascii=False) + "\n"
                (out / "json" / f"{name}.json").write_text(text, encoding="utf-8")
                (out / "html" / f"{name}.html").write_text(html, encoding="utf-8")
                print(f"{name}: {len(page['files'])} files", file=sys.stderr)
        if not args.only:
            prune(out, set(specs))
        write_recorded(out / "RECORDED", args.index_url, chosen)
    except RecordError as e:
        print(f"record_index: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
