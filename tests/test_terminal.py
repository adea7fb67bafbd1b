"""The progress line on stderr: what it counts, when it shows, and never off a terminal."""

from __future__ import annotations

import io

from wheelcheck._cli.terminal import ProgressLine, progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_line_counts_pages_targets_and_advice_after_a_second() -> None:
    clock = Clock()
    line = ProgressLine(clock)
    for message in (
        "3/10 numpy",
        "resolved alpine-amd64",
        "resolved slim-amd64",
        "advice 4/9 files",
    ):
        line.update(message)
    assert line.text() == ""  # a check shorter than a second shows nothing
    clock.now += 1.5
    assert line.text() == "checking: pages 3/10, 2 target(s) resolved, advice 4/9 files"
    line.update("reused the earlier check: nothing it read has changed")
    assert line.text().endswith("reused the earlier check: nothing it read has changed")


def test_no_progress_on_a_pipe() -> None:
    stream = io.StringIO()  # isatty() is False, as for a pipe or a CI log
    with progress(enabled=True, stream=stream) as sink:
        sink("3/10 numpy")
    assert stream.getvalue() == ""


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_line_is_cleared_when_the_check_ends() -> None:
    stream = Terminal()
    with progress(enabled=True, stream=stream) as sink:
        sink("3/10 numpy")
    assert "checking" not in stream.getvalue()  # under a second: never shown
    with progress(enabled=False, stream=stream) as sink:  # --quiet
        sink("3/10 numpy")
    assert "checking" not in stream.getvalue()
