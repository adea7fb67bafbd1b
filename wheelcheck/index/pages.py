"""Parsing one project page of a Simple API index into DistFiles: pure functions, no I/O.

Both flavours are read: PEP 691 JSON and PEP 503 HTML (what HTML-only mirrors serve), with
the fields both carry: hashes, requires-python, yanked (PEP 592), core-metadata (PEP 658,
and the older dist-info-metadata spelling, PEP 714), size and upload-time (PEP 700).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import Tag, parse_tag
from packaging.utils import (
    BuildTag,
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from wheelcheck.errors import ProjectLookupError
from wheelcheck.index.urls import redact_url
from wheelcheck.models import DistFile

# Archive suffixes pip accepts for an sdist (pip's SUPPORTED_EXTENSIONS, minus wheels).
SDIST_SUFFIXES = (
    ".tar.gz",
    ".zip",
    ".tar.bz2",
    ".tbz",
    ".tgz",
    ".tar.xz",
    ".txz",
    ".tlz",
    ".tar.lz",
    ".tar.lzma",
    ".tar",
)

__all__ = ["MalformedPage", "ParsedPage", "parse_html_page", "parse_json_page"]

_SHOWN_NAMES = 5  # file names quoted in one warning; the rest are counted


class MalformedPage(ProjectLookupError):
    """An index answered a project page that is not valid PEP 691 JSON or PEP 503 HTML.

    A ProjectLookupError (so an IndexFault, exit 3): the check records the project as
    `error`. `index_url` is redacted.
    """

    def __init__(self, project: str, index_url: str, detail: str) -> None:
        super().__init__(project, redact_url(index_url), f"malformed index page: {detail}")


@dataclass(frozen=True, slots=True)
class ParsedPage:
    """The files of one project page, and warnings (redacted) about entries skipped."""

    files: tuple[DistFile, ...]
    warnings: tuple[str, ...] = ()


@functools.lru_cache(maxsize=32768)
def tag_set(tag_triple: str) -> frozenset[Tag]:
    """The tags of a wheel's tag triple, parsed once per run: a page set of 1,000 projects
    holds tens of thousands of files but only about 10,000 distinct triples (a smaller cache
    thrashed)."""
    return parse_tag(tag_triple)


def _parse_wheel_filename(
    filename: str,
) -> tuple[NormalizedName, Version, BuildTag, frozenset[Tag]]:
    """packaging's parse_wheel_filename, with the tag triple parsed once per page set.

    A large project repeats the same few dozen tag triples across thousands of files, and
    parsing them dominated page parsing. packaging still validates the name, version and
    build tag (given a trivial triple); the real triple comes from a cache.
    """
    stem, _, _ = filename.rpartition(".")
    head, sep, triple = _split_last(stem, 3)
    if not sep:
        raise InvalidWheelFilename(f"Invalid wheel filename (wrong number of parts): {filename!r}")
    name, version, build = _parse_wheel_head(head)
    try:
        tags = tag_set(triple)
    except ValueError as error:  # a malformed tag triple
        raise InvalidWheelFilename(f"Invalid wheel filename: {filename!r}") from error
    return name, version, build, tags


@functools.lru_cache(maxsize=4096)
def _parse_wheel_head(head: str) -> tuple[NormalizedName, Version, BuildTag]:
    """Name, version and build tag of "name-version[-build]" (the wheels of one release
    share it: parsed once for their dozens of platforms)."""
    name, version, build, _tags = parse_wheel_filename(f"{head}-py3-none-any.whl")
    return name, version, build


def _split_last(text: str, count: int) -> tuple[str, str, str]:
    """Split off the last `count` dash-separated fields: ("a-1.0", "-", "py3-none-any")."""
    parts = text.split("-")
    if len(parts) <= count:
        return text, "", ""
    return "-".join(parts[:-count]), "-", "-".join(parts[-count:])


@functools.lru_cache(maxsize=4096)
def _valid_specifier(text: str) -> bool:
    """Whether `text` parses as a specifier set (cached: pages repeat a few strings)."""
    try:
        SpecifierSet(text)
    except InvalidSpecifier:
        return False
    return True


DISTFILE_FIELDS = (
    "filename", "url", "index_url", "version", "is_wheel", "tags", "build_tag", "hashes",
    "requires_python", "yanked", "yanked_reason", "size", "core_metadata", "upload_time",
)  # fmt: skip
if tuple(f.name for f in dataclasses.fields(DistFile)) != DISTFILE_FIELDS:
    raise ImportError("DistFile's fields changed: update DISTFILE_FIELDS (built positionally)")


@dataclass
class _PageBuilder:
    """Turns raw file entries into DistFiles, collecting what it skips for one warning each.

    `add` keeps the `hashes` and `core_metadata` dicts it is given (callers build them fresh).
    """

    index_url: str  # redacted
    project: str
    files: list[DistFile] = field(default_factory=list)
    unparsable: list[str] = field(default_factory=list)
    other_project: list[str] = field(default_factory=list)
    bad_requires_python: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.canonical_project = canonicalize_name(self.project)

    def add(
        self,
        *,
        filename: str,
        url: str,
        hashes: dict[str, str],
        requires_python: str | None,
        yanked: bool,
        yanked_reason: str | None,
        core_metadata: dict[str, str] | None,
        size: int | None = None,
        upload_time: str | None = None,
    ) -> None:
        if filename.endswith(".whl"):
            try:
                name, version, build_tag, tags = _parse_wheel_filename(filename)
            except InvalidWheelFilename:
                self.unparsable.append(filename)
                return
            is_wheel = True
        elif filename.endswith(SDIST_SUFFIXES):
            # pip still builds legacy .tar.bz2/.tgz/.tar.xz/.tar sdists; packaging parses only
            # the PEP 625 suffixes, so read the name and version through a .tar.gz spelling.
            stem = filename[: -len(next(x for x in SDIST_SUFFIXES if filename.endswith(x)))]
            try:
                name, version = parse_sdist_filename(stem + ".tar.gz")
            except InvalidSdistFilename:
                self.unparsable.append(filename)
                return
            is_wheel, build_tag, tags = False, (), frozenset()
        else:
            return  # .exe, .egg, .msi, ...: pip never installs these
        if name != self.canonical_project:
            self.other_project.append(filename)
            return
        if requires_python is not None:
            requires_python = requires_python.strip() or None
        if requires_python is not None and not _valid_specifier(requires_python):
            # pip ignores a constraint it cannot parse, so the file stays a candidate.
            self.bad_requires_python.append(f"{filename} ({requires_python!r})")
            requires_python = None
        # Positional, in DistFile's field order (checked at import): a page set of 1,000
        # projects makes half a million of these.
        values = (
            filename, url, self.index_url, version, is_wheel, tags, build_tag, hashes,
            requires_python, yanked, yanked_reason, size, core_metadata, upload_time,
        )  # fmt: skip
        self.files.append(DistFile(*values))

    def _warn(self, what: str, items: list[str]) -> str:
        shown = ", ".join(items[:_SHOWN_NAMES])
        more = f" and {len(items) - _SHOWN_NAMES} more" if len(items) > _SHOWN_NAMES else ""
        return f"{self.project} on {self.index_url}: {what}: {shown}{more}"

    def result(self) -> ParsedPage:
        warnings: list[str] = []
        if self.unparsable:
            warnings.append(self._warn("skipped files whose names do not parse", self.unparsable))
        if self.other_project:
            warnings.append(
                self._warn("skipped files named for another project", self.other_project)
            )
        if self.bad_requires_python:
            warnings.append(
                self._warn(
                    "ignored a requires-python that does not parse", self.bad_requires_python
                )
            )
        return ParsedPage(files=tuple(self.files), warnings=tuple(warnings))


def _join(page_url: str, url: str) -> str:
    """`url` resolved against the page; an unparsable one is left as is (it fails later,
    as a file that cannot be fetched, not as a crash while reading the page)."""
    try:
        return urljoin(page_url, url)
    except ValueError:
        return url


def _split_hash_fragment(url: str) -> tuple[str, dict[str, str]]:
    """``.../f.whl#sha256=abc`` -> (``.../f.whl``, {"sha256": "abc"})."""
    parts = urlsplit(url)
    if not parts.fragment:
        return url, {}
    bare = urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
    algorithm, sep, value = parts.fragment.partition("=")
    if sep and value and algorithm.lower() in hashlib.algorithms_guaranteed:
        return bare, {algorithm.lower(): value}
    return bare, {}


