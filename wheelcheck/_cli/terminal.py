"""What the commands print on stderr besides warnings and errors (wheelcheck._cli.exits):
progress; and whether the report gets colour."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import RenderableType

__all__ = ["ProgressLine", "ProgressSink", "progress", "report_color"]

# A check done sooner shows no progress at all: a line that flashes is noise.
SHOW_AFTER = 1.0


def report_color(choice: str, environ: Mapping[str, str]) -> bool | None:
    """--color always/never win; auto honours NO_COLOR (https://no-color.org), else None:
    colour only on a terminal."""
    if choice == "always":
        return True
    if choice == "never" or environ.get("NO_COLOR"):
        return False
    return None


class ProgressLine:
    """The one line of progress, from the check's messages: pages fetched (``"3/10 name"``),
    targets resolved (``"resolved id"``), advice read (``"advice 2/5 files"``), and any other
    message as it is."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._started = clock()
        self.pages = ""
        self.resolved = 0
        self.advice = ""
        self.other = ""

    def update(self, message: str) -> None:
        head, _, rest = message.partition(" ")
        count, slash, total = head.partition("/")
        if slash and count.isdigit() and total.isdigit():
            self.pages = f"pages {head}"
        elif head == "resolved":
            self.resolved += 1
        elif head == "advice" and rest:
            self.advice = f"advice {rest}"
        else:
            self.other = message

    def text(self) -> str:
        """The line as shown; empty until the check has run SHOW_AFTER seconds."""
        if self._clock() - self._started < SHOW_AFTER:
            return ""
        resolved = f"{self.resolved} target(s) resolved" if self.resolved else ""
        parts = [p for p in (self.pages, resolved, self.advice, self.other) if p]
        return "checking: " + (", ".join(parts) or "starting")

    def __rich__(self) -> RenderableType:
        from rich.spinner import Spinner
        from rich.text import Text

        shown = self.text()
        return Spinner("dots", Text(shown)) if shown else Text("")


@contextmanager
def progress(
    *, enabled: bool, color: bool | None = None, stream: TextIO | None = None
) -> Iterator[ProgressSink]:
    """A live line on stderr when stderr is a terminal, for checks longer than SHOW_AFTER;
    silent otherwise (pipes, CI logs), and cleared when the check ends, so nothing of it
    stays above the report. `color=False` (--color never, NO_COLOR) keeps it colourless."""
    stream = sys.stderr if stream is None else stream
    if not (enabled and stream.isatty()):
        yield ProgressSink(None)
        return
    from rich.console import Console
    from rich.live import Live

    line = ProgressLine()
    console = Console(file=stream, no_color=color is False)
    # stdout is the report's, maybe a pipe: never redirected; warnings on stderr print above.
    live = Live(line, console=console, transient=True, refresh_per_second=8, redirect_stdout=False)
    with live:
        yield ProgressSink(line)


class ProgressSink:
    """The check's progress callback: feeds the live line, or nothing off a terminal."""

    def __init__(self, line: ProgressLine | None) -> None:
        self._line = line

    def __call__(self, message: str) -> None:
        if self._line is not None:
            self._line.update(message)
