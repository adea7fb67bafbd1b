"""Bases with their own Python that are not the official python images.

Distroless (``gcr.io/distroless/python3-debian12``), the AWS Lambda Python images
(``public.ecr.aws/lambda/python:3.12``), UBI 9 (``registry.access.redhat.com/ubi9/
python-312``) and Chainguard (``cgr.dev/chainguard/python:latest-dev``, on Wolfi): each fixes
its Python and its libc; a rolling one (Chainguard) as of the date the table names. The facts
are the ``other_images`` rows of ``data/base-images.json`` (each with its source); the libc
comes from the same file's ``distros`` rows, so a distribution release is described once.
What the table could not verify (UBI 9's other architectures, Chainguard's versioned tags)
is its ``not_known`` rows: the report says it is not known and where to check, never a guess.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from packaging.version import InvalidVersion, Version

from wheelcheck._data import read_json
from wheelcheck._judge.images import DATA_FILE, Distro, load_table
from wheelcheck.errors import UnknownTarget
from wheelcheck.models import Libc

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wheelcheck.models import Target

__all__ = [
    "NotKnown",
    "OtherImage",
    "find_other_image",
    "image_notes",
    "not_known",
    "other_image_names",
    "tag_spec_hint",
]


@dataclass(frozen=True, slots=True)
class OtherImage:
    """One tag of a base image from the ``other_images`` table."""

    repository: str  # gcr.io/distroless/python3-debian12
    tags: tuple[str, ...]  # the tags this row covers; the first is the one shown
    kind: str  # distroless | lambda | ubi | chainguard
    python: Version  # 3.11.2, or 3.12 where the table does not record the patch
    distro: Distro
    architectures: tuple[str, ...]  # Docker platforms
    architectures_complete: bool  # False: only these were verified, others may exist
    pip: bool  # False: no pip in the image; packages come from a build stage
    build_image: str | None  # an image with the same Python and libc that has pip
    published: bool  # False: no longer rebuilt, old tags still pullable
    source: str
    # Rolling images (Wolfi) move: python and libc are those of this date; None: fixed.
    rolling_as_of: date | None = None

    @property
    def minor(self) -> tuple[int, int]:
        return (self.python.major, self.python.minor)

    @property
    def patch_known(self) -> bool:
        return len(self.python.release) == 3

    @property
    def python_full_version(self) -> str:
        """The patch when the table records it, else the newest patch of the minor in the
        table (these images follow CPython's patches; X.Y.0 would wrongly fail specifiers
        such as cryptography's ``!=3.9.0,!=3.9.1``). `image_notes` says it was assumed."""
        if self.patch_known:
            return str(self.python)
        minor = f"{self.minor[0]}.{self.minor[1]}"
        current = load_table().current.get(minor)
        return str(current) if current is not None else f"{minor}.0"


@dataclass(frozen=True, slots=True)
class NotKnown:
    """Something about a repository the table does not know, why, and where to check."""

    repository: str
    what: str  # architectures | tags
    why: str
    check: str  # a URL

    @property
    def said(self) -> str:
        return f"not known: {self.why} (see {self.check})"


@functools.cache
def _not_known() -> dict[tuple[str, str], NotKnown]:
    try:
        rows = read_json(DATA_FILE)["other_images"]["not_known"]["rows"]
        found = [
            NotKnown(str(r["repository"]), str(r["what"]), str(r["why"]), str(r["check"]))
            for r in rows
        ]
    except (KeyError, TypeError) as error:
        raise ValueError(f"{DATA_FILE}: malformed other_images.not_known row ({error})") from error
    return {(n.repository, n.what): n for n in found}


def not_known(repository: str, what: str) -> NotKnown | None:
    """What the table says it does not know about `repository`'s ``architectures`` or
    ``tags``, or None."""
    return _not_known().get((repository, what))


def tag_spec_hint(python: str | None, libc: Libc, machine: str) -> str:
    """How to judge an image the table lacks: a tag spec with the Python and libc version
    the user must look up (``cp312-manylinux_2_NN_aarch64``); None: the Python too."""
    digits = "XY" if python is None else "".join(python.split(".")[:2])
    family = "manylinux_2_NN" if libc is Libc.GLIBC else "musllinux_1_N"
    return (
        f"to judge it anyway, give a tag spec with its Python and {libc.value} version, "
        f"such as --target cp{digits}-{family}_{machine}"
    )


def _row(row: Any, distros: dict[str, Distro]) -> OtherImage:
    build = row.get("build_image")
    rolling = row.get("rolling_as_of")
    return OtherImage(
        repository=str(row["repository"]),
        tags=tuple(str(t) for t in row["tags"]),
        kind=str(row["kind"]),
        python=Version(str(row["python"])),
        distro=distros[str(row["distro"])],
        architectures=tuple(str(a) for a in row["architectures"]),
        architectures_complete=bool(row["architectures_complete"]),
        pip=bool(row["pip"]),
        build_image=None if build is None else str(build),
        published=bool(row["published"]),
        source=str(row["source"]),
        rolling_as_of=None if rolling is None else date.fromisoformat(str(rolling)),
    )


@functools.cache
def _rows() -> tuple[OtherImage, ...]:
    distros = dict(load_table().distros)
    try:
        rows = read_json(DATA_FILE)["other_images"]["rows"]
        return tuple(_row(r, distros) for r in rows)
    except (KeyError, TypeError, ValueError, InvalidVersion) as error:
        raise ValueError(f"{DATA_FILE}: malformed other_images row ({error})") from error


def _split(reference: str) -> tuple[str, str]:
    """(repository, tag) of a reference; no tag means ``latest``; a digest is dropped."""
    name = reference.strip().split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        return name[:colon], name[colon + 1 :]
    return name, "latest"


def _tag_matches(tag: str, row: OtherImage) -> bool:
    # Lambda publishes dated tags too: 3.12.2024.10.15.10 is the 3.12 image of that day.
    return any(tag == t or (row.kind == "lambda" and tag.startswith(t + ".")) for t in row.tags)


def find_other_image(reference: str) -> OtherImage | None:
    """The table's row for `reference` (``gcr.io/distroless/python3-debian12``,
    ``public.ecr.aws/lambda/python:3.12``), or None when its repository is not in the table.

    Raises UnknownTarget for a known repository with a tag the table does not have.
    """
    repository, tag = _split(reference)
    rows = [r for r in _rows() if r.repository == repository]
    if not rows:
        return None
    for row in rows:
        if _tag_matches(tag, row):
            return row
    known = ", ".join(t for r in rows for t in r.tags)
    gap = not_known(repository, "tags")
    hint = tag_spec_hint(None, rows[0].distro.libc, "x86_64")
    more = "" if gap is None else f"; tag {tag!r} is {gap.said}; {hint}"
    raise UnknownTarget(
        f"unknown image {reference!r}: the table has {repository} tags {known}{more}"
    )


def other_image_names() -> tuple[str, ...]:
    """Every name `find_other_image` accepts without a tag choice, for suggestions."""
    names: list[str] = []
    for row in _rows():
        names.append(row.repository if "latest" in row.tags else f"{row.repository}:{row.tags[0]}")
    return tuple(dict.fromkeys(names))


def _note(image: str, row: OtherImage) -> str:
    libc = f"{row.distro.display}, {row.distro.libc.value} {row.distro.libc_version}"
    python = f"Python {row.minor[0]}.{row.minor[1]}"
    if not row.pip:
        build = f" such as {row.build_image}" if row.build_image else ""
        text = (
            f"{image} runs {python} on {libc} and has no pip: install the packages in a "
            f"build stage with the same {python} and libc{build}, and copy them over"
        )
    else:
        text = f"{image} runs {python} on {libc}"
    if not row.published:
        text += "; it is no longer rebuilt"
    if not row.patch_known:
        text += f" (its patch release is not recorded: judged as {row.python_full_version})"
    if row.rolling_as_of is not None:
        text += (
            f"; it is a rolling image (its tag moves to newer Pythons and libc): Python "
            f"{row.python} and {row.distro.libc.value} {row.distro.libc_version} are as of "
            f"{row.rolling_as_of}, re-check them"
        )
    if (gap := not_known(row.repository, "architectures")) is not None:
        text += f"; its other architectures are {gap.said}"
    return text


def image_notes(targets: Iterable[Target]) -> tuple[str, ...]:
    """One line per other-image base among `targets`: its Python and libc, and for an image
    without pip, that the build stage must match it."""
    notes: dict[str, None] = {}
    for target in targets:
        if target.image is None or target.variant is not None:
            continue
        try:
            row = find_other_image(target.image)
        except UnknownTarget:
            continue
        if row is not None:
            notes.setdefault(_note(target.image, row))
    return tuple(notes)
