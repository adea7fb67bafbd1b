"""The `github` format: GitHub Actions workflow commands, so findings appear on the diff.

Each finding becomes ``::error``, ``::warning`` or ``::notice`` by its severity (for `check`:
an error fails the run under --fail-on), located at its file and line (the requirement's, or
the Dockerfile's); a check's recommendation is a ``::notice``. Ignored packages get
no annotation (the team accepted them; the summary still lists them). Lookup failures are one
``::error`` titled as a wheelcheck failure, without a file, so they never read as findings.
Inside GitHub Actions (GITHUB_ACTIONS=true and GITHUB_STEP_SUMMARY set) the Markdown report is
also appended to the step summary. A plan's changes and builds are annotations of their rule
(WCP001..) at the requirement's line, and its answer a ``::notice``.

Every value is escaped as GitHub's toolkit does (``%``, CR, LF; also ``:`` and ``,`` in
properties), so no name or reason can end the command early or start another one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from wheelcheck._findings import Finding, Policy, Severity, findings, relative_path
from wheelcheck._report.interface import ReportFormat
from wheelcheck._report.text import printable
from wheelcheck.models import Plan, Report

if TYPE_CHECKING:
    from wheelcheck._dockerfile.analysis import DockerfileReport


def escape_data(text: str) -> str:
    """A command's message: ``%`` -> %25, CR -> %0D, LF -> %0A; other control characters
    become '?' (they would garble the log)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(text)


def escape_property(text: str) -> str:
    """A command property value: as `escape_data`, and ``:`` -> %3A, ``,`` -> %2C."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str | int | None) -> str:
    """One workflow command line, e.g. ``::warning file=a.txt,line=3,title=T::message``."""
    props = ",".join(
        f"{key}={escape_property(str(value))}"
        for key, value in properties.items()
        if value is not None
    )
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


# Workflow commands by severity: an info finding is a notice.
COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def annotation_lines(found: Iterable[Finding], base: Path | None = None) -> list[str]:
    """One command per finding, at its file and line; none for an ignored one."""
    lines = []
    for finding in found:
        if finding.ignored:
            continue
        file = line = None
        if finding.location is not None:
            file = relative_path(finding.location.file, base)
            line = finding.location.line
        title = finding.title
        lines.append(
            command(COMMANDS[finding.severity], finding.text, file=file, line=line, title=title)
        )
    return lines


def _could_not_finish(report: Report | None) -> list[str]:
    """One error for the lookups that failed, without a file: never read as a finding."""
    if report is None or not report.has_errors:
        return []
    message = "some lookups failed, so the report is incomplete and recommends no image "
    message += "(exit 3):\n" + "\n".join(report.errors)
    return [command("error", message, title="wheelcheck could not finish")]


def render_github(report: Report, policy: Policy | None = None, *, base: Path | None = None) -> str:
    """The workflow commands for `report` under `policy`, one per line."""
    lines = annotation_lines(findings(report, policy or Policy()), base)
    lines += _could_not_finish(report)
    recommendation = report.recommendation
    if recommendation.image:
        lines.append(
            command(
                "notice",
                "\n".join(recommendation.reasons) or recommendation.image,
                title=f"wheelcheck recommends {recommendation.image}",
            )
        )
    return "".join(line + "\n" for line in lines)


def render_dockerfiles_github(
    results: Sequence[DockerfileReport], *, base: Path | None = None
) -> str:
    """The workflow commands for the Dockerfiles: per file, its failed lookups first, then
    its findings."""
    lines = []
    for result in results:
        lines += _could_not_finish(result.report)
        lines += annotation_lines(result.findings, base)
    return "".join(line + "\n" for line in lines)


def render_plan_github(plan: Plan, *, base: Path | None = None) -> str:
    """The workflow commands of a plan: a ``::notice`` per change within your specifiers, a
    ``::warning`` per riskier change (another major version, outside your specifier, a
    swap) and per package that must still build, each at its requirement's file and line;
    failed lookups as one error without a file; last, the answer as a notice."""
    from wheelcheck._report.plan_findings import plan_findings
    from wheelcheck._report.plan_rows import dependency_lines

    lines = annotation_lines(plan_findings(plan), base)
    if plan.has_errors:
        message = "some lookups failed, so no plan is proposed (exit 3):\n"
        lines.append(
            command("error", message + "\n".join(plan.errors), title="wheelcheck could not finish")
        )
    answer = [plan.summary, *dependency_lines(plan), *plan.notes]
    lines.append(command("notice", "\n".join(answer), title=f"wheelcheck plan: {plan.outcome}"))
    return "".join(line + "\n" for line in lines)


def append_step_summary(markdown: Callable[[], str], environ: Mapping[str, str]) -> Path | None:
    """Append the Markdown report `markdown` makes to $GITHUB_STEP_SUMMARY when running in
    GitHub Actions; return the file written, or None when not in Actions."""
    summary = environ.get("GITHUB_STEP_SUMMARY")
    if environ.get("GITHUB_ACTIONS") != "true" or not summary:
        return None
    path = Path(summary)
    with path.open("a", encoding="utf-8") as stream:
        stream.write(markdown() + "\n")
    return path


class GithubFormat(ReportFormat):
    """Annotations on stdout; inside GitHub Actions also the Markdown report in the step
    summary (`environ`, default os.environ, says where)."""

    def __init__(self, *, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def write_check(self, report: Report, policy: Policy, stream: TextIO) -> None:
        from wheelcheck._report.markdown import render_markdown

        stream.write(render_github(report, policy))
        append_step_summary(lambda: render_markdown(report, policy), self.environ)

    def write_dockerfiles(self, results: Sequence[DockerfileReport], stream: TextIO) -> None:
        from wheelcheck._report.markdown import render_dockerfiles_markdown

        stream.write(render_dockerfiles_github(results))
        append_step_summary(lambda: render_dockerfiles_markdown(results), self.environ)

    def write_plan(self, plan: Plan, stream: TextIO) -> None:
        from wheelcheck._report.plan_markdown import render_plan_markdown

        stream.write(render_plan_github(plan))
        append_step_summary(lambda: render_plan_markdown(plan), self.environ)
