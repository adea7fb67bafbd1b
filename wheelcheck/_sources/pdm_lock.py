"""pdm.lock (PDM, lock_version 3.x and 4.x): which locked packages ``pdm sync`` installs.

Locks made with PDM's ``inherit_metadata`` strategy (PDM 2.11 on) give each package its
``groups`` and the ``marker`` under which it installs: a package is installed when one of
its groups is selected and its marker holds, as ``pdm sync`` decides it. Older locks give
only dependency edges (PEP 508 strings with markers), so the installed set is what is
reachable from the project's requirements in the ``pyproject.toml`` next to the lock
(every package, when there is none). An extra of a package is a [[package]] entry of its
own with ``extras``; its dependencies are that extra's edges.

Selected: the ``default`` group; ``--group``/``--extra`` NAME add the group NAME (PDM's
groups cover both); ``--dev`` adds the development groups (``[tool.pdm.dev-dependencies]``
and ``[dependency-groups]`` of that pyproject.toml; without one, every group but
``default``), as ``pdm sync`` without ``--prod`` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name

from wheelcheck._sources.lock_records import EntryReader, LockedFile, LockRead
from wheelcheck._sources.locked_files import file_name as _file_name
from wheelcheck._sources.lockfiles import (
    LockEdge,
    LockGraph,
    LockNode,
    SourceKind,
    _by_name,
    _Package,
    _strings,
    _table,
)
from wheelcheck._sources.pyproject import load_toml
from wheelcheck._urls import redact_url
from wheelcheck.errors import InvalidInputFiles

__all__ = ["read_pdm_lock"]

_DEFAULT = canonicalize_name("default")


def read_pdm_lock(
    path: str, *, extras: Sequence[str] = (), groups: Sequence[str] = (), dev: bool = False
) -> LockRead:
    """The pins of a pdm.lock that the selected groups install (module docstring), each with
    the line of its name and its marker; entries keep files, hashes and requires-python.

    Raises `InvalidInputFiles`: bad TOML (tomllib's line), an unsupported ``lock_version``,
    malformed packages or dependencies, unknown groups (naming those there are).
    """
    reader = _PdmReader(path, load_toml(path), SourceKind.PDM_LOCK)
    reader.groups = frozenset(canonicalize_name(g) for g in (*extras, *groups))
    reader.dev = dev
    return reader.read_with_entries()


class _PdmReader(EntryReader):
    dev: bool = False

    def read(self) -> None:
        metadata = _table(self.doc.data, "metadata")
        version = metadata.get("lock_version")
        if not isinstance(version, str) or version.split(".")[0] not in ("3", "4"):
            span = self.doc.table_span("metadata")
            index = None if span is None else self.doc.key_line("lock_version", *span)
            line = None if index is None else index + 1
            self.unsupported(line, "pdm.lock lock_version", version, "3.x and 4.x")
            return
        self.requires_python = _lock_python(metadata)
        packages = self.packages("package")
        project = self._project()
        with_groups = bool(packages) and all(
            "groups" in p.raw or "sections" in p.raw for p in packages
        )
        if with_groups:
            self._by_groups(packages, metadata, project)
        else:
            self._by_graph(packages, project)

    def _project(self) -> Mapping[str, Any] | None:
        """The pyproject.toml next to the lock, or None."""
        file = Path(self.path).parent / "pyproject.toml"
        if not file.is_file():
            return None
        try:
            return load_toml(str(file)).data
        except InvalidInputFiles as error:
            self.problems.extend(error.problems)
            return None

    def _selected(self, available: Iterable[str], project: Mapping[str, Any] | None) -> set[str]:
        """The selected groups (canonical names), the requested ones checked."""
        names = sorted(set(available) - {"default"})
        self.check_requested("group", self.groups, names)
        selected = {_DEFAULT, *self.groups}
        if self.dev:
            dev_groups = _dev_groups(project) if project is not None else names
            selected |= {canonicalize_name(g) for g in dev_groups}
        return {str(g) for g in selected}

    def _by_groups(
        self,
        packages: list[_Package],
        metadata: Mapping[str, Any],
        project: Mapping[str, Any] | None,
    ) -> None:
        groups_of = {p.key: _strings(p.raw.get("groups", p.raw.get("sections"))) for p in packages}
        listed = _strings(metadata.get("groups")) or [g for gs in groups_of.values() for g in gs]
        selected = self._selected(listed, project)
        for package in packages:
            if not {str(canonicalize_name(g)) for g in groups_of[package.key]} & selected:
                continue
            what = f"package '{package.raw['name']}'"
            self._add(package, self.marker(package.raw.get("marker"), package.line, what))

    def _by_graph(self, packages: list[_Package], project: Mapping[str, Any] | None) -> None:
        by_name = _by_name(packages)
        edges: dict[LockNode, tuple[LockEdge, ...]] = {}
        extra_edges: dict[tuple[LockNode, NormalizedName], tuple[LockEdge, ...]] = {}
        for package in packages:
            found = self._edges(package.raw.get("dependencies", []), by_name, package)
            package_extras = _strings(package.raw.get("extras"))
            for extra in package_extras:
                extra_edges[(package.node, canonicalize_name(extra))] = found
            if not package_extras:
                edges[package.node] = found
        if project is None:
            self._selected([], None)
            roots = tuple(LockEdge(p.node) for p in packages if "extras" not in p.raw)
        else:
            texts = _project_requirements(project, self._selected(_all_groups(project), project))
            roots = self._edges(texts, by_name, None)
        self.graph = LockGraph(roots, edges, extra_edges)
        possible = self.graph.reachable(lambda _marker, _extra: True)
        for package in packages:
            if package.node in possible and package.key not in self.files:
                self._add(package, None)

    def _edges(
        self,
        texts: object,
        by_name: Mapping[NormalizedName, list[_Package]],
        package: _Package | None,
    ) -> tuple[LockEdge, ...]:
        """Edges for PEP 508 strings, to every locked version they admit (none: not locked
        for any environment PDM locked for, so not installed)."""
        where = "pyproject.toml" if package is None else f"package '{package.raw['name']}'"
        line = None if package is None else package.line
        if not isinstance(texts, list):
            self.problem(line, f"{where}: dependencies must be a list")
            return ()
        found: list[LockEdge] = []
        for text in texts:
            try:
                requirement = Requirement(str(text))
            except InvalidRequirement as e:
                self.problem(line, f"{where}: invalid dependency {str(text)!r}: {e}")
                continue
            extras = frozenset(canonicalize_name(e) for e in requirement.extras)
            for candidate in by_name.get(canonicalize_name(requirement.name), []):
                if candidate is package or "extras" in candidate.raw:
                    continue
                if requirement.specifier.contains(candidate.key[1], prereleases=True):
                    found.append(LockEdge(candidate.node, requirement.marker, extras))
        return tuple(found)

    def _add(self, package: _Package, marker: Marker | None) -> None:
        if package.key in self.files:  # a package's extra entries: one pin
            return
        raw = package.raw
        files = _files(raw, _table(_table(self.doc.data, "metadata"), "files"))
        self.add(
            package,
            marker=marker,
            reference=_reference(raw),
            editable=raw.get("editable") is True,
            files=[f.name for f in files],
        )
        python = raw.get("requires_python")
        self.record(
            package, files=files, requires_python=python if isinstance(python, str) else None
        )


def _files(raw: Mapping[str, Any], legacy: Mapping[str, Any]) -> tuple[LockedFile, ...]:
    """A package's files: its own ``files`` (lock 4.1 on) or ``[metadata.files]`` (4.0)."""
    entries = raw.get("files")
    if entries is None:
        entries = legacy.get(f"{raw['name']} {raw.get('version', '')}", [])
    found = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        name = _file_name(entry, "file", "url")
        if name:
            url = entry.get("url")
            digest = entry.get("hash")
            found.append(
                LockedFile(
                    name,
                    redact_url(url) if isinstance(url, str) else None,
                    (digest,) if isinstance(digest, str) else (),
                )
            )
    return tuple(found)


def _reference(raw: Mapping[str, Any]) -> str | None:
    """The direct reference of a git, path or URL package (redacted), else None."""
    if isinstance(raw.get("git"), str):
        revision = raw.get("revision") or raw.get("ref")
        suffix = f"@{revision}" if isinstance(revision, str) else ""
        return f"git+{redact_url(raw['git'])}{suffix}"
    if isinstance(raw.get("path"), str):
        return str(raw["path"])
    if isinstance(raw.get("url"), str):
        return redact_url(raw["url"])
    return None


def _lock_python(metadata: Mapping[str, Any]) -> str | None:
    """The lock's requires-python: ``[metadata] requires_python`` or its first target's."""
    value = metadata.get("requires_python")
    targets = metadata.get("targets")
    if value is None and isinstance(targets, list) and targets and isinstance(targets[0], dict):
        value = targets[0].get("requires_python")
    return value if isinstance(value, str) else None


def _dev_groups(project: Mapping[str, Any]) -> list[str]:
    """The development groups of a PDM project: [tool.pdm.dev-dependencies] and PEP 735."""
    pdm = _table(_table(project, "tool"), "pdm")
    return [*_table(pdm, "dev-dependencies"), *_table(project, "dependency-groups")]


def _all_groups(project: Mapping[str, Any]) -> list[str]:
    optional = _table(_table(project, "project"), "optional-dependencies")
    return [*optional, *_dev_groups(project)]


def _project_requirements(project: Mapping[str, Any], selected: set[str]) -> list[str]:
    """The requirement strings of the selected groups (PEP 735 includes are followed by PDM
    into the lock itself, so a string that is not a requirement is left out)."""
    table = _table(project, "project")
    texts = list(_strings(table.get("dependencies")))
    pdm = _table(_table(project, "tool"), "pdm")
    for source in (
        _table(table, "optional-dependencies"),
        _table(pdm, "dev-dependencies"),
        _table(project, "dependency-groups"),
    ):
        for group, values in source.items():
            if str(canonicalize_name(group)) in selected:
                texts.extend(v for v in _strings(values) if not v.startswith("-e "))
    return texts
