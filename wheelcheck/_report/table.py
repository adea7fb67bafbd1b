"""The human report: the answer on its first line, then only what needs attention.

Line 1 says which base image to use and why (wheelcheck._report.answer), or that the check
cannot say and why. Then the packages that are not a wheel on every target, grouped by the
targets they affect, each once (wheelcheck._report.attention); a summary line; the estimated
size per candidate base; the Dockerfile lines of the recommended base. Verbosity 1 (``--all``,
``-v``) adds the whole package x target matrix and the indexes asked; 2 (``-vv``) adds what
decided each build, the assumptions behind the sizes and every note of the indexes.

On a terminal it has colour (none with NO_COLOR); elsewhere (a pipe, a CI log) plain text.
Prose is wrapped at 80 columns and the tables fit them; the answer is one line of at most
200 characters, so no line is ever longer.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from wheelcheck._report.answer import answer_line, answer_notes
from wheelcheck._report.attention import Attention, attention_groups, needs_attention
from wheelcheck._report.interface import ReportFormat
from wheelcheck._report.labels import group_label, short_labels, target_label
from wheelcheck._report.text import MAX_LINE, long_lines, printable
from wheelcheck.models import (
    BaseEstimate,
    PackageResult,
    Plan,
    Report,
    TargetResult,
    TargetSize,
    Verdict,
)

if TYPE_CHECKING:
    from wheelcheck._dockerfile.analysis import DockerfileReport
    from wheelcheck._findings import Policy

__all__ = ["VERDICT_STYLE", "TableFormat", "summary_line", "target_label", "write_table"]

WIDTH = 80

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

Lines = list[RenderableType]
_CONFLICT_LINES = 6  # a conflict's first clashes; -vv shows all of it


def _wrap(
    text: str, indent: str = "", hang: str = "    ", style: str = "", lead: str | None = None
) -> Lines:
    """`text` made printable and wrapped at WIDTH, after `lead` (default: `indent`) on the
    first line, later lines indented by `hang` more than `indent`."""
    wrapped = textwrap.wrap(
        printable(text),
        WIDTH,
        initial_indent=indent if lead is None else lead,
        subsequent_indent=indent + hang,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [Text(line, style=style) for line in wrapped]


def summary_line(report: Report) -> str:
    """``5 packages x 4 targets: 12 binary, 4 pure, 2 source, 2 missing`` (a count of cells,
    as the Markdown report shows it)."""
    counts = Counter(r.verdict for p in report.packages for r in p.results.values())
    parts = [f"{counts[v]} {v.value}" for v in Verdict if counts[v]]
    return f"{len(report.packages)} packages x {len(report.targets)} targets: " + (
        ", ".join(parts) or "nothing to check"
    )


def attention_summary(report: Report) -> str:
    """``86 packages, 4 targets: 83 install from wheels everywhere; 3 need attention``."""
    flagged = sum(1 for p in report.packages if needs_attention(p))
    n, targets = len(report.packages), len(report.targets)
    head = f"{n} package{'s' if n != 1 else ''}, {targets} target{'s' if targets != 1 else ''}"
    if not n:
        return f"{head}: nothing to check"
    unresolved = len(report.conflicts)
    tree = f"; pip cannot resolve the tree on {unresolved}" if unresolved else ""
    if not flagged:
        return f"{head}: every one installs from a wheel everywhere{tree}"
    fine = n - flagged
    install = f"{fine} install{'s' if fine == 1 else ''}" if fine else "none installs"
    need = f"{flagged} need{'s' if flagged == 1 else ''}"
    return f"{head}: {install} from wheels everywhere; {need} attention{tree}"


# --- what needs attention --------------------------------------------------------------------


def _version(results: Sequence[TargetResult]) -> str:
    versions = list(dict.fromkeys(r.version for r in results if r.version))
    return versions[0] if len(versions) == 1 else ""


def _head(item: Attention, verbosity: int) -> str:
    package = item.package
    version = _version([package.results[t] for t in item.where])
    name = f"{package.name} {version}".rstrip()
    if package.via:  # the requirement of yours that brings it in (-v: the whole chain)
        name += f" (via {package.via[0] if verbosity >= 2 else package.via[0].split(' > ')[0]})"
    if package.ignored:
        name += " (ignored" + (f": {package.ignore_reason})" if package.ignore_reason else ")")
    return f"{name}: {item.verdict}: {item.reason}"


def _attention_lines(item: Attention, verbosity: int) -> Lines:
    style = VERDICT_STYLE[item.package.results[item.where[0]].verdict]
    lines = _wrap(_head(item, verbosity), "  ", style="" if item.package.ignored else style)
    for number, build in enumerate(item.builds):
        lead = "    " + ("build: " if number == 0 else "       ")
        lines += _wrap(build, "", " " * len(lead), lead=lead)  # continued under the command
    if item.remedy is not None:
        lines += _wrap(f"remedy: {item.remedy}", "    ")
    if verbosity >= 2:
        lines += _build_evidence(item)
    return lines


def _build_evidence(item: Attention) -> Lines:
    """What decided each build (-vv): the evidence and where the package list comes from."""
    seen = dict.fromkeys(
        f"why: {r.build.evidence}" + (f" (packages: {r.build.source})" if r.build.source else "")
        for r in (item.package.results[t] for t in item.where)
        if r.build is not None
    )
    return [line for why in seen for line in _wrap(why, "    ", style="dim")]


def attention_section(report: Report, verbosity: int) -> Lines:
    lines: Lines = []
    for label, items in attention_groups(report):
        lines += [Text(""), Text(f"Needs attention on {label}:", style="bold")]
        for item in items:
            lines += _attention_lines(item, verbosity)
    labels = short_labels(report.targets)
    conflicts: dict[str, list[str]] = {}
    for target_id, conflict in report.conflicts.items():
        conflicts.setdefault(conflict, []).append(target_id)
    for conflict, ids in conflicts.items():
        text = f"pip cannot resolve the tree on {group_label(ids, labels)}: {conflict}"
        wrapped = _wrap(text, "", style="bold red")
        lines += [Text(""), *(wrapped if verbosity >= 2 else _shorten(wrapped, _CONFLICT_LINES))]
    return lines


def _shorten(lines: Lines, keep: int) -> Lines:
    """The first `keep` lines, the last one ending in an ellipsis when some were cut."""
    if len(lines) <= keep:
        return lines
    last = lines[keep - 1]
    assert isinstance(last, Text)
    return [*lines[: keep - 1], Text(last.plain[: WIDTH - 16] + " ... (-vv: all)", last.style)]


# --- sizes and the Dockerfile ----------------------------------------------------------------


def _mb(size: float) -> str:
    return f"{size:.0f} MB" if size >= 1 else f"{size:.1f} MB"


def sizes_table(report: Report) -> Lines:
    """Base + packages per candidate image, with what makes a total not comparable."""
    candidates = report.recommendation.candidates
    if not candidates:
        return []
    table = Table(box=None, pad_edge=False, header_style="bold", show_edge=False)
    table.add_column("estimated size")
    for column in ("base", "packages", "total"):
        table.add_column(column, justify="right")
    builds = any(c.native_builds for c in candidates)
    if builds:
        table.add_column("with toolchain", justify="right")
    for c in candidates:
        row = [c.image, _mb(c.base_mb), _mb(c.packages_mb), _mb(c.multi_stage_mb)]
        table.add_row(*row, *([_mb(c.single_stage_mb)] if builds else []))
    return [Text(""), table, *_size_caveats(report, candidates)]


def _size_caveats(report: Report, candidates: Sequence[BaseEstimate]) -> Lines:
    built = {
        p.name for p in report.packages for r in p.results.values() if r.verdict is Verdict.SOURCE
    }
    lines: Lines = []
    missing = {c.missing for c in candidates}
    everywhere = next(iter(missing)) if len(missing) == 1 else ()  # then still comparable
    if everywhere:
        lines += _wrap(f"no total includes {', '.join(everywhere)} (nothing installable)", "  ")
    for c in candidates:
        unread = [name for name in c.unsized if name not in built]
        if c.missing and not everywhere:
            text = f"{c.image} lacks {', '.join(c.missing)} (nothing installable there): its "
            lines += _wrap(text + "total is not comparable with the others", "  ")
        if unread:
            lines += _wrap(f"{c.image}: at least; not sized: {', '.join(unread)}", "  ")
        if c.derived:
            lines += _wrap(
                f"{c.image}: not checked itself; same verdicts as the Debian image", "  "
            )
    if built:
        lines += _wrap(
            f"packages built from source are not sized ({', '.join(sorted(built))})", "  "
        )
    return lines


def _size_text(size: TargetSize) -> str | None:
    if not size.packages:  # a total of 0 MB would be no answer
        return f"nothing sized; not sized: {', '.join(size.unknown)}" if size.unknown else None
    largest = ", ".join(f"{name} {_mb(b / 1e6)}" for name, b in size.largest)
    text = f"{_mb(size.installed_bytes / 1e6)} in {size.packages} packages; largest: {largest}"
    return text + (f"; not sized: {', '.join(size.unknown)}" if size.unknown else "")


def target_sizes(report: Report) -> Lines:
    """-v: the estimated installed size, its largest packages and what was not sized, once
    per set of targets where it is the same (a withheld answer still shows these)."""
    labels = short_labels(report.targets)
    same: dict[str, list[str]] = {}
    for target_id, size in report.sizes.items():
        if (text := _size_text(size)) is not None:
            same.setdefault(text, []).append(target_id)
    if not same:
        return []
    lines: Lines = [Text(""), Text("Installed size (estimated):", style="bold")]
    for text, ids in same.items():
        lines += _wrap(f"{group_label(ids, labels)}: {text}", "  ")
    return lines


def dockerfile_snippet(report: Report, verbosity: int) -> Lines:
    """The recommended base's Dockerfile lines for its builds (same-layer; -v: every style)."""
    chosen = next(
        (c for c in report.recommendation.candidates if c.image == report.recommendation.image),
        None,
    )
    if chosen is None or not chosen.dockerfile:
        return []
    lines: Lines = []
    for style, snippet in chosen.dockerfile.items():
        if verbosity or style == "same-layer" or "same-layer" not in chosen.dockerfile:
            lines += [Text(""), Text(f"Dockerfile for {chosen.image} ({style}):", style="bold")]
            lines += [Text(printable("    " + line)[:MAX_LINE]) for line in snippet]
    return lines


