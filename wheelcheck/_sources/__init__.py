"""Where requirements come from: requirements files, pyproject.toml, Pipfile and lockfiles."""

from __future__ import annotations

from wheelcheck._sources.locked_files import LockedFile, LockedSource
from wheelcheck._sources.lockfiles import (
    LockEdge,
    LockedSet,
    LockGraph,
    LockNode,
    PackageKey,
    SourceKind,
    detect_kind,
    read_lockfile,
)
from wheelcheck._sources.pipfile import read_pipfile
from wheelcheck._sources.pyproject import read_pyproject
from wheelcheck._sources.requirements import parse_requirement_text, read_requirement_files

__all__ = [
    "LockEdge",
    "LockGraph",
    "LockNode",
    "LockedFile",
    "LockedSet",
    "LockedSource",
    "PackageKey",
    "SourceKind",
    "detect_kind",
    "parse_requirement_text",
    "read_lockfile",
    "read_pipfile",
    "read_pyproject",
    "read_requirement_files",
]
