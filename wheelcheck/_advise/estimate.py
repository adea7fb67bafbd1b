"""What each candidate base image costs: its builds, toolchains and estimated image size.

For every checked image (and the slim sibling of a checked full image) a BaseEstimate sums
the base image, the installed packages and, for native builds, the toolchain; `verdict_lines`
says what each other candidate would save or cost against the chosen one. Sizes come from
the shipped tables (data/image-sizes.json, data/toolchain-sizes.json) and the wheels' zip
directories; ASSUMPTIONS says what they rest on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from wheelcheck._advise.build_needs import MergedNeeds, dockerfile_lines, merge_needs
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
    Target,
    TargetSize,
    Verdict,
)

ASSUMPTIONS = (
    "package sizes are what pip install --no-cache-dir writes: the wheels' files read from "
    "their zip directories, plus the .pyc pip compiles (estimated per Python minor from each "
    "module's size and deflated size in that directory)",
    "packages built from source are not sized (their wheel does not exist yet)",
    "base image sizes are uncompressed, from data/image-sizes.json; " + image_method(),
    "toolchain sizes are estimates (+-25%) from data/toolchain-sizes.json; runtime libraries "
    "kept after a build count 2 MB each",
    "single-stage keeps the toolchain in the image; multi-stage (or removing it in the same "
    "RUN layer) keeps only the runtime libraries",
    "a pure-Python sdist builds without a compiler and is not counted as a build",
)


def arch_label(target: Target) -> str:
    """``amd64`` for an image target on linux/amd64; the wheel machine name otherwise."""
    return target.platform.split("/", 1)[1] if target.platform else target.arch


def _family(variant: ImageFamily | None, target: Target) -> str:
    return "alpine" if variant == "alpine" or target.libc.value == "musl" else "debian"


@dataclass(frozen=True, slots=True)
class _Figures:
    """One target's numbers in MB: base image, packages, toolchain, kept runtime libraries."""

    base: float
    packages: float
    tools: float
    runtime: float


def _needs_on(
    target: Target, packages: Sequence[PackageResult], missing: dict[str, None]
) -> MergedNeeds:
    """What the source builds on `target` need together; `missing` collects the packages
    with nothing installable there."""
    needs: dict[str, BuildNeeds] = {}
    for package in packages:
        result = package.results.get(target.id)
        if result is None:
            continue
        if result.verdict is Verdict.MISSING:
            missing.setdefault(package.name)
        elif result.verdict is Verdict.SOURCE:
            needs[package.name] = result.build or BuildNeeds("unknown", "not inspected")
    return merge_needs(needs)


def _figures(
    variant: ImageFamily | None, target: Target, merged: MergedNeeds, size: TargetSize | None
) -> _Figures:
    present = full_image_includes() if variant == "full" else (frozenset(), frozenset())
    image_size = base_image_size(variant or "slim", target.platform)
    return _Figures(
        base=image_size.uncompressed_mb if image_size else 0.0,
        packages=size.installed_bytes / MB if size else 0.0,
        tools=toolchain_mb(
            _family(variant, target), merged.toolchains, merged.system_packages, present=present
        ),
        runtime=runtime_mb(merged.runtime_packages),
    )


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
    native: dict[str, None] = {}
    pure: dict[str, None] = {}
    missing: dict[str, None] = {}
    unsized: dict[str, None] = {}
    build_arches: list[str] = []
    toolchains: dict[str, None] = {}
    system: dict[str, None] = {}
    dockerfile: dict[str, tuple[str, ...]] = {}
    figures: list[_Figures] = []
    for target in group:
        merged = _needs_on(target, packages, missing)
        compiled = (*merged.native, *merged.unknown)
        if compiled:
            build_arches.append(arch_label(target))
        native.update(dict.fromkeys(compiled))
        pure.update(dict.fromkeys(merged.pure))
        toolchains.update(dict.fromkeys(merged.toolchains))
        system.update(dict.fromkeys(merged.system_packages))
        dockerfile = dockerfile or dockerfile_lines(merged, image)
        size = sizes.get(target.id)
        unsized.update(dict.fromkeys(size.unknown if size else ()))
        figures.append(_figures(variant, target, merged, size))
    estimate = BaseEstimate(
        image=image,
        variant=variant,
        arches=tuple(arch_label(t) for t in group),
        base_mb=round(max((f.base for f in figures), default=0.0), 1),
        packages_mb=round(max((f.packages for f in figures), default=0.0), 1),
        toolchain_mb=round(max((f.tools for f in figures), default=0.0), 1),
        single_stage_mb=round(
            max((f.base + f.packages + f.tools + f.runtime for f in figures), default=0.0), 1
        ),
        multi_stage_mb=round(
            max((f.base + f.packages + f.runtime for f in figures), default=0.0), 1
        ),
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


def named_libraries(packages: Sequence[str]) -> list[str]:
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
        what = ", ".join((*e.toolchains, *named_libraries(e.system_packages)))
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
        # The size table covers the python image families only: no estimate for other bases.
        if target.image is None or target.variant is None:
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


def verdict_lines(chosen: str | None, candidates: Sequence[BaseEstimate]) -> list[str]:
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
        tools = ", ".join((*other.toolchains, *named_libraries(other.system_packages)))
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
