"""The index client against a real HTTP server on 127.0.0.1 (no internet)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from indexserver import IndexServer, choose_media_type
from packaging.utils import NormalizedName, canonicalize_name

from wheelcheck._index import ACCEPT, IndexClient, IndexSettings, MalformedPage
from wheelcheck.errors import ProjectLookupError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from wheelcheck.models import ProjectPage

FILES = "https://files.example/packages/ab/cd"
SECRET = "s3cr%t"
AUTH = "alice:s3cr%25t@"  # the password percent-encoded, as it must be in a URL


def entry(filename: str, **fields: Any) -> dict[str, Any]:
    return {
        "filename": filename,
        "url": f"{FILES}/{filename}",
        "hashes": {"sha256": "ab" * 32},
        "size": 1000,
        **fields,
    }


def page(name: str, *files: dict[str, Any]) -> dict[str, Any]:
    return {"meta": {"api-version": "1.1"}, "name": name, "files": list(files)}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    root = tmp_path_factory.mktemp("index")
    (root / "json").mkdir()
    (root / "html").mkdir()
    pages = {
        "demo": page(
            "demo",
            entry("demo-1.0-py3-none-any.whl", **{"requires-python": ">=3.8"}),
            entry("demo-1.0.tar.gz"),
            entry("demo-0.9.tar.gz", yanked="broken"),
            entry("demo-latest.tar.gz"),  # not a valid sdist name: skipped with a warning
        ),
        "only-extra": page("only-extra", entry("only_extra-2.0-py3-none-any.whl")),
    }
    for name, document in pages.items():
        (root / "json" / f"{name}.json").write_text(json.dumps(document))
    (root / "json" / "broken.json").write_text("{ this is not json")
    (root / "html" / "html-only-project.html").write_text(
        f'<a href="{FILES}/html_only_project-1.0.tar.gz#sha256=cafe">x</a>'
    )
    with IndexServer(root) as running:
        yield running


@pytest.fixture(autouse=True)
def _clean(server: IndexServer) -> Iterator[None]:
    server.reset()
    yield
    server.reset()


def lookup(
    index_url: str,
    name: str,
    *extra: str,
    warnings: list[str] | None = None,
    **options: Any,
) -> ProjectPage | None:
    settings = IndexSettings(index_url=index_url, extra_index_urls=extra, origin="test")
    options.setdefault("backoff", 0.01)
    options.setdefault("max_delay", 0.05)

    on_warning = None if warnings is None else warnings.append

    async def run() -> ProjectPage | None:
        async with IndexClient(settings, on_warning=on_warning, **options) as client:
            return await client.get_project(NormalizedName(canonicalize_name(name)))

    return asyncio.run(run())


def requests_for(server: IndexServer, name: str) -> list[tuple[str, dict[str, str]]]:
    return [(path, headers) for path, headers in server.requests if f"/{name}/" in path]


def test_json_is_negotiated(server: IndexServer) -> None:
    result = lookup(f"{server.url}/simple", "Demo")
    assert result is not None
    assert result.name == "demo"
    assert {f.filename for f in result.files} == {
        "demo-1.0-py3-none-any.whl",
        "demo-1.0.tar.gz",
        "demo-0.9.tar.gz",
    }
    wheel = next(f for f in result.files if f.is_wheel)
    assert wheel.size == 1000  # only the JSON flavour carries sizes
    assert wheel.requires_python == ">=3.8"
    assert (
        next(f for f in result.files if f.filename == "demo-0.9.tar.gz").yanked_reason == "broken"
    )
    assert result.index_urls == (f"{server.url}/simple",)
    ((path, headers),) = requests_for(server, "demo")
    assert path == "/simple/demo/"
    assert headers["accept"] == ACCEPT


def test_html_only_index(server: IndexServer) -> None:
    result = lookup(f"{server.url}/html-only/simple/", "demo")
    assert result is not None
    wheel = next(f for f in result.files if f.is_wheel)
    assert wheel.size is None  # came from HTML
    assert wheel.hashes == {"sha256": "ab" * 32}
    assert wheel.requires_python == ">=3.8"
    assert result.index_urls == (f"{server.url}/html-only/simple/",)


def test_html_served_by_a_negotiating_index(server: IndexServer) -> None:
    result = lookup(f"{server.url}/simple", "html-only-project")
    assert result is not None
    (file,) = result.files
    assert file.filename == "html_only_project-1.0.tar.gz" and file.hashes == {"sha256": "cafe"}


def test_relative_file_urls(server: IndexServer) -> None:
    result = lookup(f"{server.url}/relative/simple", "demo")
    assert result is not None
    wheel = next(f for f in result.files if f.is_wheel)
    assert wheel.url == f"{server.url}/relative/files/demo-1.0-py3-none-any.whl"


def test_unknown_project_is_none(server: IndexServer) -> None:
    assert lookup(f"{server.url}/simple", "no-such-project") is None
    assert (
        lookup(f"{server.url}/simple", "no-such-project", f"{server.url}/html-only/simple") is None
    )


def test_gone_410_is_none(server: IndexServer) -> None:
    server.fail("demo", [410], permanent=True)
    assert lookup(f"{server.url}/simple", "demo") is None


def test_warnings_name_project_and_index(server: IndexServer) -> None:
    warnings: list[str] = []
    lookup(f"http://{AUTH}{server.url[7:]}/auth/simple", "demo", warnings=warnings)
    assert len(warnings) == 1
    assert "demo-latest.tar.gz" in warnings[0] and "demo" in warnings[0]
    assert "alice:****@127.0.0.1" in warnings[0] and SECRET not in warnings[0]


def test_credentials_are_sent_and_redacted(server: IndexServer) -> None:
    index = f"http://{AUTH}{server.url[7:]}/auth/simple"
    result = lookup(index, "demo")
    assert result is not None
    ((_, headers),) = requests_for(server, "demo")
    assert headers["authorization"].startswith("Basic ")
    shown = f"http://alice:****@{server.url[7:]}/auth/simple"
    assert result.index_urls == (shown,)
    assert {f.index_url for f in result.files} == {shown}
    assert SECRET not in repr(result.index_urls) and "s3cr%25t" not in repr(result.index_urls)


def test_wrong_credentials_fail_without_showing_them(server: IndexServer) -> None:
    index = f"http://alice:wrong-pass@{server.url[7:]}/auth/simple"
    with pytest.raises(ProjectLookupError) as caught:
        lookup(index, "demo")
    message = str(caught.value)
    assert "401" in message and "demo" in message and "alice:****@" in message
    assert "wrong-pass" not in message and "wrong-pass" not in caught.value.index_url
    assert len(requests_for(server, "demo")) == 1  # a 401 is not retried


def test_no_credentials_on_redirect_to_another_host(server: IndexServer) -> None:
    index = f"http://{AUTH}{server.url[7:]}/redirect-other-host/simple"
    result = lookup(index, "demo")
    assert result is not None and len(result.files) == 3
    first, second = requests_for(server, "demo")
    assert first[0] == "/redirect-other-host/simple/demo/"
    assert "authorization" in first[1]
    assert second[0] == "/simple/demo/"
    assert second[1]["host"] == server.other_url.removeprefix("http://")
    assert "authorization" not in second[1]


def test_credentials_not_sent_to_an_extra_index_on_another_host(server: IndexServer) -> None:
    main = f"http://{AUTH}{server.url[7:]}/auth/simple"
    extra = f"{server.other_url}/simple"
    result = lookup(main, "demo", extra)
    assert result is not None
    by_host = {headers["host"]: headers for _, headers in requests_for(server, "demo")}
    assert "authorization" in by_host[server.url.removeprefix("http://")]
    assert "authorization" not in by_host[server.other_url.removeprefix("http://")]


def test_transient_errors_are_retried(server: IndexServer) -> None:
    server.fail("demo", [500, 503])
    result = lookup(f"{server.url}/simple", "demo")
    assert result is not None and len(result.files) == 3
    assert len(requests_for(server, "demo")) == 3


def test_429_honours_retry_after(server: IndexServer) -> None:
    server.fail("demo", [429], headers={"Retry-After": "0"})
    assert lookup(f"{server.url}/simple", "demo") is not None
    assert len(requests_for(server, "demo")) == 2


def test_permanent_error_raises_after_bounded_retries(server: IndexServer) -> None:
    server.fail("demo", [500], permanent=True)
    index = f"http://{AUTH}{server.url[7:]}/auth/simple"
    with pytest.raises(ProjectLookupError) as caught:
        lookup(index, "demo", retries=2)
    error = caught.value
    assert error.project == "demo"
    assert error.index_url == f"http://alice:****@{server.url[7:]}/auth/simple"
    assert "HTTP 500" in error.reason and "3 attempts" in error.reason
    assert SECRET not in str(error) and "s3cr%25t" not in str(error)
    assert len(requests_for(server, "demo")) == 3


def test_connection_refused_is_a_lookup_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # The port is closed again: nothing listens there.
    with pytest.raises(ProjectLookupError) as caught:
        lookup(f"http://u:hidden-pw@127.0.0.1:{port}/simple", "demo", retries=1)
    assert "connection failed" in caught.value.reason
    assert "2 attempts" in caught.value.reason
    assert "hidden-pw" not in str(caught.value)


def test_malformed_page_is_a_domain_error(server: IndexServer) -> None:
    with pytest.raises(MalformedPage) as caught:
        lookup(f"{server.url}/simple", "broken")
    assert "broken" in str(caught.value) and server.url in str(caught.value)


def test_extra_index_files_are_merged_with_their_index(server: IndexServer) -> None:
    main = f"{server.url}/simple"
    extra = f"{server.url}/html-only/simple"
    result = lookup(main, "demo", extra)
    assert result is not None
    assert result.index_urls == (main, extra)
    assert len(result.files) == 6
    assert [f.index_url for f in result.files] == [main] * 3 + [extra] * 3


def test_project_only_on_the_extra_index(server: IndexServer, tmp_path: Path) -> None:
    (tmp_path / "json").mkdir()
    (tmp_path / "json" / "private.json").write_text(
        json.dumps(page("private", entry("private-1.0-py3-none-any.whl")))
    )
    with IndexServer(tmp_path) as private:
        extra = f"http://{AUTH}{private.url[7:]}/auth/simple"
        result = lookup(f"{server.url}/simple", "private", extra)
    shown = f"http://alice:****@{private.url[7:]}/auth/simple"
    assert result is not None
    assert result.index_urls == (shown,)
    assert [f.index_url for f in result.files] == [shown]
    assert len(requests_for(server, "private")) == 1  # the main index was asked too


def test_one_failing_index_leaves_the_others_page_marked_incomplete(server: IndexServer) -> None:
    """As pip, the other indexes' files are used; the page says which index it lacks."""
    main, dead = f"{server.url}/simple", "http://127.0.0.1:9/simple"
    result = lookup(main, "demo", dead, retries=0)
    assert result is not None
    assert result.index_urls == (main,) and result.failed_indexes == (dead,)
    assert len(result.files) == 3


