"""Report formats: one interface (wheelcheck._report.interface), one module per format,
chosen by `Format` with an exhaustive match. Each renders check, dockerfile and plan results."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, TextIO, assert_never

if TYPE_CHECKING:
    from wheelcheck._dockerfile.analysis import DockerfileReport
    from wheelcheck._findings import Policy
    from wheelcheck._report.interface import ReportFormat
    from wheelcheck.models import Plan, Report


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"  # a pull-request comment or $GITHUB_STEP_SUMMARY
    SARIF = "sarif"  # SARIF 2.1.0 for code scanning
    GITHUB = "github"  # workflow commands: annotations on the diff
    HTML = "html"  # one self-contained page: a CI artifact, or to open in a browser


def report_format(
    fmt: Format,
    *,
    color: bool | None = None,
    environ: Mapping[str, str] | None = None,
    verbosity: int = 0,
) -> ReportFormat:
    """The implementation of `fmt`. `color=None` (table) decides from whether the stream is a
    terminal; `environ` (github; default: os.environ) tells where the step summary goes;
    `verbosity` (table: 1 the whole matrix, 2 also the assumptions and every note).

    Each module is imported when its format is asked for: a check pays only for its own."""
    match fmt:
        case Format.TABLE:
            from wheelcheck._report.table import TableFormat

            return TableFormat(color=color, verbosity=verbosity)
        case Format.JSON:
            from wheelcheck._report.json import JsonFormat

            return JsonFormat()
        case Format.MARKDOWN:
            from wheelcheck._report.markdown import MarkdownFormat

            return MarkdownFormat()
        case Format.SARIF:
            from wheelcheck._report.sarif import SarifFormat

            return SarifFormat()
        case Format.GITHUB:
            from wheelcheck._report.github import GithubFormat

            return GithubFormat(environ=environ)
        case Format.HTML:
            from wheelcheck._report.html import HtmlFormat

            return HtmlFormat()
        case _:
            assert_never(fmt)


def write_report(
    report: Report,
    fmt: Format,
    stream: TextIO,
    *,
    color: bool | None = None,
    policy: Policy | None = None,
    environ: Mapping[str, str] | None = None,
    verbosity: int = 0,
) -> None:
    """Write the check `report` to `stream` in `fmt`; `policy` (default: --fail-on missing,
    nothing ignored) decides which findings fail."""
    from wheelcheck._findings import Policy

    chosen = report_format(fmt, color=color, environ=environ, verbosity=verbosity)
    chosen.write_check(report, policy or Policy(), stream)


def write_dockerfile_reports(
    results: Sequence[DockerfileReport],
    fmt: Format,
    stream: TextIO,
    *,
    color: bool | None = None,
    environ: Mapping[str, str] | None = None,
    verbosity: int = 0,
) -> None:
    """Write the reports of `wheelcheck dockerfile` (one per Dockerfile) to `stream` in `fmt`."""
    chosen = report_format(fmt, color=color, environ=environ, verbosity=verbosity)
    chosen.write_dockerfiles(results, stream)


def write_plan(
    plan: Plan,
    fmt: Format,
    stream: TextIO,
    *,
    color: bool | None = None,
    environ: Mapping[str, str] | None = None,
) -> None:
    """Write what `wheelcheck plan` found to `stream` in `fmt` (github: `environ`, default
    os.environ, says where the step summary goes)."""
    report_format(fmt, color=color, environ=environ).write_plan(plan, stream)
