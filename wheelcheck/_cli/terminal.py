"""What the commands print on stderr besides warnings and errors (wheelcheck._cli.exits):
progress; and whether the report gets colour."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TextIO

__all__ = ["ProgressSink", "progress", "report_color"]


def report_color(choice: str, environ: Mapping[str, str]) -> bool | None:
    """--color always/never win; auto honours NO_COLOR (https://no-color.org), else None:
    colour only on a terminal."""
    if choice == "always":
        return True
    if choice == "never" or environ.get("NO_COLOR"):
        return False
    return None


@contextmanager
def progress(*, enabled: bool, color: bool | None = None) -> Iterator[ProgressSink]:
    """A spinner on stderr when stderr is a terminal; silent otherwise (pipes, CI logs).
    `color=False` (--color never, NO_COLOR) keeps it colourless."""
    stream: TextIO = sys.stderr
    if not (enabled and stream.isatty()):
        yield ProgressSink(None)
        return
    from rich.console import Console

    console = Console(file=stream, no_color=color is False)
    with console.status("checking...") as status:
        yield ProgressSink(status)


class ProgressSink:
    def __init__(self, status: object | None) -> None:
        self._status = status

    def __call__(self, message: str) -> None:
        if self._status is not None:
            from rich.status import Status

            assert isinstance(self._status, Status)
            self._status.update(f"checking {message}")
