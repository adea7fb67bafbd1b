"""Static dependencies of a source distribution, read from its archive without running it.

PEP 643: a PKG-INFO of Metadata-Version 2.2 or later whose ``Dynamic`` does not name
``Requires-Dist`` lists the dependencies every build will have. Failing that, a
``pyproject.toml`` ``[project]`` table that does not mark ``dependencies`` dynamic does
(PEP 621). Otherwise the files a legacy sdist carries declare them (`legacy`: egg-info,
PKG-INFO, Poetry tables, setup.cfg, a static read of setup.py): "declared", not guaranteed.
Failing all, only a build could tell, which wheelcheck never runs: the answer is "unknown",
with the reasons. The archive is read in memory, streaming, with caps on members and bytes;
nothing is extracted.
"""

from __future__ import annotations

import bz2
import gzip
import io
import logging
import lzma
import struct
import tarfile
import tomllib
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Literal, Protocol, cast

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from wheelcheck._metadata.core import CoreMetadata, MetadataError, parse_core_metadata
from wheelcheck._metadata.declared import Found, with_marker
from wheelcheck._metadata.legacy import Sdist, declared_dependencies
from wheelcheck.models import Provenance

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

__all__ = ["SdistMetadata", "sdist_dependencies"]

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 256 * 1024 * 1024  # uncompressed archive content read in total
DEFAULT_MAX_MEMBERS = 50_000
# Top-level files kept whole, for callers that judge how the sdist builds.
KEPT_FILES = ("PKG-INFO", "pyproject.toml", "setup.cfg", "setup.py")
# Kept too from an ``X.egg-info/`` directory at the top or one level below (``src/``).
EGG_INFO_FILES = ("requires.txt", "PKG-INFO")
_MAX_KEPT_FILE = 2 * 1024 * 1024

SdistStatus = Literal["static", "declared", "unknown"]


@dataclass(frozen=True, slots=True)
class SdistMetadata:
    """What an sdist tells about its dependencies without a build.

    With `status` "static" the requirements are authoritative; "declared" ones come from
    files a build would regenerate; with "unknown" they are empty and `evidence` says why.
    `provenance` names the kind of file that answered. `members` lists the archive's member
    names in archive order (directories end with ``/``); `files` holds the top-level files
    named in :data:`KEPT_FILES` that were present and small enough, then the egg-info files
    (``literalai.egg-info/requires.txt``), as ``(path below the top, content)`` pairs.
    """

    requires_dist: tuple[Requirement, ...]
    requires_python: str | None
    provides_extra: tuple[str, ...]
    status: SdistStatus
    evidence: str
    members: tuple[str, ...]
    files: tuple[tuple[str, bytes], ...] = ()
    name: str | None = None
    version: str | None = None
    provenance: Provenance = Provenance.UNKNOWN

    def file(self, name: str) -> bytes | None:
        """Content of the top-level file `name` (e.g. ``pyproject.toml``), None if absent."""
        return dict(self.files).get(name)


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _CappedReader(io.RawIOBase):
    """A read-only stream that fails once more than `cap` bytes have come through it."""

    def __init__(self, inner: _Readable, cap: int, label: str) -> None:
        self._inner = inner
        self._cap = cap
        self._label = label
        self.count = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self._cap - self.count + 1
        data = self._inner.read(min(size, self._cap - self.count + 1))
        self.count += len(data)
        if self.count > self._cap:
            raise MetadataError(self._label, f"archive content exceeds {self._cap} bytes")
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _top_level_role(name: str) -> tuple[str, str] | None:
    """(top directory, path below it) for ``pkg-1.0/PKG-INFO``-like names and egg-info
    files (``pkg-1.0/src/pkg.egg-info/requires.txt``, ``pkg-1.0/lib/...``); None for others.

    Names with ``..`` or an absolute path never count, whatever they point at.
    """
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if name.startswith("/") or ".." in parts or len(parts) < 2:
        return None
    if len(parts) == 2 and parts[1] in KEPT_FILES:
        return parts[0], parts[1]
    # setuptools writes it in the package root: the top, or a directory like src/ or lib/.
    if len(parts) in (3, 4) and parts[-2].endswith(".egg-info") and parts[-1] in EGG_INFO_FILES:
        return parts[0], "/".join(parts[1:])
    return None


def _decompressed(raw: IO[bytes], filename: str) -> _Readable:
    lower = filename.lower()
    if lower.endswith((".tar.gz", ".tgz")):
        return gzip.GzipFile(fileobj=raw)
    if lower.endswith((".tar.bz2", ".tbz")):
        return bz2.BZ2File(raw)
    if lower.endswith((".tar.xz", ".txz")):
        return lzma.LZMAFile(raw)
    return raw  # plain .tar


