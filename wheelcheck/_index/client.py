"""The Simple API client: fetch a project's page from every configured index, merged.

The only module that decides when to talk HTTP (the wire itself is in `http`, imported on
first use). Transport failures become ProjectLookupError here, credentials travel only as
Basic auth to their own index, and a 404 is an answer (None), not an error. With a cache,
pages are served from disk while fresh and revalidated with conditional requests after.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name

from wheelcheck._cache.store import Store
from wheelcheck._defaults import DEFAULT_RETRIES, DEFAULT_TIMEOUT
from wheelcheck._index.page_cache import (
    PAGES,
    CachedPage,
    Validators,
    freshness_lifetime,
    load_page,
    page_key,
    store_page,
)
from wheelcheck._index.pages import (
    MalformedPage,
    PageSource,
    ParsedPage,
    files_from_groups,
    parse_html_page,
    parse_json_page,
)
from wheelcheck._index.trust import netrc_credentials
from wheelcheck._urls import (
    index_url_problem,
    normalize_index_url,
    redact_url,
    split_credentials,
)
from wheelcheck.errors import ProjectLookupError
from wheelcheck.models import DistFile, ProjectPage

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    import httpx

    from wheelcheck._index.config import IndexSettings
    from wheelcheck._index.http import Answer

__all__ = ["ACCEPT", "DEFAULT_MAX_PAGE_BYTES", "IndexClient", "RawPage"]

# PEP 691 content negotiation: JSON preferred, HTML for indexes that only have that.
ACCEPT = (
    "application/vnd.pypi.simple.v1+json, "
    "application/vnd.pypi.simple.v1+html;q=0.2, "
    "text/html;q=0.01"
)
# numpy's page, among the largest on PyPI, is about 2 MB: 64 MiB is far past any real page.
DEFAULT_MAX_PAGE_BYTES = 64 * 1024 * 1024
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


_Lookup = asyncio.Task[ProjectPage | None]  # one project's lookup, shared by its callers
_SHOWN_FAILURES = 5  # projects named in one index failure line; the rest are counted


@dataclass(frozen=True, slots=True)
class _Index:
    url: str  # normalized, without credentials
    display: str  # redacted, as configured: the only form that is ever shown
    credentials: tuple[str, str] | None  # from the URL, else from .netrc


@dataclass(frozen=True, slots=True)
class _PageRead:
    """One read of a project page through the cache: where it is stored, and what is asked."""

    store: Store
    key: str
    index: _Index
    name: NormalizedName
    versions: SpecifierSet | None


@dataclass(frozen=True, slots=True)
class RawPage:
    """One project page as served."""

    url: str  # after redirects; used to resolve relative file URLs
    content_type: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)  # caching headers, lower-case


class IndexClient:
    """Looks projects up on the main index and every extra index, concurrently.

    Use as ``async with IndexClient(settings) as client: page = await
    client.get_project(name)``. Each project is looked up at most once per client (once more
    when some versions were asked for first and then the whole page: the second is usually
    read back from the cache); concurrent callers share the same lookup. `backoff` is the
    first retry delay in seconds (doubled on each retry, with jitter) and `max_delay` caps
    it and any Retry-After. Warnings about skipped files (redacted) go to `on_warning` and
    are kept in `warnings`.

    `cache` (the check's store, wheelcheck._cache.store) keeps parsed pages on disk: a
    fresh entry is used without a request, a stale one is revalidated
    (``If-None-Match``/``If-Modified-Since``), and what a check used of a page it uses
    again for the rest of the check; `refresh` revalidates every entry; `offline` never
    sends a request, and a project not in the cache is a ProjectLookupError.
    `max_page_bytes` caps one page. `environ` is where ``NETRC`` is read (default:
    os.environ).
    """

    def __init__(
        self,
        settings: IndexSettings,
        *,
        max_connections: int = 8,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        verify: bool | str = True,
        transport: httpx.AsyncBaseTransport | None = None,
        on_warning: Callable[[str], None] | None = None,
        backoff: float = 0.5,
        max_delay: float = 10.0,
        cache: Store | None = None,
        refresh: bool = False,
        offline: bool = False,
        max_page_bytes: int = DEFAULT_MAX_PAGE_BYTES,
        environ: Mapping[str, str] | None = None,
        http2: bool = False,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        if verify is False:
            raise ValueError("TLS verification cannot be disabled")
        import os

        self.settings = settings
        self.warnings: list[str] = []
        self.cache = cache
        self.offline = offline
        self.refresh = refresh
        self._on_warning = on_warning
        self._retries = max(0, retries)
        self._backoff = backoff
        self._max_delay = max_delay
        self._max_page_bytes = max_page_bytes
        self._environ = os.environ if environ is None else environ
        self._http_options: dict[str, Any] = {
            "accept": ACCEPT,
            "max_connections": max_connections,
            "timeout": timeout,
            "verify": verify,
            "transport": transport,
            "http2": http2,
            "offline": offline,
        }
        self._indexes = tuple(self._make_index(url) for url in settings.index_urls)
        self._named: dict[str, _Index] = {}  # indexes a lock names for some packages
        self._semaphore = asyncio.Semaphore(max_connections)
        self._lookups: dict[NormalizedName, _Lookup] = {}
        # (name, specifier) -> lookup of some versions only; see get_project
        self._narrow_lookups: dict[tuple[NormalizedName, str], _Lookup] = {}
        self._warned: set[str] = set()
        # index (redacted) -> project -> why its lookup failed there, for index_failures
        self._failures: dict[str, dict[NormalizedName, str]] = {}
        self._page_locks: dict[str, asyncio.Lock] = {}  # page key -> its reads, one at a time
        self._http_client: httpx.AsyncClient | None = None
        self._auths: dict[tuple[str, str, int | None], httpx.Auth | None] = {}
        self.requests = 0  # page requests sent, for benchmarks and tests

    def _make_index(self, configured: str) -> _Index:
        bare, credentials = split_credentials(configured.strip())
        url = normalize_index_url(bare)
        if credentials is None:
            from urllib.parse import urlsplit

            host = urlsplit(url).hostname
            if host:
                notes: list[str] = []
                credentials = netrc_credentials(host, self._environ, warn=notes)
                for note in notes:
                    self._warn(note)
        return _Index(url=url, display=redact_url(configured.strip()), credentials=credentials)

    # -- the HTTP client, created on the first request --------------------------------------

    @property
    def _http(self) -> httpx.AsyncClient:
        if self._http_client is None:
            from wheelcheck._index.http import make_http_client

            self._http_client = make_http_client(**self._http_options)
        return self._http_client

    def _auth_for(self, index: _Index) -> httpx.Auth | None:
        if index.credentials is None:
            return None
        from wheelcheck._index.http import OriginBoundBasicAuth, origin

        bound = origin(index.url)
        if bound not in self._auths:
            self._auths[bound] = OriginBoundBasicAuth(*index.credentials, bound_to=bound)
        return self._auths[bound]

    def file_access(self, file: DistFile) -> tuple[httpx.AsyncClient, httpx.Auth | None]:
        """The shared HTTP client, and the credentials that may go with a request for `file`.

        The index's auth is bound to its origin, so it is sent only when the file lives on
        the index's own host (private indexes), never to a CDN or another host. A file on
        another host gets that host's ``.netrc`` entry, if any, bound to that host.
        """
        from wheelcheck._index.http import OriginBoundBasicAuth, origin

        known = (*self._indexes, *self._named.values())
        index = next((i for i in known if i.display == file.index_url), None)
        auth = None if index is None else self._auth_for(index)
        try:
            file_origin = origin(file.url.split("#", 1)[0])
        except (ValueError, TypeError):  # httpx.InvalidURL: the request will say so
            return self._http, auth
        if index is None or origin(index.url) != file_origin:
            if file_origin not in self._auths:
                found = netrc_credentials(file_origin[1], self._environ)
                self._auths[file_origin] = (
                    None if found is None else OriginBoundBasicAuth(*found, bound_to=file_origin)
                )
            auth = self._auths[file_origin] or auth
        return self._http, auth

    def note_uncached(self, what: str) -> None:
        """Record that the check used `what`, which the cache does not hold: its report must
        not be reused from the cache (wheelcheck._cache.checks)."""
        if self.cache is not None:
            self.cache.note_gap(what)

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
        lookups = [*self._lookups.values(), *self._narrow_lookups.values()]
        pending = [task for task in lookups if not task.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if self._http_client is not None:
            await self._http_client.aclose()

    # -- lookups ----------------------------------------------------------------------------

    async def get_project(
        self, name: NormalizedName, versions: SpecifierSet | None = None
    ) -> ProjectPage | None:
        """Return `name`'s files from every index that has it, main index first.

        Returns None when every index answers 404 or 410. An index that fails after retries
        (or sends an unreadable page, or, offline, has no cached page) does not hide what the
        others answered, as pip warns and goes on: the page lists it in `failed_indexes`
        (its files may be missing) and `index_failures` reports it. Raises
        ProjectLookupError (its MalformedPage subclass for an unreadable page) when an index
        failed and no other has the project: it may exist there, so "not found" would be a
        guess.

        `versions` (with a cache) asks only for the files of the versions it contains
        (pre-releases admitted), read back from the cache without decoding the rest: a
        pinned requirement needs one release of a page that may list thousands. The answer
        may hold more (the whole page, when it was asked for already).
        """
        key = canonicalize_name(name)
        task = self._lookups.get(key)
        if task is None and versions is not None and self.cache is not None:
            narrow = (key, str(versions))
            task = self._narrow_lookups.get(narrow)
            if task is None:
                task = asyncio.create_task(
                    self._lookup(key, versions), name=f"wheelcheck-lookup-{key}{versions}"
                )
                self._narrow_lookups[narrow] = task
        elif task is None:
            task = asyncio.create_task(self._lookup(key), name=f"wheelcheck-lookup-{key}")
            self._lookups[key] = task
        # shield: one caller's cancellation must not cancel the lookup the others share.
        return await asyncio.shield(task)

    async def _lookup(
        self, name: NormalizedName, versions: SpecifierSet | None = None
    ) -> ProjectPage | None:
        if len(self._indexes) == 1:  # the usual case: no gather, no second task
            results: list[ParsedPage | BaseException | None] = []
            try:
                results.append(await self._get_from_index(self._indexes[0], name, versions))
            except ProjectLookupError as error:
                results.append(error)
        else:
            results = await asyncio.gather(
                *(self._get_from_index(index, name, versions) for index in self._indexes),
                return_exceptions=True,
            )
        files: list[DistFile] = []
        found_on: list[str] = []
        failures: list[ProjectLookupError] = []
        failed_on: list[str] = []
        for index, result in zip(self._indexes, results, strict=True):
            if isinstance(result, ProjectLookupError):
                failures.append(result)
                failed_on.append(index.display)
                self._failures.setdefault(index.display, {}).setdefault(name, result.reason)
            elif isinstance(result, BaseException):
                raise result
            elif result is not None:
                files.extend(result.files)
                found_on.append(index.display)
        if failures and not found_on:
            raise failures[0]  # the main index's failure first
        if not found_on:
            return None
        return ProjectPage(
            name=name,
            files=tuple(files),
            index_urls=tuple(found_on),
            failed_indexes=tuple(failed_on),
        )

    async def get_project_on(
        self, index_url: str, name: NormalizedName, versions: SpecifierSet | None = None
    ) -> ProjectPage | None:
        """`name`'s files from `index_url` alone, not the configured indexes: a lock that
        takes a package from a named index (PyTorch's, a private one) is installed from
        it. The same connections, limits and cache as `get_project`; None on 404/410;
        raises ProjectLookupError when that index fails (only this project is affected)."""
        key = canonicalize_name(name)
        index = self._named.get(index_url)
        if index is None:
            problem = index_url_problem(index_url)
            if problem is not None:
                raise ProjectLookupError(key, redact_url(index_url), f"the index URL {problem}")
            index = self._named[index_url] = self._make_index(index_url)
        parsed = await self._get_from_index(index, key, versions)
        if parsed is None:
            return None
        return ProjectPage(name=key, files=parsed.files, index_urls=(index.display,))

    def failed_indexes(self) -> frozenset[str]:
        """The (redacted) indexes that `index_failures` names so far."""
        if len(self._indexes) < 2:
            return frozenset()
        return frozenset(i.display for i in self._indexes if self._failures.get(i.display))

    def index_failures(self) -> tuple[str, ...]:
        """One line per index that failed some lookups while other indexes were asked too,
        naming it (redacted), the projects and a reason. Empty with a single index: its
        failures are the `error` results themselves."""
        if len(self._indexes) < 2:
            return ()
        lines: list[str] = []
        for index in self._indexes:
            failed = self._failures.get(index.display)
            if not failed:
                continue
            names = sorted(failed)
            shown = ", ".join(names[:_SHOWN_FAILURES])
            if len(names) > _SHOWN_FAILURES:
                shown += f" and {len(names) - _SHOWN_FAILURES} more"
            projects = "project" if len(names) == 1 else "projects"
            lines.append(
                f"index {index.display} failed for {len(names)} {projects} ({shown}): "
                f"{failed[names[0]]}; what the other indexes served may be incomplete"
            )
        return tuple(lines)

    async def _get_from_index(
        self, index: _Index, name: NormalizedName, versions: SpecifierSet | None = None
    ) -> ParsedPage | None:
        cache = self.cache
        if cache is None:
            raw = await self._fetch_page(index, name)
            return None if raw is None else self._emit(self._parse(index, name, raw))

        key = page_key(index.url, index.display, name, ACCEPT)
        # One page, one content per check: reads of a key wait for each other (one version
        # for a pin, then the whole page for remedies or a resolver), and what the first
        # used, the others use, fresh or not (the store settles or holds it).
        async with self._page_locks.setdefault(key, asyncio.Lock()):
            held = cache.held(PAGES, key)
            if held is not None:
                if isinstance(held.content, ProjectLookupError):
                    raise held.content
                page = held.content if isinstance(held.content, ParsedPage) else None
                return self._emit(_narrowed(page, index.display, versions))
            try:
                return await self._get_with_cache(_PageRead(cache, key, index, name, versions))
            except ProjectLookupError as error:
                cache.hold(PAGES, key, error)  # asked and failed: failed for the whole check
                raise

    async def _get_with_cache(self, read: _PageRead) -> ParsedPage | None:
        """The page from the cache while it may be used as it is, else from the index."""
        cache, key = read.store, read.key
        entry = load_page(cache, key, read.versions)
        usable = entry is not None and (
            self.offline
            or cache.settled(PAGES, key)
            or (not self.refresh and cache.is_fresh(entry.header))
        )
        if entry is not None and usable:
            usable, cached = self._from_entry(entry, read.index, read.versions)
            if usable:
                cache.settle(PAGES, key)
                return self._emit(cached)
            entry = None  # corrupt payload: a miss
        if self.offline:
            raise ProjectLookupError(
                read.name,
                read.index.display,
                "not in the cache; run once without --offline to fill it",
            )
        if entry is not None and not entry.complete:
            entry = load_page(cache, key)  # revalidating: a 304 stores the whole entry again
        return await self._revalidate(read, entry)

    async def _revalidate(self, read: _PageRead, entry: CachedPage | None) -> ParsedPage | None:
        """Ask the index for the page (conditionally, with `entry`'s validators) and store
        its answer: a 304 keeps `entry`, a 404 or 410 is stored as such."""
        headers: dict[str, str] = {}
        if entry is not None and entry.etag:
            headers["If-None-Match"] = entry.etag
        if entry is not None and entry.last_modified:
            headers["If-Modified-Since"] = entry.last_modified
        if self.refresh:
            headers["Cache-Control"] = "max-age=0"  # ask proxies and CDNs to revalidate too
        answer = await self._fetch(read.index, read.name, headers)
        validators = _validators(answer.headers)
        if answer.status == 304 and entry is not None:
            usable, cached = self._from_entry(entry, read.index, read.versions)
            if usable:
                merged = _merge_validators(validators, entry)
                self._store(read, cached, merged, entry.body_sha256, entry=entry)
                return self._emit(cached)
            answer = await self._fetch(read.index, read.name, {})  # a 304 for a corrupt entry
            validators = _validators(answer.headers)
        if answer.status in (404, 410):
            self._store(read, None, validators, None)
            return None
        if answer.status == 304:
            raise ProjectLookupError(
                read.name, read.index.display, "HTTP 304 for an unconditional request"
            )
        return self._from_body(read, entry, answer, validators)

    def _from_body(
        self, read: _PageRead, entry: CachedPage | None, answer: Answer, validators: Validators
    ) -> ParsedPage | None:
        """The page the index just sent (a 200), stored; `entry` when the body is the same."""
        digest = hashlib.sha256(answer.body).hexdigest()
        if entry is not None and entry.found and entry.body_sha256 == digest:
            # The same bytes as last time (an index that sends no validators): no parse.
            usable, cached = self._from_entry(entry, read.index, read.versions)
            if usable:
                self._store(read, cached, validators, digest, entry=entry)
                return self._emit(cached)
        # Files are made for the versions asked only; the page's rows are all stored.
        page = self._parse(read.index, read.name, _raw_page(answer), read.versions)
        self._store(read, page, validators, digest)
        return self._emit(page)

    def _store(
        self,
        read: _PageRead,
        page: ParsedPage | None,
        validators: Validators,
        body_sha256: str | None,
        *,
        entry: CachedPage | None = None,
    ) -> None:
        """Store a page the index just answered; a later read in this check uses it as is."""
        stored = store_page(
            read.store, read.key, page, validators=validators, body_sha256=body_sha256, entry=entry
        )
        if stored:
            read.store.settle(PAGES, read.key)
        elif entry is None:  # not stored (no-store, a failed write): held for this check
            read.store.hold(PAGES, read.key, page)

    @staticmethod
    def _from_entry(
        entry: CachedPage, index: _Index, versions: SpecifierSet | None = None
    ) -> tuple[bool, ParsedPage | None]:
        """(usable, page): page None for a stored 404; not usable when the payload is corrupt."""
        if not entry.found:
            return True, None
        page = entry.parsed(index.display, versions)
        return page is not None, page

    def _parse(
        self,
        index: _Index,
        name: NormalizedName,
        raw: RawPage,
        versions: SpecifierSet | None = None,
    ) -> ParsedPage:
        media_type = raw.content_type.partition(";")[0].strip().lower()
        if media_type in _JSON_TYPES:
            parse = parse_json_page
        elif media_type in _HTML_TYPES:
            parse = parse_html_page
        else:
            shown = media_type or "none"
            raise MalformedPage(name, index.display, f"unexpected Content-Type {shown}")
        return parse(raw.body, PageSource(raw.url, index.display, name, versions))

    def _emit(self, page: ParsedPage | None) -> ParsedPage | None:
        if page is not None:
            for warning in page.warnings:
                self._warn(warning)
        return page

    def _warn(self, message: str) -> None:
        if message in self._warned:
            return  # a page read twice (some versions, then all) warns once
        self._warned.add(message)
        self.warnings.append(message)
        if self._on_warning is not None:
            self._on_warning(message)

    async def _fetch_page(self, index: _Index, name: NormalizedName) -> RawPage | None:
        """GET one project page with retries; None for 404/410."""
        answer = await self._fetch(index, name, {})
        if answer.status in (404, 410):
            return None
        if answer.status == 304:
            raise ProjectLookupError(name, index.display, "HTTP 304 for an unconditional request")
        return _raw_page(answer)

    async def _fetch(self, index: _Index, name: NormalizedName, headers: dict[str, str]) -> Answer:
        """GET one project page with bounded retries; raises ProjectLookupError."""
        from wheelcheck._index.http import Fatal, Retryable, get_page

        url = f"{index.url}{name}/"
        auth = self._auth_for(index)
        attempt = 0
        while True:
            try:
                async with self._semaphore:
                    self.requests += 1
                    return await get_page(
                        self._http, url, auth=auth, headers=headers, max_bytes=self._max_page_bytes
                    )
            except Retryable as failure:
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
            except Fatal as failure:
                raise ProjectLookupError(name, index.display, failure.reason) from None


def _raw_page(answer: Answer) -> RawPage:
    return RawPage(
        url=answer.url,
        content_type=answer.headers.get("content-type", ""),
        body=answer.body,
        headers=answer.headers,
    )


def _validators(headers: Mapping[str, str]) -> Validators:
    max_age, no_store = freshness_lifetime(
        headers.get("cache-control"), headers.get("expires"), headers.get("date"),
        headers.get("age"),
    )  # fmt: skip
    return Validators(
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        max_age=max_age,
        no_store=no_store,
    )


def _merge_validators(new: Validators, entry: CachedPage) -> Validators:
    """A 304 may omit the validators it confirms: keep the stored ones then."""
    return Validators(
        etag=new.etag or entry.etag,
        last_modified=new.last_modified or entry.last_modified,
        max_age=new.max_age,
        no_store=new.no_store,
    )


def _narrowed(
    page: ParsedPage | None, index_url: str, versions: SpecifierSet | None
) -> ParsedPage | None:
    """A held page (parsed from the index, every version's rows kept) with the files of
    `versions` (all when None)."""
    if page is None:
        return None
    groups = (
        (group.version, group.rows)
        for group in page.groups
        if versions is None or versions.contains(group.version, prereleases=True)
    )
    return ParsedPage(files=tuple(files_from_groups(groups, index_url)), warnings=page.warnings)
