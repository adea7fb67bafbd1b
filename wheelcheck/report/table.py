"""The human report: a table of verdicts per target, the details that matter, the advice.

On a terminal it is a coloured rich table; elsewhere (a pipe, a CI log) the same content as
plain text without colour or box characters, wide enough not to wrap.
"""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from wheelcheck.models import PackageResult, Report, Target, TargetResult, Verdict
from wheelcheck.report.text import printable

VERDICT_STYLE: dict[Verdict, str] = {
    Verdict.BINARY: "green",
    Verdict.PURE: "cyan",
    Verdict.SOURCE: "yellow",
    Verdict.MISSING: "bold red",
    Verdict.NOT_FOUND: "bold red",
    Verdict.UNCHECKED: "magenta",
    Verdict.SKIPPED: "dim",
    Verdict.ERROR: "bold magenta",
}
# Verdicts whose reason is worth a line under the table.
EXPLAINED = (Verdict.SOURCE, Verdict.MISSING, Verdict.NOT_FOUND, Verdict.ERROR, Verdict.UNCHECKED)


def target_label(target: Target) -> str:
    """A short column header: ``3.12-alpine amd64`` for images, the spec otherwise."""
    if target.image:
        tag = target.image.split(":", 1)[1] if ":" in target.image else target.image
        if target.free_threaded:
            tag = tag.replace(target.python.rstrip("t"), target.python, 1)
        return f"{tag} {target.platform.split('/', 1)[1] if target.platform else target.arch}"
    return target.id


def _cell(result: TargetResult, show_version: bool) -> Text:
    label = result.verdict.value
    if show_version and result.version:
        label += f" {result.version}"
    return Text(printable(label), style=VERDICT_STYLE[result.verdict])


def _version_column(package: PackageResult) -> tuple[str, bool]:
    """The version to show in the version column, and whether cells must show their own."""
    versions = {r.version for r in package.results.values() if r.version}
    if len(versions) > 1:
        return "varies", True
    return (versions.pop() if versions else "-"), False


def build_table(report: Report, *, fancy: bool) -> Table:
    table = Table(
        box=box.SIMPLE_HEAD if fancy else box.ASCII2,
        show_edge=fancy,
        header_style="bold" if fancy else "",
        pad_edge=False,
    )
    table.add_column("package")
    table.add_column("version")
    for target in report.targets:
        table.add_column(target_label(target), no_wrap=True)
    for package in report.packages:
        version, per_cell = _version_column(package)
        name = printable(package.name) + ("" if package.direct else " (dep)")
        cells = [_cell(package.results[t.id], show_version=per_cell) for t in report.targets]
        table.add_row(name, printable(version), *cells)
    return table


def summary_line(report: Report) -> str:
    """``5 packages x 4 targets: 12 binary, 4 pure, 2 source, 2 missing``."""
    counts = Counter(r.verdict for p in report.packages for r in p.results.values())
    parts = [f"{counts[v]} {v.value}" for v in Verdict if counts[v]]
    return f"{len(report.packages)} packages x {len(report.targets)} targets: " + (
        ", ".join(parts) or "nothing to check"
    )


def detail_lines(report: Report) -> list[str]:
    """One line per package and distinct problem, naming the targets it applies to."""
    lines = []
    labels = {t.id: target_label(t) for t in report.targets}
    for package in report.packages:
        seen: dict[tuple[Verdict, str | None, str], list[str]] = {}
        for target_id, result in package.results.items():
            if result.verdict in EXPLAINED:
                key = (result.verdict, result.version, result.reason)
                seen.setdefault(key, []).append(labels[target_id])
        for (verdict, version, reason), where in seen.items():
            name = package.name + (f" {version}" if version else "")
            lines.append(printable(f"{name}: {verdict.value} on {', '.join(where)}: {reason}"))
    return lines


def write_table(report: Report, stream: TextIO, *, color: bool | None = None) -> None:
    """Write the human report. `color=None`: colour and boxes only on a terminal."""
    is_terminal = stream.isatty() if color is None else color
    console = Console(
        file=stream,
        force_terminal=is_terminal,
        no_color=not is_terminal,
        highlight=False,
        width=None if is_terminal else 240,
        soft_wrap=not is_terminal,
    )
    if report.packages:
        console.print(build_table(report, fancy=is_terminal))
    console.print(summary_line(report), highlight=False)
    details = detail_lines(report)
    if details:
        console.print()
        for line in details:
            console.print(Text("  " + line))
    for note in report.notes:
        console.print(Text(f"note: {printable(note)}", style="dim"))
    recommendation = report.recommendation
    console.print()
    head = Text("Recommendation: ", style="bold")
    head.append(recommendation.image or "no single image", style="bold green")
    console.print(head)
    for reason in recommendation.reasons:
        console.print(Text(f"  - {printable(reason)}"))
    if report.index_urls:
        console.print(Text("index: " + ", ".join(report.index_urls), style="dim"))
