"""A plan for people: the answer, the diff table, what still builds, the notes.

Colour and box characters on a terminal only, as the check's table (`_report/table.py`).
"""

from __future__ import annotations

from typing import TextIO

from rich import box
from rich.table import Table
from rich.text import Text

from wheelcheck._report.console import report_console
from wheelcheck._report.plan_rows import (
    CHANGE_HEADERS,
    build_line,
    change_row,
    dependency_lines,
    needs_care,
)
from wheelcheck._report.text import printable
from wheelcheck.models import Plan

_STYLE = {"compile-free": "bold green", "must-build": "bold yellow", "unknown": "bold magenta"}


def write_plan_table(plan: Plan, stream: TextIO, *, color: bool | None = None) -> None:
    console, is_terminal = report_console(stream, color)
    console.print(Text(printable(plan.summary), style=_STYLE[plan.outcome]))
    if plan.changes:
        table = Table(box=box.SIMPLE if is_terminal else None, show_edge=False)
        for header in CHANGE_HEADERS:
            table.add_column(header)
        for change in plan.changes:
            style = "bold yellow" if needs_care(change) else ""
            table.add_row(*(Text(printable(cell)) for cell in change_row(change)), style=style)
        console.print(table)
    if plan.builds:
        console.print(Text("Still builds:", style="bold"))
        for build in plan.builds:
            console.print(Text("  " + printable(build_line(build))))
    for line in dependency_lines(plan):
        console.print(Text("note: " + printable(line), style="dim"))
    for error in plan.errors:
        console.print(Text(f"error: {printable(error)}", style="bold magenta"))
    for note in plan.notes:
        console.print(Text(f"note: {printable(note)}", style="dim"))
