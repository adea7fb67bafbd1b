"""Stopping a check half way: Ctrl-C, SIGTERM, a host that cancels `acheck`.

What a user sees: the run ends at once (within 2 s of the signal), with one line on stderr
and no traceback, exit 130 for SIGINT and 143 for SIGTERM; no report file is left half
written; the cache stays good for the next run. A library caller that cancels `acheck`, or
whose loop stops under it, is left with no thread blocked for good.

The index is tests/faultserver.py with the sample tree: `alpha` is answered, then the page of
its dependency `beta` hangs, so every check here is in flight inside the resolver (its worker
threads waiting on the event loop) when it is stopped.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import TYPE_CHECKING, Any

import pytest
from faultserver import FaultServer, add_sample_tree, hang

from wheelcheck import acheck

if TYPE_CHECKING:
    from collections.abc import Iterator

TARGET = "python:3.12-slim"
BETA = FaultServer.page_path("beta")
# A generous wait for the check to get going (a cold interpreter on a loaded 2-core
# machine); the bound under test is measured from the signal, not from the start.
START_TIMEOUT = 60.0
STOP_BOUND = 2.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultServer]:
    marker = tmp_path_factory.mktemp("interrupt") / "code-ran"
    with FaultServer() as fault_server:
        add_sample_tree(fault_server, str(marker))
        yield fault_server
    assert not marker.exists()


@pytest.fixture
def hanging(server: FaultServer) -> Iterator[FaultServer]:
    """The sample index whose `beta` page never answers (within any test's time)."""
    server.clear_faults()
    server.inject(BETA, hang(120), permanent=True)
    yield server
    server.clear_faults()


def wait_for_request(server: FaultServer, path: str, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while server.count(path) == 0:
        assert time.monotonic() < deadline, f"no request for {path} in {timeout} s"
        time.sleep(0.02)


def resolver_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("wheelcheck-resolve")]


def wait_for_no_resolver_threads(bound: float = STOP_BOUND) -> None:
    deadline = time.monotonic() + bound
    while resolver_threads():
        assert time.monotonic() < deadline, f"still running: {resolver_threads()}"
        time.sleep(0.02)


def check_options(server: FaultServer) -> dict[str, Any]:
    return {
        "index_url": server.index_url,
        "environ": {},
        "pip_config_files": [],
        "targets": [TARGET],
        "arches": ["amd64"],
        "timeout": 60.0,
        "retries": 0,
    }


# -- the library -----------------------------------------------------------------------------


def test_acheck_cancelled_by_its_host_ends_at_once_and_leaves_no_thread(
    hanging: FaultServer,
) -> None:
    async def host() -> float:
        task = asyncio.create_task(acheck(requirements=["alpha"], **check_options(hanging)))
        deadline = time.monotonic() + START_TIMEOUT
        while hanging.count(BETA) == 0:
            assert time.monotonic() < deadline and not task.done()
            await asyncio.sleep(0.02)
        assert resolver_threads()  # in flight inside the resolver
        cancelled = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - cancelled

    assert asyncio.run(host()) < STOP_BOUND
    assert not resolver_threads()


def test_resolver_threads_end_when_the_loop_stops_under_them(hanging: FaultServer) -> None:
    """KeyboardInterrupt raised out of `run_forever` stops the loop with the check's cleanup
    not run: the resolver threads must still end, not wait for good (and hang the exit)."""
    loop = asyncio.new_event_loop()
    task = loop.create_task(acheck(requirements=["alpha"], **check_options(hanging)))

    def interrupt_once_in_flight() -> None:
        if hanging.count(BETA) == 0:
            loop.call_later(0.02, interrupt_once_in_flight)
            return
        raise KeyboardInterrupt

    loop.call_soon(interrupt_once_in_flight)
    try:
        with pytest.raises(KeyboardInterrupt):
            loop.run_until_complete(task)
        assert not task.done()  # the loop stopped under the check
        wait_for_no_resolver_threads()
    finally:
        task.cancel()
        loop.run_until_complete(asyncio.gather(task, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
    assert task.cancelled()
