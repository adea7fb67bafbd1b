"""Targets: where ``pip install`` runs, from an image reference or an explicit tag spec.

A target fixes the CPython version, the libc family and version and the CPU architecture; from
those alone (never from the host running wheelcheck) it yields the ordered list of wheel tags
pip would accept there, and the PEP 508 marker environment.
"""

from __future__ import annotations

import functools
from types import MappingProxyType
from typing import TYPE_CHECKING

import packaging
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.version import Version

from wheelcheck._judge.images import (
    Distro,
    Platform,
    ResolvedImage,
    arch_names,
    image_for,
    load_table,
    platform_for,
    resolve_image,
    suggest,
)
from wheelcheck._judge.other_images import (
    OtherImage,
    find_other_image,
    not_known,
    tag_spec_hint,
)
from wheelcheck.errors import UnknownTarget
from wheelcheck.models import ImageFamily, Libc, Target

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

__all__ = [
    "DEFAULT_ARCHES",
    "DEFAULT_PYTHON",
    "marker_environment",
    "parse_arch",
    "parse_targets",
    "sibling_image",
    "sibling_target",
    "tag_ranks",
    "target_tags",
]

DEFAULT_ARCHES: tuple[str, ...] = ("amd64", "arm64")
# The newest Python whose ecosystem has musllinux and manylinux wheels nearly everywhere.
DEFAULT_PYTHON = "3.12"

# Arches packaging emits manylinux tags for (packaging/_manylinux.py: _ALLOWED_ARCHS plus the
# armhf and i686 interpreters that its ELF check accepts in the official images).
_MANYLINUX_ARCHES = frozenset(
    {"x86_64", "i686", "aarch64", "armv7l", "ppc64", "ppc64le", "s390x", "loongarch64", "riscv64"}
)
# The oldest glibc a manylinux tag may name: 2.5 on x86, 2.17 elsewhere (PEP 599/600).
_GLIBC_FLOOR = {"x86_64": 5, "i686": 5}
_GLIBC_FLOOR_DEFAULT = 17
_LEGACY_MANYLINUX = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}
# packaging guesses the last minor of a past glibc major this way (_LAST_GLIBC_MINOR).
_LAST_GLIBC_MINOR = 50
# packaging 26.3 moved linux_<arch> before manylinux/musllinux (pypa/packaging#160); follow the
# installed packaging so this list equals what its sys_tags() gives on such a machine.
_LINUX_FIRST = Version(packaging.__version__) >= Version("26.3")


# --- parsing -----------------------------------------------------------------------------------


def parse_arch(name: str) -> Platform:
    """The Docker platform for ``amd64``, ``linux/arm64``, ``aarch64``, ``arm/v7``, ``386``, ...

    Raises UnknownTarget (with a suggestion) for a name that is no known architecture.
    """
    platform = platform_for(name)
    if platform is None:
        raise UnknownTarget(f"unknown architecture {name!r}{suggest(name, arch_names())}")
    return platform


def parse_targets(
    specs: Sequence[str], arches: Sequence[str] = (), python: str | None = None
) -> tuple[Target, ...]:
    """The targets named by `specs`, in order, without duplicates.

    Each spec is an official python image reference (``python:3.12-alpine``,
    ``python:3.10.13``, ``python:3.13t-slim``, ...: see `wheelcheck._judge.images.resolve_image`),
    which expands to one target per arch in `arches` (default DEFAULT_ARCHES), or an explicit
    spec (``cp312-musllinux_1_2_x86_64``, ``cp313t-manylinux_2_36_aarch64``,
    ``cp311-manylinux2014_x86_64``), which carries its own arch. A target id such as
    ``python:3.12-alpine/arm64`` is accepted too and names just that arch.

    With no specs: the alpine and slim images of `python` (default DEFAULT_PYTHON; ``3.13t``
    for free-threaded) on each arch, alpine first. `python` only shapes these defaults.

    Example: ``parse_targets(["python:3.12-alpine"], ["arm64"])[0].id`` is
    ``"python:3.12-alpine/arm64"``.

    Raises UnknownTarget for an unknown spec, arch or Python, and for an image variant that
    has no build for a requested arch.
    """
    platforms = tuple(parse_arch(a) for a in (arches or DEFAULT_ARCHES))
    if not specs:
        minor = python or DEFAULT_PYTHON
        specs = [f"python:{minor}-alpine", f"python:{minor}-slim"]
    targets: dict[str, Target] = {}
    for spec in specs:
        for target in _parse_one(spec.strip(), platforms, chosen=bool(arches)):
            targets.setdefault(target.id, target)
    return tuple(targets.values())


