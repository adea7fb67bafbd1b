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
from collections.abc import Iterable
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

from wheelcheck._urls import redact_url
from wheelcheck.errors import ProjectLookupError
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

__all__ = [
    "MalformedPage",
    "PageSource",
    "ParsedPage",
    "Row",
    "VersionRows",
    "files_from_groups",
    "parse_html_page",
    "parse_json_page",
]

_SHOWN_NAMES = 5  # file names quoted in one warning; the rest are counted


class MalformedPage(ProjectLookupError):
    """An index answered a project page that is not valid PEP 691 JSON or PEP 503 HTML.

    A ProjectLookupError (so an IndexFault, exit 3): the check records the project as
    `error`. `index_url` is redacted.
    """

    def __init__(self, project: str, index_url: str, detail: str) -> None:
        super().__init__(project, redact_url(index_url), f"malformed index page: {detail}")


# One file of a page as the cache stores it, in this order: filename, url, build tag (a
# list, empty without one), hashes (None when empty), requires-python, yanked, yanked
# reason, size, core-metadata, upload-time, and its position on the page (pip prefers the
# file listed last among equals, and the rows are grouped by version). Its version and tags
# come from the filename.
Row = list[Any]


@dataclass(frozen=True, slots=True)
class VersionRows:
    """The rows of one version of a page (one spelling: "1.0" and "1.0.0" are two)."""

    version: Version
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class ParsedPage:
    """The files of one project page, and warnings (redacted) about entries skipped.

    `files` are those asked for (every version unless the parser was given `versions`);
    `groups` are every version's rows, in page order, which is what the cache stores. A
    page read back from the cache has no `groups`.
    """

    files: tuple[DistFile, ...]
    warnings: tuple[str, ...] = ()
    groups: tuple[VersionRows, ...] = ()


@functools.lru_cache(maxsize=32768)
def tag_set(tag_triple: str) -> frozenset[Tag]:
    """The tags of a wheel's tag triple, parsed once per run: a page set of 1,000 projects
    holds tens of thousands of files but only about 10,000 distinct triples (a smaller cache
    thrashed)."""
    return parse_tag(tag_triple)


def _wheel_fields(filename: str) -> tuple[NormalizedName, Version, str, BuildTag]:
    """(name, version, the version's text, build tag) of a wheel file name whose tag triple
    parses; raises InvalidWheelFilename otherwise.

    packaging's parse_wheel_filename, with the tag triple parsed once per page set (a large
    project repeats a few dozen triples across thousands of files) and the rest once per
    release (packaging validates name, version and build tag, given a trivial triple).
    """
    parts = filename[:-4].rsplit("-", 3)  # "name-version[-build]", then py, abi, platform
    if len(parts) != 4:
        raise InvalidWheelFilename(f"Invalid wheel filename (wrong number of parts): {filename!r}")
    try:
        tag_set(f"{parts[1]}-{parts[2]}-{parts[3]}")
    except ValueError as error:  # a malformed tag triple
        raise InvalidWheelFilename(f"Invalid wheel filename: {filename!r}") from error
    return _parse_wheel_head(parts[0])


@functools.lru_cache(maxsize=4096)
def _parse_wheel_head(head: str) -> tuple[NormalizedName, Version, str, BuildTag]:
    """Name, version (and its text) and build tag of "name-version[-build]" (the wheels of
    one release share it: parsed once for their dozens of platforms)."""
    name, version, build, _tags = parse_wheel_filename(f"{head}-py3-none-any.whl")
    return name, version, str(version), build


@functools.lru_cache(maxsize=4096)
def _parse_sdist_stem(stem: str) -> tuple[NormalizedName, Version, str]:
    """Name, version and its text of an sdist's name without its archive suffix.

    pip still builds legacy .tar.bz2/.tgz/.tar.xz/.tar sdists; packaging parses only the
    PEP 625 suffixes, so the name is read through a .tar.gz spelling.
    """
    name, version = parse_sdist_filename(stem + ".tar.gz")
    return name, version, str(version)


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


