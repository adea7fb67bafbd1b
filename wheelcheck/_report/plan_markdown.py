"""A plan as Markdown (a pull-request comment): the answer, the diff table, the builds."""

from __future__ import annotations

from wheelcheck._report.markdown import WARNING_MARK, escape
from wheelcheck._report.plan_rows import (
    CHANGE_HEADERS,
    build_line,
    change_row,
    dependency_lines,
    needs_care,
)
from wheelcheck.models import Plan


def render_plan_markdown(plan: Plan) -> str:
    lines = [f"### wheelcheck plan: {escape(plan.summary)}", ""]
    if plan.changes:
        lines.append("| " + " | ".join(CHANGE_HEADERS) + " |")
        lines.append("|" + "---|" * len(CHANGE_HEADERS))
        for change in plan.changes:
            cells = [escape(cell) for cell in change_row(change)]
            if needs_care(change):
                cells[0] = f"{WARNING_MARK} {cells[0]}"
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    if plan.builds:
        lines.append("Still builds:")
        lines.extend(f"- {escape(build_line(build))}" for build in plan.builds)
        lines.append("")
    if plan.constraints:
        lines += ["<details><summary>constraints (pip install -c)</summary>", "", "```"]
        lines += [*plan.constraints, "```", "", "</details>", ""]
    lines.extend(f"- {escape(line)}" for line in dependency_lines(plan))
    lines.extend(f"- error: {escape(error)}" for error in plan.errors)
    lines.extend(f"- note: {escape(note)}" for note in plan.notes)
    return "\n".join(lines).rstrip("\n") + "\n"
