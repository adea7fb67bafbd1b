"""Static dependencies of a ``pyproject.toml``: PEP 621 ``[project]`` and PEP 735 groups.

Nothing is built and no build backend runs, so dependencies a backend computes (``dynamic``)
cannot be read and are reported as a problem. tomllib gives no positions, so the line of each
dependency is found by searching the text for the exact string inside its table; the TOML
helpers here are shared with the lockfile readers.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name

from wheelcheck._limits import MAX_TOML_BYTES, clip, over_file_cap
from wheelcheck._sources.markers import marker_problem
from wheelcheck._urls import redact_text, redact_url
from wheelcheck.errors import InputProblem, InvalidInputFiles
from wheelcheck.models import DeclaredRequirement, Origin, RequirementSet

__all__ = ["read_pyproject"]

# tomllib's messages end with "(at line L, column C)" or "(at end of document)".
_TOML_POSITION_RE = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)\s*$")


def read_pyproject(
    path: str, *, extras: Sequence[str] = (), groups: Sequence[str] = ()
) -> RequirementSet:
    """Read the dependencies a ``pyproject.toml`` declares, without building anything.

    Returns a `RequirementSet` with, in this order: ``[project].dependencies``; the
    ``[project.optional-dependencies]`` of each extra in `extras`; the PEP 735
    ``[dependency-groups]`` named in `groups`, with ``{include-group = "..."}`` expanded. The
    same requirement reached twice (a group included by two requested groups) is listed once.
    Each origin is the file and the line of the dependency string. Extra and group names are
    compared normalized (PEP 685, PEP 735).

    Raises `InvalidInputFiles` listing every problem: unreadable file, TOML syntax (with
    tomllib's line), no ``[project]`` table, dependencies declared ``dynamic`` (they need a
    build backend), unknown extras or groups (naming the available ones), group include
    cycles, and invalid requirement strings.

    >>> read_pyproject("pyproject.toml", extras=["yaml"]).requirements[0].name  # doctest: +SKIP
    'click'
    """
    doc = load_toml(path)
    reader = _ProjectReader(path, doc)
    reader.read(extras, groups)
    if reader.problems:
        raise InvalidInputFiles(reader.problems)
    return RequirementSet(requirements=tuple(reader.requirements), files=(path,))


# -- TOML helpers shared with the lockfile readers ----------------------------------------


@dataclass(frozen=True, slots=True)
class TomlDocument:
    """A parsed TOML file with its text, for finding the lines tomllib does not report."""

    path: str
    data: dict[str, Any]
    lines: tuple[str, ...]

    def table_span(self, dotted: str) -> tuple[int, int] | None:
        """0-based [start, end) of the lines of table ``[dotted]``, header included."""
        for index, line in enumerate(self.lines):
            if _header(line) == (dotted, False):
                return index, self.table_end(index)
        return None

    def array_table_starts(self, dotted: str) -> list[int]:
        """0-based lines of every ``[[dotted]]`` header, in order."""
        return [i for i, line in enumerate(self.lines) if _header(line) == (dotted, True)]

    def table_end(self, header: int) -> int:
        """0-based line of the next table header after line `header` (or the line count)."""
        for index in range(header + 1, len(self.lines)):
            if _header(self.lines[index]) is not None:
                return index
        return len(self.lines)

    def key_line(self, key: str, start: int, end: int) -> int | None:
        """0-based line of ``key = ...`` in [start, end), or None."""
        pattern = re.compile(
            rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*="""
        )
        for index in range(start, min(end, len(self.lines))):
            if pattern.match(self.lines[index]):
                return index
        return None

    def string_line(self, value: str, start: int, end: int) -> int | None:
        """0-based line in [start, end) holding `value` as a TOML string, or None."""
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        needles = (f'"{value}"', f"'{value}'", f'"{escaped}"')
        for index in range(start, min(end, len(self.lines))):
            if any(n in self.lines[index] for n in needles):
                return index
        return None


def load_toml(path: str) -> TomlDocument:
    """Read and parse a TOML file; raise `InvalidInputFiles` (with tomllib's line) if bad."""
    text = read_input_text(path, "TOML")
    try:
        data = tomllib.loads(text)
    except RecursionError:  # nested deeper than the parser goes: no real file is
        raise InvalidInputFiles(
            [InputProblem(path, None, "invalid TOML: nested too deeply")]
        ) from None
    except tomllib.TOMLDecodeError as e:
        message = str(e)
        match = _TOML_POSITION_RE.search(message)
        line: int | None = getattr(e, "lineno", None)
        if match is not None:
            message = message[: match.start()]
            if line is None:
                line = int(match.group(1)) if match.group(1) else max(1, len(text.splitlines()))
        raise InvalidInputFiles([InputProblem(path, line, f"invalid TOML: {message}")]) from None
    return TomlDocument(path, data, tuple(text.splitlines()))


