"""Dependencies from a pyproject.toml's ``[tool.poetry]`` tables (Poetry before PEP 621).

Constraints are converted by Poetry's documented rules
(https://python-poetry.org/docs/dependency-specification/): ``^1.2.3`` is
``>=1.2.3,<2.0.0`` (the left-most non-zero part may not change), ``~1.2.3`` is
``>=1.2.3,<1.3.0``, ``1.2.*`` is ``>=1.2,<1.3``, a bare version is ``==``; the result is
checked by packaging. Optional dependencies count only through ``[tool.poetry.extras]``;
``python`` and ``platform`` restrictions become markers. An ``||`` union or a git, path or
URL dependency has no static equivalent here: "not static".
"""

from __future__ import annotations

from typing import Any

from packaging.markers import InvalidMarker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from wheelcheck._metadata.declared import Found, NotStatic, with_marker
from wheelcheck.models import Provenance

__all__ = ["poetry_dependencies", "poetry_specifier"]


def _bumped(release: tuple[int, ...], index: int) -> str:
    """The version that raises part `index` of `release` by one and drops the rest."""
    return ".".join(map(str, (*release[:index], release[index] + 1)))


def _one(constraint: str) -> list[str]:
    """PEP 440 clauses for one Poetry constraint (no commas)."""
    text = constraint.strip()
    if text in ("", "*"):
        return []
    head = text[0]
    if head in "^~" and not text.startswith("~="):
        version = Version(text[1:].strip())
        release = version.release
        if head == "^":
            nonzero = [i for i, part in enumerate(release) if part]
            index = nonzero[0] if nonzero else len(release) - 1
        else:
            index = 0 if len(release) == 1 else 1
        return [f">={version}", f"<{_bumped(release, index)}"]
    if text.endswith(".*") and text[0].isdigit():
        release = Version(text[:-2]).release
        return [f">={text[:-2]}", f"<{_bumped(release, len(release) - 1)}"]
    if text[0].isdigit():
        return [f"=={Version(text)}"]
    return [text.replace(" ", "")]


def poetry_specifier(constraint: str) -> SpecifierSet:
    """A Poetry version constraint as a PEP 440 specifier set. Raises NotStatic."""
    if "||" in constraint or "|" in constraint:
        raise NotStatic(f"the Poetry constraint {constraint!r} is a union")
    try:
        clauses = [c for part in constraint.split(",") for c in _one(part)]
        return SpecifierSet(",".join(clauses))
    except (InvalidVersion, InvalidSpecifier, IndexError) as error:
        raise NotStatic(f"the Poetry constraint {constraint!r} is not understood") from error


def _python_marker(constraint: str) -> str:
    """A ``python`` restriction as a marker; a ``||`` union becomes ``or``."""
    alternatives = []
    for alternative in constraint.split("||"):
        clauses = []
        for spec in poetry_specifier(alternative):
            variable = "python_full_version" if spec.version.count(".") >= 2 else "python_version"
            clauses.append(f'{variable} {spec.operator} "{spec.version}"')
        alternatives.append(" and ".join(clauses) or 'python_version >= "0"')
    if len(alternatives) == 1:
        return alternatives[0]
    return " or ".join(f"({a})" for a in alternatives)


def _markers(table: dict[str, Any]) -> str | None:
    parts = []
    if isinstance(table.get("python"), str):
        parts.append(_python_marker(table["python"]))
    if isinstance(table.get("platform"), str):
        parts.append(f'sys_platform == "{table["platform"]}"')
    if isinstance(table.get("markers"), str):
        parts.append(table["markers"])
    return " and ".join(f"({p})" for p in parts if p) or None


def _requirements(name: str, value: Any) -> list[tuple[Requirement, bool]]:
    """(requirement, optional) for one entry of ``[tool.poetry.dependencies]``."""
    if isinstance(value, list):
        return [pair for item in value for pair in _requirements(name, item)]
    table = {"version": value} if isinstance(value, str) else value
    if not isinstance(table, dict):
        raise NotStatic(f"[tool.poetry.dependencies] {name} is not a string or a table")
    for key in ("git", "path", "url", "file"):
        if key in table:
            raise NotStatic(f"[tool.poetry.dependencies] {name} is a {key} dependency")
    extras = table.get("extras", [])
    extras_text = f"[{','.join(map(str, extras))}]" if isinstance(extras, list) and extras else ""
    specifier = poetry_specifier(str(table.get("version", "*")))
    try:
        requirement = Requirement(f"{name}{extras_text}{specifier}")
        requirement = with_marker(requirement, _markers(table), None)
    except (InvalidRequirement, InvalidMarker) as error:
        raise NotStatic(f"[tool.poetry.dependencies] {name} is not understood") from error
    return [(requirement, table.get("optional") is True)]


def _with_extras(optional: list[Requirement], extras: Any) -> tuple[list[Requirement], list[str]]:
    """Each optional dependency once per ``[tool.poetry.extras]`` group that names it."""
    if not isinstance(extras, dict):
        return [], []
    found: list[Requirement] = []
    names: list[str] = []
    for extra, members in extras.items():
        extra_name = canonicalize_name(str(extra))
        names.append(extra_name)
        wanted = {canonicalize_name(str(m).split("[")[0]) for m in members or []}
        found += [
            with_marker(r, None, extra_name)
            for r in optional
            if canonicalize_name(r.name) in wanted
        ]
    return found, names


def _requires_python(value: Any) -> str | None:
    """Requires-Python from the ``python`` entry; None for a union (``~2.7 || ^3.5``), which
    one specifier set cannot say: the caller takes PKG-INFO's then."""
    try:
        return str(poetry_specifier(value)) if isinstance(value, str) else None
    except NotStatic:
        return None


def poetry_dependencies(document: dict[str, Any]) -> Found:
    """What ``[tool.poetry.dependencies]`` and ``[tool.poetry.extras]`` declare.

    Raises NotStatic when there is no such table or an entry has no static equivalent.
    """
    poetry = (
        document.get("tool", {}).get("poetry") if isinstance(document.get("tool"), dict) else None
    )
    dependencies = poetry.get("dependencies") if isinstance(poetry, dict) else None
    if not isinstance(poetry, dict) or not isinstance(dependencies, dict):
        raise NotStatic("pyproject.toml has no [tool.poetry.dependencies]")
    required: list[Requirement] = []
    optional: list[Requirement] = []
    requires_python = None
    for name, value in dependencies.items():
        if canonicalize_name(str(name)) == "python":
            requires_python = _requires_python(value)
            continue
        for requirement, is_optional in _requirements(str(name), value):
            (optional if is_optional else required).append(requirement)
    extra_requirements, extras = _with_extras(optional, poetry.get("extras"))
    return Found(
        (*required, *extra_requirements),
        requires_python,
        tuple(extras),
        "pyproject.toml [tool.poetry.dependencies]",
        Provenance.POETRY,
    )
