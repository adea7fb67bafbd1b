"""Pipfile (pipenv's project file): unpinned requirements, resolved like a requirements file.

``[packages]`` always; ``[dev-packages]`` with ``--dev``; pipenv's other package
categories with ``--group NAME``. A value is a specifier (``"*"`` for any version) or a
table: ``version``, ``extras``, ``markers``, marker variables as keys (``sys_platform =
"== 'linux'"``), and ``git``/``path``/``file`` for direct references, which are not
looked up. ``[[source]]`` and a package's ``index`` are kept (`PipfileRead.sources`,
`PipfileRead.indexes`) but not acted on: the check asks the index it is given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from packaging.markers import default_environment
from packaging.utils import NormalizedName, canonicalize_name

from wheelcheck._limits import clip
from wheelcheck._sources.pyproject import TomlDocument, describe_names, load_toml, parse_requirement
from wheelcheck._urls import redact_url
from wheelcheck.errors import InputProblem, InvalidInputFiles
from wheelcheck.models import DeclaredRequirement, Origin, RequirementSet

__all__ = ["PipfileRead", "read_pipfile"]

_NOT_CATEGORIES = ("source", "requires", "scripts", "pipenv", "dev-packages", "packages")
# Marker variables pipenv accepts as keys of a package table (PEP 508's names).
_MARKER_KEYS = frozenset(default_environment())


@dataclass(frozen=True, slots=True)
class PipfileRead:
    """A Pipfile's requirements, its ``[[source]]`` URLs (redacted, by name) and the source
    each package names with ``index``."""

    requirement_set: RequirementSet
    sources: Mapping[str, str]
    indexes: Mapping[NormalizedName, str]
    requires_python: str | None


def read_pipfile(
    path: str, *, dev: bool = False, groups: Sequence[str] = (), extras: Sequence[str] = ()
) -> PipfileRead:
    """The requirements of a Pipfile (module docstring), each with the line of its key.

    Raises `InvalidInputFiles` with every problem: bad TOML (tomllib's line), a category
    that is not a table, a value that is neither a string nor a table, an invalid
    specifier, marker or extra, an unknown category (naming those there are), extras.
    """
    doc = load_toml(path)
    problems: list[InputProblem] = []
    if extras:
        problems.append(InputProblem(path, None, "a Pipfile has no extras; use --group"))
    named = [k for k, v in doc.data.items() if k not in _NOT_CATEGORIES and isinstance(v, dict)]
    wanted = {canonicalize_name(g) for g in groups}
    for name in sorted(wanted - {canonicalize_name(n) for n in named}):
        message = f"unknown package category '{name}'; available: {describe_names(named)}"
        problems.append(InputProblem(path, None, message))
    categories = ["packages", *(["dev-packages"] if dev else [])]
    categories += [n for n in named if canonicalize_name(n) in wanted]
    requirements: list[DeclaredRequirement] = []
    indexes: dict[NormalizedName, str] = {}
    for category in categories:
        _category(doc, category, requirements, indexes, problems)
    if problems:
        raise InvalidInputFiles(problems)
    sources = {
        str(s["name"]): redact_url(str(s["url"]))
        for s in doc.data.get("source", [])
        if isinstance(s, dict) and "name" in s and "url" in s
    }
    requires = doc.data.get("requires", {})
    python = requires.get("python_version") if isinstance(requires, dict) else None
    return PipfileRead(
        RequirementSet(requirements=tuple(requirements), files=(path,)),
        sources,
        indexes,
        f"=={python}.*" if isinstance(python, str) else None,
    )


def _category(
    doc: TomlDocument,
    category: str,
    requirements: list[DeclaredRequirement],
    indexes: dict[NormalizedName, str],
    problems: list[InputProblem],
) -> None:
    table = doc.data.get(category, {})
    span = doc.table_span(category)
    if not isinstance(table, dict):
        problems.append(InputProblem(doc.path, None, f"[{category}] must be a table"))
        return
    for name, value in table.items():
        index = None if span is None else doc.key_line(name, span[0] + 1, span[1])
        origin = Origin(doc.path, None if index is None else index + 1)
        text = _requirement_text(name, value)
        if text is None:
            message = f"[{category}] {clip(name)}: expected a version string or a table"
            problems.append(InputProblem(doc.path, origin.line, message))
            continue
        declared = parse_requirement(text, origin, problems, what=f"[{category}] entry")
        if declared is None:
            continue
        if isinstance(value, dict) and value.get("editable") is True:
            declared = DeclaredRequirement(
                declared.text,
                declared.origin,
                declared.name,
                declared.requirement,
                declared.direct_reference,
                editable=True,
            )
        requirements.append(declared)
        if isinstance(value, dict) and isinstance(value.get("index"), str):
            indexes[canonicalize_name(name)] = str(value["index"])


def _requirement_text(name: str, value: object) -> str | None:
    """The PEP 508 string of one Pipfile entry, for packaging to parse; None if malformed."""
    if isinstance(value, str):
        return name if value.strip() == "*" else f"{name}{value}"
    if not isinstance(value, dict):
        return None
    extras = [e for e in value.get("extras", []) if isinstance(e, str)]
    head = f"{name}[{','.join(extras)}]" if extras else name
    reference = _reference(value)
    version = value.get("version", "*")
    if reference is not None:
        head = f"{head} @ {reference}"
    elif isinstance(version, str) and version.strip() != "*":
        head = f"{head}{version}"
    markers = _markers(value)
    return f"{head} ; {markers}" if markers else head


def _reference(value: Mapping[str, Any]) -> str | None:
    if isinstance(value.get("git"), str):
        url = value["git"]
        ref = value.get("ref")
        url = url if url.startswith("git+") else f"git+{url}"
        return url + (f"@{ref}" if isinstance(ref, str) else "")
    for key in ("file", "path"):
        if isinstance(value.get(key), str):
            location = str(value[key])
            return location if "://" in location else f"file:{location}"
    return None


def _markers(value: Mapping[str, Any]) -> str:
    """``markers`` and marker-variable keys (``os_name = "== 'nt'"``), joined with ``and``."""
    parts = [str(value["markers"])] if isinstance(value.get("markers"), str) else []
    parts += [f"{k} {v}" for k, v in value.items() if k in _MARKER_KEYS and isinstance(v, str)]
    return " and ".join(f"({p})" for p in parts)
