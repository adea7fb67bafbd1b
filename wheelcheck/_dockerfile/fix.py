"""A suggested Dockerfile that applies the findings, and proof that it builds the same app.

The suggestion edits the original text instruction by instruction, so comments and the order
of everything else stay: the base moves to slim (same Python patch), pip commands get
``--no-cache-dir``, consecutive pip RUN steps become one, build dependencies are installed
and the compilers purged in that same RUN when slim needs them, and requirements are
installed before ``COPY . .``. `same_app` checks that the base Python version, the files
copied and the CMD/ENTRYPOINT did not change.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from wheelcheck._dockerfile.analysis import DockerfileReport
from wheelcheck._dockerfile.installs import RunStep
from wheelcheck._dockerfile.parse import Dockerfile, Instruction, parse_dockerfile
from wheelcheck._dockerfile.rules import BuildPlan, build_plan
from wheelcheck._findings import Finding
from wheelcheck._judge.images import resolve_image

__all__ = ["same_app", "suggest", "unified_diff"]

_PIP_INSTALL = re.compile(
    r"(?P<head>\b(?:pip3?(?:\.\d+)?|python3?(?:\.\d+)?\s+-m\s+pip)\s+(?:install|wheel))\b"
)
_UV_INSTALL = re.compile(r"(?P<head>\buv\s+pip\s+(?:install|sync))\b")
_INDENT = "    "


@dataclass
class _Block:
    """A span of Dockerfile lines: one instruction, or comments and blank lines."""

    start: int
    end: int
    text: str
    instruction: Instruction | None = None
    removed: bool = False
    before: list[str] = field(default_factory=list)  # new instructions inserted before


def _blocks(dockerfile: Dockerfile) -> list[_Block]:
    by_line: dict[int, Instruction | None] = {}
    ends: dict[int, int] = {}
    for instruction in dockerfile.preamble:
        by_line[instruction.line] = instruction
        ends[instruction.line] = instruction.end_line
    for stage in dockerfile.stages:
        by_line[stage.line] = None
        ends[stage.line] = stage.line
        for instruction in stage.instructions:
            by_line[instruction.line] = instruction
            ends[instruction.line] = instruction.end_line
    blocks: list[_Block] = []
    line = 1
    total = len(dockerfile.lines)
    while line <= total:
        if line in ends:
            end = ends[line]
            text = "\n".join(dockerfile.lines[line - 1 : end])
            found = by_line[line]
            blocks.append(_Block(line, end, text, found))
            line = end + 1
        else:
            blocks.append(_Block(line, line, dockerfile.lines[line - 1]))
            line += 1
    return blocks


def _no_cache(command: str) -> str:
    """`command` with --no-cache-dir (pip) or --no-cache (uv) after each install."""

    def pip(match: re.Match[str]) -> str:
        return match.group("head") + " --no-cache-dir"

    def uv(match: re.Match[str]) -> str:
        return match.group("head") + " --no-cache"

    if "--no-cache-dir" not in command:
        command = _PIP_INSTALL.sub(pip, command)
    if "--no-cache " not in command and not command.endswith("--no-cache"):
        command = _UV_INSTALL.sub(uv, command)
    return command


def _shell_text(run: RunStep) -> str | None:
    """The RUN's command as one shell line, or None when it cannot be merged safely."""
    instruction = run.instruction
    if instruction.json_args is not None or instruction.heredocs or instruction.flags:
        return None
    return " ".join(instruction.args.split())


def _findings(report: DockerfileReport, rule: str) -> list[Finding]:
    return [f for f in report.findings if f.rule.id == rule]


def _line(finding: Finding) -> int:
    """The Dockerfile line of a finding of a Dockerfile rule (each has one)."""
    assert finding.line is not None
    return finding.line


def suggest(report: DockerfileReport) -> str:
    """The suggested Dockerfile text for `report` (the original when nothing applies)."""
    blocks = _blocks(report.dockerfile)
    by_line = {b.start: b for b in blocks}
    # 1. Base image: the slim image of the same Python (and patch) where a rule says so.
    new_base = _slim_base(report, by_line)
    # 2. Build dependencies the slim (or any) base lacks, purged again in the same RUN.
    plans = _build_plans(report, new_base)
    # 3. One RUN per group of pip steps, each with the cache off.
    merged_into = _merged_runs(report, by_line)
    _add_build_deps(report, plans, merged_into)
    for line, commands in merged_into.items():
        by_line[line].text = "RUN " + f" \\\n{_INDENT}&& ".join(commands)
    # 4. Requirements before `COPY . .`: move that COPY after the install.
    for finding in _findings(report, "WCD006"):
        _move_copy_after(report, blocks, by_line, finding)
    out: list[str] = []
    for block in blocks:
        out.extend(block.before)
        if not block.removed:
            out.append(block.text)
    return "\n".join(out) + "\n"


