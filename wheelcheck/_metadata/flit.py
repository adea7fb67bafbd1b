"""Dependencies from a pyproject.toml's ``[tool.flit.metadata]`` table (flit before PEP 621).

Flit before 3.2 read its metadata from this table only (never from code), and the sdists it
built carry a PKG-INFO 1.1 without Requires-Dist and a generated setup.py; the table is what
flit wrote the wheel's METADATA from. As flit_core reads it
(https://flit.pypa.io/en/stable/pyproject_toml.html#old-style-metadata): ``requires`` are the
Requires-Dist, ``requires-extra`` each extra's (``extra == "name"`` and-ed to a
requirement's own marker), the obsolete ``dev-requires`` the ``dev`` extra, and
``requires-python`` the Requires-Python.
"""

from __future__ import annotations

from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from wheelcheck._metadata.declared import Found, NotStatic, parse_requirements, with_marker
from wheelcheck.models import Provenance

__all__ = ["flit_dependencies"]

_WHERE = "pyproject.toml [tool.flit.metadata]"


def _strings(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise NotStatic(f"{_WHERE} {key} is not a list of strings")  # flit refuses it too
    return [item.strip() for item in value if item.strip()]


def _extras(metadata: dict[str, Any]) -> dict[str, list[str]]:
    """Each extra's requirement lines, ``dev-requires`` as ``dev``, names normalized."""
    table = metadata.get("requires-extra", {})
    if not isinstance(table, dict):
        raise NotStatic(f"{_WHERE} requires-extra is not a table")
    extras: dict[str, list[str]] = {
        canonicalize_name(str(k)): _strings(v, f"requires-extra.{k}") for k, v in table.items()
    }
    if len(extras) != len(table):
        raise NotStatic(f"{_WHERE} requires-extra names clash once normalized")  # flit too
    if "dev-requires" in metadata:
        if "dev" in extras:
            raise NotStatic(f"{_WHERE} has both dev-requires and requires-extra.dev")  # flit too
        extras["dev"] = _strings(metadata["dev-requires"], "dev-requires")
    return extras


def _requires_python(value: Any) -> str | None:
    try:
        return str(SpecifierSet(value)) if isinstance(value, str) else None
    except InvalidSpecifier:
        return None


def flit_dependencies(document: dict[str, Any]) -> Found:
    """What ``[tool.flit.metadata]`` declares (no ``requires``: none).

    Raises NotStatic when there is no such table, or a field is not what flit accepts.
    """
    tool = document.get("tool")
    flit = tool.get("flit") if isinstance(tool, dict) else None
    metadata = flit.get("metadata") if isinstance(flit, dict) else None
    if not isinstance(metadata, dict):
        raise NotStatic("pyproject.toml has no [tool.flit.metadata]")
    requires = parse_requirements(_strings(metadata.get("requires", []), "requires"), _WHERE)
    extras = _extras(metadata)
    for extra, lines in extras.items():
        requires += [with_marker(r, None, extra) for r in parse_requirements(lines, _WHERE)]
    return Found(
        tuple(requires),
        _requires_python(metadata.get("requires-python")),
        tuple(sorted(extras)),
        _WHERE,
        Provenance.FLIT,
    )
