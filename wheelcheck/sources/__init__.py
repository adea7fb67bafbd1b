"""Where requirements come from: requirements files (and later lockfiles, Dockerfiles)."""

from __future__ import annotations

from wheelcheck.sources.requirements import parse_requirement_text, read_requirement_files

__all__ = ["parse_requirement_text", "read_requirement_files"]
