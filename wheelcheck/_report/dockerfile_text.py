"""A Dockerfile's findings in the human report: one line each, as hadolint prints them
(``Dockerfile:3 WCD004 warning: ...``); -v adds each rule's name (and hadolint's) and fix,
and first the stages, installs and index read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.text import Text

from wheelcheck._report.text import long_lines, printable

if TYPE_CHECKING:
    from wheelcheck._dockerfile.analysis import DockerfileReport
    from wheelcheck._dockerfile.base import BaseImage
    from wheelcheck._findings import Finding

__all__ = ["dockerfile_lines", "finding_lines"]

_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def finding_lines(path: str, finding: Finding) -> list[str]:
    """``Dockerfile:3 WCD004 warning: <message>``: one line, continued on indented lines
    only past MAX_LINE characters (nothing of the message is cut)."""
    where = f"{path}:{finding.line}" if finding.line is not None else path
    return long_lines(f"{where} {finding.rule.id} {finding.severity.value}: {finding.message}")


def _rule_text(finding: Finding) -> str:
    """-v: ``    pip-cache (hadolint DL3042); fix: ...``."""
    rule = finding.rule
    text = f"    {rule.name}" + (f" (hadolint {rule.hadolint})" if rule.hadolint else "")
    return text + (f"; fix: {finding.fix}" if finding.fix is not None else "")


def _base_text(base: BaseImage) -> str:
    if base.targets:
        target = base.targets[0]
        return f"Python {target.python_full_version}, {target.distro or target.libc.value}"
    return base.note or ""


def _details(result: DockerfileReport) -> list[str]:
    """-v: the stages and installs read, and the index checked."""
    from wheelcheck._dockerfile.analysis import redact_command

    df = result.dockerfile
    lines = [f"{df.path} (build context {result.installs.context})"]
    for stage in df.stages:
        label = f" AS {stage.name}" if stage.name else ""
        base = _base_text(result.bases[stage.index])
        lines.append(f"  line {stage.line}: FROM {stage.base}{label}  [{base}]")
    lines += [f"  line {pip.line}: {redact_command(pip.command)}" for pip in result.installs.pips]
    index = result.index
    if index is not None:
        named = index.dockerfile_url
        also = f"; the Dockerfile names {named}" if named and named != index.url else ""
        lines.append(f"index: {index.url} ({index.source}){also}")
    return [shown for line in lines for shown in long_lines(line)]


def dockerfile_lines(result: DockerfileReport, verbosity: int = 0) -> list[RenderableType]:
    """The findings by line (-v: with their fixes, after the stages read), then the notes."""
    path = result.dockerfile.path
    lines: list[RenderableType] = []
    if verbosity:
        lines += [Text(line, style="dim") for line in _details(result)] + [Text("")]
    for finding in result.findings:
        style = _SEVERITY_STYLE.get(finding.severity.value, "")
        lines += [Text(line, style=style) for line in finding_lines(path, finding)]
        if verbosity:
            lines += [Text(line, style="dim") for line in long_lines(_rule_text(finding))]
    if not result.findings:
        lines.append(Text(f"{printable(path)}: no findings"))
    notes = (line for note in result.notes for line in long_lines(f"note: {note}"))
    lines += [Text(line, style="dim") for line in notes]
    return lines
