"""The first line of the human report: which base to use and why, drawn from the verdicts;
or, when the check cannot support one, that there is none and why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from wheelcheck._advise.estimate import arch_label, named_libraries
from wheelcheck._limits import ELLIPSIS, clip
from wheelcheck._report.attention import best_alternative
from wheelcheck._report.text import printable
from wheelcheck.models import PackageResult, Report, Target, Verdict

__all__ = ["answer_line", "answer_notes"]

MAX_ANSWER_CHARS = 200  # the answer stays one line a person reads at once
_NAMES_SHOWN = 3


@dataclass
class _Cost:
    """What one checked base image makes pip do, by kind of trouble: package -> arches."""

    family: str  # alpine, slim, full, or the image when it has no family
    image: str
    native: dict[str, list[str]] = field(default_factory=dict)
    tools: dict[str, list[str]] = field(default_factory=dict)
    built: dict[str, list[str]] = field(default_factory=dict)  # a build not known native
    failing: dict[str, list[str]] = field(default_factory=dict)  # a build known to fail
    missing: dict[str, list[str]] = field(default_factory=dict)
    conflict: list[str] = field(default_factory=list)

    def trouble(self) -> tuple[object, ...]:
        return (
            tuple(sorted(self.native)),
            tuple(sorted(self.built)),
            tuple(sorted(self.failing)),
            tuple(sorted(self.missing)),
            tuple(self.conflict),
        )


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_NAMES_SHOWN])
    return shown + (f" and {len(names) - _NAMES_SHOWN} more" if len(names) > _NAMES_SHOWN else "")


def _arches(per_package: dict[str, list[str]]) -> str:
    arches = list(dict.fromkeys(a for found in per_package.values() for a in found))
    return arches[0] if len(arches) == 1 else ", ".join(arches[:-1]) + " and " + arches[-1]


def _names_on(per_package: dict[str, list[str]]) -> str:
    """``x, y on amd64 and arm64, z on arm64``: each name with the arches it holds for."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for name, arches in per_package.items():
        groups.setdefault(tuple(dict.fromkeys(arches)), []).append(name)
    return ", ".join(
        f"{_names(names)} on {_arches({'': list(arches)})}" for arches, names in groups.items()
    )


def _add(cost: _Cost, target: Target, package: PackageResult) -> None:
    result = package.results.get(target.id)
    if result is None:
        return
    arch, build = arch_label(target), result.build
    if result.verdict is Verdict.SOURCE and build is not None and build.kind == "native":
        cost.native.setdefault(package.name, []).append(arch)
        tools = [*build.toolchains, *named_libraries(build.system_packages)]
        cost.tools[package.name] = list(dict.fromkeys([*cost.tools.get(package.name, []), *tools]))
    elif result.verdict is Verdict.SOURCE and build is not None and build.kind == "fails":
        cost.failing.setdefault(package.name, []).append(arch)
    elif result.verdict is Verdict.SOURCE and (build is None or build.kind != "pure"):
        cost.built.setdefault(package.name, []).append(arch)
    elif result.verdict is Verdict.MISSING:
        cost.missing.setdefault(package.name, []).append(arch)


def _costs(report: Report) -> list[_Cost]:
    costs: dict[str, _Cost] = {}
    for target in report.targets:
        image = target.image or target.id
        cost = costs.setdefault(image, _Cost(target.variant or image, image))
        if target.id in report.conflicts:
            cost.conflict.append(arch_label(target))
        for package in report.packages:
            _add(cost, target, package)
    return list(costs.values())


def _trouble_text(cost: _Cost, subject: str, plural: bool) -> str:
    """``alpine compiles 1 native package (psycopg2: gcc, libpq-dev) on amd64 and arm64``."""

    def verb(word: str) -> str:
        return word if plural else word + "s"

    parts = []
    if cost.native:
        n = len(cost.native)
        names = list(cost.native)
        described = "; ".join(
            f"{name}: {', '.join(cost.tools[name])}" if cost.tools.get(name) else name
            for name in names[:_NAMES_SHOWN]
        )
        more = f"; {n - _NAMES_SHOWN} more" if n > _NAMES_SHOWN else ""
        parts.append(
            f"{verb('compile')} {n} native package{'s' if n > 1 else ''} ({described}{more}) "
            f"on {_arches(cost.native)}"
        )
    if cost.built:
        parts.append(f"{verb('build')} {_names(list(cost.built))} from source")
    if cost.failing:
        parts.append(f"cannot build {_names_on(cost.failing)}")
    if cost.missing:
        parts.append(f"cannot install {_names_on(cost.missing)}")
    if cost.conflict:
        parts.append(f"cannot resolve the tree on {_arches({'': cost.conflict})}")
    return f"{subject} " + " and ".join(parts)


def _clauses(costs: Sequence[_Cost], chosen: _Cost | None = None) -> list[str]:
    """One clause per set of images in the same trouble, then the chosen image's own: in the
    trouble the first clause names, it says so (``slim compiles the same one``)."""
    groups: dict[tuple[object, ...], list[_Cost]] = {}
    for cost in costs:
        groups.setdefault(cost.trouble(), []).append(cost)
    clauses = [_group_clause(group) for group in groups.values() if any(group[0].trouble())]
    if chosen is None:
        return clauses or ["every package installs from a wheel on every base"]
    first = next((trouble for trouble in groups if any(trouble)), None)
    if not any(chosen.trouble()):
        clean = [c.family for c in costs if not any(c.trouble())]
        also = f" ({' and '.join(clean)} too)" if clean else ""
        return [*clauses, f"every package installs from a wheel on {chosen.family}{also}"]
    if chosen.trouble() == first:
        clauses.append(_same(chosen))
    else:
        clauses.append(_group_clause([chosen]))
    return clauses


