"""Shared pytest fixtures."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from indexserver import IndexServer

if TYPE_CHECKING:
    from collections.abc import Iterator

INDEX_DATA = Path(__file__).parent / "data" / "index"


@pytest.fixture(scope="session")
def index_server() -> Iterator[IndexServer]:
    """One local index over tests/data/index for the session; call .reset() after faults."""
    INDEX_DATA.mkdir(parents=True, exist_ok=True)
    with IndexServer(INDEX_DATA) as server:
        yield server


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--live", action="store_true", default=False, help="also run tests against live PyPI"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--live"):
        return
    skip_live = pytest.mark.skip(reason="talks to the live PyPI; run with --live")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip_live)


@pytest.fixture(autouse=True)
def _isolate_from_host_pip(monkeypatch: pytest.MonkeyPatch) -> None:
    """The host's pip configuration and PIP_* variables must not leak into any test."""
    import os

    for name in list(os.environ):
        if name.startswith(("PIP_", "WHEELCHECK_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)


@pytest.fixture(autouse=True)
def _private_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Each test gets an empty wheelcheck cache: none is shared, the user's is never touched."""
    monkeypatch.setenv("WHEELCHECK_CACHE_DIR", str(tmp_path_factory.mktemp("wheelcheck-cache")))


@pytest.fixture(autouse=True)
def _no_internet(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default run never leaves this machine: connecting anywhere but loopback fails."""
    if "live" in request.keywords:
        return
    import ipaddress
    import socket

    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else None
        if isinstance(host, str):
            try:
                allowed = ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
            except ValueError:
                allowed = host == "localhost"
            if not allowed:
                raise OSError(f"test tried to reach {host}: the default test run is offline")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
