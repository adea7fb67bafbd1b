"""Bases with their own Python that are not the official python images.

Distroless (``gcr.io/distroless/python3-debian12``), the AWS Lambda Python images
(``public.ecr.aws/lambda/python:3.12``) and UBI 9 (``registry.access.redhat.com/ubi9/
python-312``): each fixes its Python and its libc. The facts are the ``other_images`` rows of
``data/base-images.json`` (each with its source); the libc comes from the same file's
``distros`` rows, so a distribution release is described once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from packaging.version import InvalidVersion, Version

from wheelcheck._data import read_json
from wheelcheck._judge.images import DATA_FILE, Distro, load_table
from wheelcheck.errors import UnknownTarget

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wheelcheck.models import Target

__all__ = ["OtherImage", "find_other_image", "image_notes", "other_image_names"]


@dataclass(frozen=True, slots=True)
class OtherImage:
    """One tag of a base image from the ``other_images`` table."""

    repository: str  # gcr.io/distroless/python3-debian12
    tags: tuple[str, ...]  # the tags this row covers; the first is the one shown
    kind: str  # distroless | lambda | ubi
    python: Version  # 3.11.2, or 3.12 where the table does not record the patch
    distro: Distro
    architectures: tuple[str, ...]  # Docker platforms
    architectures_complete: bool  # False: only these were verified, others may exist
    pip: bool  # False: no pip in the image; packages come from a build stage
    build_image: str | None  # the official image with the same Python and libc
    published: bool  # False: no longer rebuilt, old tags still pullable
    source: str

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


def _row(row: Any, distros: dict[str, Distro]) -> OtherImage:
    build = row.get("build_image")
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
    raise UnknownTarget(f"unknown image {reference!r}: the table has {repository} tags {known}")


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