def files_from_groups(
    groups: Iterable[tuple[Version, Iterable[Row]]], index_url: str
) -> list[DistFile]:
    """The DistFiles of each version's rows (see `Row`), in page order, served by
    `index_url` (redacted).

    Raises ValueError, TypeError... for rows that are not `Row`s (a damaged cache entry).
    """
    no_tags: frozenset[Tag] = frozenset()
    placed: list[tuple[int, DistFile]] = []
    for version, rows in groups:
        for row in rows:
            (filename, url, build, hashes, requires_python, yanked, yanked_reason, size,
             core_metadata, upload_time, position) = row  # fmt: skip
            is_wheel = filename.endswith(".whl")
            # The tag triple: the wheel name's last three fields (validated when parsed).
            tags = tag_set("-".join(filename[:-4].rsplit("-", 3)[-3:])) if is_wheel else no_tags
            build_tag: BuildTag = (int(build[0]), str(build[1])) if build else ()
            # Positional, in DISTFILE_FIELDS order: a page set of 1,000 projects makes half
            # a million of these.
            values = (
                filename, url, index_url, version, is_wheel, tags, build_tag,
                hashes or {}, requires_python, yanked, yanked_reason, size, core_metadata,
                upload_time,
            )  # fmt: skip
            placed.append((int(position), DistFile(*values)))
    placed.sort(key=lambda item: item[0])
    return [file for _, file in placed]


@dataclass
class _PageBuilder:
    """Turns raw file entries into rows grouped by version, collecting what it skips for one
    warning each; DistFiles are made only for the versions asked for (a pin needs one
    release of a page that may list thousands, the cache stores them all as rows).

    `add` keeps the `hashes` and `core_metadata` dicts it is given (callers build them fresh).
    """

    index_url: str  # redacted
    project: str
    # by the version's text: one group per spelling ("1.0" and "1.0.0" are equal Versions,
    # and each file keeps its own); its Version, and its rows
    groups: dict[str, tuple[Version, list[Row]]] = field(default_factory=dict)
    unparsable: list[str] = field(default_factory=list)
    other_project: list[str] = field(default_factory=list)
    bad_requires_python: list[str] = field(default_factory=list)
    added: int = 0  # files kept so far: the next one's position

    def __post_init__(self) -> None:
        self.canonical_project = canonicalize_name(self.project)

    def add(
        self,
        filename: str,
        url: str,
        hashes: dict[str, str] | None,
        requires_python: str | None,
        yanked: bool,
        yanked_reason: str | None,
        core_metadata: dict[str, str] | None,
        size: int | None = None,
        upload_time: str | None = None,
    ) -> None:
        """One file entry (positional, in `Row` order but for the build tag; a page set of
        1,000 projects has half a million)."""
        build: BuildTag = ()
        try:
            if filename.endswith(".whl"):
                name, version, text, build = _wheel_fields(filename)
            elif filename.endswith(SDIST_SUFFIXES):
                suffix = next(x for x in SDIST_SUFFIXES if filename.endswith(x))
                name, version, text = _parse_sdist_stem(filename[: -len(suffix)])
            else:
                return  # .exe, .egg, .msi, ...: pip never installs these
        except (InvalidWheelFilename, InvalidSdistFilename):
            self.unparsable.append(filename)
            return
        if name != self.canonical_project:
            self.other_project.append(filename)
            return
        if requires_python is not None:
            requires_python = requires_python.strip() or None
            if requires_python is not None and not _valid_specifier(requires_python):
                # pip ignores a constraint it cannot parse, so the file stays a candidate.
                self.bad_requires_python.append(f"{filename} ({requires_python!r})")
                requires_python = None
        row = [
            filename, url, list(build), hashes or None, requires_python, yanked,
            yanked_reason, size, core_metadata, upload_time, self.added,
        ]  # fmt: skip
        self.added += 1
        group = self.groups.get(text)
        if group is None:
            self.groups[text] = (version, [row])
        else:
            group[1].append(row)

    def _warn(self, what: str, items: list[str]) -> str:
        shown = ", ".join(items[:_SHOWN_NAMES])
        more = f" and {len(items) - _SHOWN_NAMES} more" if len(items) > _SHOWN_NAMES else ""
        return f"{self.project} on {self.index_url}: {what}: {shown}{more}"

    def result(self, versions: SpecifierSet | None = None) -> ParsedPage:
        """The page: files of the versions in `versions` (pre-releases admitted; all when
        None), every version's rows, and the warnings."""
        warnings: list[str] = []
        # "NAME on INDEX: skipped files ...": the table report keeps these for -vv
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
        groups = tuple(VersionRows(v, tuple(rows)) for v, rows in self.groups.values())
        wanted = (
            (g.version, g.rows)
            for g in groups
            if versions is None or versions.contains(g.version, prereleases=True)
        )
        files = files_from_groups(wanted, self.index_url)
        return ParsedPage(files=tuple(files), warnings=tuple(warnings), groups=groups)


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