# --- the whole matrix (--all, -v) ------------------------------------------------------------


def matrix(report: Report) -> Lines:
    """Every package x target, short target names as two-line headers."""
    labels = short_labels(report.targets)
    table = Table(box=None, pad_edge=False, header_style="bold", show_edge=False)
    table.add_column("package", no_wrap=True)
    table.add_column("version", no_wrap=True)
    for target in report.targets:
        table.add_column(labels[target.id].replace(" ", "\n", 1), no_wrap=True)
    for package in report.packages:
        table.add_row(*_matrix_row(package, [t.id for t in report.targets]))
    return [Text(""), table]


def _matrix_row(package: PackageResult, ids: Sequence[str]) -> list[Text | str]:
    versions = {r.version for r in package.results.values() if r.version}
    per_cell = len(versions) > 1
    cells: list[Text | str] = [printable(package.name)]
    cells.append("varies" if per_cell else printable(versions.pop() if versions else "-"))
    for target_id in ids:
        result = package.results.get(target_id)
        if result is None:
            cells.append("-")
            continue
        label = result.verdict.value + (f" {result.version}" if per_cell and result.version else "")
        cells.append(Text(printable(label), style=VERDICT_STYLE[result.verdict]))
    return cells


# --- notes -----------------------------------------------------------------------------------


