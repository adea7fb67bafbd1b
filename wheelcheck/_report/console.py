"""The rich console of the human formats: colour and boxes on a terminal only."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console


def report_console(stream: TextIO, color: bool | None) -> tuple[Console, bool]:
    """A console on `stream` and whether it is a terminal (`color=None`: ask the stream).
    Elsewhere (a pipe, a CI log) plain text, wide enough not to wrap."""
    is_terminal = stream.isatty() if color is None else color
    console = Console(
        file=stream,
        force_terminal=is_terminal,
        no_color=not is_terminal,
        highlight=False,
        width=None if is_terminal else 240,
        soft_wrap=not is_terminal,
    )
    return console, is_terminal