def _walk_tar(
    data: IO[bytes], filename: str, max_bytes: int, max_members: int
) -> Iterator[tuple[str, bytes | None]]:
    """(name, content) per member; content only for top-level files of interest."""
    compressed = _CappedReader(data, max_bytes, filename)
    # A RawIOBase is a binary file at run time; typeshed types it apart from IO[bytes].
    decompressed = _decompressed(cast("IO[bytes]", compressed), filename)
    stream = _CappedReader(decompressed, max_bytes, filename)
    count = 0
    with tarfile.open(fileobj=stream, mode="r|") as archive:
        for member in archive:
            count += 1
            if count > max_members:
                raise MetadataError(filename, f"more than the limit of {max_members} members")
            name = member.name + ("/" if member.isdir() else "")
            content = None
            if member.isfile() and member.size <= _MAX_KEPT_FILE and _top_level_role(name):
                extracted = archive.extractfile(member)
                content = extracted.read() if extracted is not None else None
            yield name, content


def _walk_zip(
    data: IO[bytes], filename: str, max_bytes: int, max_members: int
) -> Iterator[tuple[str, bytes | None]]:
    if not data.seekable():
        # zipfile needs to seek; the cap bounds the copy.
        data = io.BytesIO(_CappedReader(data, max_bytes, filename).read())
    with zipfile.ZipFile(data) as archive:
        infos = archive.infolist()
        if len(infos) > max_members:
            raise MetadataError(filename, f"more than the limit of {max_members} members")
        for info in infos:
            content = None
            if (
                not info.is_dir()
                and info.file_size <= _MAX_KEPT_FILE
                and _top_level_role(info.filename)
            ):
                with archive.open(info) as handle:
                    # Read one byte past the declared size: a lying header cannot inflate more.
                    content = handle.read(_MAX_KEPT_FILE + 1)
                if len(content) > _MAX_KEPT_FILE:
                    content = None
            yield info.filename, content


def _read_archive(
    data: bytes | IO[bytes], filename: str, max_bytes: int, max_members: int
) -> tuple[list[str], dict[str, dict[str, bytes]]]:
    """Member names, and the kept top-level files grouped by top directory."""
    if isinstance(data, bytes | bytearray | memoryview):
        if len(data) > max_bytes:
            raise MetadataError(filename, f"archive of {len(data)} bytes exceeds {max_bytes}")
        data = io.BytesIO(bytes(data))
    walk = _walk_zip if filename.lower().endswith(".zip") else _walk_tar
    members: list[str] = []
    kept: dict[str, dict[str, bytes]] = {}
    try:
        for name, content in walk(data, filename, max_bytes, max_members):
            members.append(name)
            role = _top_level_role(name)
            if role is not None and content is not None:
                kept.setdefault(role[0], {})[role[1]] = content
    except MetadataError:
        raise
    except (
        tarfile.TarError,
        zipfile.BadZipFile,
        zlib.error,
        lzma.LZMAError,
        struct.error,
        EOFError,
        # gzip raises OSError for bad data; zipfile NotImplementedError for an odd
        # compression and RuntimeError for an encrypted member.
        OSError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ) as error:
        raise MetadataError(filename, f"unreadable archive: {error}") from error
    return members, kept