def _parse_one(spec: str, platforms: tuple[Platform, ...], *, chosen: bool) -> Iterator[Target]:
    if _looks_explicit(spec):
        yield _parse_explicit(spec)
        return
    image_part, arch_part = _split_other_id(spec) or _split_id(spec)
    wanted = (parse_arch(arch_part),) if arch_part is not None else platforms
    other = find_other_image(image_part)
    if other is not None:
        # The default arches are a wish: an image that lacks one is judged on the others.
        yield from _other_targets(image_part, other, wanted, strict=chosen or bool(arch_part))
        return
    image = resolve_image(image_part)
    for platform in wanted:
        yield _image_target(image, platform)


def _other_targets(
    name: str, image: OtherImage, platforms: tuple[Platform, ...], *, strict: bool
) -> Iterator[Target]:
    offered = [p for p in platforms if p.platform in image.architectures]
    missing = [p for p in platforms if p not in offered]
    if missing and (strict or not offered):
        have = ", ".join(p.removeprefix("linux/") for p in image.architectures)
        unsure = "" if image.architectures_complete else " (the only ones the table verified)"
        gap = not_known(image.repository, "architectures")
        if gap is not None:
            python = f"{image.minor[0]}.{image.minor[1]}"
            hint = tag_spec_hint(python, image.distro.libc, missing[0].machine)
            raise UnknownTarget(f"{name} on {missing[0].short} is {gap.said}; {hint}")
        raise UnknownTarget(
            f"{name} has no {missing[0].short} image in the table; it has {have}{unsure}"
        )
    for platform in offered:
        yield _on_image(name, name, image.minor, image.python_full_version, image.distro, platform)


def _on_image(
    name: str,
    reference: str,
    minor: tuple[int, int],
    full_version: str,
    distro: Distro,
    platform: Platform,
    *,
    free_threaded: bool = False,
    variant: ImageFamily | None = None,
) -> Target:
    """The target of image `name` (its id's head) on `platform`."""
    return Target(
        id=f"{name}/{platform.short}",
        python_version=minor,
        python_full_version=full_version,
        libc=distro.libc,
        libc_version=distro.libc_minor,
        arch=platform.machine,
        image=reference,
        platform=platform.platform,
        distro=distro.display,
        free_threaded=free_threaded,
        variant=variant,
    )


def _split_other_id(spec: str) -> tuple[str, str] | None:
    """(image, arch) of an other-image target id without a tag, such as
    ``gcr.io/distroless/python3-debian12/arm/v7``; None for anything else."""
    parts = spec.split("/")
    for cut in (1, 2):  # arm64, arm/v7
        head, tail = "/".join(parts[:-cut]), "/".join(parts[-cut:])
        if ":" not in tail and platform_for(tail) is not None and find_other_image(head):
            return head, tail
    return None


def _split_id(spec: str) -> tuple[str, str | None]:
    # "python:3.12-alpine/arm/v7": a '/' after the tag's ':' starts an arch (target id form).
    colon = spec.rfind(":")
    slash = spec.find("/", colon + 1) if colon >= 0 else -1
    if slash < 0:
        return spec, None
    return spec[:slash], spec[slash + 1 :]


def _image_target(image: ResolvedImage, platform: Platform) -> Target:
    variant = image.variant
    offered_platforms = variant.architectures_for(f"{image.minor[0]}.{image.minor[1]}")
    if platform.platform not in offered_platforms:
        offered = ", ".join(p.removeprefix("linux/") for p in offered_platforms)
        raise UnknownTarget(
            f"{image.name} ({variant.tag}) has no {platform.short} image; it offers {offered}"
        )
    return _on_image(
        image.name,
        image.reference,
        image.minor,
        image.python_full_version,
        variant.distro,
        platform,
        free_threaded=image.free_threaded,
        variant=_family(variant.family),
    )


def _family(name: str) -> ImageFamily:
    """`name`, the family of a variant in the images table (its loader admits no other)."""
    match name:
        case "alpine" | "slim" | "full":
            return name
    raise ValueError(f"unknown image family {name!r}")


def _looks_explicit(spec: str) -> bool:
    head = spec.split("-", 1)[0]
    return ":" not in spec and head.startswith("cp") and head[2:3].isdigit()


