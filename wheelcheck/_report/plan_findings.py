"""A plan's changes and builds as findings, for the formats that annotate files (sarif,
github): one finding per proposed change and per package that must still build, of the
rule for its kind (`_findings.PLAN_RULES`), located at its requirement's file and line.

Each finding's subject is the package on all the plan's targets (its title and its stable
fingerprint), and `data` holds what a tool reads from it: from, to, and the marks.
"""

from __future__ import annotations

from typing import Any

from wheelcheck._findings import PLAN_RULES, Finding, Rule, Subject
from wheelcheck._report.plan_rows import build_line, change_row
from wheelcheck.models import Plan, PlanBuild, PlanChange

_BY_NAME = {rule.name: rule for rule in PLAN_RULES}


def change_rule(change: PlanChange) -> Rule:
    """The rule of one change: a swap, a drop, an addition, then another major version,
    outside the specifier, or within it (the first that applies)."""
    if change.swapped_from is not None:
        return _BY_NAME["binary-swap"]
    if change.after is None:
        return _BY_NAME["removed-package"]
    if change.before is None:
        return _BY_NAME["added-package"]
    if change.crosses_major:
        return _BY_NAME["major-version-change"]
    if change.outside_specifier:
        return _BY_NAME["outside-specifier"]
    return _BY_NAME["version-change"]


def _change_data(change: PlanChange) -> dict[str, Any]:
    return {
        "package": change.name,
        "from": change.before,
        "to": change.after,
        "crossesMajor": change.crosses_major,
        "outsideSpecifier": change.outside_specifier,
        "swappedFrom": change.swapped_from,
    }


def _change_finding(plan: Plan, change: PlanChange) -> Finding:
    rule = change_rule(change)
    name, before, after, why = change_row(change)
    return Finding(
        rule=rule,
        severity=rule.severity,
        location=change.origin,
        message=f"{name} {before} -> {after}: {why}",
        data=_change_data(change),
        subject=Subject(change.name, change.after, why, plan.targets),
    )


def _build_finding(plan: Plan, build: PlanBuild) -> Finding:
    rule = _BY_NAME["still-builds"]
    return Finding(
        rule=rule,
        severity=rule.severity,
        location=build.origin,
        message=f"still builds: {build_line(build)}",
        data={"package": build.name, "version": build.version},
        subject=Subject(build.name, build.version, build.why, plan.targets),
    )


def plan_findings(plan: Plan) -> list[Finding]:
    """The changes in the plan's order, then the builds."""
    found = [_change_finding(plan, change) for change in plan.changes]
    return found + [_build_finding(plan, build) for build in plan.builds]
