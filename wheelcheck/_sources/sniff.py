"""The kind of an input file whose name does not tell it, from the keys only its format has.

Read are the first `SNIFF_BYTES` of the file; a file that cannot be read, or whose start
matches no format, is left to the caller (a requirements file). Each test is on parsed
data (tomllib, json) or on the YAML's top-level keys, never on versions or markers.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

__all__ = ["SNIFF_BYTES", "sniff_kind"]

SNIFF_BYTES = 1 << 20


def sniff_kind(path: str) -> str | None:
    """The `SourceKind` value `path`'s content shows, or None when it shows none."""
    try:
        with Path(path).open("rb") as stream:
            head = stream.read(SNIFF_BYTES)
    except (OSError, ValueError):
        return None
    text = head.decode("utf-8", "replace")
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return _json_kind(text)
    if _yaml_keys(text) >= {"version", "environments", "packages"}:
        return "pixi_lock"
    return _toml_kind(text)


def _json_kind(text: str) -> str | None:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if isinstance(data, dict) and isinstance(data.get("_meta"), dict):
        return "pipfile_lock"
    return None


def _toml_kind(text: str) -> str | None:
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):
        return None
    metadata = data.get("metadata")
    if isinstance(metadata, dict) and "lock_version" in metadata:
        return "pdm_lock"
    if isinstance(metadata, dict) and "lock-version" in metadata:
        return "poetry_lock"
    if "lock-version" in data and "packages" in data:
        return "pylock"
    if isinstance(data.get("version"), int) and isinstance(data.get("package"), list):
        return "uv_lock"
    if any(isinstance(data.get(k), dict) for k in ("packages", "dev-packages")):
        return "pipfile"
    if isinstance(data.get("project"), dict) or isinstance(data.get("build-system"), dict):
        return "pyproject"
    return None


def _yaml_keys(text: str) -> set[str]:
    """The top-level mapping keys of a YAML text: unindented ``key:`` lines."""
    keys = set()
    for line in text.splitlines():
        if line and not line[0].isspace() and not line.startswith(("#", "-")):
            key, colon, _rest = line.partition(":")
            if colon:
                keys.add(key.strip())
    return keys
