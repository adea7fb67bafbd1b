"""Pipfile.lock (pipenv): the pins of its ``default`` section, ``develop`` with ``--dev``.

pipenv writes one flat table per category, each package with its ``==`` version, its
hashes, the marker under which it installs, and the source (``index``) it comes from; so
which packages a target installs is decided by each package's own marker, as
``pipenv sync`` (``pipenv install --deploy``) decides it. Other categories (pipenv's named
package categories) are selected with ``--group NAME``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from wheelcheck._sources.lock_records import EntryReader, LockRead
from wheelcheck._sources.lockfiles import SourceKind, _Package, _table
from wheelcheck._sources.pyproject import TomlDocument, read_input_text
from wheelcheck._urls import redact_url
from wheelcheck.errors import InputProblem, InvalidInputFiles

__all__ = ["load_json", "read_pipfile_lock"]

_RESERVED = ("_meta", "default", "develop")


def load_json(path: str, what: str) -> tuple[Any, tuple[str, ...]]:
    """The parsed JSON of `path` and its lines; one problem with the decoder's line if bad."""
    text = read_input_text(path, "JSON")
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        message = f"invalid JSON in {what}: {e.msg} (column {e.colno})"
        raise InvalidInputFiles([InputProblem(path, e.lineno, message)]) from None
    except (RecursionError, ValueError) as e:
        message = (
            f"invalid JSON in {what}: {'nested too deeply' if isinstance(e, RecursionError) else e}"
        )
        raise InvalidInputFiles([InputProblem(path, None, message)]) from None
    return data, tuple(text.splitlines())


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


def read_pipfile_lock(
    path: str, *, dev: bool = False, groups: Sequence[str] = (), extras: Sequence[str] = ()
) -> LockRead:
    """The pins of a Pipfile.lock: ``default``, plus ``develop`` when `dev`, plus the named
    categories in `groups`. Each pin carries its marker and the line of its name.

    Raises `InvalidInputFiles`: bad JSON (with its line), no ``_meta`` table or an
    unsupported ``pipfile-spec``, a category that is not a table, a package without a
    version or source, an invalid marker, an unknown category (naming those there are).
    """
    data, lines = load_json(path, "Pipfile.lock")
    reader = _PipfileLockReader(path, TomlDocument(path, {}, lines), SourceKind.PIPFILE_LOCK)
    reader.dev = dev
    reader.extras = frozenset(canonicalize_name(e) for e in extras)
    reader.groups = frozenset(canonicalize_name(g) for g in groups)
    reader.data = data
    return reader.read_with_entries()


