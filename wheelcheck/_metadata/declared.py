"""What the readers of an sdist's files answer, and the requirement lists they share.

Each reader (PKG-INFO, pyproject tables, egg-info, setup.cfg, setup.py) gives a `Found`, or
raises `NotStatic` with the reason a build would have to run. Optional dependencies carry an
``extra == "name"`` marker, as in METADATA; a setuptools section key ``extra:marker``
(requires.txt headers, ``extras_require`` keys) becomes both markers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from wheelcheck.models import Provenance

__all__ = ["Found", "NotStatic", "parse_requirements", "section_requirements", "with_marker"]


class NotStatic(Exception):
    """This file gives no answer without a build; the message says why."""


@dataclass(frozen=True, slots=True)
class Found:
    requires_dist: tuple[Requirement, ...]
    requires_python: str | None
    provides_extra: tuple[str, ...]
    evidence: str
    provenance: Provenance


def with_marker(requirement: Requirement, marker: str | None, extra: str | None) -> Requirement:
    """`requirement` with `marker` and ``extra == "extra"`` added (and-ed) to its own."""
    parts = [str(m) for m in (requirement.marker, marker) if m]
    if extra is not None:
        parts.append(f'extra == "{extra}"')
    result = Requirement(str(requirement))
    if parts:
        result.marker = Marker(
            parts[0] if len(parts) == 1 else " and ".join(f"({p})" for p in parts)
        )
    return result


def parse_requirements(lines: Iterable[str], where: str) -> list[Requirement]:
    """One requirement per line; a line that is not one makes the list unusable."""
    parsed = []
    for line in lines:
        try:
            parsed.append(Requirement(line))
        except InvalidRequirement as error:
            raise NotStatic(f"{where}: {line!r} is not a requirement ({error})") from error
    return parsed


def section_requirements(
    key: str, lines: Iterable[str], where: str
) -> tuple[list[Requirement], str | None]:
    """The requirements of a setuptools section ``extra:marker`` (either part may be empty),
    with both markers added, and the extra's normalized name (None for ``:marker``)."""
    extra_part, _, marker = key.partition(":")
    extra = canonicalize_name(extra_part.strip()) if extra_part.strip() else None
    condition = marker.strip() or None
    if condition is not None:
        try:
            Marker(condition)
        except InvalidMarker as error:
            raise NotStatic(f"{where}: [{key}] is not a marker ({error})") from error
    requirements = parse_requirements(lines, where)
    return [with_marker(r, condition, extra) for r in requirements], extra