@dataclass(frozen=True, slots=True)
class PageSource:
    """Where a project page came from, and which of its versions to make DistFiles for.

    `page_url` is the URL the page was served from (after redirects, without credentials);
    relative file URLs resolve against it. `index_url` is recorded, redacted, on every
    DistFile. With `versions`, only the files of the versions it contains become DistFiles
    (the page's `groups` keep them all).
    """

    page_url: str
    index_url: str
    project: str
    versions: SpecifierSet | None = None


def parse_html_page(body: bytes, source: PageSource) -> ParsedPage:
    """Parse a PEP 503 HTML project page.

    Relative hrefs resolve against the page's URL, or against a ``<base href>``. Only wheels
    and sdists (the archive kinds pip builds) become files.

    Returns the ParsedPage. Raises MalformedPage when the body is not an HTML document.
    """
    page_url, index_url, project = source.page_url, source.index_url, source.project
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
    return builder.result(source.versions)


def _json_metadata(value: Any) -> dict[str, str] | None:
    if value is True:
        return {}
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items() if isinstance(v, str)}
    return None


def _json_file_entries(body: bytes, project: str, index_url: str) -> list[Any]:
    """The ``files`` list of a PEP 691 API 1.x project page; MalformedPage for anything else."""
    try:
        document = json.loads(body)
    except RecursionError:  # nested deeper than the parser goes: no index page is
        raise MalformedPage(project, index_url, "invalid JSON (nested too deeply)") from None
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
    return entries


def parse_json_page(body: bytes, source: PageSource) -> ParsedPage:
    """Parse a PEP 691 JSON project page (API version 1.x).

    Relative file URLs resolve against the page's URL.

    Returns the ParsedPage. Raises MalformedPage when the body is not JSON, is not an
    API 1.x project object, or a file entry lacks a string ``filename`` or ``url``.
    """
    page_url, index_url, project = source.page_url, source.index_url, source.project
    entries = _json_file_entries(body, project, index_url)
    builder = _PageBuilder(index_url=redact_url(index_url), project=project)
    add = builder.add
    for position, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise MalformedPage(project, index_url, f"file entry {position} is not an object")
        get = entry.get
        filename, url = get("filename"), get("url")
        if not isinstance(filename, str) or not isinstance(url, str):
            raise MalformedPage(
                project, index_url, f"file entry {position} lacks a filename or url"
            )
        raw_hashes = get("hashes")
        hashes = (
            {str(k).lower(): v for k, v in raw_hashes.items() if isinstance(v, str)}
            if isinstance(raw_hashes, dict)
            else None
        )
        yanked_value = get("yanked", False)
        core_metadata = get("core-metadata")
        if core_metadata is None:
            core_metadata = get("dist-info-metadata")
        requires_python = get("requires-python")
        size = get("size")
        upload_time = get("upload-time")
        add(
            filename,
            url if url.startswith(("https://", "http://")) else _join(page_url, url),
            hashes,
            requires_python if isinstance(requires_python, str) else None,
            yanked_value is True or isinstance(yanked_value, str),
            (yanked_value or None) if isinstance(yanked_value, str) else None,
            None if core_metadata is None else _json_metadata(core_metadata),
            size if isinstance(size, int) and not isinstance(size, bool) else None,
            upload_time if isinstance(upload_time, str) else None,
        )
    return builder.result(source.versions)
