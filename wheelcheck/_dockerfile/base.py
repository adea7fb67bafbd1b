"""From a stage's base image to the targets pip would run on, and their alternatives.

Official ``python:`` tags and the other bases with their own Python (distroless, AWS Lambda,
UBI 9) go through wheelcheck's image table (`wheelcheck._judge.images`, `.other_images`).
``alpine:3.x``, ``debian:``, ``ubuntu:`` and ``amazonlinux:`` bases with the distribution's
own Python come from ``data/distro-pythons.json`` (with sources), on the distribution releases
of ``data/base-images.json``. Anything else is unknown: reported, and the user may name a
target with ``--target``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Literal

from wheelcheck._data import read_json
from wheelcheck._judge.images import Distro, load_table, platform_for, resolve_image
from wheelcheck._judge.other_images import find_other_image, image_notes
from wheelcheck._judge.targets import DEFAULT_ARCHES, parse_arch, parse_targets, sibling_image
from wheelcheck.errors import UnknownTarget
from wheelcheck.models import Libc, Target

__all__ = [
    "BaseImage",
    "DistroPython",
    "distro_python",
    "resolve_base",
    "slim_of",
]

DATA_FILE = "distro-pythons.json"
_IMAGES = ("alpine", "debian", "ubuntu", "amazonlinux")


@dataclass(frozen=True, slots=True)
class DistroPython:
    """A distribution release and the Python its packages install."""

    image: str  # alpine | debian | ubuntu | amazonlinux
    release: str
    codename: str | None
    display: str  # "Debian 12 (bookworm)", "Amazon Linux 2023"
    python: str  # 3.12, or 3.9.25 where the row records the patch
    libc: Libc
    libc_version: str
    externally_managed: bool
    source: str


@dataclass(frozen=True, slots=True)
class BaseImage:
    """What a stage's FROM means for pip.

    `kind` is ``python`` (an official python image), ``other`` (another base with its own
    Python: distroless, AWS Lambda, UBI 9), ``distro`` (alpine/debian/ubuntu/amazonlinux with
    the distribution's Python) or ``unknown``. `targets` are the targets of this base on the
    requested arches (empty when unknown).
    """

    reference: str
    kind: Literal["python", "other", "distro", "unknown"]
    targets: tuple[Target, ...]
    family: str | None = None  # alpine | slim | full (python images), alpine/glibc distros
    distro: DistroPython | None = None
    note: str | None = None

    @property
    def python(self) -> str | None:
        return self.targets[0].python if self.targets else None


@functools.cache
def _table() -> dict[str, Any]:
    data: dict[str, Any] = read_json(DATA_FILE)
    return data


def _distro_python(row: dict[str, Any], distro: Distro) -> DistroPython:
    return DistroPython(
        image=row["image"],
        release=distro.release,
        codename=distro.codename,
        display=distro.display,
        python=row["python"],
        libc=distro.libc,
        libc_version=distro.libc_version,
        externally_managed=bool(row["externally_managed"]),
        source=row["source"],
    )


@functools.cache
def _distros() -> tuple[DistroPython, ...]:
    # The release, codename and libc of each row are the image table's distros rows.
    distros = load_table().distros
    return tuple(_distro_python(r, distros[r["distro"]]) for r in _table()["rows"])


@functools.cache
def _debian_names() -> dict[str, str]:
    """Debian codename -> release number (bookworm -> 12), from the image table."""
    return {
        d.codename: d.release
        for d in load_table().distros.values()
        if d.name == "Debian" and d.codename
    }


def distro_python(reference: str) -> tuple[DistroPython | None, str | None]:
    """The distribution Python for ``alpine:3.20``, ``debian:bookworm-slim``, ``ubuntu:24.04``.

    Returns (row, note): the row is None for a distribution image the table does not know;
    the note says what was assumed (``latest`` moves).
    """
    name, _, tag = reference.removeprefix("docker.io/").removeprefix("library/").partition(":")
    if name not in _IMAGES:
        return None, None
    tag = tag.split("@")[0] or "latest"
    note = None
    if tag in ("latest", "stable"):
        tag = _table()["latest"][name]
        note = f"{reference} moves; assumed {name} {tag}"
    release = tag.removesuffix("-slim").split("-")[0]
    if name == "debian":
        release = _debian_names().get(release, release).split(".")[0]
    elif name == "alpine":
        release = ".".join(release.split(".")[:2])
    elif name == "amazonlinux":  # 2023.9.20251027.0 is a build of 2023
        release = release.split(".")[0]
    for row in _distros():
        if row.image == name and release in (row.release, row.codename):
            return row, note
    return None, note


def slim_of(reference: str) -> str:
    """The slim image of the same Python and, where the tag names one, the same distribution:
    ``python:3.10.13`` -> ``python:3.10.13-slim``, ``python:3.11-bookworm`` ->
    ``python:3.11-slim-bookworm``."""
    name, _, tag = reference.partition(":")
    version, _, suffix = tag.partition("-")
    if suffix in _debian_names():
        return f"{name}:{version}-slim-{suffix}"
    return sibling_image(reference, "slim")


def _platforms(platform: str | None, arches: tuple[str, ...]) -> tuple[str, ...]:
    if arches:
        return arches
    if platform and "$" not in platform and platform_for(platform) is not None:
        return (platform,)
    return DEFAULT_ARCHES


def resolve_base(
    reference: str, *, platform: str | None = None, arches: tuple[str, ...] = ()
) -> BaseImage:
    """What the image `reference` of a FROM means, on `arches` (default: the FROM's
    ``--platform`` when literal, else amd64 and arm64). Never raises for an unknown image:
    the result's `kind` is ``unknown`` with a note."""
    chosen = _platforms(platform, arches)
    if "$" in reference:
        return BaseImage(reference, "unknown", (), note=f"{reference}: a variable without value")
    other = _other_base(reference, chosen)
    if other is not None:
        return other
    try:
        resolved = resolve_image(reference)
    except UnknownTarget as error:
        if reference.split(":")[0].split("/")[-1] == "python":
            return BaseImage(reference, "unknown", (), note=str(error))
    else:
        try:
            targets = parse_targets([reference], chosen)
        except UnknownTarget as error:
            return BaseImage(reference, "unknown", (), note=str(error))
        return BaseImage(reference, "python", targets, family=resolved.variant.family)
    return _distro_base(reference, chosen)


def _other_base(reference: str, chosen: tuple[str, ...]) -> BaseImage | None:
    """The base for a distroless, Lambda or UBI reference; None for any other image."""
    try:
        if find_other_image(reference) is None:
            return None
        # Only arches the user or the FROM named are a must; the defaults are a wish.
        targets = parse_targets([reference], () if chosen == DEFAULT_ARCHES else chosen)
    except UnknownTarget as error:
        return BaseImage(reference, "unknown", (), note=str(error))
    notes = image_notes(targets)
    return BaseImage(reference, "other", targets, note=notes[0] if notes else None)


def _distro_base(reference: str, chosen: tuple[str, ...]) -> BaseImage:
    row, note = distro_python(reference)
    if row is None:
        why = note or f"{reference} is not a python image and not a distribution wheelcheck knows"
        return BaseImage(reference, "unknown", (), note=why)
    distro_targets: list[Target] = []
    major, minor = (int(x) for x in row.python.split(".")[:2])
    # A row with a patch (3.9.25) gives it; a minor alone is taken as its .0.
    full = row.python if row.python.count(".") == 2 else f"{major}.{minor}.0"
    libc_parts = [int(x) for x in row.libc_version.split(".")[:2]]
    for arch in chosen:
        try:
            plat = parse_arch(arch)
        except UnknownTarget:
            continue
        distro_targets.append(
            Target(
                id=f"{reference}/{plat.short}",
                python_version=(major, minor),
                python_full_version=full,
                libc=row.libc,
                libc_version=(libc_parts[0], libc_parts[1]),
                arch=plat.machine,
                image=reference,
                platform=plat.platform,
                distro=row.display,
                variant="alpine" if row.libc is Libc.MUSL else "full",
            )
        )
    family = "alpine" if row.libc is Libc.MUSL else "distro"
    return BaseImage(
        reference, "distro", tuple(distro_targets), family=family, distro=row, note=note
    )


def alternatives(base: BaseImage, arches: tuple[str, ...] = ()) -> tuple[Target, ...]:
    """The slim and alpine python images of the same Python as `base`, to compare with."""
    if not base.targets:
        return ()
    if base.kind == "python":
        names = [slim_of(base.reference), sibling_image(base.reference, "alpine")]
    else:
        names = [f"python:{base.targets[0].python}-slim", f"python:{base.targets[0].python}-alpine"]
    chosen = arches or tuple(dict.fromkeys(t.platform or t.arch for t in base.targets))
    found: list[Target] = []
    for name in names:
        try:
            found.extend(parse_targets([name], chosen))
        except UnknownTarget:
            minor = base.targets[0].python
            family = "slim" if "slim" in name else "alpine"
            try:
                found.extend(parse_targets([f"python:{minor}-{family}"], chosen))
            except UnknownTarget:
                continue
    return tuple(t for t in found if t.id not in {b.id for b in base.targets})