def _metadata_attr(value: str | None) -> dict[str, str] | None:
    """PEP 658 attribute: ``true`` -> {}, ``sha256=abc`` -> {"sha256": "abc"}, else None."""
    if value is None:
        return None
    value = value.strip()
    if value.lower() == "true":
        return {}
    algorithm, sep, digest = value.partition("=")
    if sep and algorithm and digest:
        return {algorithm.lower(): digest}
    return None


class _AnchorCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base_href: str | None = None
        self.anchors: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # html.parser lower-cases names and unescapes attribute values (&gt; -> >).
        if tag == "a":
            self.anchors.append(dict(attrs))
        elif tag == "base" and self.base_href is None:
            self.base_href = dict(attrs).get("href") or None


def parse_html_page(body: bytes, *, page_url: str, index_url: str, project: str) -> ParsedPage:
    """Parse a PEP 503 HTML project page.

    `page_url` is the URL the page was served from (after redirects, without credentials);
    relative hrefs resolve against it, or against a ``<base href>``. `index_url` is recorded,
    redacted, on every DistFile. Only wheels and sdists (the archive kinds pip builds) become
    files.

    Returns the ParsedPage. Raises MalformedPage when the body is not an HTML document.
    """
    text = body.decode("utf-8", errors="replace")
    if "<" not in text:
        detail = "empty response" if not text.strip() else "not an HTML document"
        raise MalformedPage(project, index_url, detail)
    collector = _AnchorCollector()
    try:
        collector.feed(text)
        collector.close()
    except (AssertionError, ValueError) as error:  # html.parser's rare hard failures
        raise MalformedPage(project, index_url, f"unparsable HTML ({error})") from None

    builder = _PageBuilder(index_url=redact_url(index_url), project=project)
    try:
        base = urljoin(page_url, collector.base_href) if collector.base_href else page_url
    except ValueError:  # e.g. an invalid IPv6 host: ignore the <base>, as browsers do
        base = page_url
    for attrs in collector.anchors:
        href = attrs.get("href")
        if not href:
            continue
        try:
            url, hashes = _split_hash_fragment(urljoin(base, href.strip()))
            filename = unquote(urlsplit(url).path.rpartition("/")[2])
        except ValueError:  # a URL urllib cannot parse (e.g. "https://[bad/x.whl")
            builder.unparsable.append(href.strip()[:200])
            continue
        yanked = "data-yanked" in attrs
        core_metadata = attrs.get("data-core-metadata")
        if core_metadata is None:
            core_metadata = attrs.get("data-dist-info-metadata")
        builder.add(
            filename=filename,
            url=url,
            hashes=hashes,
            requires_python=attrs.get("data-requires-python"),
            yanked=yanked,
            yanked_reason=(attrs.get("data-yanked") or None) if yanked else None,
            core_metadata=_metadata_attr(core_metadata),
        )
    return builder.result()