def _need(names: Sequence[str]) -> str:
    return "needs" if len(names) == 1 else "need"


def _same(chosen: _Cost) -> str:
    """The chosen image in the trouble of the clause before it."""
    others = (chosen.built, chosen.failing, chosen.conflict)
    if chosen.native and not (any(others) or chosen.missing):
        n = len(chosen.native)
        return f"{chosen.family} compiles {'the same one' if n == 1 else f'the same {n}'}"
    if chosen.missing and not (any(others) or chosen.native):
        return f"neither can {chosen.family}"
    return f"the same on {chosen.family}"


def _group_clause(group: Sequence[_Cost]) -> str:
    subject = " and ".join(c.family for c in group)
    if not any(group[0].trouble()):
        return f"every package installs from a wheel on {subject}"
    return _trouble_text(group[0], subject, len(group) > 1)


def _remedy_sentence(report: Report, costs: Sequence[_Cost], chosen: _Cost) -> str:
    """``Avoid both builds with psycopg2-binary.``: the alternatives that install from a wheel
    wherever the chosen base compiles them."""
    alternatives = []
    for package in report.packages:
        if package.name in chosen.native:
            results = list(package.results.values())
            if (alternative := best_alternative(package.name, results)) is not None:
                alternatives.append(alternative.requirement)
    if not alternatives:
        return ""
    building = sum(1 for c in costs if any(name in c.native for name in chosen.native))
    which = {1: "the build", 2: "both builds"}.get(building, "every build")
    if len(alternatives) > 1:
        which = "the builds"
    return f" Avoid {which} with {' and '.join(alternatives)}."


def answer_line(report: Report) -> str:
    """The report's first line, at most MAX_ANSWER_CHARS characters."""
    recommendation = report.recommendation
    if recommendation.withheld == "nothing to check":
        return "Nothing to check: the input names no package."
    if recommendation.withheld is not None:
        why = recommendation.reasons[0] if recommendation.reasons else ""
        return _one_line(f"No recommendation ({recommendation.withheld}): {why}")
    costs = _costs(report)
    text = _answer(report, costs)
    if len(text) > MAX_ANSWER_CHARS:  # the packages to install for the builds go first
        for cost in costs:
            cost.tools.clear()
        text = _answer(report, costs)
    return _one_line(text)


def _answer(report: Report, costs: Sequence[_Cost]) -> str:
    text = _answer_for_found(report, costs)
    if not_found := _not_found(report):  # "every package" would include the unknown ones
        text = text.replace("every package installs", "every other package installs")
    return text + not_found


def _answer_for_found(report: Report, costs: Sequence[_Cost]) -> str:
    image = report.recommendation.image
    chosen = next((c for c in costs if c.image == image), None)
    if chosen is None:
        head = "No base image installs everything"
        if not any(target.image for target in report.targets):
            head = "No base image to recommend (the targets are wheel tags, not images)"
        elif image is not None:  # a sibling of the images checked
            head = f"Use {image} (not checked itself: add --target for it)"
        return f"{head}: " + "; ".join(_clauses(costs)) + "."
    others = [c for c in costs if c is not chosen]
    text = f"Use {chosen.image}: " + "; ".join(_clauses(others, chosen)) + "."
    if not any(c.family == "alpine" for c in costs):
        text += " No alpine target was checked (add --target python:X-alpine to compare)."
    return text + _remedy_sentence(report, costs, chosen)


def _not_found(report: Report) -> str:
    """`` The index does not know x.``: no base helps there."""
    names = [
        p.name
        for p in report.packages
        if any(r.verdict is Verdict.NOT_FOUND for r in p.results.values())
    ]
    return f" The index does not know {_names(names)}." if names else ""


def answer_notes(report: Report) -> list[str]:
    """What the answer rests on but could not check, each a sentence: after a withheld answer
    its other reasons; else the packages whose dependencies or builds were never looked at."""
    recommendation = report.recommendation
    if recommendation.withheld is not None:
        return [printable(reason) for reason in recommendation.reasons[1:]]
    cut = [
        p.name for p in report.packages if any(not r.dependencies_known for r in p.results.values())
    ]
    direct = [
        p.name
        for p in report.packages
        if any(r.verdict is Verdict.UNCHECKED for r in p.results.values())
    ]
    declared = [
        p.name
        for p in report.packages
        if any(
            r.dependencies_from is not None and r.dependencies_from.declared
            for r in p.results.values()
        )
    ]
    notes = []
    if declared:
        notes.append(
            f"Not guaranteed: what {_names(declared)} {_need(declared)} (declared by files a "
            "build would regenerate)."
        )
    if cut:
        notes.append(
            f"Not checked: what {_names(cut)} {_need(cut)} (only their setup.py could tell)."
        )
    if direct:
        notes.append(f"Not looked up: {_names(direct)} (a direct reference: URL, VCS or path).")
    return [printable(note) for note in notes]


def _one_line(text: str) -> str:
    return clip(" ".join(text.split()), MAX_ANSWER_CHARS - len(ELLIPSIS))
