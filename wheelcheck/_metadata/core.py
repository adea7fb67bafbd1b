"""Core metadata (METADATA / PKG-INFO) as the resolver needs it, parsed leniently like pip.

Only the fields that decide dependencies are kept. A broken ``Requires-Dist`` line is skipped
with a warning (pip does the same); a file without a name or version is an error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from packaging.metadata import parse_email
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from wheelcheck.errors import EXIT_INDEX, WheelcheckError

__all__ = ["CoreMetadata", "MetadataError", "parse_core_metadata"]

logger = logging.getLogger(__name__)


class MetadataError(WheelcheckError):
    """A distribution's metadata could not be read: bad archive, absurd sizes, no METADATA.

    `source` names the file (a redacted URL or a file name, never a credential). Exit 3,
    like other failures of what the index served.
    """

    exit_code = EXIT_INDEX

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


@dataclass(frozen=True, slots=True)
class CoreMetadata:
    """The dependency-relevant fields of one METADATA or PKG-INFO file.

    `name` and `version` are as written. `provides_extra` holds PEP 685 normalised names,
    `dynamic` lower-cased field names (PEP 643 compares them case-insensitively).
    """

    name: str
    version: str
    requires_dist: tuple[Requirement, ...]
    requires_python: str | None
    provides_extra: tuple[str, ...]
    metadata_version: str
    dynamic: tuple[str, ...]

    @property
    def canonical_name(self) -> NormalizedName:
        """`name` normalised (PEP 503)."""
        return canonicalize_name(self.name)

    def is_dynamic(self, field: str) -> bool:
        """Whether `field` (any case, e.g. ``Requires-Dist``) is listed in ``Dynamic``."""
        return field.lower() in self.dynamic

    def metadata_version_at_least(self, minimum: str) -> bool:
        """Whether `metadata_version` is >= `minimum`; False when it is unreadable."""
        try:
            return Version(self.metadata_version) >= Version(minimum)
        except InvalidVersion:
            return False


def _requirements(lines: list[str], source: str) -> tuple[Requirement, ...]:
    parsed: list[Requirement] = []
    for line in lines:
        try:
            parsed.append(Requirement(line))
        except InvalidRequirement as error:
            # pip skips such lines too: one bad line should not hide every other dependency.
            logger.warning("%s: ignoring invalid Requires-Dist %r: %s", source, line, error)
    return tuple(parsed)


def _requires_python(value: str | None, source: str) -> str | None:
    if value is None:
        return None
    try:
        SpecifierSet(value)
    except InvalidSpecifier:
        logger.warning("%s: ignoring invalid Requires-Python %r", source, value)
        return None
    return value


def parse_core_metadata(data: bytes, *, source: str) -> CoreMetadata:
    """Parse METADATA / PKG-INFO bytes (RFC 822 style) into :class:`CoreMetadata`.

    `source` names the file in warnings and errors. Invalid ``Requires-Dist`` lines and an
    invalid ``Requires-Python`` are dropped with a warning. A missing ``Metadata-Version`` is
    taken as ``1.0``. Example::

        >>> parse_core_metadata(b"Metadata-Version: 2.1\\nName: a\\nVersion: 1\\n"
        ...                     b"Requires-Dist: b>=2; extra == 'x'\\n", source="a").requires_dist
        (<Requirement('b>=2; extra == "x"')>,)

    Raises:
        MetadataError: no ``Name`` or no ``Version`` could be read.
    """
    raw, unparsed = parse_email(data)
    name = raw.get("name")
    version = raw.get("version")
    if not name or not version:
        missing = "Name" if not name else "Version"
        detail = f" (unreadable fields: {', '.join(sorted(unparsed))})" if unparsed else ""
        raise MetadataError(source, f"metadata has no usable {missing}{detail}")
    return CoreMetadata(
        name=name,
        version=version,
        requires_dist=_requirements(raw.get("requires_dist", []), source),
        requires_python=_requires_python(raw.get("requires_python"), source),
        provides_extra=tuple(
            dict.fromkeys(canonicalize_name(extra) for extra in raw.get("provides_extra", []))
        ),
        metadata_version=raw.get("metadata_version", "1.0"),
        dynamic=tuple(field.lower() for field in raw.get("dynamic", [])),
    )
