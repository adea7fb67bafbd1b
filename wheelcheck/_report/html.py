"""The HTML report: one self-contained page to keep as a CI artifact or open in a browser.

The answer first (the recommendation, in the words the report gives it, or why it is
withheld), then the package x target matrix coloured by verdict with the packages that need
attention on top, their reasons, the build needs, and the size of each candidate base as a
bar chart. Styles are inline in the page; it has no script and loads nothing (a plan's page,
`plan_html.py`, is built the same way). Every text taken from an index, a requirements file
or a Dockerfile goes through `text` (html.escape, control characters shown as '?'), so a
package name cannot add markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from html import escape
from typing import TYPE_CHECKING, TextIO

from wheelcheck._findings import Finding, Policy, Severity, findings
from wheelcheck._report.attention import remedy_sentences
from wheelcheck._report.interface import ReportFormat
from wheelcheck._report.labels import target_label
from wheelcheck._report.text import printable
from wheelcheck._urls import redact_text
from wheelcheck.models import (
    BaseEstimate,
    BuildNeeds,
    PackageResult,
    Plan,
    Remedy,
    Report,
    TargetResult,
    Verdict,
)

if TYPE_CHECKING:
    from wheelcheck._dockerfile.analysis import DockerfileReport

# The background of each verdict's cells (and of its key). Distinct values, so that a test
# can find each verdict's colour among the pixels of a screenshot.
VERDICT_COLOR: dict[Verdict, str] = {
    Verdict.BINARY: "#a5d6a7",
    Verdict.PURE: "#80deea",
    Verdict.SOURCE: "#ffcc80",
    Verdict.MISSING: "#ef9a9a",
    Verdict.NOT_FOUND: "#f48fb1",
    Verdict.UNCHECKED: "#ce93d8",
    Verdict.SKIPPED: "#e8eaf6",
    Verdict.ERROR: "#b39ddb",
}
# The segments of a candidate base's bar: the image, the packages, the runtime libraries a
# build keeps (multi-stage), the toolchain a single-stage build keeps on top.
BAR_COLOR = {"base": "#78909c", "packages": "#42a5f5", "runtime": "#5c6bc0", "toolchain": "#bcaaa4"}
# Verdicts that install from a wheel (or need no install): every other one needs attention.
WHEEL_VERDICTS = (Verdict.BINARY, Verdict.PURE, Verdict.SKIPPED)

_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 24px; color: #212121; background: #fff; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 18px; margin: 28px 0 8px; }
.withheld { color: #6a1b9a; }
.status { font-weight: bold; }
table { border-collapse: collapse; }
th, td { border: 1px solid #bdbdbd; padding: 2px 8px; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
summary { font-size: 18px; font-weight: bold; margin: 28px 0 8px; }
code, pre { font: 13px/1.4 ui-monospace, monospace; }
h1 code, h2 code { font-size: inherit; }
td ul { margin: 4px 0; padding-left: 20px; }
pre { background: #f5f5f5; padding: 8px; overflow-x: auto; }
.key span { display: inline-block; padding: 0 8px; margin-right: 6px; border: 1px solid #bdbdbd; }
.bars td { border: none; padding: 4px 8px 4px 0; }
.bars code { white-space: nowrap; }
.bar { display: flex; width: 360px; height: 18px; background: #eceff1; }
.bar div { height: 100%; }
.problem { color: #b71c1c; }
.pass { color: #1b5e20; }
.attention { color: #e65100; }
tr.marked td { background: #fff3e0; font-weight: bold; }
""" + "".join(
    f".v-{verdict.value} {{ background: {color}; }}\n" for verdict, color in VERDICT_COLOR.items()
)


def text(value: str) -> str:
    """`value` as HTML text or attribute: escaped, control characters shown as '?', and any
    credentials in a URL inside it redacted."""
    return escape(printable(redact_text(value)), quote=True)


def _code(value: str) -> str:
    return f"<code>{text(value)}</code>"


