"""The `github` format: GitHub Actions workflow commands, so findings appear on the diff.

Each finding becomes ``::error`` (it fails the run under --fail-on) or ``::warning``, located
at the requirement's file and line; the recommendation is a ``::notice``. Ignored packages get
no annotation (the team accepted them; the summary still lists them). Lookup failures are one
``::error`` titled as a wheelcheck failure, without a file, so they never read as findings.
Inside GitHub Actions (GITHUB_ACTIONS=true and GITHUB_STEP_SUMMARY set) the Markdown report is
also appended to the step summary.

Every value is escaped as GitHub's toolkit does (``%``, CR, LF; also ``:`` and ``,`` in
properties), so no name or reason can end the command early or start another one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from wheelcheck._findings import Finding, Policy, Severity, findings, relative_path
from wheelcheck._report.text import printable
from wheelcheck.models import Report


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


def _annotation(finding: Finding, base: Path | None) -> str:
    file = line = None
    if finding.location is not None:
        file = relative_path(finding.location.file, base)
        line = finding.location.line
    return command(
        "error" if finding.severity is Severity.ERROR else "warning",
        finding.message,
        file=file,
        line=line,
        title=finding.title,
    )


def render_github(report: Report, policy: Policy | None = None, *, base: Path | None = None) -> str:
    """The workflow commands for `report` under `policy`, one per line."""
    policy = policy or Policy()
    lines = [_annotation(f, base) for f in findings(report, policy) if not f.ignored]
    if report.has_errors:
        lines.append(
            command(
                "error",
                "some lookups failed, so the report is incomplete and recommends no image "
                "(exit 3):\n" + "\n".join(report.errors),
                title="wheelcheck could not finish",
            )
        )
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


def append_step_summary(
    report: Report, policy: Policy | None, environ: Mapping[str, str]
) -> Path | None:
    """Append the Markdown report to $GITHUB_STEP_SUMMARY when running in GitHub Actions;
    return the file written, or None when not in Actions."""
    summary = environ.get("GITHUB_STEP_SUMMARY")
    if environ.get("GITHUB_ACTIONS") != "true" or not summary:
        return None
    from wheelcheck._report.markdown import render_markdown

    path = Path(summary)
    with path.open("a", encoding="utf-8") as stream:
        stream.write(render_markdown(report, policy) + "\n")
    return path


def write_github(
    report: Report,
    stream: TextIO,
    *,
    policy: Policy | None = None,
    environ: Mapping[str, str] | None = None,
) -> None:
    """Write the workflow commands to `stream`; in GitHub Actions also the step summary."""
    stream.write(render_github(report, policy))
    append_step_summary(report, policy, os.environ if environ is None else environ)