def _json_metadata(value: Any) -> dict[str, str] | None:
    if value is True:
        return {}
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items() if isinstance(v, str)}
    return None


def parse_json_page(body: bytes, *, page_url: str, index_url: str, project: str) -> ParsedPage:
    """Parse a PEP 691 JSON project page (API version 1.x).

    Arguments as for `parse_html_page`; relative file URLs resolve against `page_url`.

    Returns the ParsedPage. Raises MalformedPage when the body is not JSON, is not an
    API 1.x project object, or a file entry lacks a string ``filename`` or ``url``.
    """
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MalformedPage(project, index_url, f"invalid JSON ({error})") from None
    if not isinstance(document, dict):
        raise MalformedPage(project, index_url, "the JSON document is not an object")
    meta = document.get("meta")
    api_version = meta.get("api-version") if isinstance(meta, dict) else None
    if isinstance(api_version, str) and api_version.partition(".")[0] != "1":
        raise MalformedPage(project, index_url, f"unsupported API version {api_version}")
    entries = document.get("files")
    if not isinstance(entries, list):
        raise MalformedPage(project, index_url, "no 'files' list")

    builder = _PageBuilder(index_url=redact_url(index_url), project=project)
    for position, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise MalformedPage(project, index_url, f"file entry {position} is not an object")
        filename, url = entry.get("filename"), entry.get("url")
        if not isinstance(filename, str) or not isinstance(url, str):
            raise MalformedPage(
                project, index_url, f"file entry {position} lacks a filename or url"
            )
        raw_hashes = entry.get("hashes")
        hashes = (
            {str(k).lower(): v for k, v in raw_hashes.items() if isinstance(v, str)}
            if isinstance(raw_hashes, dict)
            else {}
        )
        yanked_value = entry.get("yanked", False)
        yanked = yanked_value is True or isinstance(yanked_value, str)
        core_metadata = entry.get("core-metadata")
        if core_metadata is None:
            core_metadata = entry.get("dist-info-metadata")
        requires_python = entry.get("requires-python")
        size = entry.get("size")
        upload_time = entry.get("upload-time")
        builder.add(
            filename=filename,
            url=url if url.startswith(("https://", "http://")) else _join(page_url, url),
            hashes=hashes,
            requires_python=requires_python if isinstance(requires_python, str) else None,
            yanked=yanked,
            yanked_reason=(yanked_value or None) if isinstance(yanked_value, str) else None,
            core_metadata=_json_metadata(core_metadata),
            size=size if isinstance(size, int) and not isinstance(size, bool) else None,
            upload_time=upload_time if isinstance(upload_time, str) else None,
        )
    return builder.result()
