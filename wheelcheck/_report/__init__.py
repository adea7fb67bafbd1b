"""Report formats: one module per format, chosen by `Format` with an exhaustive match."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, TextIO, assert_never

from wheelcheck.models import Report

if TYPE_CHECKING:
    from wheelcheck._findings import Policy


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"  # a pull-request comment or $GITHUB_STEP_SUMMARY
    SARIF = "sarif"  # SARIF 2.1.0 for code scanning
    GITHUB = "github"  # workflow commands: annotations on the diff


def write_report(
    report: Report,
    fmt: Format,
    stream: TextIO,
    *,
    color: bool | None = None,
    policy: Policy | None = None,
    environ: Mapping[str, str] | None = None,
) -> None:
    """Write `report` to `stream` in `fmt`. `color=None` decides from whether it is a terminal.

    `policy` (default: --fail-on missing, nothing ignored) decides which findings fail;
    `environ` (default: os.environ) tells the github format where the step summary goes.
    """
    match fmt:
        case Format.TABLE:
            from wheelcheck._report.table import write_table

            write_table(report, stream, color=color)
        case Format.JSON:
            from wheelcheck._report.json import write_json

            write_json(report, stream)
        case Format.MARKDOWN:
            from wheelcheck._report.markdown import write_markdown

            write_markdown(report, stream, policy=policy)
        case Format.SARIF:
            from wheelcheck._report.sarif import write_sarif

            write_sarif(report, stream, policy=policy)
        case Format.GITHUB:
            from wheelcheck._report.github import write_github

            write_github(report, stream, policy=policy, environ=environ)
        case _:
            assert_never(fmt)