def read_input_text(path: str, what: str) -> str:
    """The UTF-8 text of an input file of format `what` ("TOML", "JSON", ...), read up to
    `MAX_TOML_BYTES`; raise `InvalidInputFiles` naming the file when it cannot be."""
    try:
        file = Path(path)
        if file.is_dir():
            raise IsADirectoryError(21, "Is a directory")
        with file.open("rb") as stream:
            content = stream.read(MAX_TOML_BYTES + 1)
        if len(content) > MAX_TOML_BYTES:
            problem = InputProblem(path, *over_file_cap(content, MAX_TOML_BYTES, f"a {what} file"))
            raise InvalidInputFiles([problem])
        return content.decode("utf-8")
    except OSError as e:
        problem = InputProblem(path, None, f"cannot open file: {e.strerror or e}")
        raise InvalidInputFiles([problem]) from None
    except UnicodeDecodeError as e:
        message = f"not a UTF-8 {what} file: byte 0x{e.object[e.start]:02x} at offset {e.start}"
        raise InvalidInputFiles([InputProblem(path, None, message)]) from None


def _header(line: str) -> tuple[str, bool] | None:
    """(dotted name, is an array of tables) for a table header line, else None."""
    stripped = line.strip()
    if not stripped.startswith("["):
        return None
    array = stripped.startswith("[[")
    close = stripped.find("]]" if array else "]")
    if close < 0:
        return None
    inner = stripped[2 if array else 1 : close]
    parts = [p.strip().strip("\"'") for p in inner.split(".")]
    return ".".join(parts), array


def parse_requirement(
    text: str, origin: Origin, problems: list[InputProblem], *, what: str = "dependency"
) -> DeclaredRequirement | None:
    """A PEP 508 string as a `DeclaredRequirement`; a problem (and None) when invalid."""
    try:
        requirement = Requirement(text)
    except InvalidRequirement as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else "invalid"
        quoted = clip(redact_text(text))
        problems.append(
            InputProblem(origin.file, origin.line, f"invalid {what} '{quoted}': {clip(first)}")
        )
        return None
    if (problem := marker_problem(requirement.marker)) is not None:
        problems.append(InputProblem(origin.file, origin.line, problem))
        return None
    reference = None
    if requirement.url is not None:
        requirement.url = reference = redact_url(requirement.url)
    return DeclaredRequirement(
        text=redact_text(text),
        origin=origin,
        name=canonicalize_name(requirement.name),
        requirement=requirement,
        direct_reference=reference,
    )


# The scheme starts where a run of scheme characters starts (linear time; see requirements.py).
def describe_names(names: Sequence[str]) -> str:
    return ", ".join(sorted(names)) if names else "none"


# -- [project] and [dependency-groups] ------------------------------------------------------


