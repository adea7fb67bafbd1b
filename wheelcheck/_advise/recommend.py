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

from wheelcheck._advise.build_needs import dockerfile_lines, merge_needs
from wheelcheck._advise.size import (
    MB,
    base_image_size,
    full_image_includes,
    image_method,
    runtime_mb,
    toolchain_mb,
)
from wheelcheck._judge.targets import sibling_image
from wheelcheck.models import (
    BaseEstimate,
    BuildNeeds,
    ImageFamily,
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
    plain = _unchecked_below(_recommend(targets, packages, conflicts or {}), targets, packages)
    if sizes is None or plain.image is None:
        return plain
    candidates = estimate_candidates(targets, packages, sizes)
    if not candidates:
        return plain
    verdict = _verdict(plain.image, candidates)
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
    """Say what the tree could not reach: a legacy sdist's dependencies are unknown without
    running its setup.py, so what it needs was never checked. That can add builds anywhere
    but remove none: a choice of slim (alpine already blocked) stands with the caveat, a
    choice of alpine ("every package installs from a wheel") cannot be made."""
    cut = [p.name for p in packages if any(not r.dependencies_known for r in p.results.values())]
    if not cut:
        return plain
    names = ", ".join(cut)
    what = f"the dependencies of {names} cannot be read without running code, so the packages "
    alpine = {t.image for t in targets if t.variant == "alpine"}
    if plain.image is not None and plain.image not in alpine:
        return replace(plain, reasons=(*plain.reasons, what + "they need were not checked"))
    return Recommendation(
        None,
        (
            what + "they need were not checked and could need builds on any base",
            *plain.reasons,
        ),
        withheld="incomplete: part of the dependency tree could not be read",
    )


def _recommend(
    targets: Sequence[Target], packages: Sequence[PackageResult], conflicts: Mapping[str, str]
) -> Recommendation:
    alpine = [t for t in targets if t.variant == "alpine"]
    debian = [t for t in targets if t.variant in ("slim", "full")]
    debian_problems = _by_image(debian, packages)

    if not alpine:
        image = debian[0].image if debian else None
        reasons = ["no alpine target was checked; add --target python:X-alpine to compare"]
        return Recommendation(image, (*reasons, *debian_problems))

    blocked = {t.id: found for t in alpine if (found := blockers(t, packages))}
    unresolvable = [t for t in alpine if t.id in conflicts]
    if not blocked and not unresolvable:
        images = ", ".join(dict.fromkeys(t.image or t.id for t in alpine))
        reasons = [f"every package installs from a wheel on {images}, the smaller base"]
        if debian_problems:
            reasons += [f"(slim would be worse: {p})" for p in debian_problems]
        return Recommendation(alpine[0].image, tuple(reasons))

    slim = _slim_image_for(alpine[0], debian)
    debian_blocked = {n for t in debian for names in blockers(t, packages).values() for n in names}
    alpine_only = {n for found in blocked.values() for names in found.values() for n in names}
    alpine_only -= debian_blocked
    lead = "alpine uses musl libc, where manylinux wheels do not install; " if alpine_only else ""
    reasons = [lead + sentence for sentence in _by_image(alpine, packages)]
    reasons += [
        f"on {t.image or t.id} ({_arch(t)}) pip cannot install the tree: {conflicts[t.id]}"
        for t in unresolvable
    ]
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


def _slim_image_for(alpine_target: Target, debian: Sequence[Target]) -> str | None:
    """A checked slim target's image, else the slim sibling of the alpine image."""
    for target in debian:
        if target.variant == "slim" and target.image:
            return target.image
    return sibling_image(alpine_target.image, "slim") if alpine_target.image else None


# --- the quantitative part (issue 4) -------------------------------------------------------------

ASSUMPTIONS = (
    "package sizes are what pip install --no-cache-dir writes: the wheels' files read from "
    "their zip directories, plus the .pyc pip compiles (estimated from each module's size)",
    "packages built from source are not sized (their wheel does not exist yet)",
    "base image sizes are uncompressed, from data/image-sizes.json; " + image_method(),
    "toolchain sizes are estimates (+-25%) from data/toolchain-sizes.json; runtime libraries "
    "kept after a build count 2 MB each",
    "single-stage keeps the toolchain in the image; multi-stage (or removing it in the same "
    "RUN layer) keeps only the runtime libraries",
    "a pure-Python sdist builds without a compiler and is not counted as a build",
)


def _arch(target: Target) -> str:
    return target.platform.split("/", 1)[1] if target.platform else target.arch


def _family(variant: str | None, target: Target) -> str:
    return "alpine" if variant == "alpine" or target.libc.value == "musl" else "debian"


def _estimate(
    image: str,
    variant: ImageFamily | None,
    group: Sequence[Target],
    packages: Sequence[PackageResult],
    sizes: Mapping[str, TargetSize],
    *,
    derived: bool = False,
) -> BaseEstimate:
    """The estimate for one image over its checked architectures (largest numbers win)."""
    base = package_mb = tool_mb = single = multi = 0.0
    native: dict[str, None] = {}
    pure: dict[str, None] = {}
    missing: dict[str, None] = {}
    unsized: dict[str, None] = {}
    build_arches: list[str] = []
    toolchains: dict[str, None] = {}
    system: dict[str, None] = {}
    dockerfile: dict[str, tuple[str, ...]] = {}
    for target in group:
        needs: dict[str, BuildNeeds] = {}
        for package in packages:
            result = package.results.get(target.id)
            if result is None:
                continue
            if result.verdict is Verdict.MISSING:
                missing.setdefault(package.name)
            elif result.verdict is Verdict.SOURCE:
                needs[package.name] = result.build or BuildNeeds("unknown", "not inspected")
        merged = merge_needs(needs)
        compiled = (*merged.native, *merged.unknown)
        if compiled:
            build_arches.append(_arch(target))
        native.update(dict.fromkeys(compiled))
        pure.update(dict.fromkeys(merged.pure))
        toolchains.update(dict.fromkeys(merged.toolchains))
        system.update(dict.fromkeys(merged.system_packages))
        dockerfile = dockerfile or dockerfile_lines(merged, image)
        family = _family(variant, target)
        present = full_image_includes() if variant == "full" else (frozenset(), frozenset())
        image_size = base_image_size(variant or "slim", target.platform)
        this_base = image_size.uncompressed_mb if image_size else 0.0
        size = sizes.get(target.id)
        this_packages = size.installed_bytes / MB if size else 0.0
        if size:
            unsized.update(dict.fromkeys(size.unknown))
        this_tools = toolchain_mb(
            family, merged.toolchains, merged.system_packages, present=present
        )
        this_runtime = runtime_mb(merged.runtime_packages)
        base = max(base, this_base)
        package_mb = max(package_mb, this_packages)
        tool_mb = max(tool_mb, this_tools)
        single = max(single, this_base + this_packages + this_tools + this_runtime)
        multi = max(multi, this_base + this_packages + this_runtime)
    estimate = BaseEstimate(
        image=image,
        variant=variant,
        arches=tuple(_arch(t) for t in group),
        base_mb=round(base, 1),
        packages_mb=round(package_mb, 1),
        toolchain_mb=round(tool_mb, 1),
        single_stage_mb=round(single, 1),
        multi_stage_mb=round(multi, 1),
        native_builds=tuple(native),
        pure_builds=tuple(pure),
        missing=tuple(missing),
        build_arches=tuple(build_arches),
        toolchains=tuple(toolchains),
        system_packages=tuple(system),
        unsized=tuple(unsized),
        derived=derived,
        dockerfile=dockerfile,
    )
    return replace(estimate, summary=_summary(estimate))


def _libraries(packages: Sequence[str]) -> list[str]:
    """The library -dev packages worth naming (not the C library headers every build has)."""
    return [p for p in packages if p.endswith("-dev") and p not in ("musl-dev", "libc6-dev")]


def _summary(e: BaseEstimate) -> str:
    """``python:3.12-alpine: ~180 MB (multi-stage), ~640 MB single-stage; compiles ...``."""
    size = f"~{e.multi_stage_mb:.0f} MB"
    if e.native_builds:
        size += f" multi-stage, ~{e.single_stage_mb:.0f} MB single-stage"
    parts = [f"{e.image}{' (same verdicts as the checked image)' if e.derived else ''}: {size}"]
    if e.native_builds:
        count = len(e.native_builds)
        what = ", ".join((*e.toolchains, *_libraries(e.system_packages)))
        parts.append(
            f"compiles {count} native package{'s' if count > 1 else ''} "
            f"({', '.join(e.native_builds)}) on {', '.join(e.build_arches)}"
            + (f" needing {what}" if what else "")
        )
    else:
        parts.append("no compiler needed")
    if e.pure_builds:
        parts.append(
            f"{len(e.pure_builds)} pure-Python sdist(s) build without a compiler "
            f"({', '.join(e.pure_builds)})"
        )
    if e.missing:
        parts.append(f"nothing installable for {', '.join(e.missing)}")
    return "; ".join(parts)


def estimate_candidates(
    targets: Sequence[Target],
    packages: Sequence[PackageResult],
    sizes: Mapping[str, TargetSize],
) -> list[BaseEstimate]:
    """One BaseEstimate per checked image; when a full image is checked and its slim
    sibling is not, the slim one too (same Debian release, so the same verdicts)."""
    groups: dict[tuple[str, ImageFamily | None], list[Target]] = {}
    for target in targets:
        if target.image is None:
            continue
        groups.setdefault((target.image, target.variant), []).append(target)
    estimates = [
        _estimate(image, variant, group, packages, sizes)
        for (image, variant), group in groups.items()
    ]
    checked = {image for image, _ in groups}
    for (image, variant), group in groups.items():
        if variant != "full":
            continue
        slim = sibling_image(image, "slim")
        if slim not in checked:
            estimates.append(_estimate(slim, "slim", group, packages, sizes, derived=True))
    return estimates


def _verdict(chosen: str | None, candidates: Sequence[BaseEstimate]) -> list[str]:
    """A few plain lines: what each other candidate would save or cost against the choice."""
    best = next((c for c in candidates if c.image == chosen), None)
    if best is None:
        return [c.summary for c in candidates]
    lines = []
    short = best.variant or best.image
    for other in candidates:
        if other is best:
            continue
        name = other.variant or other.image
        delta = best.multi_stage_mb - other.multi_stage_mb
        size = f"save ~{delta:.0f} MB" if delta >= 1 else f"cost ~{-delta:.0f} MB more"
        tools = ", ".join((*other.toolchains, *_libraries(other.system_packages)))
        count = len(other.native_builds)
        plural = "s" if count > 1 else ""
        if other.native_builds and count > len(best.native_builds):
            lines.append(
                f"{name} would {size} but compiles {count} native package{plural} on "
                f"{', '.join(other.build_arches)} ({tools}); choose {short}"
            )
        elif other.native_builds and other.variant == "alpine":
            lines.append(
                f"{name} would {size} but compiles the same {count} native package{plural} "
                f"against musl ({tools}), where builds are slower and less tested than on "
                f"glibc; choose {short}, or avoid the build{plural} (see build needs)"
            )
        elif other.missing and not best.missing:
            lines.append(f"{name} would {size} but cannot install {', '.join(other.missing)}")
        elif other.variant == "full":
            lines.append(f"{name} would {size}: its compilers are better kept in a build stage")
        else:
            lines.append(f"{name} would {size} with the same builds ({len(other.native_builds)})")
    lines.append(best.summary)
    return lines
