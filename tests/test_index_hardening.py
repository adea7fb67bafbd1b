"""Index hardening: size caps, .netrc credentials bound to their host, CA bundle choice."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from click.testing import CliRunner
from indexserver import AUTH_PASSWORD, AUTH_USER, IndexServer
from packaging.utils import NormalizedName
from packaging.version import Version

from wheelcheck._cli import main
from wheelcheck._index import IndexClient, IndexSettings
from wheelcheck._index import dependencies as dependencies_module
from wheelcheck._index.dependencies import DependencyReader
from wheelcheck._index.trust import find_ca_bundle, netrc_credentials
from wheelcheck._metadata.core import MetadataError
from wheelcheck.errors import InputError, ProjectLookupError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from pathlib import Path

    from wheelcheck.models import ProjectPage

JSON_TYPE = "application/vnd.pypi.simple.v1+json"


@pytest.fixture(autouse=True)
def _clean(index_server: IndexServer) -> Iterator[None]:
    index_server.reset()
    yield
    index_server.reset()


def lookup(index_url: str, name: str = "six", **options: Any) -> ProjectPage | None:
    settings = IndexSettings(index_url=index_url, origin="test")
    options.setdefault("backoff", 0.01)

    async def run() -> ProjectPage | None:
        async with IndexClient(settings, **options) as client:
            return await client.get_project(NormalizedName(name))

    return asyncio.run(run())


# -- size caps --------------------------------------------------------------------------------


def test_page_over_the_cap_names_index_and_project(index_server: IndexServer) -> None:
    with pytest.raises(ProjectLookupError) as caught:
        lookup(f"{index_server.url}/simple", "numpy", max_page_bytes=10_000)
    message = str(caught.value)
    assert "numpy" in message and index_server.url in message and "10000 byte cap" in message
    assert lookup(f"{index_server.url}/simple", "numpy") is not None  # the default cap: fine


def test_page_cap_holds_without_content_length() -> None:
    """A chunked body is counted as it arrives and cut off at the cap, not read to the end."""
    sent: list[int] = []

    async def endless() -> AsyncIterator[bytes]:
        for _ in range(10_000):
            sent.append(1)
            yield b"x" * 1024

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Type": JSON_TYPE}, content=endless())

    with pytest.raises(ProjectLookupError, match="over the 65536 byte cap"):
        lookup(
            "https://mirror.example/simple",
            transport=httpx.MockTransport(handle),
            max_page_bytes=65536,
        )
    assert len(sent) < 100


def test_page_cap_is_not_retried() -> None:
    calls: list[int] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(200, headers={"Content-Type": JSON_TYPE}, content=b"{" * 5000)

    with pytest.raises(ProjectLookupError, match="cap"):
        lookup(
            "https://mirror.example/simple",
            transport=httpx.MockTransport(handle),
            max_page_bytes=1000,
        )
    assert calls == [1]


def test_metadata_file_over_the_cap_is_a_metadata_error(
    index_server: IndexServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dependencies_module, "MAX_METADATA_BYTES", 100)
    settings = IndexSettings(index_url=f"{index_server.url}/simple", origin="test")

    async def run() -> None:
        async with IndexClient(settings) as client:
            page = await client.get_project(NormalizedName("six"))
            assert page is not None
            await DependencyReader(client, backoff=0.01).dependencies(page, Version("1.17.0"))

    with pytest.raises(MetadataError, match="larger than the 100 byte cap"):
        asyncio.run(run())


# -- .netrc -----------------------------------------------------------------------------------


def write_netrc(tmp_path: Path, host: str, login: str, password: str) -> Path:
    path = tmp_path / "netrc"
    path.write_text(f"machine {host}\n  login {login}\n  password {password}\n")
    path.chmod(0o600)
    return path


def test_netrc_credentials_reach_their_index(index_server: IndexServer, tmp_path: Path) -> None:
    netrc = write_netrc(tmp_path, "127.0.0.1", AUTH_USER, AUTH_PASSWORD)
    with pytest.raises(ProjectLookupError, match="401"):
        lookup(f"{index_server.url}/auth/simple", environ={})
    page = lookup(f"{index_server.url}/auth/simple", environ={"NETRC": str(netrc)})
    assert page is not None
    assert any("authorization" in headers for _path, headers in index_server.requests)


def test_netrc_credentials_never_follow_a_redirect_to_another_host(
    index_server: IndexServer, tmp_path: Path
) -> None:
    netrc = write_netrc(tmp_path, "127.0.0.1", AUTH_USER, AUTH_PASSWORD)
    page = lookup(f"{index_server.url}/redirect-other-host/simple", environ={"NETRC": str(netrc)})
    assert page is not None
    other_host = [h for _p, h in index_server.requests if not h["host"].startswith("127.0.0.1:")]
    assert other_host, "the redirect was not followed to the other host"
    assert all("authorization" not in h for h in other_host)


def test_netrc_password_is_never_shown(
    index_server: IndexServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = write_netrc(tmp_path, "127.0.0.1", AUTH_USER, "wrong-Pa55word")
    monkeypatch.setenv("NETRC", str(netrc))
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("six\n")
    outcome = CliRunner().invoke(
        main, ["check", str(requirements), "-i", f"{index_server.url}/auth/simple", "-v"]
    )
    assert outcome.exit_code == 3
    assert "401" in outcome.output
    assert "wrong-Pa55word" not in outcome.output


def test_credentials_in_the_url_win_over_netrc(index_server: IndexServer, tmp_path: Path) -> None:
    netrc = write_netrc(tmp_path, "127.0.0.1", "mallory", "not-the-password")
    url = index_server.url.replace("http://", f"http://{AUTH_USER}:s3cr%25t@")
    assert lookup(f"{url}/auth/simple", environ={"NETRC": str(netrc)}) is not None


def test_malformed_netrc_is_a_warning_without_its_text(tmp_path: Path) -> None:
    path = tmp_path / "netrc"
    path.write_text("machine host.example login bob password hunter2 bogus-token\n")
    warnings: list[str] = []
    assert netrc_credentials("host.example", {"NETRC": str(path)}, warn=warnings) is None
    assert len(warnings) == 1 and "hunter2" not in warnings[0] and str(path) in warnings[0]


def test_netrc_lookup_is_by_host(tmp_path: Path) -> None:
    netrc = write_netrc(tmp_path, "pypi.internal.example", "ci", "token123")
    environ = {"NETRC": str(netrc)}
    assert netrc_credentials("pypi.internal.example", environ) == ("ci", "token123")
    assert netrc_credentials("pypi.org", environ) is None
    assert netrc_credentials("pypi.org", {"NETRC": str(tmp_path / "absent")}) is None


# -- CA bundles -------------------------------------------------------------------------------


def test_ca_bundle_order(tmp_path: Path) -> None:
    bundles = {name: tmp_path / f"{name}.pem" for name in ("cli", "pip", "requests", "ssl")}
    for path in bundles.values():
        path.write_text("")
    environ = {
        "PIP_CERT": str(bundles["pip"]),
        "REQUESTS_CA_BUNDLE": str(bundles["requests"]),
        "SSL_CERT_FILE": str(bundles["ssl"]),
    }
    assert find_ca_bundle(str(bundles["cli"]), environ) == str(bundles["cli"])
    assert find_ca_bundle(None, environ) == str(bundles["pip"])
    del environ["PIP_CERT"]
    assert find_ca_bundle(None, environ) == str(bundles["requests"])
    del environ["REQUESTS_CA_BUNDLE"]
    assert find_ca_bundle(None, environ) == str(bundles["ssl"])
    assert find_ca_bundle(None, {}) is True


def test_missing_ca_bundle_names_its_source(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="REQUESTS_CA_BUNDLE"):
        find_ca_bundle(None, {"REQUESTS_CA_BUNDLE": str(tmp_path / "nope.pem")})


def test_a_bad_ca_bundle_fails_the_check_with_exit_2(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("six\n")
    outcome = CliRunner(env={"PIP_CERT": str(tmp_path / "nope.pem")}).invoke(
        main, ["check", str(requirements), "-i", "https://pypi.org/simple", "--no-cache"]
    )
    assert outcome.exit_code == 2, outcome.output
    assert "PIP_CERT" in outcome.output


def test_the_ca_bundle_is_what_verifies_tls(tmp_path: Path) -> None:
    """An empty bundle trusts nobody: the request fails on TLS (before any connection here)."""
    import ssl

    from wheelcheck._index.http import ssl_verify

    bundle = tmp_path / "empty.pem"
    bundle.write_text("")
    with pytest.raises(ssl.SSLError):
        ssl_verify(str(bundle))  # an empty file is not a bundle: refused, never ignored
    with pytest.raises(ValueError, match="cannot be disabled"):
        ssl_verify(False)