def _names_in(note: str, names: Sequence[str]) -> bool:
    return any(re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", note) for name in names)


def _index_note(note: str, report: Report) -> bool:
    """A note about an index: a page's skipped files (it names the index), or a pip setting
    that names no index wheelcheck can check."""
    ignored_setting = note.startswith("ignoring ") and "index URL" in note
    return ignored_setting or any(url in note for url in report.index_urls)


def _skipped_files_note(note: str, report: Report) -> bool:
    """A page's files skipped as pip skips them (names that do not parse, or another
    project's): they change no verdict, so they wait for -vv even for a flagged package,
    unless nothing installs it (then they may be why)."""
    return any(f" on {url}: skipped files " in note for url in report.index_urls)


def notes_section(report: Report, verbosity: int) -> Lines:
    """The notes, but index notes that name no package needing attention, and notes of
    skipped files, of which one line names the packages needing attention (-vv: every note
    whole; a package with nothing to install gets its note whole); -vv also the assumptions
    behind the sizes."""
    flagged = [p.name for p in report.packages if needs_attention(p)]
    missing = [
        p.name
        for p in report.packages
        if any(r.verdict is Verdict.MISSING for r in p.results.values())
    ]
    notes: list[str] = []
    skipped: list[str] = []  # flagged packages whose pages list files pip skips
    for note in report.notes:
        if verbosity < 2 and _skipped_files_note(note, report) and not _names_in(note, missing):
            if _names_in(note, flagged):
                skipped.append(note.split(" on ", 1)[0])
        elif verbosity >= 2 or not _index_note(note, report) or _names_in(note, flagged):
            notes.append(note)
    if skipped:
        names = list(dict.fromkeys(skipped))
        # the page's own files or another project's: "files of NAME" would not always hold
        pages, verb = ("page", "lists") if len(names) == 1 else ("pages", "list")
        notes.append(f"the index {pages} of {', '.join(names)} {verb} files pip skips (-vv: which)")
    lines: Lines = [
        Text(line, style="dim") for note in notes for line in long_lines(f"note: {note}")
    ]
    if verbosity >= 2 and report.recommendation.assumptions:
        lines += [Text(""), Text("Assumptions:", style="bold")]
        for assumption in report.recommendation.assumptions:
            lines += _wrap(f"- {assumption}", "  ", "  ", style="dim")
    return ([Text("")] if lines else []) + lines


def report_lines(report: Report, verbosity: int = 0) -> Lines:
    """The whole human report of one check, in order."""
    recommendation = report.recommendation
    style = "bold magenta" if recommendation.withheld is not None else "bold"
    lines: Lines = [Text(answer_line(report), style=style)]
    for note in answer_notes(report):
        lines += _wrap(note)
    for error in report.errors:
        lines += [Text(line, style="bold magenta") for line in long_lines(f"error: {error}")]
    lines += attention_section(report, verbosity)
    lines += [Text(""), *_wrap(attention_summary(report))]
    lines += notes_section(report, verbosity)
    lines += sizes_table(report)
    lines += dockerfile_snippet(report, verbosity)
    if verbosity >= 1:
        lines += target_sizes(report)
        lines += matrix(report) if report.packages else []
        if report.index_urls:
            lines += [Text(""), *_wrap("index: " + ", ".join(report.index_urls), style="dim")]
    return lines


def write_lines(lines: Lines, stream: TextIO, *, color: bool | None) -> None:
    """Print `lines`: coloured on a terminal (`color=None`: when `stream` is one), else plain
    text without trailing blanks."""
    is_terminal = stream.isatty() if color is None else color
    target: TextIO = stream if is_terminal else io.StringIO()
    console = Console(
        file=target,
        force_terminal=is_terminal,
        no_color=not is_terminal,
        highlight=False,
        # Prose is wrapped at WIDTH already; a matrix of many targets may need more
        # (its rows stay whole, one line each), never more than MAX_LINE.
        width=None if is_terminal else MAX_LINE,
        soft_wrap=False,
    )
    for line in lines:
        console.print(line, soft_wrap=isinstance(line, Text))
    if not is_terminal:
        assert isinstance(target, io.StringIO)
        stream.writelines(line.rstrip() + "\n" for line in target.getvalue().splitlines())


def write_table(
    report: Report, stream: TextIO, *, color: bool | None = None, verbosity: int = 0
) -> None:
    """Write the human report of one check. `color=None`: colour only on a terminal."""
    write_lines(report_lines(report, verbosity), stream, color=color)


class TableFormat(ReportFormat):
    def __init__(self, *, color: bool | None = None, verbosity: int = 0) -> None:
        self.color = color  # None: colour only on a terminal
        self.verbosity = verbosity

    def write_check(self, report: Report, policy: Policy, stream: TextIO) -> None:
        write_table(report, stream, color=self.color, verbosity=self.verbosity)

    def write_dockerfiles(self, results: Sequence[DockerfileReport], stream: TextIO) -> None:
        from wheelcheck._report.dockerfile_text import dockerfile_lines

        lines: Lines = []
        for number, result in enumerate(results):
            lines += [Text("")] if number else []
            lines += dockerfile_lines(result, self.verbosity)
            if result.report is not None and result.report.packages:
                lines += [Text(""), *report_lines(result.report, self.verbosity)]
        write_lines(lines, stream, color=self.color)

    def write_plan(self, plan: Plan, stream: TextIO) -> None:
        from wheelcheck._report.plan_table import write_plan_table

        write_plan_table(plan, stream, color=self.color)
