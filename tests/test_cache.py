"""The on-disk cache: same results as without it, HTTP freshness and revalidation, offline,
corrupt entries, and two processes sharing one cache (all on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import errno
import json
import os
import subprocess
import sys
import textwrap
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from subprocess import PIPE
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner
from indexserver import IndexServer
from packaging.utils import NormalizedName

import wheelcheck
from wheelcheck._cache import store as store_module
from wheelcheck._cache.store import Store
from wheelcheck._cli import main
from wheelcheck._index import IndexClient, IndexSettings
from wheelcheck._index import client as client_module
from wheelcheck._index.page_cache import Validators, freshness_lifetime, load_page, store_page
from wheelcheck.errors import ProjectLookupError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from wheelcheck.models import ProjectPage, Report

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
LLM_APP = ["chainlit", "langchain", "openai", "pandas", "psycopg2"]
TARGETS = ["python:3.12-alpine", "python:3.12-slim"]


@pytest.fixture(autouse=True)
def _clean(index_server: IndexServer) -> Iterator[None]:
    index_server.reset()
    yield
    index_server.reset()


def run_check(server: IndexServer, requirements: list[str], **options: Any) -> Report:
    options.setdefault("targets", TARGETS)
    return wheelcheck.check(
        requirements=requirements,
        index_url=f"{server.url}/no-metadata/simple",
        pip_config_files=(),
        **options,
    )


def page_requests(server: IndexServer) -> list[str]:
    return [path for path, _headers in server.requests if "/simple/" in path]


# -- the cache changes nothing but speed ------------------------------------------------------


def test_results_match_the_uncached_run_exactly(index_server: IndexServer, tmp_path: Path) -> None:
    """The whole LLM-app tree on four targets: no cache, cold, warm, --refresh, --offline."""
    uncached = run_check(index_server, LLM_APP).to_dict()
    assert uncached["scope"] == "tree" and len(uncached["packages"]) > 50
    cache = {"cache_dir": tmp_path / "cache"}

    index_server.reset()
    assert run_check(index_server, LLM_APP, **cache).to_dict() == uncached
    cold_requests = len(index_server.requests)
    assert cold_requests > 0

    # Recomputed from the cached pages and metadata (reuse=False), then reused whole.
    for reuse in (False, True):
        index_server.reset()
        assert run_check(index_server, LLM_APP, reuse=reuse, **cache).to_dict() == uncached
        assert index_server.requests == []  # fresh pages, cached metadata: not one request

    index_server.reset()
    assert run_check(index_server, LLM_APP, refresh=True, **cache).to_dict() == uncached
    assert page_requests(index_server)  # every page asked for again
    assert not [p for p, _ in index_server.requests if "/files/" in p]  # metadata stays

    for reuse in (False, True):
        index_server.reset()
        offline = run_check(index_server, LLM_APP, offline=True, reuse=reuse, **cache)
        assert offline.to_dict() == uncached
        assert index_server.requests == []


def test_direct_and_lockfile_scopes_match_too(index_server: IndexServer, tmp_path: Path) -> None:
    names = ["numpy", "psycopg2", "pywin32", "no-such-project-here"]
    uncached = run_check(index_server, names, no_deps=True).to_dict()
    for _ in range(2):
        cached = run_check(index_server, names, no_deps=True, cache_dir=tmp_path).to_dict()
        assert cached == uncached
    # a 404 is cached too: offline, the unknown project is still "not found", not an error
    offline = run_check(index_server, names, no_deps=True, cache_dir=tmp_path, offline=True)
    assert offline.to_dict() == uncached


def test_offline_miss_is_an_error_naming_the_package(
    index_server: IndexServer, tmp_path: Path
) -> None:
    run_check(index_server, ["six"], cache_dir=tmp_path, no_deps=True)
    index_server.reset()
    report = run_check(index_server, ["six", "requests"], cache_dir=tmp_path, offline=True)
    assert index_server.requests == []
    assert report.has_errors
    by_name = {p.name: p for p in report.packages}
    assert {r.verdict.value for r in by_name["six"].results.values()} == {"pure"}
    reasons = {r.reason for r in by_name["requests"].results.values()}
    assert {r.verdict.value for r in by_name["requests"].results.values()} == {"error"}
    assert all("not in the cache" in r and "--offline" in r for r in reasons), reasons


def test_offline_miss_through_the_cli_exits_3(index_server: IndexServer, tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("six\n")
    argv = ["check", str(requirements), "-i", f"{index_server.url}/simple", "-q"]
    argv += ["--no-advice", "--cache-dir", str(tmp_path / "c"), "--offline", "--format", "json"]
    outcome = CliRunner().invoke(main, argv)
    assert outcome.exit_code == 3, outcome.output
    assert index_server.requests == []
    document = json.loads(outcome.stdout)
    (six,) = [p for p in document["packages"] if p["name"] == "six"]
    assert {r["verdict"] for r in six["results"].values()} == {"error"}
    assert "not in the cache" in json.dumps(six)


def test_cli_cache_dir_option_and_variable(
    index_server: IndexServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("six\n")
    base = ["check", str(requirements), "-i", f"{index_server.url}/simple", "-q", "--no-advice"]
    from_variable = tmp_path / "from-variable"
    monkeypatch.setenv("WHEELCHECK_CACHE_DIR", str(from_variable))
    assert CliRunner().invoke(main, base).exit_code == 0
    assert list(from_variable.rglob("*")), "WHEELCHECK_CACHE_DIR was not used"

    from_option = tmp_path / "from-option"
    assert CliRunner().invoke(main, [*base, "--cache-dir", str(from_option)]).exit_code == 0
    assert list(from_option.rglob("*")), "--cache-dir was not used"

    monkeypatch.setenv("WHEELCHECK_CACHE_DIR", str(tmp_path / "never"))
    assert CliRunner().invoke(main, [*base, "--no-cache"]).exit_code == 0
    assert not (tmp_path / "never").exists()

    outcome = CliRunner().invoke(main, [*base, "--no-cache", "--offline"])
    assert outcome.exit_code == 2 and "--no-cache excludes" in outcome.output


def test_corrupt_and_truncated_entries_are_misses(
    index_server: IndexServer, tmp_path: Path
) -> None:
    uncached = run_check(index_server, LLM_APP).to_dict()
    run_check(index_server, LLM_APP, cache_dir=tmp_path)
    entries = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert len(entries) > 20
    for number, path in enumerate(entries):
        data = path.read_bytes()
        match number % 4:
            case 0:
                path.write_bytes(data[: len(data) // 2])  # truncated
            case 1:
                path.write_bytes(data[:-5] + b"XXXXX")  # payload damaged, CRC disagrees
            case 2:
                path.write_bytes(b"\x00\xff" * 10)  # garbage
            case _:
                path.write_bytes(b"")  # empty
    index_server.reset()
    assert run_check(index_server, LLM_APP, cache_dir=tmp_path).to_dict() == uncached
    assert index_server.requests  # the damaged entries were fetched again
    index_server.reset()
    assert run_check(index_server, LLM_APP, cache_dir=tmp_path, offline=True).to_dict() == uncached


def test_unwritable_cache_is_skipped(
    index_server: IndexServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failed writes (a read-only or full disk) are skipped, with one warning. (A file where
    the directory should be is an input error: tests/test_config_warnings.py.)"""

    def refused(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    logged: list[str] = []
    monkeypatch.setattr(store_module.tempfile, "mkstemp", refused)
    monkeypatch.setattr(store_module.logger, "warning", lambda *args: logged.append(args[0]))
    report = run_check(index_server, ["six"], no_deps=True, cache_dir=tmp_path / "cache")
    assert {r.verdict.value for r in report.packages[0].results.values()} == {"pure"}
    assert logged == ["cannot write to the cache in %s (%s): the check runs, storing nothing"]


def test_two_processes_share_one_cache(index_server: IndexServer, tmp_path: Path) -> None:
    """Parallel CI jobs: both finish with the same report while writing the same entries."""
    script = textwrap.dedent(
        f"""
        import json, sys, wheelcheck
        for _ in range(3):
            report = wheelcheck.check(
                requirements={LLM_APP!r}, targets={TARGETS!r}, pip_config_files=(),
                index_url={index_server.url + "/no-metadata/simple"!r},
                cache_dir=sys.argv[1], refresh=True,
            )
        print(json.dumps(report.to_dict(), sort_keys=True))
        """
    )
    cache = tmp_path / "shared"
    # One hash seed for all: the `via` chain among equally short ones follows set order.
    env = {**os.environ, "PYTHONHASHSEED": "0"}

    def start(cache_dir: Path) -> subprocess.Popen[str]:
        command = [sys.executable, "-c", script, str(cache_dir)]
        return subprocess.Popen(command, stdout=PIPE, stderr=PIPE, text=True, env=env)

    uncached, _ = start(tmp_path / "alone").communicate(timeout=240)
    processes = [start(cache), start(cache)]
    outputs = [p.communicate(timeout=240) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], [err for _, err in outputs]
    expected = uncached.strip()
    assert [out.strip() for out, _ in outputs] == [expected, expected]
    assert not list(cache.rglob(".tmp-*"))  # no temporary file left behind
    offline = run_check(index_server, LLM_APP, cache_dir=cache, offline=True).to_dict()
    assert offline["packages"] and not offline["errors"]


def test_readers_never_see_a_partial_entry(tmp_path: Path) -> None:
    from wheelcheck._index.pages import ParsedPage

    cache = Store(tmp_path)
    pages = [ParsedPage(files=(), warnings=(f"w{i}" * 5000,)) for i in range(2)]
    validators = Validators(etag=None, last_modified=None, max_age=None, no_store=False)
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            for page in pages:
                store_page(cache, "ab" * 32, page, validators=validators, body_sha256=None)

    store_page(cache, "ab" * 32, pages[0], validators=validators, body_sha256=None)
    writer = threading.Thread(target=write)
    writer.start()
    try:
        seen = 0
        for _ in range(300):
            entry = load_page(cache, "ab" * 32)
            assert entry is not None  # the old entry or the new one, never none or a part
            assert entry.parsed("https://example.org/simple") in pages
            seen += 1
    finally:
        stop.set()
        writer.join()
    assert seen > 0


# -- HTTP caching semantics, against a server that sends validators ---------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _PageServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        served = self.server
        with served.lock:
            served.log.append({k.lower(): v for k, v in self.headers.items()})
            body, headers = served.body, dict(served.headers)
        etag = headers.get("ETag")
        if etag is not None and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        modified = headers.get("Last-Modified")
        if modified is not None and self.headers.get("If-Modified-Since") == modified:
            self.send_response(304)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", JSON_TYPE)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


class _PageServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.log: list[dict[str, str]] = []
        self.body = b""
        self.headers: dict[str, str] = {}


def demo_page(version: str = "1.0") -> bytes:
    entry = {
        "filename": f"demo-{version}-py3-none-any.whl",
        "url": f"https://files.example/demo-{version}-py3-none-any.whl",
        "hashes": {"sha256": "ab" * 32},
    }
    return json.dumps({"meta": {"api-version": "1.1"}, "name": "demo", "files": [entry]}).encode()


@pytest.fixture
def pages() -> Iterator[_PageServer]:
    server = _PageServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.body = demo_page()
    yield server
    server.shutdown()
    server.server_close()


def lookup(server: _PageServer, cache_dir: Path, **options: Any) -> ProjectPage | None:
    settings = IndexSettings(
        index_url=f"http://127.0.0.1:{server.server_address[1]}/simple", origin="test"
    )
    default_max_age = options.pop("default_max_age", 600.0)

    async def go() -> ProjectPage | None:
        cache = Store(cache_dir, default_max_age=default_max_age)
        async with IndexClient(settings, cache=cache, **options) as client:
            return await client.get_project(NormalizedName("demo"))

    return asyncio.run(go())


def versions(page: ProjectPage | None) -> list[str]:
    assert page is not None
    return [str(f.version) for f in page.files]


def test_max_age_is_honoured_then_etag_revalidates(pages: _PageServer, tmp_path: Path) -> None:
    pages.headers = {"Cache-Control": "max-age=600, public", "ETag": '"v1"'}
    assert versions(lookup(pages, tmp_path)) == ["1.0"]
    assert versions(lookup(pages, tmp_path)) == ["1.0"]
    assert len(pages.log) == 1  # fresh for ten minutes: no request

    pages.headers = {"Cache-Control": "max-age=0", "ETag": '"v1"'}
    lookup(pages, tmp_path, refresh=True)  # revalidated: 304, the entry now says max-age=0
    assert pages.log[-1]["if-none-match"] == '"v1"'
    assert pages.log[-1]["cache-control"] == "max-age=0"
    lookup(pages, tmp_path)
    assert len(pages.log) == 3 and pages.log[-1]["if-none-match"] == '"v1"'

    pages.body, pages.headers = demo_page("2.0"), {"Cache-Control": "max-age=0", "ETag": '"v2"'}
    assert versions(lookup(pages, tmp_path)) == ["2.0"]  # changed: 200 with the new page
    assert pages.log[-1]["if-none-match"] == '"v1"'


def test_last_modified_revalidates(pages: _PageServer, tmp_path: Path) -> None:
    stamp = "Wed, 25 Nov 2026 10:00:00 GMT"
    pages.headers = {"Cache-Control": "no-cache", "Last-Modified": stamp}
    lookup(pages, tmp_path)
    assert versions(lookup(pages, tmp_path)) == ["1.0"]
    assert [h.get("if-modified-since") for h in pages.log] == [None, stamp]


def test_no_store_is_not_stored(pages: _PageServer, tmp_path: Path) -> None:
    pages.headers = {"Cache-Control": "no-store"}
    lookup(pages, tmp_path)
    lookup(pages, tmp_path)
    assert len(pages.log) == 2
    with pytest.raises(ProjectLookupError, match="not in the cache"):
        lookup(pages, tmp_path, offline=True)


def test_default_freshness_applies_without_cache_headers(
    pages: _PageServer, tmp_path: Path
) -> None:
    lookup(pages, tmp_path)
    lookup(pages, tmp_path)
    assert len(pages.log) == 1  # the default 600 s
    lookup(pages, tmp_path, default_max_age=0)
    assert len(pages.log) == 2  # configured to 0: always asked again
    assert "if-none-match" not in pages.log[-1]  # nothing to revalidate with


def test_unchanged_body_without_validators_is_not_parsed_again(
    pages: _PageServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lookup(pages, tmp_path)
    calls: list[str] = []
    real = client_module.parse_json_page

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append("parse")
        return real(*args, **kwargs)

    monkeypatch.setattr(client_module, "parse_json_page", counting)
    assert versions(lookup(pages, tmp_path, refresh=True)) == ["1.0"]
    assert calls == []  # the same bytes: the stored parse is reused
    pages.body = demo_page("3.0")
    assert versions(lookup(pages, tmp_path, refresh=True)) == ["3.0"]
    assert calls == ["parse"]


@pytest.mark.parametrize(
    ("cache_control", "expires", "expected"),
    [
        ("max-age=600, public", None, (600.0, False)),
        ("public, max-age=60", "Thu, 01 Jan 1970 00:00:00 GMT", (60.0, False)),
        ("no-cache", None, (0.0, False)),
        ("no-store", None, (None, True)),
        ("max-age=abc", None, (0.0, False)),
        (None, None, (None, False)),
        (None, "not a date", (0.0, False)),
    ],
)
def test_freshness_lifetime(
    cache_control: str | None, expires: str | None, expected: tuple[float | None, bool]
) -> None:
    assert freshness_lifetime(cache_control, expires, None, None) == expected


def test_age_is_subtracted() -> None:
    assert freshness_lifetime("max-age=600", None, None, "100") == (500.0, False)


def test_documents_round_trip_and_damage_is_a_miss(tmp_path: Path) -> None:
    cache = Store(tmp_path)
    cache.write_json("zipdir", "cd" * 32, {"entries": [["a.py", 10]]})
    assert cache.read_json("zipdir", "cd" * 32) == {"entries": [["a.py", 10]]}
    (path,) = [p for p in tmp_path.rglob("*") if p.is_file()]
    path.write_bytes(path.read_bytes()[:-3])
    assert cache.read_json("zipdir", "cd" * 32) is None
    assert cache.read_json("zipdir", "ef" * 32) is None


def test_a_write_interrupted_half_way_leaves_no_entry_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C inside a write (the library's second one raises anywhere): the old entry or
    none is read, nothing else is left, and the next write works."""
    cache = Store(tmp_path)
    cache.write_json("zipdir", "cd" * 32, {"old": True})
    real_fstat = os.fstat

    def interrupt(fd: int) -> os.stat_result:
        raise KeyboardInterrupt  # after the data went out, before the rename

    monkeypatch.setattr(os, "fstat", interrupt)
    for key in ("cd" * 32, "ef" * 32):
        with pytest.raises(KeyboardInterrupt):
            cache.write_json("zipdir", key, {"new": True})
    monkeypatch.setattr(os, "fstat", real_fstat)
    assert not list(tmp_path.rglob(".tmp-*"))
    assert cache.read_json("zipdir", "cd" * 32) == {"old": True}
    assert cache.read_json("zipdir", "ef" * 32) is None
    cache.write_json("zipdir", "ef" * 32, {"new": True})
    assert cache.read_json("zipdir", "ef" * 32) == {"new": True}


def test_offline_sends_no_request_even_for_files(index_server: IndexServer, tmp_path: Path) -> None:
    """Reads of release files (advice, metadata) fail at once offline instead of leaking."""
    run_check(index_server, ["six"], no_deps=True, cache_dir=tmp_path)
    index_server.reset()
    report = run_check(index_server, ["six"], cache_dir=tmp_path, offline=True, advice=True)
    assert index_server.requests == []
    assert {r.verdict.value for r in report.packages[0].results.values()} == {"pure"}


@pytest.mark.live
def test_live_pypi_warm_and_offline_match_cold(tmp_path: Path) -> None:
    options: dict[str, Any] = {
        "index_url": "https://pypi.org/simple",
        "pip_config_files": (),
        "targets": TARGETS,
        "cache_dir": tmp_path,
    }
    cold = wheelcheck.check(requirements=["requests", "psycopg2"], **options).to_dict()
    warm = wheelcheck.check(requirements=["requests", "psycopg2"], **options).to_dict()
    offline = wheelcheck.check(requirements=["requests", "psycopg2"], offline=True, **options)
    assert cold == warm == offline.to_dict()
    assert not offline.has_errors


# -- pinned requirements read back one version of each page ------------------------------------


def test_pinned_file_matches_uncached_with_advice(
    index_server: IndexServer, tmp_path: Path
) -> None:
    """A compiled file (every package of the tree pinned) takes the narrow path: pages read
    back only the pinned version. Verdicts, remedies and sizes match the uncached run."""
    tree = run_check(index_server, LLM_APP, targets=["python:3.12-slim"]).to_dict()
    pins = [
        f"{p['name']}=={next(iter(p['results'].values()))['version']}"
        for p in tree["packages"]
        if next(iter(p["results"].values()))["version"]
    ]
    assert len(pins) > 50
    options: dict[str, Any] = {"advice": True, "sizes": True}
    index_server.reset()
    uncached = run_check(index_server, pins, **options).to_dict()
    assert any(
        r["verdict"] == "source" and r["remedy"]
        for p in uncached["packages"]
        for r in p["results"].values()
    )  # a remedy names other versions: those need the whole page
    for reuse in (False, False, True):  # cold, warm recomputed, warm reused
        index_server.reset()
        warm = run_check(index_server, pins, cache_dir=tmp_path, reuse=reuse, **options)
        assert warm.to_dict() == uncached
    # Offline (without advice: psycopg2's sdist is not among the recorded files, so its
    # advice fails in every run, and offline it fails differently).
    index_server.reset()
    plain = run_check(index_server, pins).to_dict()
    for reuse in (False, True):
        offline = run_check(index_server, pins, cache_dir=tmp_path, offline=True, reuse=reuse)
        assert offline.to_dict() == plain


def test_advice_offline_reads_sdist_calls_and_wheel_sizes_from_the_cache(
    index_server: IndexServer, tmp_path: Path
) -> None:
    pins = ["cuid==0.4", "syncer==2.0.3", "six==1.16.0", "numpy==2.2.6"]
    options: dict[str, Any] = {"advice": True, "sizes": True, "no_deps": True}
    uncached = run_check(index_server, pins, **options)
    results = [r for p in uncached.packages for r in p.results.values()]
    assert any(r.build is not None and r.build.kind != "unknown" for r in results)
    assert any(r.installed_size for r in results)
    assert not [n for n in uncached.notes if n.startswith("advice")]  # every file was read
    run_check(index_server, pins, cache_dir=tmp_path, **options)
    for reuse in (False, True):
        index_server.reset()
        offline = run_check(
            index_server, pins, cache_dir=tmp_path, offline=True, reuse=reuse, **options
        )
        assert offline.to_dict() == uncached.to_dict()
        assert index_server.requests == []


def test_a_stored_page_reads_back_one_version(index_server: IndexServer, tmp_path: Path) -> None:
    from packaging.specifiers import SpecifierSet

    run_check(index_server, ["six"], no_deps=True, cache_dir=tmp_path)
    cache = Store(tmp_path)
    settings = IndexSettings(index_url=f"{index_server.url}/no-metadata/simple", origin="test")

    async def pages() -> tuple[ProjectPage | None, ProjectPage | None]:
        async with IndexClient(settings, cache=cache, offline=True) as client:
            one = await client.get_project(NormalizedName("six"), SpecifierSet("==1.16.0"))
            whole = await client.get_project(NormalizedName("six"))
        return one, whole

    one, whole = asyncio.run(pages())
    assert one is not None and whole is not None
    assert {str(f.version) for f in one.files} == {"1.16.0"}
    assert len({f.version for f in whole.files}) > 1
    assert list(one.files) == [f for f in whole.files if str(f.version) == "1.16.0"]


# -- an identical check is reused while nothing it read has changed -----------------------------


def check_demo(server: _PageServer, cache_dir: Path, **options: Any) -> tuple[str | None, bool]:
    """(the version chosen for demo, whether the earlier check's report was reused)."""
    messages: list[str] = []
    report = wheelcheck.check(
        requirements=["demo"],
        targets=["python:3.12-slim"],
        index_url=f"http://127.0.0.1:{server.server_address[1]}/simple",
        pip_config_files=(),
        no_deps=True,
        cache_dir=cache_dir,
        progress=messages.append,
        **options,
    )
    (version,) = {r.version for r in report.packages[0].results.values()}
    return version, any(m.startswith("reused") for m in messages)


def test_a_check_is_reused_until_a_page_it_read_changes(pages: _PageServer, tmp_path: Path) -> None:
    pages.headers = {"Cache-Control": "max-age=600", "ETag": '"v1"'}
    assert check_demo(pages, tmp_path) == ("1.0", False)
    assert check_demo(pages, tmp_path) == ("1.0", True)
    assert check_demo(pages, tmp_path, reuse=False) == ("1.0", False)
    assert len(pages.log) == 1

    pages.body, pages.headers = demo_page("2.0"), {"Cache-Control": "max-age=600", "ETag": '"v2"'}
    assert check_demo(pages, tmp_path, refresh=True) == ("2.0", False)  # --refresh recomputes
    assert check_demo(pages, tmp_path) == ("2.0", True)  # and what it stored is reused
    assert check_demo(pages, tmp_path, offline=True) == ("2.0", True)


def test_a_stale_page_is_asked_for_again_offline_it_is_reused(
    pages: _PageServer, tmp_path: Path
) -> None:
    assert check_demo(pages, tmp_path, cache_max_age=0) == ("1.0", False)
    pages.body = demo_page("2.0")
    # Stale online: the index is asked and the changed page decides, not the stored report.
    assert check_demo(pages, tmp_path, cache_max_age=0) == ("2.0", False)
    assert len(pages.log) == 2
    assert check_demo(pages, tmp_path, cache_max_age=0, offline=True) == ("2.0", True)


def test_a_check_that_used_something_uncached_is_not_kept(
    pages: _PageServer, tmp_path: Path
) -> None:
    pages.headers = {"Cache-Control": "no-store"}
    assert check_demo(pages, tmp_path) == ("1.0", False)
    assert check_demo(pages, tmp_path) == ("1.0", False)
    assert len(pages.log) == 2


def test_a_check_with_errors_is_not_kept(index_server: IndexServer, tmp_path: Path) -> None:
    for _ in range(2):
        report = run_check(index_server, ["six"], no_deps=True, cache_dir=tmp_path, offline=True)
        assert report.has_errors
    assert not list(tmp_path.glob("checks-*/*"))


def test_other_inputs_are_not_reused(index_server: IndexServer, tmp_path: Path) -> None:
    def reused(requirements: list[str], **options: Any) -> bool:
        messages: list[str] = []
        options.update(no_deps=True, cache_dir=tmp_path, progress=messages.append)
        run_check(index_server, requirements, **options)
        return any(m.startswith("reused") for m in messages)

    assert not reused(["six"])
    assert reused(["six"])
    assert not reused(["six"], targets=["python:3.12-alpine"])
    assert not reused(["six==1.16.0"])
    assert not reused(["six"], pre=True)
    assert reused(["six"])


def test_the_key_is_the_same_in_every_process() -> None:
    """Sets iterate in another order under another hash seed; the key must not."""
    script = textwrap.dedent(
        """
        from wheelcheck._cache.checks import check_key
        print(check_key(frozenset({"dev", "docs", "test", "lint"}), {"a": 1}, ("x", 2.5)))
        """
    )
    keys = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True)
        assert done.returncode == 0, done.stderr
        keys.add(done.stdout.strip())
    assert len(keys) == 1 and len(keys.pop()) == 64


def test_an_advised_report_reads_back_from_json(index_server: IndexServer) -> None:
    from wheelcheck.models import Report

    report = run_check(index_server, LLM_APP, advice=True, sizes=True)
    assert report.sizes and report.recommendation.candidates
    assert any(r.build and r.remedy for p in report.packages for r in p.results.values())
    assert Report.from_dict(json.loads(json.dumps(report.to_dict()))) == report


def test_an_entry_rewritten_by_another_process_mid_check_is_a_gap(tmp_path: Path) -> None:
    ours, theirs = Store(tmp_path), Store(tmp_path)
    theirs.write_json("zipdir", "ab" * 32, {"v": 1})
    assert ours.read_json("zipdir", "ab" * 32) == {"v": 1}
    ours.write_json("zipdir", "cd" * 32, {"v": 1})
    assert ours.read_json("zipdir", "cd" * 32) == {"v": 1}  # our own write, read back
    assert ours.ledger.gaps == []
    theirs.write_json("zipdir", "ab" * 32, {"v": 2})
    assert ours.read_json("zipdir", "ab" * 32) == {"v": 2}
    assert ours.ledger.gaps == ["an entry changed while the check read it"]


def test_a_check_asks_for_a_page_once_even_with_refresh(pages: _PageServer, tmp_path: Path) -> None:
    """One version first (a pin), then the whole page (remedies, the resolver): the second
    read uses what the first stored, so a page changing in between cannot mix two contents
    into one report."""
    from packaging.specifiers import SpecifierSet

    lookup(pages, tmp_path)
    settings = IndexSettings(
        index_url=f"http://127.0.0.1:{pages.server_address[1]}/simple", origin="test"
    )

    async def go() -> tuple[ProjectPage | None, ProjectPage | None]:
        async with IndexClient(settings, cache=Store(tmp_path), refresh=True) as client:
            one = await client.get_project(NormalizedName("demo"), SpecifierSet("==1.0"))
            pages.body = demo_page("2.0")
            whole = await client.get_project(NormalizedName("demo"))
        return one, whole

    one, whole = asyncio.run(go())
    assert versions(one) == versions(whole) == ["1.0"]
    assert len(pages.log) == 2  # filled, then revalidated once


def test_a_whole_page_that_cannot_be_read_is_said_and_not_kept(
    index_server: IndexServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = IndexClient.get_project

    async def failing(
        self: IndexClient, name: NormalizedName, versions: Any = None
    ) -> ProjectPage | None:
        if versions is None and name == "cuid":  # the whole page, read for remedies
            raise ProjectLookupError(name, "test", "injected")
        return await real(self, name, versions)

    monkeypatch.setattr(IndexClient, "get_project", failing)
    options: dict[str, Any] = {"no_deps": True, "advice": True, "cache_dir": tmp_path}
    report = run_check(index_server, ["cuid==0.4"], **options)
    assert any(r.verdict.value == "source" for r in report.packages[0].results.values())
    assert any("whole page of cuid could not be read" in note for note in report.notes)
    assert not list(tmp_path.glob("checks-*/*"))  # not kept for reuse
    monkeypatch.setattr(IndexClient, "get_project", real)
    assert not any(
        "whole page" in note for note in run_check(index_server, ["cuid==0.4"], **options).notes
    )
    assert list(tmp_path.glob("checks-*/*"))


def client_for(server: _PageServer, cache_dir: Path, **options: Any) -> IndexClient:
    url = f"http://127.0.0.1:{server.server_address[1]}/simple"
    return IndexClient(
        IndexSettings(index_url=url, origin="test"), cache=Store(cache_dir), **options
    )


def test_reads_of_one_page_in_flight_together_ask_once(pages: _PageServer, tmp_path: Path) -> None:
    from packaging.specifiers import SpecifierSet

    lookup(pages, tmp_path)

    async def go() -> list[ProjectPage | None]:
        async with client_for(pages, tmp_path, refresh=True) as client:
            return await asyncio.gather(
                client.get_project(NormalizedName("demo"), SpecifierSet("==1.0")),
                client.get_project(NormalizedName("demo")),
            )

    one, whole = asyncio.run(go())
    assert versions(one) == versions(whole) == ["1.0"]
    assert len(pages.log) == 2  # filled, then one revalidation for both reads


def test_a_page_fresh_at_its_first_read_is_not_asked_for_later(
    pages: _PageServer, tmp_path: Path
) -> None:
    from packaging.specifiers import SpecifierSet

    pages.headers = {"Cache-Control": "max-age=1"}
    lookup(pages, tmp_path)

    async def go() -> tuple[ProjectPage | None, ProjectPage | None]:
        async with client_for(pages, tmp_path) as client:
            one = await client.get_project(NormalizedName("demo"), SpecifierSet("==1.0"))
            pages.body = demo_page("2.0")
            await asyncio.sleep(1.1)  # a long check: the page's lifetime ends meanwhile
            return one, await client.get_project(NormalizedName("demo"))

    one, whole = asyncio.run(go())
    assert versions(one) == versions(whole) == ["1.0"]
    assert len(pages.log) == 1


def test_a_page_that_could_not_be_stored_is_held_for_the_check(
    pages: _PageServer, tmp_path: Path
) -> None:
    from packaging.specifiers import SpecifierSet

    pages.headers = {"Cache-Control": "no-store"}
    pages.body = demo_page("1.0")[:-2] + b', {"filename": "demo-2.0.tar.gz", "url": "x"}]}'

    async def go() -> tuple[ProjectPage | None, ProjectPage | None]:
        async with client_for(pages, tmp_path) as client:
            one = await client.get_project(NormalizedName("demo"), SpecifierSet("==1.0"))
            pages.body = demo_page("3.0")
            return one, await client.get_project(NormalizedName("demo"))

    one, whole = asyncio.run(go())
    assert versions(one) == ["1.0"] and versions(whole) == ["1.0", "2.0"]
    assert len(pages.log) == 1


def test_a_row_with_an_out_of_range_number_is_a_miss(tmp_path: Path) -> None:
    """int(Infinity) raises OverflowError: a crafted entry is a miss, never a crash."""
    from wheelcheck._index.pages import PageSource, parse_json_page

    cache = Store(tmp_path)
    url = "https://pypi.org/simple/demo/"
    page = parse_json_page(demo_page(), PageSource(url, url, "demo"))
    store_page(cache, "ab" * 32, page, validators=Validators(), body_sha256=None)
    (path,) = [p for p in tmp_path.rglob("*") if p.is_file()]
    header, index_line, rows = path.read_bytes().split(b"\n", 2)
    broken = rows.replace(b",0]]", b",1e999]]")
    assert broken != rows
    document = json.loads(header)
    document["len"] = len(index_line) + 1 + len(broken)
    chunk = json.loads(index_line)
    chunk["versions"][0][2] = len(broken)
    chunk["versions"][0][3] = zlib.crc32(broken)
    index_line = json.dumps(chunk, separators=(",", ":")).encode()
    document["index_len"] = len(index_line) + 1
    document["crc"] = zlib.crc32(index_line + b"\n")
    document["len"] = len(index_line) + 1 + len(broken)
    path.write_bytes(json.dumps(document).encode() + b"\n" + index_line + b"\n" + broken)
    entry = load_page(cache, "ab" * 32)
    assert entry is not None and entry.parsed(url) is None


def test_metadata_entries_without_provenance_are_read_again(tmp_path: Path) -> None:
    """Entries written before dependencies_from existed would report no provenance: misses."""
    from wheelcheck._cache.metadata import load_dependencies, store_dependencies
    from wheelcheck.models import Dependencies, Provenance

    cache = Store(tmp_path)
    old = {"requires_dist": ["six"], "requires_python": None, "known": True, "evidence": "x"}
    cache.write_json("metadata", "old", old)
    assert load_dependencies(cache, "old") is None
    declared = Dependencies((), None, True, "demo.egg-info/requires.txt", Provenance.EGG_INFO)
    store_dependencies(cache, "new", declared)
    assert load_dependencies(cache, "new") == declared


@pytest.mark.parametrize(
    "relative",
    ["wheelcheck/_report/answer.py", "wheelcheck/_judge/selection.py", "data/base-images.json"],
)
def test_a_kept_check_is_not_reused_once_any_module_or_table_changes(relative: str) -> None:
    # The stamp once covered only wheelcheck/_cache/: an upgraded or edited checkout kept
    # serving the reports its old code had made.
    from wheelcheck._cache import checks

    path = Path(__file__).resolve().parent.parent / relative
    status = path.stat()
    checks._code_stamp.cache_clear()
    checks.code_digest.cache_clear()
    before = checks.code_digest()
    try:
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000_000))
        checks._code_stamp.cache_clear()
        checks.code_digest.cache_clear()
        assert checks.code_digest() != before
    finally:
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
        checks._code_stamp.cache_clear()
        checks.code_digest.cache_clear()
