"""The SARIF 2.1.0 report, for code scanning (GitHub, GitLab, Azure DevOps).

One result per finding (see wheelcheck._findings), located at the requirement's file and line,
with a stable rule id and fingerprint. `error` level when the finding fails the run under
--fail-on, `warning` otherwise; ignored packages carry a suppression with the team's reason.
Lookup failures are tool execution notifications, never results.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from wheelcheck import __version__
from wheelcheck._findings import CHECK_RULES, Finding, Policy, Severity, findings, relative_path
from wheelcheck._report.text import printable
from wheelcheck.models import Report, Verdict

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"
)
FINGERPRINT_KEY = "wheelcheck/v1"


def plain(text: str) -> str:
    """`text` for a SARIF plain-text message: control characters become '?', and square
    brackets are escaped (SARIF 3.11.6) so no ``[text](url)`` becomes an embedded link."""
    return printable(text).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _artifact(file: str, base: Path | None) -> dict[str, Any]:
    path = relative_path(file, base)
    if Path(path).is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path), "uriBaseId": "%SRCROOT%"}


def _result(finding: Finding, rule_index: int, base: Path | None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule.id,
        "ruleIndex": rule_index,
        "level": "error" if finding.severity is Severity.ERROR else "warning",
        "message": {"text": plain(finding.message)},
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
    }
    subject = finding.subject
    if subject is not None:
        result["properties"] = {
            "package": subject.package,
            "version": subject.version,
            "targets": [t.id for t in subject.targets],
            "direct": subject.direct,
            "via": list(subject.via),
            "failsRun": finding.severity is Severity.ERROR,
        }
    if finding.location is not None:
        physical: dict[str, Any] = {"artifactLocation": _artifact(finding.location.file, base)}
        if finding.location.line is not None:
            physical["region"] = {"startLine": finding.location.line}
        result["locations"] = [{"physicalLocation": physical}]
    if finding.ignored:
        suppression: dict[str, Any] = {"kind": "external", "status": "accepted"}
        if finding.ignore_reason:
            suppression["justification"] = printable(finding.ignore_reason)
        result["suppressions"] = [suppression]
    return result


def _rules() -> list[dict[str, Any]]:
    return [
        {
            "id": rule.id,
            "name": rule.name,
            "shortDescription": {"text": rule.short},
            "fullDescription": {"text": rule.help},
            "help": {"text": rule.help},
            "defaultConfiguration": {"level": "warning"},
            "properties": {"tags": ["packaging", "docker", "wheels"]},
        }
        for rule in CHECK_RULES
    ]


def _notifications(report: Report) -> list[dict[str, Any]]:
    messages = [
        f"{package.name} on {target_id}: {result.reason}"
        for package in report.packages
        for target_id, result in package.results.items()
        if result.verdict is Verdict.ERROR
    ]
    messages += list(report.errors)
    return [{"level": "error", "message": {"text": plain(m)}} for m in messages]


def build_sarif(
    report: Report, policy: Policy | None = None, *, base: Path | None = None
) -> dict[str, Any]:
    """The SARIF log of `report` under `policy` as a dict; file locations are relative to
    `base` (default: the working directory, the repository root in CI)."""
    policy = policy or Policy()
    index = {rule.id: i for i, rule in enumerate(CHECK_RULES)}
    results = [_result(f, index[f.rule.id], base) for f in findings(report, policy)]
    notifications = _notifications(report)
    invocation: dict[str, Any] = {"executionSuccessful": not report.has_errors}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "wheelcheck",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": _rules(),
                    }
                },
                "invocations": [invocation],
                "results": results,
                "properties": {
                    "recommendation": report.recommendation.to_dict(),
                    "targets": [t.id for t in report.targets],
                    "scope": report.scope,
                },
            }
        ],
    }


def render_sarif(report: Report, policy: Policy | None = None) -> str:
    return json.dumps(build_sarif(report, policy), indent=2, ensure_ascii=False) + "\n"


def write_sarif(report: Report, stream: TextIO, *, policy: Policy | None = None) -> None:
    stream.write(render_sarif(report, policy))
