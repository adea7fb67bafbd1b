"""Writing a DockerfileReport: table and JSON, and for CI markdown, SARIF 2.1.0 and GitHub
workflow-command annotations, each finding located by its Dockerfile line."""

from __future__ import annotations

import json
from typing import Any, TextIO, assert_never

from wheelcheck import __version__
from wheelcheck._dockerfile.analysis import DockerfileReport, redact_command
from wheelcheck._findings import RULES, Severity
from wheelcheck._report import Format, write_report

__all__ = ["write_dockerfile_report"]

DOCS = "docs/dockerfile-rules.md"
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def write_dockerfile_report(
    result: DockerfileReport, fmt: Format, stream: TextIO, *, color: bool | None = None
) -> None:
    """Write `result` to `stream` in `fmt` (every member of Format is handled)."""
    match fmt:
        case Format.TABLE:
            _table(result, stream, color)
        case Format.JSON:
            json.dump(result.to_dict(), stream, indent=2)
            stream.write("\n")
        case Format.MARKDOWN:
            _markdown(result, stream)
        case Format.SARIF:
            json.dump(_sarif(result), stream, indent=2)
            stream.write("\n")
        case Format.GITHUB:
            _github(result, stream)
        case _:
            assert_never(fmt)


def _table(result: DockerfileReport, stream: TextIO, color: bool | None) -> None:
    df = result.dockerfile
    stream.write(f"{df.path} (build context {result.installs.context})\n")
    for stage in df.stages:
        base = result.bases[stage.index]
        what = base.note or ""
        if base.targets:
            t = base.targets[0]
            what = f"Python {t.python_full_version}, {t.distro or t.libc.value}"
        label = f" AS {stage.name}" if stage.name else ""
        stream.write(f"  line {stage.line}: FROM {stage.base}{label}  [{what}]\n")
    for pip in result.installs.pips:
        stream.write(f"  line {pip.line}: {redact_command(pip.command)}\n")
    if result.index is not None:
        line = f"index: {result.index.url} ({result.index.source})"
        if result.index.dockerfile_url and result.index.dockerfile_url != result.index.url:
            line += f"; the Dockerfile names {result.index.dockerfile_url}"
        stream.write(line + "\n")
    stream.write("\n")
    if not result.findings:
        stream.write("no findings\n")
    for finding in result.findings:
        hadolint = f" (hadolint {finding.rule.hadolint})" if finding.rule.hadolint else ""
        stream.write(
            f"{df.path}:{finding.line}: {finding.severity.value} {finding.rule.id} "
            f"{finding.rule.name}{hadolint}: {finding.message}\n"
        )
        stream.write(f"    fix: {finding.fix}\n")
    for note in result.notes:
        stream.write(f"note: {note}\n")
    if result.report is not None and result.report.packages:
        stream.write("\nWhat pip installs on each target:\n")
        write_report(result.report, Format.TABLE, stream, color=color)


def _markdown_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown(result: DockerfileReport, stream: TextIO) -> None:
    df = result.dockerfile
    stream.write(f"### wheelcheck dockerfile: `{df.path}`\n\n")
    if result.index is not None:
        stream.write(f"Index: `{result.index.url}` ({result.index.source})\n\n")
    if result.report is not None and result.report.has_errors:
        # Exit 3: say so first, so no finding reads as the whole answer.
        stream.write("**❗ incomplete**: some lookups failed, so no base image is recommended:\n\n")
        stream.writelines(f"- {_markdown_cell(error)}\n" for error in result.report.errors)
        stream.write("\n")
    if not result.findings:
        stream.write("No findings.\n")
        return
    stream.write("| line | severity | rule | message | fix |\n|---|---|---|---|---|\n")
    for f in result.findings:
        rule = f"{f.rule.id} {f.rule.name}" + (f" ({f.rule.hadolint})" if f.rule.hadolint else "")
        stream.write(
            f"| {f.line} | {f.severity.value} | {rule} | {_markdown_cell(f.message)} "
            f"| {_markdown_cell(f.fix or '')} |\n"
        )


def _sarif(result: DockerfileReport) -> dict[str, Any]:
    used = sorted({f.rule.id for f in result.findings})
    rules = [
        {
            "id": rule_id,
            "name": RULES[rule_id].name,
            "shortDescription": {"text": RULES[rule_id].short},
            "help": {"text": RULES[rule_id].help},
            "properties": {"hadolint": RULES[rule_id].hadolint},
        }
        for rule_id in used
    ]
    results = [
        {
            "ruleId": f.rule.id,
            "ruleIndex": used.index(f.rule.id),
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f"{f.message}. Fix: {f.fix}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": result.dockerfile.path},
                        "region": {"startLine": f.line},
                    }
                }
            ],
        }
        for f in result.findings
    ]
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "wheelcheck",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github(result: DockerfileReport, stream: TextIO) -> None:
    if result.report is not None and result.report.has_errors:
        from wheelcheck._report.github import command

        message = "some lookups failed, so the report is incomplete and recommends no image "
        message += "(exit 3):\n" + "\n".join(result.report.errors)
        stream.write(command("error", message, title="wheelcheck could not finish") + "\n")
    path = _escape_property(result.dockerfile.path)
    for f in result.findings:
        title = _escape_property(f"{f.rule.id} {f.rule.name}")
        stream.write(
            f"::{_GITHUB_LEVEL[f.severity]} file={path},line={f.line},title={title}::"
            f"{_escape_data(f'{f.message}. Fix: {f.fix}')}\n"
        )
