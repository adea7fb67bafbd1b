"""Slim or alpine: the base-image recommendation drawn from the verdicts.

The rule (issue 2): recommend the alpine variant only if no package needs a source build or is
missing on any requested alpine target; otherwise the slim variant. The reasons name the
packages that block alpine, per architecture.
"""

from __future__ import annotations

from collections.abc import Sequence

from wheelcheck.models import PackageResult, Recommendation, Target, Verdict
from wheelcheck.targets import sibling_image

# Verdicts that make a target a poor base: pip compiles, or cannot install at all.
BLOCKING = (Verdict.SOURCE, Verdict.MISSING)


def blockers(target: Target, packages: Sequence[PackageResult]) -> dict[Verdict, list[str]]:
    """Per blocking verdict, the packages with that verdict on `target` (empty when none)."""
    found: dict[Verdict, list[str]] = {}
    for package in packages:
        result = package.results.get(target.id)
        if result is not None and result.verdict in BLOCKING:
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


def recommend(targets: Sequence[Target], packages: Sequence[PackageResult]) -> Recommendation:
    """Choose a base image for these targets from the per-package verdicts.

    Returns a Recommendation whose `image` is an image reference (None when the targets are
    explicit tag specs with no image), with reasons in plain sentences and, per blocked alpine
    target id, the packages that block it.
    """
    alpine = [t for t in targets if t.variant == "alpine"]
    debian = [t for t in targets if t.variant in ("slim", "full")]
    errors = any(r.verdict is Verdict.ERROR for p in packages for r in p.results.values())
    caveat = ["some lookups failed, so this recommendation is provisional"] if errors else []
    debian_problems = _by_image(debian, packages)

    if not alpine:
        image = debian[0].image if debian else None
        reasons = ["no alpine target was checked; add --target python:X-alpine to compare"]
        return Recommendation(image, (*reasons, *debian_problems, *caveat))

    blocked = {t.id: found for t in alpine if (found := blockers(t, packages))}
    if not blocked:
        images = ", ".join(dict.fromkeys(t.image or t.id for t in alpine))
        reasons = [f"every package installs from a wheel on {images}, the smaller base"]
        if debian_problems:
            reasons += [f"(slim would be worse: {p})" for p in debian_problems]
        return Recommendation(alpine[0].image, (*reasons, *caveat))

    slim = _slim_image_for(alpine[0], debian)
    debian_blocked = {n for t in debian for names in blockers(t, packages).values() for n in names}
    alpine_only = {n for found in blocked.values() for names in found.values() for n in names}
    alpine_only -= debian_blocked
    lead = "alpine uses musl libc, where manylinux wheels do not install; " if alpine_only else ""
    reasons = [lead + sentence for sentence in _by_image(alpine, packages)]
    if debian_problems:
        reasons += [f"slim is not free of builds either: {p}" for p in debian_problems]
    elif debian:
        reasons.append(f"every package installs from a wheel on {slim}")
    return Recommendation(
        slim,
        (*reasons, *caveat),
        {
            tid: tuple(n for names in found.values() for n in names)
            for tid, found in blocked.items()
        },
    )


def _slim_image_for(alpine_target: Target, debian: Sequence[Target]) -> str | None:
    """A checked slim target's image, else the slim sibling of the alpine image."""
    for target in debian:
        if target.variant == "slim" and target.image:
            return target.image
    return sibling_image(alpine_target.image, "slim") if alpine_target.image else None
