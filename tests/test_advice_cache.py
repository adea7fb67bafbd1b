"""Every advice answer is kept, failures too: a warm check sends no request the cold one sent.

Runs against the recorded index on 127.0.0.1, which counts the requests it answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from indexserver import IndexServer

import wheelcheck
from wheelcheck._cli import main
from wheelcheck._index import files
from wheelcheck._metadata.sdist import SdistMetadata, sdist_dependencies
from wheelcheck.models import Report

LLM_APP = ["chainlit", "langchain", "openai", "pandas", "psycopg2"]
ADVICE: dict[str, Any] = {"advice": True, "sizes": True}


@pytest.fixture(autouse=True)
def _clean(index_server: IndexServer) -> Any:
    index_server.reset()
    yield
    index_server.reset()


def run_check(server: IndexServer, requirements: list[str], **options: Any) -> Report:
    return wheelcheck.check(
        requirements=requirements,
        index_url=f"{server.url}/no-metadata/simple",
        pip_config_files=(),
        **options,
    )


def advice_notes(report: Report) -> list[str]:
    return [note for note in report.notes if note.startswith("advice")]


def test_a_warm_default_check_sends_no_request(index_server: IndexServer, tmp_path: Path) -> None:
    """The README's check (advice and sizes on, four targets), cold then warm: the warm run,
    recomputed from the cache rather than reused whole, asks the index for nothing, and its
    report, the unreadable files' note included, is the cold one."""
    options = {**ADVICE, "cache_dir": tmp_path, "reuse": False}
    index_server.fail("psycopg2", [404], permanent=True, kinds=["sdist"])
    cold = run_check(index_server, LLM_APP, **options)
    assert index_server.count("wheel") > 0  # sizes read wheel directories by range
    assert advice_notes(cold)  # the 404 is an answer too: kept, not asked again
    index_server.reset()  # (and the server serves the sdist again)
    warm = run_check(index_server, LLM_APP, **options)
    assert index_server.requests == []
    assert warm.to_dict() == cold.to_dict()


def test_a_file_too_large_to_read_is_not_downloaded_again(
    index_server: IndexServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small cap on what an sdist inflates to stands for the 64 MiB one (the served cuid
    # sdist is 2 KB, its members 4 KB).
    def capped(data: bytes, *, filename: str, max_bytes: int) -> SdistMetadata:
        return sdist_dependencies(data, filename=filename, max_bytes=3000)

    monkeypatch.setattr(files, "sdist_dependencies", capped)
    pins = ["cuid==0.4"]
    options = {**ADVICE, "no_deps": True, "cache_dir": tmp_path, "reuse": False}
    cold = run_check(index_server, pins, **options)
    assert index_server.count("sdist") == 1
    assert "archive content exceeds 3000 bytes" in advice_notes(cold)[0]
    for offline in (False, True):
        index_server.reset()
        warm = run_check(index_server, pins, offline=offline, **options)
        assert index_server.requests == []
        assert warm.to_dict() == cold.to_dict()


def test_a_check_whose_advice_failed_on_a_file_is_reused_whole(
    index_server: IndexServer, tmp_path: Path
) -> None:
    """The failure is in the cache like any answer, so the next check with the same inputs
    returns the kept report instead of recomputing it."""
    pins = ["cuid==0.4", "numpy==2.2.6"]
    index_server.fail("cuid", [503], permanent=True, kinds=["sdist"])
    options = {**ADVICE, "no_deps": True, "cache_dir": tmp_path}
    cold = run_check(index_server, pins, **options)
    assert advice_notes(cold)
    index_server.reset()
    messages: list[str] = []
    warm = run_check(index_server, pins, progress=messages.append, **options)
    assert any(m.startswith("reused the earlier check") for m in messages)
    assert (warm.to_dict(), index_server.requests) == (cold.to_dict(), [])


def test_a_failed_transfer_is_kept_only_for_the_freshness_window(
    index_server: IndexServer, tmp_path: Path
) -> None:
    pins = ["cuid==0.4"]
    options = {**ADVICE, "no_deps": True, "cache_dir": tmp_path, "reuse": False}
    index_server.fail("cuid", [503], permanent=True, kinds=["sdist"])
    cold = run_check(index_server, pins, **options)
    assert "HTTP 503" in advice_notes(cold)[0]
    index_server.reset()  # the server is well again, but the failure is still fresh
    assert run_check(index_server, pins, **options).to_dict() == cold.to_dict()
    assert index_server.requests == []
    # Past its freshness the file is asked for again, and read this time.
    later = run_check(index_server, pins, **{**options, "cache_max_age": 0})
    assert index_server.count("sdist") == 1
    assert advice_notes(later) == []


def test_the_cli_prints_the_same_report_warm(index_server: IndexServer, tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("cuid==0.4\nnumpy==2.2.6\n")
    argv = [
        "check", "--no-deps", "--format", "json", "--cache-dir", str(tmp_path / "cache"),
        "--index-url", f"{index_server.url}/no-metadata/simple", str(requirements),
    ]  # fmt: skip
    cold = CliRunner().invoke(main, argv)
    assert cold.exit_code in (0, 1), cold.output  # 1: cuid builds from source
    assert '"installed_size": ' in cold.output
    index_server.reset()
    warm = CliRunner().invoke(main, argv)
    assert (warm.exit_code, warm.output) == (cold.exit_code, cold.output)
    assert index_server.requests == []
