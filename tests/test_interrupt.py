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
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from subprocess import PIPE
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner
from faultserver import FaultServer, add_sample_tree, hang

import wheelcheck._cli
from wheelcheck import acheck
from wheelcheck._cli import main
from wheelcheck._cli.atomicfile import replacing
from wheelcheck.errors import Interrupted

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path
    from typing import TextIO

TARGET = "python:3.12-slim"
ALPHA = FaultServer.page_path("alpha")
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


def wait_for_request(
    server: FaultServer,
    path: str,
    process: subprocess.Popen[str] | None = None,
    timeout: float = START_TIMEOUT,
) -> None:
    deadline = time.monotonic() + timeout
    while server.count(path) == 0:
        if process is not None and process.poll() is not None:
            _, stderr = process.communicate()
            pytest.fail(f"exited {process.returncode} before asking for {path}: {stderr}")
        assert time.monotonic() < deadline, f"no request for {path} in {timeout} s"
        time.sleep(0.02)


def resolver_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("wheelcheck-resolve")]


def wait_for_no_resolver_threads(bound: float = STOP_BOUND) -> None:
    deadline = time.monotonic() + bound
    while resolver_threads():
        assert time.monotonic() < deadline, f"still running: {resolver_threads()}"
        time.sleep(0.02)


@contextmanager
def _signals_as_from_a_terminal(*, sigint_ignored: bool = False) -> Iterator[None]:
    """A child starts with SIGINT and SIGTERM at their default actions, as from a terminal
    (`sigint_ignored`: as from ``nohup``, or in the background of a script).

    An ignored signal is inherited: a test runner started in the background of a script has
    SIGINT ignored, and wheelcheck rightly leaves an ignored signal ignored. A handled one is
    not (exec resets it to the default), so this sets handlers for the moment of the fork.
    """
    sigint = signal.SIG_IGN if sigint_ignored else signal.default_int_handler
    previous = {
        signal.SIGINT: signal.signal(signal.SIGINT, sigint),
        signal.SIGTERM: signal.getsignal(signal.SIGTERM),
    }
    if previous[signal.SIGTERM] == signal.SIG_IGN:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def stop(process: subprocess.Popen[str], server: FaultServer, signum: int) -> tuple[str, str]:
    """Send `signum` once the check is in flight in the resolver; (stdout, stderr) after it
    ended, which must be within STOP_BOUND of the signal."""
    wait_for_request(server, BETA, process)
    sent = time.monotonic()
    process.send_signal(signum)
    try:
        process.wait(timeout=STOP_BOUND)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
        pytest.fail(f"still running {STOP_BOUND} s after the signal; stderr: {stderr}")
    elapsed = time.monotonic() - sent
    stdout, stderr = process.communicate()
    assert elapsed < STOP_BOUND
    return stdout, stderr


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


