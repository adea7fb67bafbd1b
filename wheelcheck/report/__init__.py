"""Report formats: one module per format, chosen by `Format` with an exhaustive match."""

from __future__ import annotations

from enum import StrEnum
from typing import TextIO, assert_never

from wheelcheck.models import Report


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


def write_report(report: Report, fmt: Format, stream: TextIO, *, color: bool | None = None) -> None:
    """Write `report` to `stream` in `fmt`. `color=None` decides from whether it is a terminal."""
    match fmt:
        case Format.TABLE:
            from wheelcheck.report.table import write_table

            write_table(report, stream, color=color)
        case Format.JSON:
            from wheelcheck.report.json import write_json

            write_json(report, stream)
        case _:
            assert_never(fmt)
