"""The SARIF 2.1.0 report, for code scanning (GitHub, GitLab, Azure DevOps).

One result per finding (see wheelcheck._findings; a plan's changes and builds are findings
too), located at its file and line (the requirement's, or the Dockerfile's), with a stable
rule id and fingerprint. The level is the finding's severity: for `check`, `error` when it
fails the run under --fail-on, `warning` otherwise; for `plan`, its rule's (a change to
another major version warns). Ignored packages carry a suppression with the team's reason.
Lookup failures are tool execution notifications, never results.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

from wheelcheck import __version__
from wheelcheck._findings import (
    CHECK_RULES,
    DOCKERFILE_RULES,
    PLAN_RULES,
    Finding,
    Policy,
    Rule,
    Severity,
    findings,
    relative_path,
)
from wheelcheck._report.interface import ReportFormat
from wheelcheck._report.text import printable
from wheelcheck.models import Plan, Report, Verdict

if TYPE_CHECKING:
    from wheelcheck._dockerfile.analysis import DockerfileReport

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


# SARIF's levels: an info finding is a note.
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
TAGS = ["packaging", "docker", "wheels"]


def _result(finding: Finding, rule_index: int, base: Path | None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule.id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": plain(finding.text)},
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


def _rule(rule: Rule) -> dict[str, Any]:
    properties: dict[str, Any] = {"tags": TAGS}
    if rule.hadolint is not None:
        properties["hadolint"] = rule.hadolint
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.short},
        "fullDescription": {"text": rule.help},
        "help": {"text": rule.help},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": properties,
    }


def _notifications(report: Report) -> list[dict[str, Any]]:
    messages = [
        f"{package.name} on {target_id}: {result.reason}"
        for package in report.packages
        for target_id, result in package.results.items()
        if result.verdict is Verdict.ERROR
    ]
    messages += list(report.errors)
    return [{"level": "error", "message": {"text": plain(m)}} for m in messages]


def _log(
    rules: Sequence[Rule],
    found: Iterable[Finding],
    checks: Sequence[Report],
    base: Path | None,
    properties: dict[str, Any] | None = None,
    errors: Sequence[str] = (),
) -> dict[str, Any]:
    """A SARIF log of one run: `rules` (every rule of the command), one result per finding,
    and the lookups that failed in `checks` (and `errors`) as notifications, never as
    results."""
    index = {rule.id: i for i, rule in enumerate(rules)}
    notifications = [n for report in checks for n in _notifications(report)]
    notifications += [{"level": "error", "message": {"text": plain(e)}} for e in errors]
    invocation: dict[str, Any] = {
        "executionSuccessful": not errors and not any(report.has_errors for report in checks)
    }
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "wheelcheck",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule(rule) for rule in rules],
            }
        },
        "invocations": [invocation],
        "results": [_result(f, index[f.rule.id], base) for f in found],
    }
    if properties is not None:
        run["properties"] = properties
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def build_sarif(
    report: Report, policy: Policy | None = None, *, base: Path | None = None
) -> dict[str, Any]:
    """The SARIF log of `report` under `policy` as a dict; file locations are relative to
    `base` (default: the working directory, the repository root in CI)."""
    properties = {
        "recommendation": report.recommendation.to_dict(),
        "targets": [t.id for t in report.targets],
        "scope": report.scope,
    }
    found = findings(report, policy or Policy())
    return _log(CHECK_RULES, found, [report], base, properties)


def build_dockerfile_sarif(
    results: Sequence[DockerfileReport], *, base: Path | None = None
) -> dict[str, Any]:
    """The SARIF log of `wheelcheck dockerfile`: one run for all the Dockerfiles, each
    finding located at its Dockerfile's line."""
    found = [finding for result in results for finding in result.findings]
    checks = [result.report for result in results if result.report is not None]
    return _log(DOCKERFILE_RULES, found, checks, base)


def build_plan_sarif(plan: Plan, *, base: Path | None = None) -> dict[str, Any]:
    """The SARIF log of `wheelcheck plan`: one result per proposed change and per package
    that must still build (rules WCP001..), located at its requirement's file and line; the
    answer and the constraints in the run's properties; failed lookups as notifications."""
    from wheelcheck._report.plan_findings import plan_findings

    found = plan_findings(plan)
    targets = [t.id for t in plan.targets]
    properties = {
        "outcome": plan.outcome,
        "summary": plan.summary,
        "targets": targets,
        "scope": plan.scope,
        "constraints": list(plan.constraints),
        "notes": list(plan.notes),
    }
    document = _log(PLAN_RULES, found, [], base, properties, errors=plan.errors)
    for result, finding in zip(document["runs"][0]["results"], found, strict=True):
        result["properties"] = {**finding.data, "targets": targets}  # from, to, the marks
    return document


def _dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_sarif(report: Report, policy: Policy | None = None) -> str:
    return _dumps(build_sarif(report, policy))


class SarifFormat(ReportFormat):
    def write_check(self, report: Report, policy: Policy, stream: TextIO) -> None:
        stream.write(render_sarif(report, policy))

    def write_dockerfiles(self, results: Sequence[DockerfileReport], stream: TextIO) -> None:
        stream.write(_dumps(build_dockerfile_sarif(results)))

    def write_plan(self, plan: Plan, stream: TextIO) -> None:
        stream.write(_dumps(build_plan_sarif(plan)))
