"""The Markdown report: compact enough for a pull-request comment or $GITHUB_STEP_SUMMARY.

First the outcome and the recommended image, then only the packages with a finding, each
finding with its reason and its requirement's line, and the whole table folded in a
<details> block. Every text that comes from an index or a requirements file goes through
`escape`, so a package name or a yanked reason cannot add links, images, HTML, mentions or
table cells.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from wheelcheck._findings import Finding, Policy, Severity, findings, outcome, relative_path
from wheelcheck._report.interface import ReportFormat
from wheelcheck._report.labels import target_label
from wheelcheck._report.table import summary_line
from wheelcheck._report.text import printable
from wheelcheck.models import (
    VERDICT_SEVERITY,
    PackageResult,
    Plan,
    Report,
    Target,
    TargetResult,
    Verdict,
)

if TYPE_CHECKING:
    from wheelcheck._dockerfile.analysis import DockerfileReport

# Characters with a meaning in GitHub Markdown inside a line: emphasis, code, links, images,
# tables, HTML, math, strikethrough, emoji shortcodes (:x:), mentions (@x), issue refs (#1).
_SPECIAL = re.compile(r"([\\`*_\[\](){}|~!:@#$^+])")
_WWW = re.compile(r"(?i)(www)\.")
_WHITESPACE = re.compile(r"\s+")

FAILING_MARK = "❌"
WARNING_MARK = "⚠️"
ERROR_MARK = "❗"


def escape(text: str) -> str:
    """`text` as literal Markdown text on one line: control characters become '?', Markdown
    punctuation is backslash-escaped, ``& < >`` become entities, and bare-URL autolinks
    (``scheme:``, ``www.``) are broken: ``[a](https://x)`` stays those characters.
    """
    text = _WHITESPACE.sub(" ", printable(text.replace("\r", " ").replace("\n", " ")))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    return _WWW.sub(r"\1\\.", text)


def code(text: str) -> str:
    """`text` as an inline code span (for file names and images), safe for table cells."""
    clean = _WHITESPACE.sub(" ", printable(text)).replace("|", "\\|")
    fence = "`" * (max((len(m) for m in re.findall(r"`+", clean)), default=0) + 1)
    pad = " " if clean.startswith("`") or clean.endswith("`") else ""
    return f"{fence}{pad}{clean}{pad}{fence}"


def _version_column(package: PackageResult) -> tuple[str, bool]:
    versions = {r.version for r in package.results.values() if r.version}
    if len(versions) > 1:
        return "varies", True
    return (versions.pop() if versions else "-"), False


def _cell(result: TargetResult | None, failing: bool, ignored: bool, per_cell: bool) -> str:
    if result is None:
        return "-"
    label = result.verdict.value
    if per_cell and result.version:
        label += f" {result.version}"
    label = escape(label)
    if result.verdict is Verdict.ERROR:
        return f"{ERROR_MARK} {label}"
    if ignored or result.verdict not in (Verdict.SOURCE, Verdict.MISSING, Verdict.NOT_FOUND):
        return label
    return f"{FAILING_MARK if failing else WARNING_MARK} {label}"


def _table(report: Report, packages: list[PackageResult], policy: Policy) -> list[str]:
    header = ["package", "version", *(escape(target_label(t)) for t in report.targets)]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for package in packages:
        version, per_cell = _version_column(package)
        name = escape(package.name)
        if not package.direct:
            name += " (dep)"
        if package.ignored:
            name += " *(ignored)*"
        cells = [name, escape(version)]
        for target in report.targets:
            result = package.results.get(target.id)
            failing = result is not None and _fails(result, target, policy)
            cells.append(_cell(result, failing, package.ignored, per_cell))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _fails(result: TargetResult, target: Target, policy: Policy) -> bool:
    return policy.fails(VERDICT_SEVERITY[result.verdict], target)


def _where(finding: Finding) -> str:
    if finding.location is None:
        return ""
    where = relative_path(finding.location.file)
    if finding.location.line is not None:
        where += f":{finding.location.line}"
    return f" — {code(where)}"


def _finding_line(finding: Finding) -> str:
    """A finding of `check`: its package (or the tree), targets, reason and location."""
    subject = finding.subject
    assert subject is not None  # the check's findings all have one
    failing = finding.severity is Severity.ERROR
    mark = "" if finding.ignored else (FAILING_MARK if failing else WARNING_MARK) + " "
    targets = ", ".join(escape(target_label(t)) for t in subject.targets)
    if subject.package is None:
        head = f"**dependency tree** cannot be resolved on {targets}"
    else:
        name = escape(subject.package + (f" {subject.version}" if subject.version else ""))
        head = f"**{name}** {escape(outcome(finding.rule))} on {targets}"
    text = f"- {mark}{head}: {escape(subject.reason)}"
    if subject.via:
        text += f" (via {escape('; '.join(subject.via))})"
    if finding.ignored:
        why = f": {escape(finding.ignore_reason)}" if finding.ignore_reason else ""
        text += f" — *ignored{why}*"
    return text + f"{_where(finding)} ({finding.rule.id} {finding.rule.name})"


def _summary(report: Report, found: list[Finding]) -> list[str]:
    """The outcome and the recommended image, then the counts."""
    failing = [f for f in found if f.severity is Severity.ERROR]
    warnings = [f for f in found if f.severity is not Severity.ERROR and not f.ignored]
    ignored = {p.name for p in report.packages if p.ignored}
    if report.has_errors:
        status = f"{ERROR_MARK} incomplete"
    elif failing:
        status = f"{FAILING_MARK} fail"
    else:
        status = "✅ pass"
    image = report.recommendation.image
    if report.recommendation.withheld is not None:
        answer = f"no recommendation ({escape(report.recommendation.withheld)})"
    else:
        answer = f"use {code(image)}" if image else "no image"
    tally = [
        f"{len(failing)} failing",
        f"{len(warnings)} warning{'' if len(warnings) == 1 else 's'}",
    ]
    if ignored:
        tally.append(f"{len(ignored)} ignored")
    return [
        f"### wheelcheck: {status} · {answer}",
        "",
        f"{escape(summary_line(report))} · findings: {', '.join(tally)}",
        "",
    ]


def _failures(head: str, errors: Sequence[str]) -> list[str]:
    """Lookups failed (exit 3): `head` and the errors, first, so no finding reads as the
    whole answer."""
    return [head, "", *(f"- {escape(error)}" for error in errors), ""]


def _findings_section(report: Report, found: list[Finding], policy: Policy) -> list[str]:
    """The packages with a finding, then each finding."""
    out: list[str] = []
    flagged = [
        p
        for p in report.packages
        if any(
            r.verdict in (Verdict.SOURCE, Verdict.MISSING, Verdict.NOT_FOUND)
            for r in p.results.values()
        )
    ]
    if flagged:
        out += [*_table(report, flagged, policy), ""]
    if found:
        out += [*(_finding_line(f) for f in found), ""]
    elif report.packages and not report.has_errors:
        out += ["Every package installs from a wheel on every target.", ""]
    return out


def _recommendation(report: Report) -> list[str]:
    recommendation = report.recommendation
    if recommendation.withheld is not None:
        chosen = f"none ({escape(recommendation.withheld)})"
    else:
        chosen = code(recommendation.image) if recommendation.image else "no single image"
    out = [f"**Recommendation:** {chosen}", ""]
    out += [f"- {escape(reason)}" for reason in recommendation.reasons]
    return [*out, ""] if recommendation.reasons else out


def _appendix(report: Report, policy: Policy) -> list[str]:
    """Every package, folded; the notes; the indexes asked."""
    out: list[str] = []
    if report.packages:
        out.append(f"<details><summary>All {len(report.packages)} packages</summary>")
        out += ["", *_table(report, list(report.packages), policy), "", "</details>", ""]
    if report.notes:
        out += [*(f"> {escape(note)}  " for note in report.notes), ""]
    if report.index_urls:
        out.append("Index: " + ", ".join(code(url) for url in report.index_urls))
    return out


def render_markdown(report: Report, policy: Policy | None = None) -> str:
    """The Markdown report of `report` under `policy` (default: --fail-on missing)."""
    policy = policy or Policy()
    found = findings(report, policy)
    failure = f"**{ERROR_MARK} wheelcheck could not finish** (exit 3, not a finding):"
    out = [
        *_summary(report, found),
        *(_failures(failure, report.errors) if report.has_errors else []),
        *_findings_section(report, found, policy),
        *_recommendation(report),
        *_appendix(report, policy),
    ]
    return "\n".join(out).rstrip("\n") + "\n"


# --- a Dockerfile's report ------------------------------------------------------------------


def _dockerfile_row(finding: Finding) -> str:
    rule = finding.rule
    name = f"{rule.id} {rule.name}" + (f" ({rule.hadolint})" if rule.hadolint else "")
    fix = escape(finding.fix) if finding.fix is not None else ""
    cells = [str(finding.line), finding.severity.value, name, escape(finding.message), fix]
    return "| " + " | ".join(cells) + " |"


def render_dockerfile_markdown(result: DockerfileReport) -> str:
    """One Dockerfile: the index checked, lookups that failed, a table of the findings."""
    out = [f"### wheelcheck dockerfile: {code(result.dockerfile.path)}", ""]
    if result.index is not None:
        out += [f"Index: {code(result.index.url)} ({result.index.source})", ""]
    if result.report is not None and result.report.has_errors:
        head = f"**{ERROR_MARK} incomplete**: some lookups failed, so no base image is recommended:"
        out += _failures(head, result.report.errors)
    if not result.findings:
        return "\n".join([*out, "No findings."]) + "\n"
    out += ["| line | severity | rule | message | fix |", "|---|---|---|---|---|"]
    out += [_dockerfile_row(f) for f in result.findings]
    return "\n".join(out) + "\n"


def render_dockerfiles_markdown(results: Sequence[DockerfileReport]) -> str:
    """Each Dockerfile's section, in order, a blank line apart."""
    return "\n".join(render_dockerfile_markdown(result) for result in results)


class MarkdownFormat(ReportFormat):
    def write_check(self, report: Report, policy: Policy, stream: TextIO) -> None:
        stream.write(render_markdown(report, policy))

    def write_dockerfiles(self, results: Sequence[DockerfileReport], stream: TextIO) -> None:
        stream.write(render_dockerfiles_markdown(results))

    def write_plan(self, plan: Plan, stream: TextIO) -> None:
        from wheelcheck._report.plan_markdown import render_plan_markdown

        stream.write(render_plan_markdown(plan))