def _slim_base(report: DockerfileReport, by_line: Mapping[int, _Block]) -> str | None:
    """Rewrite the FROM lines WCD001/WCD002 name to their slim image; the new base, if any."""
    new_base: str | None = None
    for finding in _findings(report, "WCD001") + _findings(report, "WCD002"):
        slim = str(finding.data["slim"])
        block = by_line.get(_line(finding))
        stage = next((s for s in report.dockerfile.stages if s.line == finding.line), None)
        if block is None or stage is None or "$" in stage.base_raw:
            continue
        block.text = block.text.replace(stage.base_raw, slim, 1)
        new_base = slim
    return new_base


def _build_plans(report: DockerfileReport, new_base: str | None) -> dict[int, BuildPlan]:
    """Per stage index, the build packages its pip steps need (WCD001 on slim, WCD009)."""
    plans: dict[int, BuildPlan] = {}
    runs = {r.line: r for r in report.installs.runs}
    if new_base is not None and "alpine" not in new_base:
        on_slim = next((f.data.get("source_on_slim") for f in _findings(report, "WCD001")), None)
        slims = [t for t in report.report.targets if t.variant == "slim"] if report.report else []
        if on_slim and slims:
            final = report.dockerfile.final.index
            plans[final] = build_plan(report.report, list(on_slim), slims[0])
    for finding in _findings(report, "WCD009"):
        stage_index = runs[_line(finding)].stage if finding.line in runs else None
        base = report.bases.get(stage_index) if stage_index is not None else None
        if stage_index is not None and base is not None and base.targets:
            packages = list(finding.data.get("packages", []))
            plans.setdefault(stage_index, build_plan(report.report, packages, base.targets[0]))
    return plans


def _merged_runs(report: DockerfileReport, by_line: Mapping[int, _Block]) -> dict[int, list[str]]:
    """Per RUN line that keeps the pip steps: its commands, the cache off; the RUNs merged
    into it are marked removed."""
    merged_into: dict[int, list[str]] = {}
    for stage in report.dockerfile.stages:
        pip_runs = [r for r in report.installs.runs if r.stage == stage.index and r.pips]
        for group in _groups(report, pip_runs):
            texts = [_shell_text(r) for r in group]
            if any(t is None for t in texts):
                continue
            for run in group[:-1]:
                by_line[run.line].removed = True
            merged_into[group[-1].line] = [_no_cache(t) for t in texts if t is not None]
    for run in report.installs.runs:
        if not run.pips or run.line in merged_into or by_line[run.line].removed:
            continue
        text = _shell_text(run)
        if text is not None:
            merged_into[run.line] = [_no_cache(text)]
        else:
            by_line[run.line].text = _no_cache(by_line[run.line].text)
    return merged_into


def _add_build_deps(
    report: DockerfileReport,
    plans: Mapping[int, BuildPlan],
    merged_into: dict[int, list[str]],
) -> None:
    """Install each stage's build packages before its first pip RUN, and remove them after."""
    runs = {r.line: r for r in report.installs.runs}
    for stage_index, plan in plans.items():
        target = next(
            (line for line in sorted(merged_into) if runs[line].stage == stage_index), None
        )
        if target is None or not plan.install:
            continue
        commands = merged_into[target]
        if plan.manager == "apk":
            prefix = [f"apk add --no-cache {' '.join(plan.runtime)}"] if plan.runtime else []
            prefix.append(f"apk add --no-cache --virtual .build-deps {' '.join(plan.purge)}")
            commands[:0] = prefix
            commands.append("apk del .build-deps")
        else:
            commands[:0] = [
                "apt-get update",
                "apt-get install -y --no-install-recommends " + " ".join(plan.install),
            ]
            commands.append("apt-get purge -y --auto-remove " + " ".join(plan.purge))
            commands.append("rm -rf /var/lib/apt/lists/*")