def _items(lines: Iterable[str]) -> list[str]:
    """An HTML list of already escaped `lines` (nothing when there are none)."""
    items = [f"<li>{line}</li>" for line in lines]
    return ["<ul>", *items, "</ul>"] if items else []


def page(title: str, body: Sequence[str]) -> str:
    """A whole document: inline style, no script, nothing loaded from elsewhere."""
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{text(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
    ]
    return "\n".join([*head, *body, "</body>", "</html>"]) + "\n"


# --- the answer -----------------------------------------------------------------------------


def _status(report: Report, found: list[Finding]) -> str:
    if report.has_errors:
        return "incomplete: some lookups failed (exit 3)"
    failing = sum(1 for f in found if f.severity is Severity.ERROR)
    if failing:
        return f"fail: {failing} finding{'' if failing == 1 else 's'} at or above --fail-on"
    return "pass: nothing at or above --fail-on"


def answer(report: Report, policy: Policy | None) -> list[str]:
    """The recommendation as the report words it (or why it is withheld), its reasons, and
    the outcome under `policy` (a check's; None for a Dockerfile's, which has its own)."""
    recommendation = report.recommendation
    if recommendation.withheld is not None:
        head = f'<h1 class="withheld">Recommendation: none ({text(recommendation.withheld)})</h1>'
    else:
        head = f"<h1>Recommendation: {text(recommendation.image or 'no single image')}</h1>"
    out = [head, *_items(text(reason) for reason in recommendation.reasons)]
    if recommendation.unknown:
        unknown = ", ".join(text(name) for name in recommendation.unknown)
        out.append(f"<p>No verdict on every target for: {unknown}</p>")
    if policy is not None:
        status = _status(report, findings(report, policy))
        out.append(f'<p class="status">{text(status)}</p>')
    return out


def problems(report: Report) -> list[str]:
    """Lookups that failed and trees that cannot be resolved, before anything else."""
    labels = {t.id: target_label(t) for t in report.targets}
    lines = [
        f"conflict on {text(labels.get(target_id, target_id))}: {text(conflict)}"
        for target_id, conflict in report.conflicts.items()
    ]
    lines += [f"error: {text(error)}" for error in report.errors]
    if not lines:
        return []
    return ['<div class="problem">', *_items(lines), "</div>"]


# --- the matrix -----------------------------------------------------------------------------


def needs_attention(package: PackageResult) -> bool:
    """True when some target does not install `package` from a wheel."""
    return any(r.verdict not in WHEEL_VERDICTS for r in package.results.values())


def _cell(result: TargetResult | None, per_cell: bool) -> str:
    if result is None:
        return "<td>-</td>"
    label = result.verdict.value
    if per_cell and result.version:
        label += f" {result.version}"
    verdict = result.verdict.value
    return f'<td class="v-{verdict}" title="{text(result.reason)}">{text(label)}</td>'


def _row(report: Report, package: PackageResult) -> str:
    versions = {r.version for r in package.results.values() if r.version}
    per_cell = len(versions) > 1
    version = "varies" if per_cell else (versions.pop() if versions else "-")
    name = text(package.name) + ("" if package.direct else " (dep)")
    if package.ignored:
        name += " <i>(ignored)</i>"
    cells = [_cell(package.results.get(t.id), per_cell) for t in report.targets]
    return f"<tr><th>{name}</th><td>{text(version)}</td>{''.join(cells)}</tr>"


def _key(report: Report) -> str:
    """The colours of the verdicts this report has, with their counts."""
    counts: dict[Verdict, int] = {}
    for package in report.packages:
        for result in package.results.values():
            counts[result.verdict] = counts.get(result.verdict, 0) + 1
    spans = [
        f'<span class="v-{v.value}">{v.value}: {counts[v]}</span>' for v in Verdict if v in counts
    ]
    return f'<p class="key">{"".join(spans)}</p>'


def _table(report: Report, packages: Sequence[PackageResult]) -> list[str]:
    header = "".join(f"<th>{text(target_label(t))}</th>" for t in report.targets)
    return [
        '<table class="matrix">',
        f"<thead><tr><th>package</th><th>version</th>{header}</tr></thead>",
        "<tbody>",
        *(_row(report, p) for p in packages),
        "</tbody>",
        "</table>",
    ]


def matrix(report: Report) -> list[str]:
    """The count, the colour key and the packages that need attention on every target."""
    if not report.packages:
        return ["<p>Nothing to check.</p>"]
    attention = [p for p in report.packages if needs_attention(p)]
    wheels = len(report.packages) - len(attention)
    targets = len(report.targets)
    summary = (
        f"{len(report.packages)} packages, {targets} target{'' if targets == 1 else 's'}: "
        f"{wheels} install from wheels everywhere; {len(attention)} need attention"
    )
    out = [f"<p>{text(summary)}</p>", _key(report)]
    if not attention:
        return [*out, "<p>Every package installs from a wheel on every target.</p>"]
    return [*out, *_table(report, attention)]


def wheel_matrix(report: Report) -> list[str]:
    """The rest of the matrix, after the advice: the packages with a wheel everywhere."""
    wheels = [p for p in report.packages if not needs_attention(p)]
    if not wheels:
        return []
    many = len(wheels) != 1
    summary = f"{len(wheels)} package{'s' if many else ''} install{'' if many else 's'} from wheels"
    summary += " on every target"
    return [f"<details open><summary>{summary}</summary>", *_table(report, wheels), "</details>"]


def _grouped(
    report: Report, package: PackageResult
) -> dict[tuple[Verdict, str | None, str], list[str]]:
    """The distinct (verdict, version, reason) of a package that needs attention, with the
    targets each applies to."""
    labels = {t.id: target_label(t) for t in report.targets}
    seen: dict[tuple[Verdict, str | None, str], list[str]] = {}
    for target_id, result in package.results.items():
        if result.verdict not in WHEEL_VERDICTS:
            key = (result.verdict, result.version, result.reason)
            seen.setdefault(key, []).append(labels.get(target_id, target_id))
    return seen


def reasons(report: Report) -> list[str]:
    """Why each package that needs attention does, once per distinct reason."""
    lines = []
    for package in report.packages:
        for (verdict, version, reason), where in _grouped(report, package).items():
            name = package.name + (f" {version}" if version else "")
            lines.append(
                f"<b>{text(name)}</b> {verdict.value} on {text(', '.join(where))}: {text(reason)}"
            )
    return ["<h2>Needs attention</h2>", *_items(lines)] if lines else []


# --- build needs, sizes ---------------------------------------------------------------------


def _install_line(build: BuildNeeds) -> str:
    command = "apk add" if build.package_manager == "apk" else "apt-get install"
    return f"{command} {' '.join(build.system_packages)}"


def _build_text(build: BuildNeeds) -> str:
    if build.kind == "pure":
        return "pure-Python sdist, builds without a compiler"
    if build.kind == "unknown":
        return f"could not tell pure from native ({text(build.evidence)})"
    line = f"needs {text(', '.join(build.toolchains))}: {_code(_install_line(build))}"
    if build.runtime_packages:
        line += f"; keep at run time: {_code(' '.join(build.runtime_packages))}"
    source = f"; source: {text(build.source)}" if build.source else ""
    return f"{line} ({text(build.evidence)}){source}"


def _remedy_html(remedy: Remedy) -> str:
    """The table report's sentences on avoiding the build, then the alternatives as a list."""
    sentences = "<br>".join(text(sentence) for sentence in remedy_sentences(remedy))
    return sentences + "".join(_items(text(f"use {alt}") for alt in remedy.alternatives))


def _distinct(
    report: Report, package: PackageResult, render: Callable[[TargetResult], str | None]
) -> dict[str, list[str]]:
    """Each distinct `render` (HTML) of `package`'s source builds, with its targets."""
    labels = {t.id: target_label(t) for t in report.targets}
    seen: dict[str, list[str]] = {}
    for target_id, result in package.results.items():
        shown = render(result) if result.verdict is Verdict.SOURCE else None
        if shown is not None:
            seen.setdefault(shown, []).append(labels.get(target_id, target_id))
    return seen


def _build_cell(result: TargetResult) -> str | None:
    return None if result.build is None else _build_text(result.build)


def _remedy_cell(result: TargetResult) -> str | None:
    return None if result.remedy is None else _remedy_html(result.remedy)


def _rows_table(title: str, column: str, rows: list[tuple[str, list[str], str]]) -> list[str]:
    """A titled table of (package, targets, HTML cell) rows; nothing when there are none."""
    if not rows:
        return []
    head = f"<tr><th>package</th><th>targets</th><th>{column}</th></tr>"
    body = [
        f"<tr><th>{text(name)}</th><td>{text(', '.join(where))}</td><td>{cell}</td></tr>"
        for name, where, cell in rows
    ]
    return [f"<h2>{title}</h2>", "<table>", f"<thead>{head}</thead>", "<tbody>", *body, "</tbody>",
            "</table>"]  # fmt: skip


def build_needs(report: Report) -> list[str]:
    """Per package built from source: what the build takes, then how to avoid it; each once
    for all the targets where it is the same."""
    needs: list[tuple[str, list[str], str]] = []
    remedies: list[tuple[str, list[str], str]] = []
    for package in report.packages:
        needs += [(package.name, w, c) for c, w in _distinct(report, package, _build_cell).items()]
        remedies += [
            (package.name, w, c) for c, w in _distinct(report, package, _remedy_cell).items()
        ]
    return [
        *_rows_table("Build needs", "what the build needs", needs),
        *_rows_table("How to avoid the builds", "checked on the index", remedies),
    ]


def _mb(size: float) -> str:
    return f"{size:.0f} MB" if size >= 1 else f"{size:.1f} MB"


def _bar(candidate: BaseEstimate, scale: float) -> str:
    runtime = max(candidate.multi_stage_mb - candidate.base_mb - candidate.packages_mb, 0.0)
    toolchain = candidate.toolchain_mb if candidate.native_builds else 0.0
    segments = [
        ("base", candidate.base_mb),
        ("packages", candidate.packages_mb),
        ("runtime", runtime),
        ("toolchain", toolchain),
    ]
    divs = "".join(
        f'<div title="{name} {_mb(mb)}" style="width:{mb / scale * 100:.2f}%;'
        f'background:{BAR_COLOR[name]}"></div>'
        for name, mb in segments
        if mb > 0
    )
    return f'<div class="bar">{divs}</div>'


def _size_label(candidate: BaseEstimate, builds: set[str]) -> str:
    label = f"base {_mb(candidate.base_mb)} + packages {_mb(candidate.packages_mb)}"
    label += f" → {_mb(candidate.multi_stage_mb)}"
    if candidate.native_builds:
        label += f" multi-stage; single-stage with the toolchain {_mb(candidate.single_stage_mb)}"
    # Source builds are never sized (see the assumptions); a wheel whose size could not be
    # read makes the total a lower bound: say so.
    unread = [name for name in candidate.unsized if name not in builds]
    if unread:
        label += f"; at least: not sized: {', '.join(unread)}"
    if candidate.derived:
        label += " (not checked: same verdicts as the checked Debian image)"
    return text(label)


def sizes(report: Report) -> list[str]:
    """The estimated size of each candidate base, as a bar per image on one scale."""
    candidates = report.recommendation.candidates
    if not candidates:
        return []
    scale = max(max(c.single_stage_mb, c.multi_stage_mb) for c in candidates) or 1.0
    key = "".join(
        f'<span style="background:{color}">&nbsp;</span> {name} '
        for name, color in BAR_COLOR.items()
    )
    builds = {
        p.name for p in report.packages for r in p.results.values() if r.verdict is Verdict.SOURCE
    }
    rows = [
        f"<tr><td>{_code(c.image)}</td><td>{_bar(c, scale)}</td>"
        f"<td>{_size_label(c, builds)}</td></tr>"
        for c in candidates
    ]
    return [
        "<h2>Image size per base (estimated)</h2>",
        f'<p class="key">{key}</p>',
        '<table class="bars">',
        *rows,
        "</table>",
    ]


def dockerfile_snippet(report: Report) -> list[str]:
    """The Dockerfile lines of the builds on the recommended base only."""
    chosen = next(
        (c for c in report.recommendation.candidates if c.image == report.recommendation.image),
        None,
    )
    if chosen is None or not chosen.dockerfile:
        return []
    out = [f"<h2>Dockerfile for {_code(chosen.image)}</h2>"]
    for style, snippet in chosen.dockerfile.items():
        out += [
            f"<p>{text(style)}:</p>",
            "<pre>" + "\n".join(text(line) for line in snippet) + "</pre>",
        ]
    return out


def appendix(report: Report) -> list[str]:
    """The assumptions, the index's notes and the indexes asked, folded."""
    lines = [f"assumes: {text(a)}" for a in report.recommendation.assumptions]
    lines += [f"note: {text(note)}" for note in report.notes]
    lines += [f"index: {text(url)}" for url in report.index_urls]
    if not lines:
        return []
    return ["<details><summary>Assumptions and notes</summary>", *_items(lines), "</details>"]


def check_body(report: Report, policy: Policy | None) -> list[str]:
    """Everything the page says about one check, the answer first."""
    return [
        *answer(report, policy),
        *problems(report),
        *matrix(report),
        *reasons(report),
        *build_needs(report),
        *sizes(report),
        *dockerfile_snippet(report),
        *wheel_matrix(report),
        *appendix(report),
    ]


def render_html(report: Report, policy: Policy | None = None) -> str:
    """The HTML page of `report` under `policy` (default: --fail-on missing)."""
    return page("wheelcheck check", check_body(report, policy or Policy()))


# --- a Dockerfile's report ------------------------------------------------------------------


def _finding_row(finding: Finding) -> str:
    rule = finding.rule
    name = f"{rule.id} {rule.name}" + (f" (hadolint {rule.hadolint})" if rule.hadolint else "")
    cells = [
        str(finding.line),
        finding.severity.value,
        name,
        finding.message,
        finding.fix if finding.fix is not None else "",
    ]
    return "<tr>" + "".join(f"<td>{text(cell)}</td>" for cell in cells) + "</tr>"


def dockerfile_body(result: DockerfileReport) -> list[str]:
    """One Dockerfile: its findings by line, then what its requirements install."""
    out = [f"<h1>{_code(result.dockerfile.path)}</h1>"]
    if result.index is not None:
        out.append(f"<p>index: {_code(result.index.url)} ({text(result.index.source)})</p>")
    if result.findings:
        head = "<tr><th>line</th><th>severity</th><th>rule</th><th>message</th><th>fix</th></tr>"
        rows = [_finding_row(f) for f in result.findings]
        out += ["<table>", f"<thead>{head}</thead>", "<tbody>", *rows, "</tbody>", "</table>"]
    else:
        out.append("<p>No findings.</p>")
    out += [f"<p>note: {text(note)}</p>" for note in result.notes]
    if result.report is not None and result.report.packages:
        out += ["<h2>What pip installs on each target</h2>", *check_body(result.report, None)]
    return out


def render_dockerfiles_html(results: Sequence[DockerfileReport]) -> str:
    """One page with a section per Dockerfile, in order."""
    body: list[str] = []
    for result in results:
        body += ["<section>", *dockerfile_body(result), "</section>"]
    return page("wheelcheck dockerfile", body)


class HtmlFormat(ReportFormat):
    def write_check(self, report: Report, policy: Policy, stream: TextIO) -> None:
        stream.write(render_html(report, policy))

    def write_dockerfiles(self, results: Sequence[DockerfileReport], stream: TextIO) -> None:
        stream.write(render_dockerfiles_html(results))

    def write_plan(self, plan: Plan, stream: TextIO) -> None:
        from wheelcheck._report.plan_html import render_plan_html

        stream.write(render_plan_html(plan))
