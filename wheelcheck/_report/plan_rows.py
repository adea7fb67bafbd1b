"""The parts of a plan every human format shows, as plain strings: one place for the words."""

from __future__ import annotations

from wheelcheck.models import Plan, PlanBuild, PlanChange

CHANGE_HEADERS = ("package", "from", "to", "why")


def change_row(change: PlanChange) -> tuple[str, str, str, str]:
    """(package, from, to, why); a swap adds its caveat."""
    why = change.why  # an outside change says so in its why
    if change.caveat:
        why += f" (caveat: {change.caveat})"
    return (change.name, change.before or "(new)", change.after or "(removed)", why)


def needs_care(change: PlanChange) -> bool:
    """A change to read before accepting it: to another major version, outside the user's
    specifier, or a swap (every format marks its row; sarif and github warn)."""
    return change.crosses_major or change.outside_specifier or change.swapped_from is not None


def build_line(build: PlanBuild) -> str:
    """``name version: why; needs ...`` for one package that still builds."""
    needs = sorted({p for n in build.needs.values() for p in n.system_packages})
    kinds = sorted({n.kind for n in build.needs.values()})
    line = f"{build.name} {build.version or ''}: {build.why}"
    if kinds == ["pure"]:
        line += "; a pure-Python build, no compiler"
    elif needs:
        line += f"; needs {' '.join(needs)}"
    return line


def dependency_lines(plan: Plan) -> list[str]:
    """The packages whose dependencies the plan could not fully check."""
    return [
        f"{p.name} {p.version}: dependencies {p.dependencies}"
        for p in plan.packages
        if p.dependencies
    ]