def _groups(report: DockerfileReport, runs: list[RunStep]) -> list[list[RunStep]]:
    """Consecutive pip RUN steps with no COPY/ADD between them."""
    groups: list[list[RunStep]] = []
    for run in runs:
        if groups:
            last = groups[-1][-1]
            between = any(
                c.instruction.stage == run.stage and last.line < c.line < run.line
                for c in report.installs.copies
            )
            if not between:
                groups[-1].append(run)
                continue
        groups.append([run])
    return groups


def _move_copy_after(
    report: DockerfileReport, blocks: list[_Block], by_line: dict[int, _Block], finding: Finding
) -> None:
    copy_line = int(finding.data["copy_line"])
    install_line = _line(finding)
    copy_block = by_line.get(copy_line)
    install_block = by_line.get(install_line)
    if copy_block is None or install_block is None:
        return
    between = [
        b
        for b in blocks
        if copy_line < b.start < install_line and b.instruction is not None and not b.removed
    ]
    if any(b.instruction is not None and b.instruction.keyword == "RUN" for b in between):
        return  # a RUN in between may need the copied sources: leave the order alone
    pip = next(p for p in report.installs.pips if p.line == install_line)
    copy = next(c for c in report.installs.copies if c.line == copy_line)
    sources = [r.image_path for r in pip.requirement_files]
    workdir_relative = [_relative(s, copy.dest) for s in sources]
    new_copy = f"COPY {' '.join(workdir_relative)} {copy.dest.rstrip('/') or '/'}/"
    copy_block.removed = True
    install_block.before.append(new_copy)
    index = blocks.index(install_block)
    blocks.insert(index + 1, _Block(copy_line, copy_line, copy_block.text, copy_block.instruction))


def _relative(image_path: str, dest: str) -> str:
    prefix = dest.rstrip("/") + "/"
    return image_path[len(prefix) :] if image_path.startswith(prefix) else image_path


def unified_diff(original: str, suggested: str, path: str) -> str:
    """A unified diff from the original Dockerfile to the suggestion."""
    return "".join(
        difflib.unified_diff(
            original.splitlines(keepends=True),
            suggested.splitlines(keepends=True),
            fromfile=f"a/{path}",
            tofile=f"b/{path}",
        )
    )


def _python_of(reference: str) -> str | None:
    try:
        return resolve_image(reference).python_full_version
    except Exception:  # not a python image: compare the reference itself
        return None


@dataclass(frozen=True)
class _AppFacts:
    python: str
    copies: frozenset[str]
    command: tuple[tuple[str, str], ...]


def _app_facts(dockerfile: Dockerfile) -> _AppFacts:
    final = dockerfile.final
    root = dockerfile.lineage(final)[-1]
    copies: set[str] = set()
    command: dict[str, str] = {}
    for stage in reversed(dockerfile.lineage(final)):
        for instruction in stage.instructions:
            if instruction.keyword in ("COPY", "ADD") and instruction.flag("from") is None:
                words = instruction.json_args or tuple(instruction.args.split())
                copies.update(words[:-1])
            if instruction.keyword in ("CMD", "ENTRYPOINT"):
                command[instruction.keyword] = instruction.args
    return _AppFacts(_python_of(root.base) or root.base, frozenset(copies), tuple(command.items()))


def same_app(original: Dockerfile, suggested: Dockerfile | str) -> list[str]:
    """What differs between the apps the two Dockerfiles build: the base image's Python
    version, the build-context files copied (the suggestion may copy a requirements file
    earlier, never a new one) and CMD/ENTRYPOINT. An empty list: the same app."""
    if isinstance(suggested, str):
        suggested = parse_dockerfile(suggested, path=original.path)
    before, after = _app_facts(original), _app_facts(suggested)
    problems = []
    if before.python != after.python:
        problems.append(f"base Python {before.python} became {after.python}")
    removed = before.copies - after.copies
    if removed:
        problems.append(f"no longer copies {', '.join(sorted(removed))}")
    new = sorted(s for s in after.copies - before.copies if not _covered(s, before.copies))
    if new:
        problems.append(f"copies new files {', '.join(new)}")
    if before.command != after.command:
        problems.append(f"CMD/ENTRYPOINT {dict(before.command)} became {dict(after.command)}")
    return problems


def _covered(source: str, copies: frozenset[str]) -> bool:
    """True when `source` is already part of an earlier copy of the whole context."""
    return any(c in (".", "./", "*") for c in copies) or source in copies