@dataclass
class _ProjectReader:
    path: str
    doc: TomlDocument
    problems: list[InputProblem] = field(default_factory=list)
    requirements: list[DeclaredRequirement] = field(default_factory=list)
    _seen: set[tuple[str, Origin]] = field(default_factory=set)

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(InputProblem(self.path, line, message))

    def line_of_table(self, dotted: str) -> int | None:
        span = self.doc.table_span(dotted)
        return None if span is None else span[0] + 1

    def read(self, extras: Sequence[str], groups: Sequence[str]) -> None:
        project = self.doc.data.get("project")
        if project is None:
            if not groups:
                self.problem(
                    None,
                    "no [project] table: wheelcheck reads PEP 621 metadata only "
                    "(for Poetry's [tool.poetry] dependencies, check poetry.lock)",
                )
        elif not isinstance(project, dict):
            self.problem(None, "[project] must be a table")
        else:
            self._project(project, extras)
        if groups:
            self._groups(groups)

    def _project(self, project: Mapping[str, Any], extras: Sequence[str]) -> None:
        header = self.line_of_table("project")
        dynamic = project.get("dynamic", [])
        dynamic = dynamic if isinstance(dynamic, list) else []
        if "dependencies" in dynamic:
            self.problem(
                self._key_line("project", "dynamic") or header,
                "dependencies are dynamic (computed by the build backend): wheelcheck cannot "
                "read them without running it; list them in [project].dependencies or check "
                "a requirements file or lockfile instead",
            )
        deps = project.get("dependencies", [])
        self._strings(deps, "project", "dependencies", "[project].dependencies")
        if not extras:
            return
        if "optional-dependencies" in dynamic:
            self.problem(
                self._key_line("project", "dynamic") or header,
                "optional-dependencies are dynamic (computed by the build backend): wheelcheck "
                "cannot read them without running it",
            )
            return
        optional = project.get("optional-dependencies", {})
        if not isinstance(optional, dict):
            self.problem(header, "[project.optional-dependencies] must be a table")
            return
        by_name = {canonicalize_name(k): k for k in optional}
        for extra in extras:
            key = by_name.get(canonicalize_name(extra))
            if key is None:
                self.problem(
                    self.line_of_table("project.optional-dependencies") or header,
                    f"unknown extra '{extra}'; available: {describe_names(list(optional))}",
                )
                continue
            self._strings(
                optional[key],
                "project.optional-dependencies",
                key,
                f"[project.optional-dependencies].{key}",
            )

    def _key_line(self, table: str, key: str) -> int | None:
        span = self.doc.table_span(table)
        if span is None:
            return None
        index = self.doc.key_line(key, span[0] + 1, span[1])
        return None if index is None else index + 1

    def _span_after_key(self, table: str, key: str) -> tuple[int, int]:
        """Where to look for the strings of ``table.key``: from its key line to the table end."""
        span = self.doc.table_span(table)
        if span is None:  # dotted keys or inline tables: search the whole file
            return 0, len(self.doc.lines)
        index = self.doc.key_line(key, span[0] + 1, span[1])
        return (span[0] if index is None else index), span[1]

    def _strings(self, value: object, table: str, key: str, where: str) -> None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(self._key_line(table, key), f"{where} must be a list of strings")
            return
        start, end = self._span_after_key(table, key)
        for text in value:
            index = self.doc.string_line(text, start, end)
            self._add(text, None if index is None else index + 1)
            if index is not None:
                start = index  # list order is file order: search on from here

    def _add(self, text: str, line: int | None) -> None:
        origin = Origin(self.path, line)
        if (text, origin) in self._seen:
            return
        self._seen.add((text, origin))
        declared = parse_requirement(text, origin, self.problems)
        if declared is not None:
            self.requirements.append(declared)

    # PEP 735

    def _groups(self, requested: Sequence[str]) -> None:
        table = self.doc.data.get("dependency-groups")
        header = self.line_of_table("dependency-groups")
        if table is None:
            self.problem(None, "no [dependency-groups] table; cannot select groups")
            return
        if not isinstance(table, dict):
            self.problem(header, "[dependency-groups] must be a table")
            return
        names: dict[NormalizedName, str] = {}
        for key in table:
            normal = canonicalize_name(key)
            if normal in names:
                self.problem(
                    self._key_line("dependency-groups", key) or header,
                    f"dependency groups '{names[normal]}' and '{key}' have the same "
                    "normalized name",
                )
                return
            names[normal] = key
        for group in requested:
            if canonicalize_name(group) not in names:
                self.problem(
                    header,
                    f"unknown dependency group '{group}'; available: {describe_names(list(table))}",
                )
                continue
            for text, line in self._expand(table, names, names[canonicalize_name(group)], ()):
                self._add(text, line)

    def _expand(
        self,
        table: Mapping[str, Any],
        names: Mapping[NormalizedName, str],
        key: str,
        stack: tuple[str, ...],
    ) -> Iterator[tuple[str, int | None]]:
        """(requirement string, line) of group `key`, includes expanded in place."""
        entries = table[key]
        key_line = self._key_line("dependency-groups", key)
        if not isinstance(entries, list):
            self.problem(key_line, f"dependency group '{key}' must be a list")
            return
        start, end = self._span_after_key("dependency-groups", key)
        for entry in entries:
            if isinstance(entry, str):
                index = self.doc.string_line(entry, start, end)
                if index is not None:
                    start = index
                yield entry, None if index is None else index + 1
                continue
            if not (isinstance(entry, dict) and set(entry) == {"include-group"}) or not isinstance(
                entry.get("include-group"), str
            ):
                self.problem(
                    key_line,
                    f"dependency group '{key}': each entry must be a requirement string or "
                    '{include-group = "NAME"}',
                )
                continue
            included = str(entry["include-group"])
            index = self.doc.string_line(included, start, end)
            line = key_line if index is None else index + 1
            target = names.get(canonicalize_name(included))
            if target is None:
                self.problem(
                    line,
                    f"dependency group '{key}' includes unknown group '{included}'; "
                    f"available: {describe_names(list(table))}",
                )
                continue
            chain = (*stack, key)
            if target in chain:
                cycle = " -> ".join((*chain[chain.index(target) :], target))
                self.problem(line, f"dependency group include cycle: {cycle}")
                continue
            yield from self._expand(table, names, target, chain)
