"""Slim or alpine: the base-image recommendation drawn from the verdicts.

The rule (issue 2): recommend the alpine variant only if no package needs a source build or is
missing on any requested alpine target; otherwise the slim variant. No recommendation at all
while the check is incomplete: a package without a verdict on some target (a failed lookup), a
tree that could not be resolved for want of an answer from the index, or nothing to check. A
user changes their base image on this word, so it is never drawn from partial results. The
reasons name the packages that block alpine, per architecture. A pure-Python sdist (issue 4)
builds anywhere without a compiler and blocks nothing. With sizes, every candidate base gets
its builds, toolchains and an estimated image size, and the verdict says what it costs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from wheelcheck._advise.estimate import (
    ASSUMPTIONS,
    arch_label,
    estimate_candidates,
    verdict_lines,
)
from wheelcheck._judge.targets import sibling_image
from wheelcheck.models import (
    BuildNeeds,
    PackageResult,
    Recommendation,
    Target,
    TargetSize,
    Verdict,
)

# Verdicts that make a target a poor base: pip compiles, or cannot install at all.
BLOCKING = (Verdict.SOURCE, Verdict.MISSING)


def blockers(target: Target, packages: Sequence[PackageResult]) -> dict[Verdict, list[str]]:
    """Per blocking verdict, the packages with that verdict on `target` (empty when none)."""
    found: dict[Verdict, list[str]] = {}
    for package in packages:
        result = package.results.get(target.id)
        if result is not None and result.verdict in BLOCKING and not _pure_build(result.build):
            found.setdefault(result.verdict, []).append(package.name)
    return found


def _phrase(found: dict[Verdict, list[str]]) -> str:
    """``psycopg2, lxml build from source; pywin32 has nothing installable``."""
    parts = []
    if names := found.get(Verdict.SOURCE):
        parts.append(
            ", ".join(names) + (" builds" if len(names) == 1 else " build") + " from source"
        )
    if names := found.get(Verdict.MISSING):
        parts.append(
            ", ".join(names) + (" has" if len(names) == 1 else " have") + " nothing installable"
        )
    return "; ".join(parts)


def _by_image(targets: Sequence[Target], packages: Sequence[PackageResult]) -> list[str]:
    """One sentence per image and set of problems, naming the architectures it holds for."""
    sentences: dict[tuple[str, str], list[str]] = {}
    for target in targets:
        problems = _phrase(blockers(target, packages))
        if problems:
            arch = target.platform.split("/", 1)[1] if target.platform else target.arch
            sentences.setdefault((target.image or target.id, problems), []).append(arch)
    return [
        f"on {image} ({', '.join(arches)}): {problems}"
        for (image, problems), arches in sentences.items()
    ]


def _pure_build(build: BuildNeeds | None) -> bool:
    return build is not None and build.kind == "pure"


def recommend(
    targets: Sequence[Target],
    packages: Sequence[PackageResult],
    sizes: Mapping[str, TargetSize] | None = None,
    conflicts: Mapping[str, str] | None = None,
    errors: Sequence[str] = (),
) -> Recommendation:
    """Choose a base image for these targets from the per-package verdicts.

    Returns a Recommendation whose `image` is an image reference (None when the targets are
    explicit tag specs with no image), with reasons in plain sentences and, per blocked alpine
    target id, the packages that block it. With `sizes` (target id -> installed size) it
    also carries a BaseEstimate per candidate base image, a verdict line comparing them, and
    the assumptions behind the numbers. A target in `conflicts` (target id -> why pip cannot
    resolve the tree there) is blocked whatever its rows say.

    Returns a Recommendation with `image` None and `withheld` set, and no estimates, when
    nothing was checked or the check is incomplete: some package has an `error` verdict, or
    `errors` (failures not tied to one package, such as a tree cut short) is not empty.
    """
    withheld = _withheld(targets, packages, errors)
    if withheld is not None:
        return withheld
    plain = _recommend(targets, packages, conflicts or {})
    if any(r.verdict is Verdict.NOT_FOUND for p in packages for r in p.results.values()):
        # "every package" would count the projects the index does not know
        other = (
            r.replace("every package installs", "every other package installs", 1)
            for r in plain.reasons
        )
        plain = replace(plain, reasons=tuple(other))
    plain = _declared_below(_unchecked_below(plain, targets, packages), packages)
    if sizes is None or plain.image is None:
        return plain
    candidates = estimate_candidates(targets, packages, sizes)
    if not candidates:
        return plain
    verdict = verdict_lines(plain.image, candidates)
    return replace(
        plain,
        reasons=(*verdict, *plain.reasons),
        candidates=tuple(candidates),
        assumptions=ASSUMPTIONS,
    )


def _retry_hint(packages: Sequence[PackageResult]) -> str:
    """How a user gets a complete answer after failed lookups, naming the failing index."""
    failing = sorted(
        {
            r.index_url
            for p in packages
            for r in p.results.values()
            if r.verdict is Verdict.ERROR and r.index_url
        }
    )
    which = " and ".join(failing) if failing else "the index"
    return (
        f"{which} could not be reached or answered with errors: run the check again once it "
        "answers, or check against another index with --index-url URL (PyPI: --index-url "
        "https://pypi.org/simple)"
    )


def unknown_packages(packages: Sequence[PackageResult]) -> list[str]:
    """The packages without a verdict on some target: their lookup failed."""
    return [p.name for p in packages if any(r.verdict is Verdict.ERROR for r in p.results.values())]


def _withheld(
    targets: Sequence[Target], packages: Sequence[PackageResult], errors: Sequence[str]
) -> Recommendation | None:
    """The empty recommendation of a check that cannot support one, else None."""
    if not packages or not targets:
        return Recommendation(
            None,
            ("nothing was checked: the input names no package",),
            withheld="nothing to check",
        )
    unknown = unknown_packages(packages)
    if not unknown and not errors:
        return None
    reasons = []
    if unknown:
        count = f"{len(unknown)} of {len(packages)} package{'s' if len(packages) > 1 else ''}"
        reasons.append(
            f"{count} could not be looked up on every target, so their verdicts are unknown: "
            + ", ".join(unknown)
        )
    elif errors:
        reasons.append(
            f"{len(errors)} lookup{'s' if len(errors) > 1 else ''} failed (see the errors), "
            "so the tree or some verdicts may be incomplete"
        )
    reasons.append(_retry_hint(packages))
    return Recommendation(
        None, tuple(reasons), withheld="incomplete: some lookups failed", unknown=tuple(unknown)
    )


def _unchecked_below(
    plain: Recommendation, targets: Sequence[Target], packages: Sequence[PackageResult]
) -> Recommendation:
    """Say what the check could not reach: a legacy sdist's dependencies are unknown without
    running its setup.py, and a direct reference (URL, VCS, path) is not looked up, so what
    they install was never checked. That can add builds anywhere but remove none: a choice of
    slim (alpine already blocked) stands with the caveat, a choice of alpine ("every package
    installs from a wheel") cannot be made."""
    cut = [p.name for p in packages if any(not r.dependencies_known for r in p.results.values())]
    direct = [
        p.name for p in packages if any(r.verdict is Verdict.UNCHECKED for r in p.results.values())
    ]
    if not cut and not direct:
        return plain
    caveats = []
    if cut:
        caveats.append(
            f"the dependencies of {', '.join(cut)} cannot be read without running code, so "
            "the packages they need were not checked"
        )
    if direct:
        caveats.append(
            f"{', '.join(direct)}: a direct reference (URL, VCS or path), not looked up, so "
            "whether it builds was not checked"
        )
    alpine = {t.image for t in targets if t.variant == "alpine"}
    if plain.image is not None and plain.image not in alpine:
        return replace(plain, reasons=(*plain.reasons, *caveats))
    # after "every package" or "every other package" alike
    looked_up = (
        r.replace(" package installs", " package looked up installs", 1) for r in plain.reasons
    )
    return Recommendation(
        None,
        (*(c + "; it could need builds on any base" for c in caveats), *looked_up),
        withheld="incomplete: part of the tree was not checked",
    )


def _declared_below(plain: Recommendation, packages: Sequence[PackageResult]) -> Recommendation:
    """A computed answer that rests on declared dependencies (egg-info, setup.py read
    statically, ...) stands, with the caveat that a build could need other packages."""
    declared = [
        p.name
        for p in packages
        if any(
            r.dependencies_known
            and r.dependencies_from is not None
            and r.dependencies_from.declared
            for r in p.results.values()
        )
    ]
    if not declared:
        return plain
    caveat = (
        f"the dependencies of {', '.join(declared)} are declared by files a build would "
        "regenerate (not guaranteed metadata), so a build could need other packages"
    )
    return replace(plain, reasons=(*plain.reasons, caveat))


def _recommend(
    targets: Sequence[Target], packages: Sequence[PackageResult], conflicts: Mapping[str, str]
) -> Recommendation:
    alpine = [t for t in targets if t.variant == "alpine"]
    debian = [t for t in targets if t.variant in ("slim", "full")]
    # A target where pip cannot resolve the tree installs nothing: never the one to choose.
    debian_conflicts = [_conflict(t, conflicts) for t in debian if t.id in conflicts]
    debian_problems = _by_image(debian, packages) + debian_conflicts
    if not alpine:  # nothing to compare: the one base, unless pip fails there
        fails = debian_conflicts or _uninstallable(debian, packages)
        image = debian[0].image if debian and not fails else None
        reasons = ["no alpine target was checked; add --target python:X-alpine to compare"]
        return Recommendation(image, (*reasons, *debian_problems))
    blocked = {t.id: found for t in alpine if (found := blockers(t, packages))}
    unresolvable = [t for t in alpine if t.id in conflicts]
    if not blocked and not unresolvable:
        images = ", ".join(dict.fromkeys(t.image or t.id for t in alpine))
        reasons = [f"every package installs from a wheel on {images}, the smaller base"]
        reasons += [f"(slim would be worse: {p})" for p in debian_problems]
        return Recommendation(alpine[0].image, tuple(reasons))
    slim = _slim_image_for(alpine[0], debian)
    debian_blocked = {n for t in debian for names in blockers(t, packages).values() for n in names}
    alpine_only = {n for found in blocked.values() for names in found.values() for n in names}
    alpine_only -= debian_blocked
    lead = "alpine uses musl libc, where manylinux wheels do not install; " if alpine_only else ""
    reasons = [lead + sentence for sentence in _by_image(alpine, packages)]
    reasons += [_conflict(t, conflicts) for t in unresolvable]
    # Nor is slim, when it has nothing to install for a package alpine installs: each base
    # fails where the other does not. A package neither can install does not tell them apart.
    if debian_conflicts or _uninstallable(debian, packages) - _uninstallable(alpine, packages):
        return Recommendation(None, (*reasons, *debian_problems))  # neither base installs it
    if debian_problems:
        reasons += [f"slim is not free of builds either: {p}" for p in debian_problems]
    elif debian:
        reasons.append(f"every package installs from a wheel on {slim}")
    return Recommendation(
        slim,
        tuple(reasons),
        {
            **{
                tid: tuple(n for names in found.values() for n in names)
                for tid, found in blocked.items()
            },
            **{t.id: ("(conflict)",) for t in unresolvable if t.id not in blocked},
        },
    )


def _uninstallable(targets: Sequence[Target], packages: Sequence[PackageResult]) -> set[str]:
    """The packages with nothing pip could install on some of `targets`."""
    failing = (Verdict.MISSING, Verdict.NOT_FOUND)
    return {
        package.name
        for package in packages
        for target in targets
        if (result := package.results.get(target.id)) is not None and result.verdict in failing
    }


def _conflict(target: Target, conflicts: Mapping[str, str]) -> str:
    where = f"{target.image or target.id} ({arch_label(target)})"
    return f"on {where} pip cannot install the tree: {conflicts[target.id]}"


def _slim_image_for(alpine_target: Target, debian: Sequence[Target]) -> str | None:
    """A checked slim target's image, else the slim sibling of the alpine image."""
    for target in debian:
        if target.variant == "slim" and target.image:
            return target.image
    return sibling_image(alpine_target.image, "slim") if alpine_target.image else None