def test_project_on_no_answering_index_is_an_error_when_one_failed(server: IndexServer) -> None:
    """Not on the main index, and the failed one may have it: not found would be a guess."""
    with pytest.raises(ProjectLookupError) as caught:
        lookup(f"{server.url}/simple", "no-such-project", "http://127.0.0.1:9/simple", retries=0)
    assert caught.value.index_url == "http://127.0.0.1:9/simple"


def test_each_project_is_fetched_once(server: IndexServer) -> None:
    settings = IndexSettings(index_url=f"{server.url}/simple", origin="test")

    async def run() -> list[ProjectPage | None]:
        async with IndexClient(settings) as client:
            name = NormalizedName("demo")
            first = await asyncio.gather(*(client.get_project(name) for _ in range(5)))
            return [*first, await client.get_project(name)]

    results = asyncio.run(run())
    assert all(r is results[0] for r in results)
    assert len(requests_for(server, "demo")) == 1


def test_many_projects_concurrently_with_small_pool(server: IndexServer) -> None:
    settings = IndexSettings(index_url=f"{server.url}/simple", origin="test")
    names = ["demo", "only-extra", "nothing-1", "nothing-2", "html-only-project"]

    async def run() -> list[ProjectPage | None]:
        async with IndexClient(settings, max_connections=2) as client:
            return await asyncio.gather(*(client.get_project(NormalizedName(n)) for n in names))

    found = [r is not None for r in asyncio.run(run())]
    assert found == [True, True, False, False, True]


