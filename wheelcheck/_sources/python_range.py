"""The Python range a lock or project declares (``requires-python``), read as its tool does.

uv.lock, pylock.toml and pyproject.toml write PEP 440 specifiers; poetry.lock's
``python-versions`` is Poetry's constraint syntax (``^3.13``, ``~3.9``, ``>=3.9 <4.0``,
``a || b``), translated here to PEP 440 clauses with packaging's Version. The installer of a
lock refuses a Python outside it, so targets outside are not judged.
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version


@dataclass(frozen=True, slots=True)
class PythonRange:
    """A declared Python range: `text` as written, `file` and `line` where; admits a version
    when any of `alternatives` contains it (Poetry's ``||``)."""

    file: str
    line: int | None
    text: str
    alternatives: tuple[SpecifierSet, ...]

    def admits(self, python_full_version: str) -> bool:
        version = Version(python_full_version)
        return any(s.contains(version, prereleases=True) for s in self.alternatives)


def python_range(
    file: str, line: int | None, text: str | None, *, poetry: bool = False
) -> PythonRange | None:
    """The range `text` declares; None when there is none. One that cannot be read has no
    `alternatives`: it holds no target back (a guess would hide targets the tool may
    accept), and the report says so."""
    if text is None or not text.strip():
        return None
    try:
        if not poetry:
            return PythonRange(file, line, text, (SpecifierSet(text),))
        alternatives = tuple(_poetry_alternative(part) for part in text.split("||"))
    except (InvalidSpecifier, InvalidVersion):
        return PythonRange(file, line, text, ())
    return PythonRange(file, line, text, alternatives)


def _poetry_alternative(text: str) -> SpecifierSet:
    """One side of a Poetry ``||``: clauses separated by commas or spaces."""
    tokens: list[str] = []
    for piece in text.replace(",", " ").split():
        if tokens and tokens[-1] in ("<", "<=", ">", ">=", "==", "!=", "~=", "^", "~"):
            tokens[-1] += piece  # ">= 3.9": an operator and its version apart
        else:
            tokens.append(piece)
    specifier = SpecifierSet()
    for token in tokens:
        specifier &= _poetry_clause(token)
    return specifier


def _poetry_clause(token: str) -> SpecifierSet:
    if token == "*":
        return SpecifierSet()
    if token.startswith("^"):
        low = Version(token[1:])
        release = (*low.release, 0, 0)[:3]
        if release[0] > 0:
            high = f"{release[0] + 1}"
        elif release[1] > 0:
            high = f"0.{release[1] + 1}"
        else:
            high = f"0.0.{release[2] + 1}"
        return SpecifierSet(f">={low},<{high}")
    if token.startswith("~") and not token.startswith("~="):
        low = Version(token[1:])
        major, minor = (*low.release, 0)[:2]
        high = f"{major + 1}" if len(low.release) == 1 else f"{major}.{minor + 1}"
        return SpecifierSet(f">={low},<{high}")
    if token[0].isdigit():
        return SpecifierSet(f"=={token}")
    return SpecifierSet(token)