def _choose_top(
    kept: Mapping[str, dict[str, bytes]], filename: str
) -> tuple[str, dict[str, bytes]]:
    """The sdist's own top directory (``name-version/``) and its kept files."""
    if not kept:
        return "", {}
    stem = filename
    for suffix in (".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar", ".zip"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    if stem in kept:
        return stem, kept[stem]
    with_pkg_info = [top for top, files in kept.items() if "PKG-INFO" in files]
    top = with_pkg_info[0] if with_pkg_info else next(iter(kept))
    return top, kept[top]


def _parse_list(values: Any, where: str, filename: str) -> list[Requirement]:
    if not isinstance(values, list):
        raise MetadataError(filename, f"pyproject.toml: {where} is not a list")
    parsed: list[Requirement] = []
    for value in values:
        try:
            parsed.append(Requirement(str(value)))
        except InvalidRequirement as error:
            logger.warning("%s: ignoring invalid %s entry %r: %s", filename, where, value, error)
    return parsed


def _from_pyproject(text: bytes | None, filename: str) -> Found | str:
    """Static dependencies from the top-level pyproject.toml's ``[project]``, or the reason
    there are none."""
    if text is None:
        return "no top-level pyproject.toml"
    try:
        document = tomllib.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as error:
        return f"pyproject.toml is unreadable ({error})"
    project = document.get("project")
    if not isinstance(project, dict):
        return "pyproject.toml has no [project] table"
    dynamic = project.get("dynamic", [])
    dynamic = {str(item).lower() for item in dynamic} if isinstance(dynamic, list) else set()
    if "dependencies" in dynamic:
        return "pyproject.toml lists dependencies as dynamic"
    requires = _parse_list(project.get("dependencies", []), "[project].dependencies", filename)
    extras: list[str] = []
    evidence = "pyproject.toml [project].dependencies (static, PEP 621)"
    if "optional-dependencies" in dynamic:
        evidence += "; optional-dependencies are dynamic, so extras are unknown"
    else:
        optional = project.get("optional-dependencies", {})
        if not isinstance(optional, dict):
            raise MetadataError(filename, "pyproject.toml: optional-dependencies is not a table")
        for extra_name, values in optional.items():
            extra = canonicalize_name(str(extra_name))
            extras.append(extra)
            where = f"[project].optional-dependencies.{extra_name}"
            requires += [with_marker(r, None, extra) for r in _parse_list(values, where, filename)]
    requires_python = project.get("requires-python")
    if not isinstance(requires_python, str) or "requires-python" in dynamic:
        requires_python = None
    else:
        try:
            SpecifierSet(requires_python)
        except InvalidSpecifier:
            logger.warning("%s: ignoring invalid requires-python %r", filename, requires_python)
            requires_python = None
    extras = list(dict.fromkeys(extras))
    return Found(tuple(requires), requires_python, tuple(extras), evidence, Provenance.PEP621)


def _from_pkg_info(
    pkg_info: bytes | None, filename: str
) -> tuple[CoreMetadata | None, Found | str]:
    """The parsed PKG-INFO (for the name and version) and its static dependencies (PEP 643),
    or the reason it has none."""
    if pkg_info is None:
        return None, "no top-level PKG-INFO"
    try:
        core = parse_core_metadata(pkg_info, source=f"{filename}#PKG-INFO")
    except MetadataError as error:
        return None, f"PKG-INFO unusable ({error.reason})"
    if not core.metadata_version_at_least("2.2"):
        return core, f"PKG-INFO is Metadata-Version {core.metadata_version}, before PEP 643 (2.2)"
    if core.is_dynamic("Requires-Dist"):
        return core, "PKG-INFO marks Requires-Dist as dynamic"
    return core, Found(
        core.requires_dist,
        None if core.is_dynamic("Requires-Python") else core.requires_python,
        () if core.is_dynamic("Provides-Extra") else core.provides_extra,
        f"PKG-INFO Metadata-Version {core.metadata_version} with static Requires-Dist (PEP 643)",
        Provenance.METADATA,
    )


def sdist_dependencies(
    data: bytes | IO[bytes],
    *,
    filename: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_members: int = DEFAULT_MAX_MEMBERS,
) -> SdistMetadata:
    """Read an sdist (``.tar.gz``, ``.zip``, ``.tar.bz2``/``.xz``, ``.tar``) in memory.

    `data` is the whole file, or a binary stream of it (a ``.tar.*`` stream is read once,
    front to back, and need not be seekable). `filename` picks the archive format and names
    the file in messages. At most `max_bytes` of archive content are read (compressed and
    uncompressed each), and at most `max_members` members are accepted.

    Returns "static" dependencies from PKG-INFO (Metadata-Version >= 2.2, Requires-Dist not
    dynamic) or else from pyproject.toml's ``[project]``; else "declared" ones from the
    files of a legacy sdist (`wheelcheck._metadata.legacy`); otherwise "unknown" with the
    reasons in `evidence`. Optional dependencies come back with an ``extra == "name"``
    marker, as in METADATA.

    Raises:
        MetadataError: the archive is unreadable or exceeds a cap.
    """
    members, kept = _read_archive(data, filename, max_bytes, max_members)
    top, files = _choose_top(kept, filename)
    core, found = _from_pkg_info(files.get("PKG-INFO"), filename)
    reasons: list[str] = []
    if isinstance(found, str):
        reasons.append(found)
        found = _from_pyproject(files.get("pyproject.toml"), filename)
    if isinstance(found, str):
        reasons.append(found)
        found = _declared(files, _below(members, top), core, reasons)
    status: SdistStatus = "static"
    if found.provenance is Provenance.UNKNOWN:
        status = "unknown"
    elif found.provenance.declared:
        status = "declared"
    return SdistMetadata(
        requires_dist=found.requires_dist,
        requires_python=found.requires_python,
        provides_extra=found.provides_extra,
        status=status,
        evidence=found.evidence,
        members=tuple(members),
        files=tuple((key, files[key]) for key in _kept_order(files)),
        name=None if core is None else core.name,
        version=None if core is None else core.version,
        provenance=found.provenance,
    )


def _kept_order(files: Mapping[str, bytes]) -> list[str]:
    """The top-level files in :data:`KEPT_FILES` order, then the egg-info files by path."""
    return [k for k in KEPT_FILES if k in files] + sorted(k for k in files if k not in KEPT_FILES)


def _below(members: Sequence[str], top: str) -> list[str]:
    """The member paths below the top directory `top`."""
    below = []
    for member in members:
        parts = [part for part in member.split("/") if part not in ("", ".")]
        if len(parts) > 1 and parts[0] == top:
            below.append("/".join(parts[1:]))
    return below


def _declared(
    files: Mapping[str, bytes],
    members: Sequence[str],
    core: CoreMetadata | None,
    reasons: list[str],
) -> Found:
    """The legacy files' declared answer, or "unknown" with every reason none was found."""
    found = declared_dependencies(Sdist(files, members, core))
    if isinstance(found, Found):
        return found
    evidence = "dependencies unknown: " + "; ".join([*reasons, *found])
    return Found((), None, (), evidence, Provenance.UNKNOWN)