def test_tls_verification_cannot_be_disabled() -> None:
    with pytest.raises(ValueError, match="cannot be disabled"):
        IndexClient(IndexSettings(index_url="https://pypi.org/simple"), verify=False)


def test_ca_bundle_path_is_accepted(tmp_path: Path) -> None:
    import certifi

    client = IndexClient(IndexSettings(index_url="https://pypi.org/simple"), verify=certifi.where())
    asyncio.run(client.aclose())


def test_retry_after_is_capped(server: IndexServer) -> None:
    server.fail("demo", [429], headers={"Retry-After": "3600"})
    started = time.monotonic()
    assert lookup(f"{server.url}/simple", "demo", max_delay=0.05) is not None
    assert time.monotonic() - started < 5


def mock_index(
    answers: list[httpx.Response | Exception],
) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.MockTransport(handle), seen


HTML_BODY = f'<a href="{FILES}/demo-1.0.tar.gz">demo-1.0.tar.gz</a>'.encode()


@pytest.mark.parametrize(
    "content_type",
    ["application/vnd.pypi.simple.v1+html", "text/html; charset=utf-8", "TEXT/HTML"],
)
def test_parser_is_chosen_by_content_type(content_type: str) -> None:
    transport, _ = mock_index(
        [httpx.Response(200, headers={"Content-Type": content_type}, content=HTML_BODY)]
    )
    result = lookup("https://mirror.example/simple", "demo", transport=transport)
    assert result is not None and [f.filename for f in result.files] == ["demo-1.0.tar.gz"]