def _parse_explicit(spec: str) -> Target:
    interpreter, sep, platform_tag = spec.partition("-")
    if not sep:
        raise _bad_spec(spec, "expected INTERPRETER-PLATFORM")
    # Also accept a full tag such as cp312-cp312-manylinux_2_17_x86_64.
    abi, sep, rest = platform_tag.partition("-")
    if sep:
        if abi != interpreter:
            raise _bad_spec(spec, f"ABI {abi!r} does not match {interpreter!r}")
        platform_tag = rest
    free_threaded = interpreter.endswith("t")
    digits = interpreter[2:].removesuffix("t")
    if not digits.isdigit() or not digits.startswith("3") or len(digits) < 2:
        raise _bad_spec(spec, f"{interpreter!r} is not a CPython 3 interpreter tag (cp312)")
    minor = (3, int(digits[1:]))
    if free_threaded and minor < (3, 13):
        raise _bad_spec(spec, "free-threaded CPython starts at cp313t")
    libc, libc_version, arch = _parse_platform_tag(spec, platform_tag)
    platform = platform_for(arch)
    if platform is None or platform.machine != arch:
        raise _bad_spec(spec, f"unknown architecture {arch!r}{suggest(arch, _machines())}")
    current = load_table().current.get(f"{minor[0]}.{minor[1]}")
    return Target(
        id=spec,
        python_version=minor,
        # The patch is not in the spec: the table's current one, else X.Y.0.
        python_full_version=str(current) if current else f"{minor[0]}.{minor[1]}.0",
        libc=libc,
        libc_version=libc_version,
        arch=arch,
        platform=platform.platform,
        free_threaded=free_threaded,
    )


def _parse_platform_tag(spec: str, tag: str) -> tuple[Libc, tuple[int, int], str]:
    for legacy_version, legacy in _LEGACY_MANYLINUX.items():
        if tag.startswith(legacy + "_"):
            arch = tag[len(legacy) + 1 :]
            return Libc.GLIBC, legacy_version, _check_glibc(spec, legacy_version, arch)
    family, _, rest = tag.partition("_")
    parts = rest.split("_", 2)
    if family not in ("manylinux", "musllinux") or len(parts) != 3:
        hint = suggest(family, ["manylinux", "musllinux", *_LEGACY_MANYLINUX.values()])
        raise _bad_spec(spec, f"platform should be manylinux_2_N_ARCH or musllinux_1_N_ARCH{hint}")
    major, minor, arch = parts
    if not (major.isdigit() and minor.isdigit()):
        raise _bad_spec(spec, f"{family} version {major}.{minor} is not numeric")
    version = (int(major), int(minor))
    if family == "musllinux":
        if version[0] != 1:
            raise _bad_spec(spec, "musllinux versions are 1_N (musl 1.N)")
        return Libc.MUSL, version, arch
    if version[0] != 2:
        raise _bad_spec(spec, "manylinux versions are 2_N (glibc 2.N)")
    return Libc.GLIBC, version, _check_glibc(spec, version, arch)


def _check_glibc(spec: str, version: tuple[int, int], arch: str) -> str:
    floor = _GLIBC_FLOOR.get(arch, _GLIBC_FLOOR_DEFAULT)
    if arch in _MANYLINUX_ARCHES and version < (2, floor):
        raise _bad_spec(spec, f"manylinux on {arch} starts at glibc 2.{floor}")
    return arch


def _machines() -> list[str]:
    return [p.machine for p in load_table().platforms]


def _bad_spec(spec: str, why: str) -> UnknownTarget:
    return UnknownTarget(f"unknown target {spec!r}: {why}")


# --- tags and markers --------------------------------------------------------------------------


def _platform_tags(target: Target) -> list[str]:
    """The platform tags of `target`, most preferred first, as packaging orders them."""
    arch = target.arch
    compatible: list[str] = []
    if target.libc is Libc.MUSL:
        major, minor = target.libc_version
        compatible = [f"musllinux_{major}_{m}_{arch}" for m in range(minor, -1, -1)]
    elif arch in _MANYLINUX_ARCHES:
        floor = _GLIBC_FLOOR.get(arch, _GLIBC_FLOOR_DEFAULT)
        major, minor = target.libc_version
        # Mirrors packaging._manylinux.platform_tags: every glibc from the target's down to
        # the floor, each legacy alias right after the version it stands for.
        for glibc_major in range(major, 1, -1):
            top = minor if glibc_major == major else _LAST_GLIBC_MINOR
            bottom = floor if glibc_major == 2 else 0
            for glibc_minor in range(top, bottom - 1, -1):
                compatible.append(f"manylinux_{glibc_major}_{glibc_minor}_{arch}")
                legacy = _LEGACY_MANYLINUX.get((glibc_major, glibc_minor))
                if legacy:
                    compatible.append(f"{legacy}_{arch}")
    linux = [f"linux_{arch}"]
    return linux + compatible if _LINUX_FIRST else compatible + linux


