"""A plan as one self-contained HTML page, in the check's page style (`_report/html.py`).

The answer first, then the diff table (a change to another major version, or outside your
specifier, is marked on its row), the packages that still build, the constraints file to
write, and the notes. No script, nothing loaded; every text goes through `html.text`.
"""

from __future__ import annotations

from wheelcheck._report.html import page, text
from wheelcheck._report.plan_rows import (
    CHANGE_HEADERS,
    build_line,
    change_row,
    dependency_lines,
    needs_care,
)
from wheelcheck.models import Plan, PlanChange

# The answer's class per outcome (styles in html._STYLE).
_OUTCOME_CLASS = {"compile-free": "pass", "must-build": "attention", "unknown": "withheld"}


def _location(change: PlanChange) -> str:
    return "" if change.origin is None else str(change.origin)


def _row(change: PlanChange) -> str:
    marked = needs_care(change)
    cells = "".join(f"<td>{text(cell)}</td>" for cell in change_row(change))
    cells += f"<td><code>{text(_location(change))}</code></td>"
    return f'<tr class="marked">{cells}</tr>' if marked else f"<tr>{cells}</tr>"


def _changes(plan: Plan) -> list[str]:
    if not plan.changes:
        return ["<p>No change: every package keeps its version.</p>"]
    head = "".join(f"<th>{text(h)}</th>" for h in (*CHANGE_HEADERS, "requirement"))
    return [
        "<h2>Changes</h2>",
        "<table>",
        f"<thead><tr>{head}</tr></thead>",
        "<tbody>",
        *(_row(change) for change in plan.changes),
        "</tbody>",
        "</table>",
    ]


def _list(title: str, lines: list[str]) -> list[str]:
    if not lines:
        return []
    return [f"<h2>{text(title)}</h2>", "<ul>", *(f"<li>{text(line)}</li>" for line in lines),
            "</ul>"]  # fmt: skip


def _constraints(plan: Plan) -> list[str]:
    if not plan.constraints:
        return []
    body = "\n".join(text(line) for line in plan.constraints)
    return [
        "<h2>Constraints file (<code>pip install -c</code>)</h2>",
        f"<pre>{body}</pre>",
    ]


def render_plan_html(plan: Plan) -> str:
    """The page of one plan, the answer first."""
    notes = [*dependency_lines(plan), *plan.notes]
    body = [
        f'<h1 class="{_OUTCOME_CLASS[plan.outcome]}">{text(plan.summary)}</h1>',
        *_list("Errors", [f"error: {error}" for error in plan.errors]),
        *_changes(plan),
        *_list("Still builds", [build_line(build) for build in plan.builds]),
        *_constraints(plan),
        *_list("Notes", notes),
    ]
    return page("wheelcheck plan", body)