def test_unexpected_content_type_is_malformed() -> None:
    transport, _ = mock_index(
        [httpx.Response(200, headers={"Content-Type": "application/zip"}, content=b"PK")]
    )
    with pytest.raises(MalformedPage, match="Content-Type"):
        lookup("https://mirror.example/simple", "demo", transport=transport)


def test_timeouts_and_dns_failures_are_retried() -> None:
    ok = httpx.Response(200, headers={"Content-Type": "text/html"}, content=HTML_BODY)
    transport, seen = mock_index(
        [
            httpx.ReadTimeout("slow"),
            httpx.ConnectError("[Errno -3] Temporary failure in name resolution"),
            ok,
        ]
    )
    assert lookup("https://mirror.example/simple", "demo", transport=transport) is not None
    assert len(seen) == 3


def test_client_error_is_not_retried() -> None:
    transport, seen = mock_index([httpx.Response(400)])
    with pytest.raises(ProjectLookupError, match="HTTP 400"):
        lookup("https://mirror.example/simple", "demo", transport=transport)
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (ACCEPT, "application/vnd.pypi.simple.v1+json"),
        ("application/vnd.pypi.simple.v1+html", "application/vnd.pypi.simple.v1+html"),
        ("text/html", "text/html"),
        ("application/vnd.pypi.simple.v1+json;q=0, text/html", "text/html"),
        (None, "text/html"),
    ],
)
def test_test_server_negotiation(accept: str | None, expected: str) -> None:
    assert choose_media_type(accept) == expected