@functools.cache
def _tags(target: Target) -> tuple[Tag, ...]:
    version = target.python_version
    nodot = f"{version[0]}{version[1]}"
    abi = f"cp{nodot}{'t' if target.free_threaded else ''}"
    platforms = _platform_tags(target)
    tags = list(cpython_tags(python_version=version, abis=[abi], platforms=platforms))
    tags.extend(
        compatible_tags(python_version=version, interpreter=f"cp{nodot}", platforms=platforms)
    )
    return tuple(tags)


def target_tags(target: Target) -> list[Tag]:
    """The wheel tags pip accepts on `target`, most preferred first.

    The same list `packaging.tags.sys_tags()` gives when run on such a machine: the cpXY ABI
    (cpXYt when free-threaded), abi3 (not for free-threaded), none, older abi3, then the
    py* and ``*-none-any`` tags; platforms are musllinux_1_N..1_0 or manylinux_2_N down to
    2_5 (x86) / 2_17 (other arches) with manylinux1/2010/2014 where they apply, and
    ``linux_<arch>``. Nothing is read from the host.
    """
    return list(_tags(target))


@functools.cache
def tag_ranks(target: Target) -> Mapping[Tag, int]:
    """Each accepted tag of `target` mapped to its priority (0 is the best)."""
    ranks: dict[Tag, int] = {}
    for rank, tag in enumerate(_tags(target)):
        ranks.setdefault(tag, rank)
    return MappingProxyType(ranks)


def target_platform(target: Target) -> str:
    """``musllinux on x86_64``: the wheel family and machine a target installs."""
    family = "musllinux" if target.libc is Libc.MUSL else "manylinux"
    return f"{family} on {target.arch}"


def marker_environment(target: Target) -> dict[str, str]:
    """The PEP 508 marker environment of `target` (never the host's values).

    Example: for ``python:3.12-alpine/arm64``, ``platform_machine`` is ``aarch64`` and
    ``python_full_version`` the image's patch, e.g. ``3.12.14``.
    """
    full = target.python_full_version
    return {
        "implementation_name": "cpython",
        "implementation_version": full,
        "os_name": "posix",
        "platform_machine": target.arch,
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": full,
        "python_version": f"{target.python_version[0]}.{target.python_version[1]}",
        "sys_platform": "linux",
    }


# --- relations between images ------------------------------------------------------------------


def sibling_image(image: str, variant: str) -> str:
    """The same Python on the other image family's moving tag.

    ``sibling_image("python:3.12-alpine", "slim")`` is ``"python:3.12-slim"``;
    ``python:3.12.14-slim-trixie`` with ``alpine`` gives ``python:3.12.14-alpine``;
    ``python:alpine`` with ``slim`` gives ``python:slim``. `variant` is alpine, slim or full.
    A free-threaded name gives the real image (``python:3.13t-slim`` -> ``python:3.13-alpine``).
    The result is not checked against the table (an old patch may have no such image).

    Raises UnknownTarget if `image` is not a python image reference or `variant` unknown.
    """
    if variant not in ("alpine", "slim", "full"):
        raise UnknownTarget(f"unknown image variant {variant!r} (alpine, slim or full)")
    resolved = resolve_image(image)
    version_text, _, _ = resolved.tag.partition("-")
    if not version_text[:1].isdigit():  # python:alpine, python:latest
        version_text = ""
    suffix = {"alpine": "alpine", "slim": "slim", "full": ""}[variant]
    if not version_text:
        return f"python:{suffix or 'latest'}"
    return f"python:{version_text}" + (f"-{suffix}" if suffix else "")


def sibling_target(target: Target, variant: str) -> Target:
    """`target` on the moving image of another family, same Python, free-threading and arch.

    Raises UnknownTarget for an explicit-spec target, or if that image lacks the arch.
    """
    if target.image is None or target.platform is None:
        raise UnknownTarget(f"{target.id} is not an image target")
    minor = f"{target.python_version[0]}.{target.python_version[1]}"
    name = image_for(minor, variant, free_threaded=target.free_threaded)
    platform = parse_arch(target.platform)
    return _image_target(resolve_image(name), platform)