def test_ctrl_c_in_a_script_calling_check_raises_keyboardinterrupt_at_once(
    hanging: FaultServer, tmp_path: Path
) -> None:
    """The library installs no handler: Ctrl-C is asyncio.run's, a KeyboardInterrupt once
    the check has unwound, and the interpreter exits; nothing holds it up."""
    script = (
        "import sys, wheelcheck\n"
        "wheelcheck.check(requirements=['alpha'], index_url=sys.argv[1], targets=[sys.argv[2]],"
        " arches=['amd64'], environ={}, pip_config_files=[], timeout=60.0, retries=0)\n"
    )
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost"}
    with _signals_as_from_a_terminal():
        process = subprocess.Popen(
            [sys.executable, "-c", script, hanging.index_url, TARGET],
            stdout=PIPE,
            stderr=PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
    _, stderr = stop(process, hanging, signal.SIGINT)
    assert process.returncode == -signal.SIGINT  # an uncaught KeyboardInterrupt exits so
    assert stderr.rstrip().endswith("KeyboardInterrupt"), stderr


# -- the command line ------------------------------------------------------------------------


def start(
    server: FaultServer,
    tmp_path: Path,
    *args: str,
    command: str = "check",
    cache: Path | None = None,
    sigint_ignored: bool = False,
) -> subprocess.Popen[str]:
    """``python -m wheelcheck COMMAND ... --index-url <the fault server>``."""
    if command == "check":
        requirements = tmp_path / "requirements.txt"
        requirements.write_text("alpha\n", encoding="utf-8")  # unpinned: the resolver runs
        argv = ["check", str(requirements), "-t", TARGET, "--quiet", "--no-advice"]
    else:
        dockerfile = tmp_path / "Dockerfile"
        dockerfile.write_text(f"FROM {TARGET}\nRUN pip install alpha\n", encoding="utf-8")
        argv = ["dockerfile", str(dockerfile)]
    argv += ["--index-url", server.index_url, "-a", "amd64", "--timeout", "60", "--retries", "0"]
    env = {
        **os.environ,
        "WHEELCHECK_CACHE_DIR": str(cache or tmp_path / "cache"),
        "NO_PROXY": "127.0.0.1,localhost",
    }
    with _signals_as_from_a_terminal(sigint_ignored=sigint_ignored):
        return subprocess.Popen(
            [sys.executable, "-m", "wheelcheck", *argv, *args],
            stdout=PIPE,
            stderr=PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )


STOPS = [
    pytest.param(signal.SIGINT, 130, "wheelcheck: interrupted", id="SIGINT"),
    pytest.param(signal.SIGTERM, 143, "wheelcheck: terminated", id="SIGTERM"),
]


@pytest.mark.parametrize(("signum", "code", "message"), STOPS)
def test_a_signal_ends_the_check_at_once_with_one_line(
    hanging: FaultServer, tmp_path: Path, signum: int, code: int, message: str
) -> None:
    process = start(hanging, tmp_path, "-f", "json")
    stdout, stderr = stop(process, hanging, signum)
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr
    assert stderr.splitlines() == [message]
    assert stdout == ""  # no report: nothing was decided


@pytest.mark.parametrize(("signum", "code", "message"), STOPS)
def test_no_report_file_is_left_behind(
    hanging: FaultServer, tmp_path: Path, signum: int, code: int, message: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    process = start(
        hanging, tmp_path, "-o", str(out / "report.json"), "--report", f"sarif={out}/r.sarif"
    )
    _, stderr = stop(process, hanging, signum)
    assert process.returncode == code, stderr
    assert stderr.splitlines() == [message]
    assert list(out.iterdir()) == []  # no report, and no temporary file


@pytest.mark.parametrize(("signum", "code", "message"), STOPS)
def test_the_dockerfile_command_stops_the_same_way(
    hanging: FaultServer, tmp_path: Path, signum: int, code: int, message: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    process = start(hanging, tmp_path, "-o", str(out / "report.md"), command="dockerfile")
    stdout, stderr = stop(process, hanging, signum)
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr
    assert stderr.splitlines() == [message]
    assert stdout == ""
    assert list(out.iterdir()) == []


def test_a_sigint_ignored_at_start_stays_ignored(hanging: FaultServer, tmp_path: Path) -> None:
    """``nohup``, or a background job of a script: the user chose that Ctrl-C does not stop
    it. SIGTERM still does."""
    process = start(hanging, tmp_path, sigint_ignored=True)
    wait_for_request(hanging, BETA, process)
    process.send_signal(signal.SIGINT)
    with pytest.raises(subprocess.TimeoutExpired):
        process.wait(timeout=0.5)
    _, stderr = stop(process, hanging, signal.SIGTERM)
    assert process.returncode == 143, stderr
    assert stderr.splitlines() == ["wheelcheck: terminated"]


def test_the_cache_serves_the_next_run_after_an_interrupted_one(
    hanging: FaultServer, tmp_path: Path
) -> None:
    cache = tmp_path / "shared-cache"
    work = tmp_path / "work"
    work.mkdir()
    _, stderr = stop(start(hanging, work, cache=cache), hanging, signal.SIGINT)
    assert stderr.splitlines() == ["wheelcheck: interrupted"]
    assert hanging.count(ALPHA) == 1  # its page was read, and stored, before the signal
    assert not list(cache.rglob(".tmp-*"))
    assert not list(cache.glob("checks-*/*"))  # an unfinished check is not kept for reuse

    hanging.clear_faults()  # the index answers again
    again = start(hanging, work, "-f", "json", cache=cache)
    stdout, stderr = again.communicate(timeout=120)
    assert again.returncode == 0, stderr
    assert hanging.count(ALPHA) == 0  # from the cache: fresh, and whole
    fresh = start(hanging, work, "-f", "json", cache=tmp_path / "fresh-cache")
    expected, _ = fresh.communicate(timeout=120)
    assert fresh.returncode == 0
    assert stdout == expected
    assert '"beta"' in stdout  # the tree was resolved this time


# -- report files: whole or not at all --------------------------------------------------------


def check_to_files(server: FaultServer, tmp_path: Path, *args: str) -> int:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("alpha\n", encoding="utf-8")
    argv = ["check", str(requirements), "-i", server.index_url, "-t", TARGET, "-a", "amd64"]
    argv += ["--quiet", "--no-advice", "--no-cache", *args]
    return CliRunner().invoke(main, argv, catch_exceptions=False).exit_code


def test_a_report_interrupted_while_written_leaves_the_old_one_or_none(
    server: FaultServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.json").write_text("the previous whole report\n", encoding="utf-8")
    real_write_report = wheelcheck._cli.write_report

    def write_then_stop(report: Any, fmt: Any, stream: TextIO, **kwargs: Any) -> None:
        real_write_report(report, fmt, stream, **kwargs)
        stream.flush()
        raise Interrupted(signal.SIGTERM)  # as the signal handler raises it

    monkeypatch.setattr(wheelcheck._cli, "write_report", write_then_stop)
    server.clear_faults()
    for option in ("-o", "--report"):
        for name in ("new.json", "old.json"):
            value = str(out / name) if option == "-o" else f"json={out / name}"
            with pytest.raises(Interrupted):
                check_to_files(server, tmp_path, option, value)
            assert sorted(p.name for p in out.iterdir()) == ["old.json"]  # no temporary file
    assert (out / "old.json").read_text(encoding="utf-8") == "the previous whole report\n"


def test_a_report_that_cannot_be_written_is_exit_2_and_leaves_nothing(
    server: FaultServer, tmp_path: Path
) -> None:
    server.clear_faults()
    assert check_to_files(server, tmp_path, "-o", str(tmp_path / "absent" / "r.json")) == 2
    target = tmp_path / "out"
    target.mkdir()
    (target / "r.json").mkdir()  # a directory where the file should go
    assert check_to_files(server, tmp_path, "--report", f"json={target / 'r.json'}") == 2
    assert [p.name for p in target.iterdir()] == ["r.json"]


def test_a_written_file_has_the_usual_permissions_and_links_stay_links(tmp_path: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    new = tmp_path / "new.txt"
    with replacing(new) as stream:
        stream.write("new\n")
    assert new.stat().st_mode & 0o777 == 0o666 & ~umask  # what open(path, "w") gives

    kept = tmp_path / "Dockerfile"
    kept.write_text("old\n", encoding="utf-8")
    kept.chmod(0o640)
    link = tmp_path / "link"
    link.symlink_to(kept.name)
    with replacing(link) as stream:
        stream.write("FROM python:3.12-slim\n")
    assert link.is_symlink()
    assert kept.read_text(encoding="utf-8") == "FROM python:3.12-slim\n"
    assert kept.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile", "link", "new.txt"]


def test_an_error_while_writing_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM python:3.12\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), replacing(path) as stream:
        stream.write("FROM python:3.12-sl")
        raise KeyboardInterrupt
    assert path.read_text(encoding="utf-8") == "FROM python:3.12\n"
    assert [p.name for p in tmp_path.iterdir()] == ["Dockerfile"]