class _PipfileLockReader(EntryReader):
    dev: bool = False
    data: Any = None

    def read(self) -> None:
        data = self.data
        if not isinstance(data, dict) or not isinstance(data.get("_meta"), dict):
            self.problem(1, "not a Pipfile.lock: no '_meta' table")
            return
        meta = data["_meta"]
        spec = meta.get("pipfile-spec")
        if spec is not None and spec != 6:
            line = self.key_line("pipfile-spec", "_meta")
            self.unsupported(line, "pipfile-spec", spec, "pipfile-spec 6")
            return
        self.requires_python = _requires_python(_table(meta, "requires"))
        sources = {
            s["name"]: s for s in meta.get("sources", []) if isinstance(s, dict) and "name" in s
        }
        if self.extras:
            self.problem(None, "a Pipfile.lock has no extras; select categories with --group")
        named = [k for k in data if k not in _RESERVED]
        self.check_requested("package category", self.groups, named)
        chosen = ["default", *(["develop"] if self.dev else [])]
        chosen += [k for k in named if canonicalize_name(k) in self.groups]
        for category in chosen:
            self._category(category, data.get(category, {}), sources)

    def key_line(self, key: str, table: str) -> int | None:
        """1-based line of ``"key":`` inside the top-level `table` as pipenv writes it."""
        return self.key_lines(table).get(key)

    def key_lines(self, table: str) -> dict[str, int]:
        """1-based line of each key of the top-level `table`, in one pass over its lines
        (pipenv's layout: the table's key at 4 spaces, its keys at 8)."""
        lines = self.doc.lines
        found: dict[str, int] = {}
        start = next((i for i, t in enumerate(lines) if _is_key(t, table, 4)), None)
        for index in range(len(lines) if start is None else start + 1, len(lines)):
            line = lines[index]
            indent = _indent(line)
            if indent <= 4 and line.strip():
                break
            if indent == 8 and line[8:9] == '"':
                try:
                    key, _end = json.JSONDecoder().raw_decode(line, 8)
                except ValueError:
                    continue
                if isinstance(key, str):
                    found.setdefault(key, index + 1)
        return found

    def _category(self, category: str, table: object, sources: Mapping[str, Any]) -> None:
        if not isinstance(table, dict):
            line = next(
                (i + 1 for i, t in enumerate(self.doc.lines) if _is_key(t, category, 4)), None
            )
            self.problem(line, f"'{category}' must be a table of packages")
            return
        lines = self.key_lines(category)
        for name, entry in table.items():
            line = lines.get(name)
            if not isinstance(entry, dict):
                self.problem(line, f"{category}: package '{name}' must be a table")
                continue
            self._package(name, entry, line, sources)

    def _package(
        self, name: str, entry: Mapping[str, Any], line: int | None, sources: Mapping[str, Any]
    ) -> None:
        version = _pinned_version(entry.get("version"))
        package = _Package((canonicalize_name(name), version or ""), line, {"name": name})
        if entry.get("version") is not None and version is None:
            self.problem(line, f"package '{name}': version {entry['version']!r} is not a pin")
            return
        marker = self.marker(entry.get("markers"), line, f"package '{name}'")
        reference = _reference(entry)
        if version is None and reference is None:
            self.problem(line, f"package '{name}' has no version, git, path or file")
            return
        if package.key in self.files:  # in default and develop: one pin
            return
        hashes = tuple(h for h in entry.get("hashes", []) if isinstance(h, str))
        self.add(
            package,
            marker=marker,
            reference=reference if version is None else None,
            editable=entry.get("editable") is True,
            hashes=hashes,  # pipenv installs in pip's hash mode: only these files
        )
        url = _source_url(entry.get("index"), sources)
        index = entry.get("index")
        shown = redact_url(url) if url else index if isinstance(index, str) else None
        self.record(package, hashes=hashes, index=shown, index_url=url)


def _source_url(index: object, sources: Mapping[str, Any]) -> str | None:
    """The URL of the ``_meta.sources`` entry a package's ``index`` names, with ``${VAR}``
    expanded as pipenv does (credentials usually come that way); None when it names none."""
    source = sources.get(index) if isinstance(index, str) else None
    url = source.get("url") if isinstance(source, dict) else None
    return os.path.expandvars(url) if isinstance(url, str) and url else None


def _pinned_version(value: object) -> str | None:
    """``"==2.27.1"`` -> ``"2.27.1"``; None for anything but one ``==``/``===`` pin."""
    if not isinstance(value, str):
        return None
    try:
        specifiers = list(SpecifierSet(value))
    except InvalidSpecifier:
        return None
    if len(specifiers) != 1 or specifiers[0].operator not in ("==", "===") or "*" in value:
        return None
    return specifiers[0].version


def _reference(entry: Mapping[str, Any]) -> str | None:
    """A direct reference for a git, path or file entry (redacted)."""
    if isinstance(entry.get("git"), str):
        ref = entry.get("ref")
        return f"git+{redact_url(entry['git'])}" + (f"@{ref}" if isinstance(ref, str) else "")
    for key in ("path", "file"):
        if isinstance(entry.get(key), str):
            return redact_url(entry[key])
    return None


def _requires_python(requires: Mapping[str, Any]) -> str | None:
    """The ``[requires]`` Python as a specifier: ``==3.11.*``, or ``==3.11.4`` for a full one."""
    full, short = requires.get("python_full_version"), requires.get("python_version")
    if isinstance(full, str):
        return f"=={full}"
    if isinstance(short, str):
        return f"=={short}.*"
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_key(line: str, key: str, indent: int) -> bool:
    """Whether `line` opens ``"key":`` at `indent` spaces (pipenv's own layout)."""
    return _indent(line) == indent and line.lstrip(" ").startswith(f"{json.dumps(key)}:")
