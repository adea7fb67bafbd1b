"""What needs attention in a check: the packages that are not a wheel on every target,
grouped by the set of targets they affect, each package once, with its verdict, one reason,
its build needs once per package manager and its best remedy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from wheelcheck._advise.remedies import Alternative, alternatives_for
from wheelcheck._report.labels import group_label, short_labels
from wheelcheck.models import BuildNeeds, PackageResult, Remedy, Report, TargetResult, Verdict

__all__ = [
    "ATTENTION",
    "Attention",
    "attention_groups",
    "best_alternative",
    "needs_attention",
    "remedy_sentences",
]

# Anything but a wheel (or a marker that skips it) needs a look: a build, nothing to install,
# a project the index lacks, a reference never looked up, a lookup that failed.
ATTENTION = frozenset(
    {Verdict.SOURCE, Verdict.MISSING, Verdict.NOT_FOUND, Verdict.UNCHECKED, Verdict.ERROR}
)
_INSTALL = {"apk": "apk add", "apt": "apt-get install"}


@dataclass(frozen=True, slots=True)
class Attention:
    """One package that needs attention, as the report shows it."""

    package: PackageResult
    where: tuple[str, ...]  # the target ids it affects, in the report's order
    verdict: str  # ``source``, or ``source on alpine amd64, missing on slim arm64``
    reason: str
    builds: tuple[str, ...]  # ``apk add gcc musl-dev (keep libpq at run time)``, one per manager
    remedy: str | None


def needs_attention(package: PackageResult) -> tuple[str, ...]:
    """The target ids where `package` is not a wheel."""
    return tuple(t for t, r in package.results.items() if r.verdict in ATTENTION)


def attention_groups(report: Report) -> list[tuple[str, list[Attention]]]:
    """(targets label, packages), the groups touching most targets first."""
    labels = short_labels(report.targets)
    order = {t.id: i for i, t in enumerate(report.targets)}
    groups: dict[tuple[str, ...], list[Attention]] = {}
    for package in report.packages:
        where = tuple(sorted(needs_attention(package), key=lambda t: order.get(t, len(order))))
        if where:
            groups.setdefault(where, []).append(_attention(package, where, labels))
    ranked = sorted(groups.items(), key=lambda item: -len(item[0]))
    return [(group_label(where, labels), items) for where, items in ranked]


def _attention(
    package: PackageResult, where: tuple[str, ...], labels: Mapping[str, str]
) -> Attention:
    results = [package.results[t] for t in where]
    verdict, builds = _verdict_text(package, where, labels), _build_lines(results)
    if all(r.build is not None and r.build.kind == "pure" for r in results):
        # it builds, but needs nothing: said in the verdict, no build line
        verdict, builds = "source, pure Python (no compiler needed)", ()
    # Each verdict's own reason when the verdicts differ (a direct reference not looked up
    # here, nothing from the lock there): the first alone would hide the others.
    reasons = dict.fromkeys(r.reason for r in results)
    reason = "; ".join(reasons) if len({r.verdict for r in results}) > 1 else results[0].reason
    return Attention(package, where, verdict, reason, builds, _remedy_text(package.name, results))


def _verdict_text(package: PackageResult, where: Sequence[str], labels: Mapping[str, str]) -> str:
    by_verdict: dict[Verdict, list[str]] = {}
    for target_id in where:
        by_verdict.setdefault(package.results[target_id].verdict, []).append(target_id)
    if len(by_verdict) == 1:
        return next(iter(by_verdict)).value
    return ", ".join(
        f"{verdict.value} on {group_label(ids, labels)}" for verdict, ids in by_verdict.items()
    )


def build_text(build: BuildNeeds) -> str:
    """What one build needs: ``apk add gcc musl-dev libpq-dev (keep libpq at run time)``."""
    if build.kind == "pure":
        return "pure-Python sdist: builds without a compiler"
    if build.kind == "fails":
        return f"the build fails: {build.evidence}"
    if build.kind == "unknown":
        return f"build needs unknown: {build.evidence}"
    if build.package_manager is None:  # a base whose package manager is not known
        return f"needs {', '.join(build.toolchains) or 'a compiler'}: packages unknown"
    line = f"{_INSTALL[build.package_manager]} {' '.join(build.system_packages)}"
    if build.runtime_packages:
        line += f" (keep {' '.join(build.runtime_packages)} at run time)"
    return line


def _build_lines(results: Sequence[TargetResult]) -> tuple[str, ...]:
    lines = (build_text(r.build) for r in results if r.verdict is Verdict.SOURCE and r.build)
    return tuple(dict.fromkeys(lines))


def _works(described: str) -> bool:
    """Whether an alternative as `Remedy.alternatives` describes it installs from a wheel."""
    return described.endswith((" wheel here", " is a pure-Python wheel"))


def best_alternative(name: str, results: Sequence[TargetResult]) -> Alternative | None:
    """The first curated alternative of `name` (a drop-in one first) that installs from a
    wheel on every one of these source `results` (as checked against the index), or None."""
    remedies = [r.remedy for r in results if r.verdict is Verdict.SOURCE]
    if not remedies or any(remedy is None for remedy in remedies):
        return None
    for alternative in sorted(alternatives_for(name), key=lambda a: not a.compatible):
        head = f"{alternative.requirement} ("
        if all(
            any(_works(d) for d in remedy.alternatives if d.startswith(head))
            for remedy in remedies
            if remedy is not None
        ):
            return alternative
    return None


def _remedy_text(name: str, results: Sequence[TargetResult]) -> str | None:
    remedies = [r.remedy for r in results if r.verdict is Verdict.SOURCE]
    if not remedies or any(remedy is None for remedy in remedies):
        return None  # not a build, or no advice was asked
    known = [remedy for remedy in remedies if isinstance(remedy, Remedy)]
    if (alternative := best_alternative(name, results)) is not None:
        kind = "a drop-in" if alternative.compatible else "it needs code changes"
        return f"install {alternative.requirement} ({kind}): wheels for these targets"
    if (version := _common_version(known)) is not None:
        where = "within" if all(r.within_specifier for r in known) else "outside"
        return f"pin {name}=={version} (wheels here, {where} your specifier)"
    prefer = {r.prefer_binary for r in known}
    if len(prefer) == 1 and (chosen := prefer.pop()) is not None:
        return f"pip install --prefer-binary: installs {chosen}"
    return "none found: no version ships a wheel for these targets"


def remedy_sentences(remedy: Remedy) -> list[str]:
    """One target's ways around a build, each a phrase: ``a wheel exists here for 2.9.9
    (within your specifier)``, then what --prefer-binary and --only-binary would install."""
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


def _common_version(remedies: Sequence[Remedy]) -> str | None:
    """The one version with a wheel on every target of `remedies` (the older one first)."""
    for versions in ({r.older for r in remedies}, {r.newer for r in remedies}):
        if len(versions) == 1 and (version := versions.pop()) is not None:
            return version
    return None
