"""The human report: a table of verdicts per target, the details that matter, the advice.

On a terminal it is a coloured rich table; elsewhere (a pipe, a CI log) the same content as
plain text without colour or box characters, wide enough not to wrap. A Dockerfile's report
lists its stages, installs and findings by line, then the table of what its requirements
install.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from wheelcheck._report.interface import ReportFormat
from wheelcheck._report.text import printable
from wheelcheck.models import (
    BuildNeeds,
    PackageResult,
    Remedy,
    Report,
    Target,
    TargetResult,
    Verdict,
)

if TYPE_CHECKING:
    from wheelcheck._dockerfile.analysis import DockerfileReport
    from wheelcheck._dockerfile.base import BaseImage
    from wheelcheck._findings import Finding, Policy

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
# Verdicts whose reason is worth a line under the table (a failed lookup is one of the
# report's errors, listed once below it).
EXPLAINED = (Verdict.SOURCE, Verdict.MISSING, Verdict.NOT_FOUND, Verdict.UNCHECKED)


def target_label(target: Target) -> str:
    """A short column header: ``3.12-alpine amd64`` for images, the spec otherwise."""
    if target.image:
        # Only a python image's tag is short and unambiguous; other bases keep their name.
        python_image = target.variant is not None and ":" in target.image
        tag = target.image.split(":", 1)[1] if python_image else target.image
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
    # Whole-target failures: without these lines exit 1 or 3 would have no visible cause.
    labels = {t.id: target_label(t) for t in report.targets}
    for target_id, conflict in report.conflicts.items():
        where = labels.get(target_id, target_id)
        console.print(Text(printable(f"conflict on {where}: {conflict}"), style="bold red"))
    for error in report.errors:
        console.print(Text(f"error: {printable(error)}", style="bold magenta"))
    for title, lines in advice_sections(report):
        console.print()
        console.print(Text(title, style="bold"))
        for line in lines:
            console.print(Text(printable(line)))
    for note in report.notes:
        console.print(Text(f"note: {printable(note)}", style="dim"))
    recommendation = report.recommendation
    console.print()
    head = Text("Recommendation: ", style="bold")
    if recommendation.withheld is not None:
        head.append(f"none ({recommendation.withheld})", style="bold magenta")
    else:
        head.append(recommendation.image or "no single image", style="bold green")
    console.print(head)
    for reason in recommendation.reasons:
        console.print(Text(f"  - {printable(reason)}"))
    for assumption in recommendation.assumptions:
        console.print(Text(f"  assumes: {printable(assumption)}", style="dim"))
    if report.index_urls:
        console.print(Text("index: " + ", ".join(report.index_urls), style="dim"))


# --- advice sections (issue 4): build needs, sizes, image estimates --------------------------


def _mb(size: float) -> str:
    return f"{size:.0f} MB" if size >= 1 else f"{size:.1f} MB"


def _remedy_text(remedy: Remedy) -> list[str]:
    found = []
    where = "within your specifier" if remedy.within_specifier else "outside your specifier"
    versions = [v for v in (remedy.older, remedy.newer) if v]
    if versions:
        found.append(f"a wheel exists here for {' and '.join(versions)} ({where})")
    else:
        found.append("no version ships a wheel for this target")
    if remedy.prefer_binary:
        found.append(f"--prefer-binary installs {remedy.prefer_binary}")
    found.append(
        f"--only-binary installs {remedy.only_binary}"
        if remedy.only_binary
        else "--only-binary makes the install fail"
    )
    return found


def build_need_lines(report: Report) -> list[str]:
    """Per package and distinct need: what its build takes and how to avoid it."""
    labels = {t.id: target_label(t) for t in report.targets}
    lines: list[str] = []
    for package in report.packages:
        seen: dict[tuple[object, ...], list[str]] = {}
        for target_id, result in package.results.items():
            if result.verdict is Verdict.SOURCE and result.build is not None:
                key = (result.version, result.build, result.remedy)
                seen.setdefault(key, []).append(labels.get(target_id, target_id))
        for (version, build, remedy), where in seen.items():
            assert isinstance(build, BuildNeeds)
            head = f"  {package.name} {version} on {', '.join(where)}: "
            if build.kind == "pure":
                lines.append(head + "pure-Python sdist, builds without a compiler")
            elif build.kind == "unknown":
                lines.append(head + f"could not tell pure from native ({build.evidence})")
            elif build.kind == "fails":
                lines.append(head + build.evidence)
                lines.append(f"      source: {build.source}")
            else:
                lines.append(head + f"{build.evidence}")
                install = " ".join(build.system_packages)
                keep = " ".join(build.runtime_packages)
                packages = f"{build.package_manager} {install}" if build.package_manager else ""
                lines.append(
                    f"      needs {', '.join(build.toolchains)}: {packages or 'packages unknown'}"
                    + (f" (keep at run time: {keep})" if keep else "")
                )
                lines.append(f"      source: {build.source}")
            if isinstance(remedy, Remedy):
                lines.append("      avoid it: " + "; ".join(_remedy_text(remedy)))
                lines += [f"      or use {alt}" for alt in remedy.alternatives]
    return lines


def size_lines(report: Report) -> list[str]:
    """Per target: estimated installed size and the biggest contributors."""
    labels = {t.id: target_label(t) for t in report.targets}
    lines = []
    for target_id, size in report.sizes.items():
        if not size.packages:  # a total of 0 MB would be no answer
            if size.unknown:
                label = labels.get(target_id, target_id)
                lines.append(f"  {label}: nothing sized; not sized: {', '.join(size.unknown)}")
            continue
        largest = ", ".join(f"{name} {_mb(b / 1e6)}" for name, b in size.largest)
        line = (
            f"  {labels.get(target_id, target_id)}: {_mb(size.installed_bytes / 1e6)} in "
            f"{size.packages} packages; largest: {largest}"
        )
        if size.unknown:
            line += f"; not sized: {', '.join(size.unknown)}"
        lines.append(line)
    return lines


def estimate_lines(report: Report) -> list[str]:
    """Per candidate base: the size arithmetic, then its Dockerfile lines for the builds."""
    lines = []
    builds = {
        p.name for p in report.packages for r in p.results.values() if r.verdict is Verdict.SOURCE
    }
    for c in report.recommendation.candidates:
        derived = " (not checked: same verdicts as the checked Debian image)" if c.derived else ""
        # Source builds are never sized (their wheel does not exist yet: see "assumes");
        # a wheel whose size could not be read makes this total a lower bound: say so.
        unread = [name for name in c.unsized if name not in builds]
        lines.append(
            f"  {c.image}{derived}: base {_mb(c.base_mb)} + packages {_mb(c.packages_mb)}"
            + (
                f" -> {_mb(c.multi_stage_mb)} multi-stage; with the toolchain "
                f"(+{_mb(c.toolchain_mb)}) single-stage {_mb(c.single_stage_mb)}"
                if c.native_builds
                else f" -> {_mb(c.multi_stage_mb)}"
            )
            + (f"; at least: not sized: {', '.join(unread)}" if unread else "")
        )
    chosen = next(
        (c for c in report.recommendation.candidates if c.image == report.recommendation.image),
        None,
    )
    if chosen is not None and chosen.dockerfile:
        for style, snippet in chosen.dockerfile.items():
            lines.append(f"  Dockerfile for {chosen.image}, {style}:")
            lines += [f"    {line}" for line in snippet]
    return lines


def advice_sections(report: Report) -> list[tuple[str, list[str]]]:
    """The advice sections that have content, as (title, lines)."""
    sections = [
        ("Build needs", build_need_lines(report)),
        ("Installed size (estimated)", size_lines(report)),
        ("Image size per base (estimated)", estimate_lines(report)),
    ]
    return [(title, lines) for title, lines in sections if lines]


# --- a Dockerfile's report ------------------------------------------------------------------


def _base_text(base: BaseImage) -> str:
    if base.targets:
        target = base.targets[0]
        return f"Python {target.python_full_version}, {target.distro or target.libc.value}"
    return base.note or ""


def _finding_lines(path: str, finding: Finding) -> list[str]:
    rule = finding.rule
    hadolint = f" (hadolint {rule.hadolint})" if rule.hadolint else ""
    head = f"{path}:{finding.line}: {finding.severity.value} {rule.id} {rule.name}{hadolint}"
    lines = [f"{head}: {finding.message}"]
    if finding.fix is not None:
        lines.append(f"    fix: {finding.fix}")
    return lines


def dockerfile_lines(result: DockerfileReport) -> list[str]:
    """The Dockerfile's stages and installs, the index checked, the findings and notes."""
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
    lines.append("")
    for finding in result.findings:
        lines += _finding_lines(df.path, finding)
    if not result.findings:
        lines.append("no findings")
    lines += [f"note: {note}" for note in result.notes]
    return lines


class TableFormat(ReportFormat):
    def __init__(self, *, color: bool | None = None) -> None:
        self.color = color  # None: colour only on a terminal

    def write_check(self, report: Report, policy: Policy, stream: TextIO) -> None:
        write_table(report, stream, color=self.color)  # marks come from the report itself

    def write_dockerfiles(self, results: Sequence[DockerfileReport], stream: TextIO) -> None:
        for number, result in enumerate(results):
            if number:
                stream.write("\n")
            stream.writelines(printable(line) + "\n" for line in dockerfile_lines(result))
            if result.report is not None and result.report.packages:
                stream.write("\nWhat pip installs on each target:\n")
                write_table(result.report, stream, color=self.color)
