"""Lockfiles: the pins of an earlier resolution (pylock.toml, uv.lock, poetry.lock).

A lock is already resolved, so wheelcheck takes its pins and only judges them. Which locked
packages a target installs is decided by markers: pylock.toml (PEP 751) and Poetry 2 locks
give each package its own marker; uv.lock and older Poetry locks put markers on dependency
edges, so the reader returns that graph and `LockedSet.installed` walks it per target.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePath
from typing import Any, NamedTuple, assert_never

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name

from wheelcheck._limits import clip
from wheelcheck._sources.lock_platforms import LockedPlatforms
from wheelcheck._sources.locked_files import (
    LockedFile,
    LockedSource,
    hash_table,
    locked_file,
    split_hash,
)
from wheelcheck._sources.pyproject import TomlDocument, describe_names, load_toml
from wheelcheck._urls import redact_url
from wheelcheck.errors import InputProblem, InvalidInputFiles
from wheelcheck.models import DeclaredRequirement, Origin, RequirementSet

# A locked package: its canonical name and version ("" when the lock gives none).
PackageKey = tuple[NormalizedName, str]

# One entry of a lock: its PackageKey and the source that tells two entries of one name and
# version apart where the installer does (uv.lock's ``source``, pixi.lock's file location:
# torch 2.5.1 from PyPI and from the PyTorch index are two packages); "" elsewhere.
LockNode = tuple[NormalizedName, str, str]


class SourceKind(StrEnum):
    """What an input file is; `detect_kind` tells it from the file name."""

    REQUIREMENTS = "requirements"
    PYPROJECT = "pyproject"
    PYLOCK = "pylock"
    UV_LOCK = "uv_lock"
    POETRY_LOCK = "poetry_lock"
    PDM_LOCK = "pdm_lock"
    PIPFILE_LOCK = "pipfile_lock"
    PIXI_LOCK = "pixi_lock"
    PIPFILE = "pipfile"  # not a lock: unpinned, resolved like requirements


# Names that tell the kind exactly (case matters: pipenv looks for "Pipfile").
_NAMES = {
    "pyproject.toml": SourceKind.PYPROJECT,
    "pylock.toml": SourceKind.PYLOCK,
    "uv.lock": SourceKind.UV_LOCK,
    "poetry.lock": SourceKind.POETRY_LOCK,
    "pdm.lock": SourceKind.PDM_LOCK,
    "Pipfile.lock": SourceKind.PIPFILE_LOCK,
    "pixi.lock": SourceKind.PIXI_LOCK,
    "Pipfile": SourceKind.PIPFILE,
}


def detect_kind(path: str, unnamed: SourceKind | None = None) -> SourceKind:
    """The kind of `path`: from its file name, else `unnamed`, else from its content.

    Names: ``pyproject.toml``, ``pylock.toml`` or ``pylock.NAME.toml`` (PEP 751: NAME
    without dots), ``uv.lock``, ``poetry.lock``, ``pdm.lock``, ``Pipfile.lock``,
    ``pixi.lock``, ``Pipfile``. A file with any other name is read as `unnamed` when given
    (``--format-in``); otherwise its start tells a lock or project file by the keys only
    that format has (`wheelcheck._sources.sniff`), and anything else (and ``-``, stdin, and a
    file that cannot be read) is a requirements file.

    >>> detect_kind("deploy/pylock.prod.toml")
    <SourceKind.PYLOCK: 'pylock'>
    """
    name = PurePath(path).name
    if name in _NAMES:
        return _NAMES[name]
    middle = name.removeprefix("pylock.").removesuffix(".toml")
    if name.startswith("pylock.") and name.endswith(".toml") and middle and "." not in middle:
        return SourceKind.PYLOCK
    if unnamed is not None:
        return unnamed
    from wheelcheck._sources.sniff import sniff_kind

    sniffed = sniff_kind(path) if path != "-" else None
    return SourceKind(sniffed) if sniffed is not None else SourceKind.REQUIREMENTS


@dataclass(frozen=True, slots=True)
class LockEdge:
    """``depender -> target``, taken when `marker` holds; `extras` are the target's extras
    the edge asks for (they enable the target's `LockGraph.extra_edges`)."""

    target: LockNode
    marker: Marker | None = None
    extras: frozenset[NormalizedName] = frozenset()


@dataclass(frozen=True, slots=True)
class LockGraph:
    """The locked dependency graph, for formats whose markers sit on edges.

    `roots` are the edges from "the install request" (the project and the requested extras
    and groups); `edges` the plain dependencies of each package; `extra_edges` those a
    package adds when it is installed with an extra.
    """

    roots: tuple[LockEdge, ...]
    edges: Mapping[LockNode, tuple[LockEdge, ...]]
    extra_edges: Mapping[tuple[LockNode, NormalizedName], tuple[LockEdge, ...]] = field(
        default_factory=dict
    )

    def reachable(self, holds: Callable[[Marker | None, str | None], bool]) -> frozenset[LockNode]:
        """The packages reachable from the roots through edges whose marker `holds`.

        `holds(marker, extra)` gets the extra being installed (``""`` for a plain
        dependency, None for a root edge).
        """
        seen: set[tuple[LockNode, str]] = set()
        todo: list[tuple[LockNode, str]] = []

        def follow(edge: LockEdge, extra: str | None) -> None:
            if not holds(edge.marker, extra):
                return
            for state in ((edge.target, ""), *((edge.target, e) for e in sorted(edge.extras))):
                if state not in seen:
                    seen.add(state)
                    todo.append(state)

        for edge in self.roots:
            follow(edge, None)
        while todo:
            key, extra = todo.pop()
            if extra:
                edges = self.extra_edges.get((key, NormalizedName(extra)), ())
            else:
                edges = self.edges.get(key, ())
            for edge in edges:
                follow(edge, extra)
        return frozenset(key for key, _ in seen)


@dataclass(frozen=True, slots=True)
class LockedSet:
    """What a lockfile pins, for a checker that judges without resolving.

    `requirement_set.requirements` has one ``name==version`` requirement per locked package
    that some target could install with the requested extras and groups (lock order; the
    package's own marker on it when the format gives one; origin = the lock and the line of
    the package's ``name``); `keys` and `nodes` are parallel to it (`nodes` tell apart
    entries of one name and version from two sources). `installed(environment)` is the subset
    one target installs. `files_by_package` lists the wheel and sdist file names the lock
    records for each name and version; `sources` the files (names, URLs, hashes) and the
    index it names for each entry. `platforms`, for a lock solved per platform, the platforms
    it lists: a target on another installs nothing from it. `locked` is always True: it
    tells the checker not to
    resolve.
    """

    requirement_set: RequirementSet
    kind: SourceKind
    keys: tuple[PackageKey, ...]
    files_by_package: Mapping[PackageKey, tuple[str, ...]]
    graph: LockGraph | None = None  # uv.lock and Poetry locks before lock-version 2.1
    extras: frozenset[NormalizedName] = frozenset()  # requested: for markers on extras
    groups: frozenset[NormalizedName] = frozenset()  # requested (pylock: or its default)
    requires_python: str | None = None  # the lock's own range, as written
    requires_python_line: int | None = None
    # pylock.toml's ``environments``: an installer refuses a target that satisfies none
    environments: tuple[Marker, ...] = ()
    environments_line: int | None = None
    sources: Mapping[LockNode, LockedSource] = field(default_factory=dict)
    nodes: tuple[LockNode, ...] = ()
    # uv.lock's conflict markers spell a requested group or extra of the project as an
    # ``extra`` value (``group-13-docling-serve-cpu``): also true where they are requested.
    marker_extras: frozenset[str] = frozenset()
    # a lock solved per platform (pixi.lock): the platforms it lists; None: every platform
    platforms: LockedPlatforms | None = None
    locked: bool = True

    def installed(self, environment: Mapping[str, str]) -> tuple[DeclaredRequirement, ...]:
        """The locked packages a target with this PEP 508 `environment` installs.

        A package is installed when its own marker holds (evaluated with the requested
        extras and groups) and, if there is a graph, it is reachable from the roots through
        edges whose markers hold. Raises nothing for markers read by `read_lockfile`.
        """

        def holds(marker: Marker | None, extra: str | None) -> bool:
            return _marker_holds(
                marker, environment, self.extras, self.groups, extra, self.marker_extras
            )

        reachable = None if self.graph is None else self.graph.reachable(holds)
        chosen = []
        for node, declared in zip(self.nodes, self.requirement_set.requirements, strict=True):
            if reachable is not None and node not in reachable:
                continue
            marker = declared.requirement.marker if declared.requirement is not None else None
            if holds(marker, None):
                chosen.append(declared)
        return tuple(chosen)


def read_lockfile(
    path: str,
    kind: SourceKind | None = None,
    *,
    extras: Sequence[str] = (),
    groups: Sequence[str] = (),
    dev: bool = False,
    environment: str | None = None,
) -> LockedSet:
    """Read a lockfile's pins; `kind` overrides the kind `detect_kind` tells from the name.

    `dev` adds the development packages of pdm.lock and Pipfile.lock (``develop``);
    `environment` is the pixi environment of a pixi.lock (default ``default``).

    `extras` and `groups` select what the lock's project installs, as with ``uv sync
    --extra/--group`` or ``poetry install --extras/--with``. Defaults: no extras; no groups
    for uv.lock (uv's own default adds ``dev``) and Poetry (only ``main``), the lock's
    ``default-groups`` for pylock.toml. Returns a `LockedSet`; the lock's own project (the
    uv root, virtual packages) is not a requirement. Direct references (VCS, directories,
    archives, paths) carry `direct_reference` and are not looked up.

    Raises `InvalidInputFiles` with every problem: unreadable file, TOML syntax (with
    tomllib's line), an unsupported ``lock-version``/``version``, malformed package entries,
    unknown extras or groups (naming the available ones), and a kind that is not a lockfile.
    """
    kind = detect_kind(path) if kind is None else SourceKind(kind)
    match kind:
        case SourceKind.REQUIREMENTS | SourceKind.PYPROJECT | SourceKind.PIPFILE:
            raise InvalidInputFiles(
                [
                    InputProblem(
                        path,
                        None,
                        f"not a lockfile (read as {kind.value}); name it pylock.toml, uv.lock, "
                        "poetry.lock, pdm.lock, Pipfile.lock or pixi.lock, or give the kind",
                    )
                ]
            )
        case SourceKind.PDM_LOCK | SourceKind.PIPFILE_LOCK | SourceKind.PIXI_LOCK:
            from wheelcheck._sources.formats import read_other_lock

            return read_other_lock(
                path, kind, extras=extras, groups=groups, dev=dev, environment=environment
            ).locked
        case SourceKind.PYLOCK:
            reader: _LockReader = _PylockReader(path, load_toml(path), kind)
        case SourceKind.UV_LOCK:
            reader = _UvReader(path, load_toml(path), kind)
        case SourceKind.POETRY_LOCK:
            reader = _PoetryReader(path, load_toml(path), kind)
        case _:
            assert_never(kind)
    reader.extras = frozenset(canonicalize_name(e) for e in extras)
    reader.groups = frozenset(canonicalize_name(g) for g in groups)
    reader.read()
    return reader.result()


# -- shared machinery -------------------------------------------------------------------


def _marker_holds(
    marker: Marker | None,
    environment: Mapping[str, str],
    extras: frozenset[str],
    groups: frozenset[str],
    extra: str | None,
    marker_extras: frozenset[str] = frozenset(),
) -> bool:
    """Evaluate with PEP 751's ``extras``/``dependency_groups`` and PEP 508's ``extra``.

    `extra` None: a marker about the install request, true if it holds for any requested
    extra (or for none); `marker_extras` (uv's conflict spellings) count as requested for
    the request and for plain dependencies.
    """
    if marker is None:
        return True
    values = (sorted(extras) or [""]) if extra is None else [extra]
    if not extra and marker_extras:
        # uv's markers name the requested conflict extras: ``extra != 'extra-3-foo-cpu'``
        # must be false when cpu is requested, so no value stands for "none requested"
        values = sorted(marker_extras)
    for value in values:
        env: dict[str, str | AbstractSet[str]] = {
            **environment,
            "extra": value,
            "extras": extras,
            "dependency_groups": groups,
        }
        if marker.evaluate(env, context="lock_file"):
            return True
    return False


class _PoetryTables(NamedTuple):
    """What a poetry.lock says besides its packages' own tables."""

    packages: list[_Package]
    extras: Mapping[str, Any]  # [extras]: extra name -> the packages it adds
    legacy_files: Mapping[str, Any]  # [metadata.files] of lock-version 1.x, by package


@dataclass
class _Package:
    key: PackageKey
    line: int | None
    raw: Mapping[str, Any]
    source: str = ""  # what tells it from another entry of the same name and version

    @property
    def node(self) -> LockNode:
        return (self.key[0], self.key[1], self.source)


@dataclass
class _LockReader:
    path: str
    doc: TomlDocument
    kind: SourceKind
    extras: frozenset[NormalizedName] = frozenset()
    groups: frozenset[NormalizedName] = frozenset()
    problems: list[InputProblem] = field(default_factory=list)
    requirements: list[DeclaredRequirement] = field(default_factory=list)
    keys: list[PackageKey] = field(default_factory=list)
    nodes: list[LockNode] = field(default_factory=list)
    files: dict[PackageKey, tuple[str, ...]] = field(default_factory=dict)
    sources: dict[LockNode, LockedSource] = field(default_factory=dict)
    graph: LockGraph | None = None
    requires_python: str | None = None
    requires_python_line: int | None = None
    environments: tuple[Marker, ...] = ()
    environments_line: int | None = None
    marker_extras: frozenset[str] = frozenset()

    def read(self) -> None:
        raise NotImplementedError

    def result(self) -> LockedSet:
        if self.problems:
            raise InvalidInputFiles(self.problems)
        return LockedSet(
            requirement_set=RequirementSet(
                requirements=tuple(self.requirements), files=(self.path,)
            ),
            kind=self.kind,
            keys=tuple(self.keys),
            files_by_package=dict(self.files),
            graph=self.graph,
            extras=self.extras,
            groups=self.groups,
            requires_python=self.requires_python,
            requires_python_line=self.requires_python_line,
            environments=self.environments,
            environments_line=self.environments_line,
            sources=dict(self.sources),
            nodes=tuple(self.nodes),
            marker_extras=self.marker_extras,
        )

    def set_python(self, value: object, line: int | None) -> None:
        """The lock's own Python range, as written, and its line."""
        self.requires_python = value if isinstance(value, str) else None
        self.requires_python_line = line if self.requires_python is not None else None

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(InputProblem(self.path, line, message))

    def unsupported(self, line: int | None, what: str, found: object, reads: str) -> None:
        """A problem: the lock's format version `found` (its `what`) is not one it reads."""
        self.problem(line, f"unsupported {what} {found!r}: wheelcheck reads {reads}")

    def top_key_line(self, key: str) -> int | None:
        """1-based line of a top-level ``key = ...`` (before the first table)."""
        index = self.doc.key_line(key, 0, self.doc.table_end(-1))
        return None if index is None else index + 1

    def packages(self, table: str) -> list[_Package]:
        """The ``[[table]]`` entries that have a valid name; each with its line."""
        raw = self.doc.data.get(table, [])
        if not isinstance(raw, list) or not all(isinstance(p, dict) for p in raw):
            self.problem(None, f"'{table}' must be an array of tables")
            return []
        starts = self.doc.array_table_starts(table)
        lines: list[int | None] = [None] * len(raw)
        if len(starts) == len(raw):  # else inline tables: no reliable positions
            for i, start in enumerate(starts):
                name = self.doc.key_line("name", start + 1, self.doc.table_end(start))
                lines[i] = (start if name is None else name) + 1
        found = []
        for entry, line in zip(raw, lines, strict=True):
            name, version = entry.get("name"), entry.get("version", "")
            if not isinstance(name, str) or not name:
                self.problem(line, f"a [[{table}]] entry has no name")
                continue
            if not isinstance(version, str):
                self.problem(line, f"package '{name}': version must be a string")
                continue
            key = (canonicalize_name(name), version)
            found.append(_Package(key, line, entry, self.entry_source(entry)))
        return found

    def entry_source(self, entry: Mapping[str, Any]) -> str:
        """What tells this entry from another of the same name and version: "" unless the
        format locks one name and version from several sources (uv.lock)."""
        return ""

    def marker(self, text: object, line: int | None, what: str) -> Marker | None:
        if text is None or text == "":
            return None
        if not isinstance(text, str):
            self.problem(line, f"{what}: marker must be a string")
            return None
        try:
            return Marker(text)
        except InvalidMarker as e:
            self.problem(line, f"{what}: invalid marker '{text}': {str(e).splitlines()[0]}")
            return None

    def add(
        self,
        package: _Package,
        *,
        marker: Marker | None = None,
        reference: str | None = None,
        editable: bool = False,
        source: LockedSource | None = None,
        files: Iterable[str] = (),
        hashes: Iterable[str] = (),
    ) -> None:
        """Record one locked package as a requirement, with where it comes from: `source`,
        or just the names of its `files`; `hashes` (``sha256:...``) restrict the files of a
        package the lock lists none for, as pip's hash mode does (Pipfile.lock)."""
        name = str(package.raw["name"])
        version = package.key[1]
        try:
            if reference is None:
                if not version:
                    self.problem(package.line, f"package '{name}' has no version")
                    return
                requirement = Requirement(f"{name}=={version}")
            else:
                requirement = Requirement(name)
                requirement.url = reference
        except InvalidRequirement as e:
            first = str(e).splitlines()[0] if str(e) else "invalid"
            self.problem(package.line, f"package '{name}' {version}: {first}")
            return
        requirement.marker = marker
        text = f"{name}=={version}" if reference is None else f"{name} @ {reference}"
        if marker is not None:
            text += f" ; {marker}"
        self.requirements.append(
            DeclaredRequirement(
                text=text,
                origin=Origin(self.path, package.line),
                name=package.key[0],
                requirement=requirement,
                direct_reference=reference,
                editable=editable,
                hashes=tuple(hashes),
            )
        )
        self.keys.append(package.key)
        self.nodes.append(package.node)
        source = source or LockedSource(files=tuple(LockedFile(name) for name in files))
        names = (*self.files.get(package.key, ()), *(f.name for f in source.files))
        self.files[package.key] = tuple(dict.fromkeys(names))
        self.sources[package.node] = source

    def check_requested(
        self, what: str, requested: frozenset[NormalizedName], available: Iterable[str]
    ) -> None:
        names = sorted(set(available))
        known = {canonicalize_name(n) for n in names}
        for name in sorted(requested - known):
            self.problem(None, f"unknown {what} '{name}'; available: {describe_names(names)}")


# -- pylock.toml (PEP 751) -----------------------------------------------------------------


class _PylockReader(_LockReader):
    def read(self) -> None:
        data = self.doc.data
        version = data.get("lock-version")
        if version != "1.0":
            self.problem(
                self.top_key_line("lock-version"),
                f"unsupported lock-version {version!r}: wheelcheck reads pylock.toml "
                'lock-version "1.0"'
                if version is not None
                else "no lock-version: not a pylock.toml (PEP 751)",
            )
            return
        self.set_python(data.get("requires-python"), self.top_key_line("requires-python"))
        self._environments(data.get("environments"))
        self.check_requested("extra", self.extras, _strings(data.get("extras")))
        self.check_requested(
            "dependency group", self.groups, _strings(data.get("dependency-groups"))
        )
        if not self.groups:
            self.groups = frozenset(
                canonicalize_name(g) for g in _strings(data.get("default-groups"))
            )
        for package in self.packages("packages"):
            self._package(package)

    def _environments(self, value: object) -> None:
        """PEP 751's ``environments``: the markers of the environments the lock is for."""
        if value is None:
            return
        line = self.top_key_line("environments")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(line, "environments must be a list of marker strings")
            return
        markers = [self.marker(text, line, "environments") for text in value]
        self.environments = tuple(m for m in markers if m is not None)
        self.environments_line = line

    def _package(self, package: _Package) -> None:
        raw, name = package.raw, package.raw["name"]
        marker = self.marker(raw.get("marker"), package.line, f"package '{name}'")
        sources = [k for k in ("vcs", "directory", "archive") if k in raw]
        has_files = "sdist" in raw or "wheels" in raw
        if len(sources) + has_files != 1:
            self.problem(
                package.line,
                f"package '{name}' must have exactly one of vcs, directory, archive, or "
                "sdist/wheels",
            )
            return
        if not sources:
            wheels = raw.get("wheels", [])
            sdist = raw.get("sdist")
            if (
                not isinstance(wheels, list)
                or not all(isinstance(w, dict) for w in wheels)
                or (sdist is not None and not isinstance(sdist, dict))
            ):
                self.problem(package.line, f"package '{name}': malformed wheels or sdist")
                return
            entries = [*wheels, *([sdist] if sdist is not None else [])]
            found = [locked_file(e, _PYLOCK_NAME, hash_table(e.get("hashes"))) for e in entries]
            index, python = raw.get("index"), raw.get("requires-python")
            source = LockedSource(
                index_url=index if isinstance(index, str) and index else None,
                files=tuple(f for f in found if f is not None),
                requires_python=python if isinstance(python, str) and python else None,
            )
            self.add(package, marker=marker, source=source)
            return
        source = raw[sources[0]]
        if not isinstance(source, dict):
            self.problem(package.line, f"package '{name}': {sources[0]} must be a table")
            return
        location = source.get("url") or source.get("path")
        if not isinstance(location, str):
            self.problem(package.line, f"package '{name}': {sources[0]} needs a url or path")
            return
        reference = redact_url(location)
        if sources[0] == "vcs":
            vcs_type, commit = source.get("type", "git"), source.get("commit-id")
            reference = f"{vcs_type}+{reference}" + (f"@{commit}" if commit else "")
        self.add(
            package,
            marker=marker,
            reference=reference,
            editable=sources[0] == "directory" and source.get("editable") is True,
        )


# The keys that name a file, best first, in each format's file entries.
_PYLOCK_NAME = ("name", "url", "path")
_UV_NAME = ("filename", "url", "path")
_POETRY_NAME = ("file", "url")


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _by_name(packages: Iterable[_Package]) -> dict[NormalizedName, list[_Package]]:
    """The packages of each project name, in lock order (a lock may hold several versions)."""
    by_name: dict[NormalizedName, list[_Package]] = {}
    for package in packages:
        by_name.setdefault(package.key[0], []).append(package)
    return by_name


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """The table at `key`; an empty one when it is absent or not a table."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


# -- uv.lock -------------------------------------------------------------------------------


class _UvReader(_LockReader):
    def read(self) -> None:
        data = self.doc.data
        version = data.get("version")
        if version != 1:
            self.unsupported(self.top_key_line("version"), "uv.lock version", version, "version 1")
            return
        self.set_python(data.get("requires-python"), self.top_key_line("requires-python"))
        packages = self.packages("package")
        by_name = _by_name(packages)
        roots = self._roots(packages, data)
        root_nodes = {p.node for p in roots}

        edges: dict[LockNode, tuple[LockEdge, ...]] = {}
        extra_edges: dict[tuple[LockNode, NormalizedName], tuple[LockEdge, ...]] = {}
        for package in packages:
            edges[package.node] = self._edges(package, package.raw.get("dependencies", []), by_name)
            optional = package.raw.get("optional-dependencies", {})
            for extra, deps in optional.items() if isinstance(optional, dict) else ():
                extra_edges[(package.node, canonicalize_name(extra))] = self._edges(
                    package, deps, by_name
                )

        root_edges: list[LockEdge] = [LockEdge(p.node, extras=self.extras) for p in roots]
        available_extras: set[str] = set()
        available_groups: set[str] = set()
        for root in roots:
            optional = root.raw.get("optional-dependencies", {})
            available_extras.update(optional if isinstance(optional, dict) else ())
            dev = root.raw.get("dev-dependencies", {})
            for group, deps in dev.items() if isinstance(dev, dict) else ():
                available_groups.add(group)
                if canonicalize_name(group) in self.groups:
                    root_edges.extend(self._edges(root, deps, by_name))
        if roots:
            self.check_requested("extra", self.extras, available_extras)
            self.check_requested("dependency group", self.groups, available_groups)
        self.marker_extras = frozenset(
            f"{kind}-{len(root.key[0])}-{root.key[0]}-{name}"
            for root in roots
            for kind, names in (("extra", self.extras), ("group", self.groups))
            for name in names
        )
        self.graph = LockGraph(tuple(root_edges), edges, extra_edges)

        # Packages no selection could install (say, only in a group not asked for) are left
        # out, so nobody looks them up; markers are decided per target by `installed`.
        possible = self.graph.reachable(lambda _marker, _extra: True)
        for package in packages:
            if package.node in root_nodes or package.node not in possible:
                continue
            self._package(package)

    def _roots(self, packages: list[_Package], data: Mapping[str, Any]) -> list[_Package]:
        """The project(s) the lock is for: the package at ``.``, else the workspace members,
        else every package."""
        at_root = [
            p for p in packages if _uv_local_source(p.raw) in (("editable", "."), ("virtual", "."))
        ]
        if at_root:
            return at_root
        manifest = data.get("manifest", {})
        members = (
            {canonicalize_name(m) for m in _strings(manifest.get("members"))}
            if isinstance(manifest, dict)
            else set()
        )
        in_manifest = [p for p in packages if p.key[0] in members]
        return in_manifest or packages

    def _edges(
        self, package: _Package, deps: object, by_name: Mapping[NormalizedName, list[_Package]]
    ) -> tuple[LockEdge, ...]:
        name = package.raw["name"]
        if not isinstance(deps, list):
            self.problem(package.line, f"package '{name}': dependencies must be a list")
            return ()
        found: list[LockEdge] = []
        for dep in deps:
            if not isinstance(dep, dict) or not isinstance(dep.get("name"), str):
                self.problem(package.line, f"package '{name}': malformed dependency {dep!r}")
                continue
            candidates = by_name.get(canonicalize_name(dep["name"]), [])
            if isinstance(dep.get("version"), str):
                candidates = [c for c in candidates if c.key[1] == dep["version"]]
            # uv names the source too when one name and version is locked from several
            if isinstance(dep.get("source"), dict):
                candidates = [c for c in candidates if c.source == _uv_source_id(dep)]
            if not candidates:
                self.problem(
                    package.line,
                    f"package '{name}' depends on '{dep['name']}', which is not in the lock",
                )
                continue
            marker = self.marker(dep.get("marker"), package.line, f"package '{name}'")
            extras = frozenset(canonicalize_name(e) for e in _strings(dep.get("extra")))
            found.extend(LockEdge(c.node, marker, extras) for c in candidates)
        return tuple(found)

    def entry_source(self, entry: Mapping[str, Any]) -> str:
        return _uv_source_id(entry)

    def _package(self, package: _Package) -> None:
        raw = package.raw
        entries = [w for w in raw.get("wheels", []) if isinstance(w, dict)]
        sdist = raw.get("sdist")
        if isinstance(sdist, dict):
            entries.append(sdist)
        found = [locked_file(e, _UV_NAME, split_hash(e.get("hash"))) for e in entries]
        files = tuple(f for f in found if f is not None)
        source = _table(raw, "source")
        if "registry" in source or not source:
            registry = source.get("registry")
            index = registry if isinstance(registry, str) and registry else None
            self.add(package, source=LockedSource(index_url=index, files=files))
            return
        local = _uv_local_source(raw)
        if local is not None and local[0] == "virtual":
            return  # not installed itself; its dependencies are in the graph
        if "git" in source:
            reference = f"git+{redact_url(str(source['git']))}"
        elif local is not None:
            reference = local[1]
        else:
            reference = redact_url(str(source.get("url", "")))
        self.add(
            package,
            reference=reference,
            editable=local is not None and local[0] == "editable",
            source=LockedSource(files=files),
        )


def _uv_source_id(raw: Mapping[str, Any]) -> str:
    """An entry's (or a dependency's) ``source`` table as one string, to tell apart the
    entries of one name and version; "" when there is none."""
    source = raw.get("source")
    if not isinstance(source, dict):
        return ""
    return " ".join(f"{k}={source[k]}" for k in sorted(source))


def _uv_local_source(raw: Mapping[str, Any]) -> tuple[str, str] | None:
    """(``editable``|``virtual``|``directory``|``path``, path) for a uv local source."""
    source = raw.get("source")
    if not isinstance(source, dict):
        return None
    for key in ("editable", "virtual", "directory", "path"):
        value = source.get(key)
        if isinstance(value, str):
            return key, value
    return None


# -- poetry.lock ---------------------------------------------------------------------------


class _PoetryReader(_LockReader):
    def read(self) -> None:
        data = self.doc.data
        metadata = _table(data, "metadata")
        version = metadata.get("lock-version")
        if not isinstance(version, str) or version.split(".")[0] not in ("1", "2"):
            line = self._metadata_line("lock-version")
            self.unsupported(line, "poetry.lock lock-version", version, "1.x and 2.x")
            return
        self.set_python(metadata.get("python-versions"), self._metadata_line("python-versions"))
        packages = self.packages("package")
        # lock-version 1.x keeps the files in [metadata.files]
        tables = _PoetryTables(packages, _table(data, "extras"), _table(metadata, "files"))
        if version == "2.1" or any("groups" in p.raw for p in packages):
            self._with_groups(tables)
        else:
            self._with_graph(tables)

    def _metadata_line(self, key: str) -> int | None:
        """1-based line of ``key = ...`` in [metadata]."""
        span = self.doc.table_span("metadata")
        index = None if span is None else self.doc.key_line(key, span[0] + 1, span[1])
        return None if index is None else index + 1

    def _files(self, package: _Package, legacy: Mapping[str, Any]) -> LockedSource:
        """The package's files (lock-version 2: its own ``files``; 1.x: [metadata.files])
        and its ``legacy`` source index, if any; a poetry lock lists names, not URLs."""
        entries = package.raw.get("files", legacy.get(str(package.raw["name"]), []))
        found = (
            [
                locked_file(e, _POETRY_NAME, split_hash(e.get("hash")))
                for e in entries
                if isinstance(e, dict)
            ]
            if isinstance(entries, list)
            else []
        )
        source = _table(package.raw, "source")
        url = source.get("url") if source.get("type") == "legacy" else None
        return LockedSource(
            index_url=url if isinstance(url, str) and url else None,
            files=tuple(f for f in found if f is not None),
        )

    def _with_groups(self, tables: _PoetryTables) -> None:
        """Poetry 2 (lock-version 2.1): each package's groups and markers, as poetry installs."""
        packages, lock_extras, legacy_files = tables
        self.check_requested("extra", self.extras, lock_extras)
        available = {g for p in packages for g in _strings(p.raw.get("groups"))}
        self.check_requested("dependency group", self.groups, available - {"main"})
        selected = {canonicalize_name("main"), *self.groups}
        for package in packages:
            groups = [
                g for g in _strings(package.raw.get("groups")) if canonicalize_name(g) in selected
            ]
            if not groups:
                continue
            markers = package.raw.get("markers")
            what = f"package '{package.raw['name']}'"
            if isinstance(markers, dict):
                texts = [markers.get(g) for g in groups]
                # A selected group without a marker installs it everywhere.
                marker = None
                if all(isinstance(t, str) and t for t in texts):
                    marker = self.marker(
                        " or ".join(f"({t})" for t in dict.fromkeys(texts)), package.line, what
                    )
            else:
                marker = self.marker(markers, package.line, what)
            self.add(
                package,
                marker=marker,
                **self._source(package),
                source=self._files(package, legacy_files),
            )

    def _with_graph(self, tables: _PoetryTables) -> None:
        """Older locks: no per-package markers; walk the graph from pyproject's roots."""
        packages, lock_extras, legacy_files = tables
        by_name = _by_name(packages)
        edges: dict[LockNode, tuple[LockEdge, ...]] = {}
        extra_edges: dict[tuple[LockNode, NormalizedName], tuple[LockEdge, ...]] = {}
        for package in packages:
            deps = _table(package.raw, "dependencies")
            specs = {canonicalize_name(k): _poetry_specs(v) for k, v in deps.items()}
            what = f"package '{package.raw['name']}'"
            plain = [
                (name, spec)
                for name, spec_list in specs.items()
                for spec in spec_list
                if not spec.get("optional")
            ]
            edges[package.node] = self._poetry_edges(plain, by_name, package.line, what)
            extras = package.raw.get("extras", {})
            for extra, entries in extras.items() if isinstance(extras, dict) else ():
                wanted = [
                    (name, spec)
                    for name in _poetry_extra_names(entries)
                    for spec in specs.get(name, [{}])
                ]
                extra_edges[(package.node, canonicalize_name(extra))] = self._poetry_edges(
                    wanted, by_name, package.line, what
                )
        project = Path(self.path).parent / "pyproject.toml"
        if project.is_file():
            roots = self._pyproject_roots(str(project), by_name)
        else:  # no project to start from: every package may be installed
            self.check_requested("extra", self.extras, lock_extras)
            optional_names = self._requested_extra_names(lock_extras)
            roots = tuple(
                LockEdge(p.node)
                for p in packages
                if p.raw.get("optional") is not True or p.key[0] in optional_names
            )
        self.graph = LockGraph(roots, edges, extra_edges)
        possible = self.graph.reachable(lambda _marker, _extra: True)
        for package in packages:
            if package.node in possible:
                self.add(
                    package, **self._source(package), source=self._files(package, legacy_files)
                )

    def _pyproject_roots(
        self, path: str, by_name: Mapping[NormalizedName, list[_Package]]
    ) -> tuple[LockEdge, ...]:
        """Root edges from the project next to the lock: [tool.poetry] and [project]."""
        try:
            doc = load_toml(path)
        except InvalidInputFiles as error:
            self.problems.extend(error.problems)
            return ()
        poetry = _table(_table(doc.data, "tool"), "poetry")
        project = _table(doc.data, "project")
        extras_table = _table(poetry, "extras")
        optional_deps = _table(project, "optional-dependencies")
        self.check_requested("extra", self.extras, [*extras_table, *optional_deps])
        wanted = self._poetry_dependencies(poetry, extras_table)
        wanted += self._poetry_group_dependencies(poetry)
        edges = list(self._poetry_edges(wanted, by_name, None, "pyproject.toml"))
        strings = _strings(project.get("dependencies"))
        for extra, values in optional_deps.items():
            if canonicalize_name(extra) in self.extras:
                strings.extend(_strings(values))
        edges += self._project_edges(path, strings, by_name)
        return tuple(edges)

    def _requested_extra_names(self, extras_table: Mapping[str, Any]) -> set[NormalizedName]:
        """The projects a poetry ``extras`` table lists under the extras asked for."""
        return {
            name
            for extra, entries in extras_table.items()
            if canonicalize_name(extra) in self.extras
            for name in _poetry_extra_names(entries)
        }

    def _poetry_dependencies(
        self, poetry: Mapping[str, Any], extras_table: Mapping[str, Any]
    ) -> list[tuple[NormalizedName, Mapping[str, Any]]]:
        """[tool.poetry.dependencies] but python; an optional one only when an extra asked
        for lists it."""
        in_extras = self._requested_extra_names(extras_table)
        wanted: list[tuple[NormalizedName, Mapping[str, Any]]] = []
        deps = poetry.get("dependencies", {})
        for name, value in deps.items() if isinstance(deps, dict) else ():
            if name.lower() == "python":
                continue
            for spec in _poetry_specs(value):
                if not spec.get("optional") or canonicalize_name(name) in in_extras:
                    wanted.append((canonicalize_name(name), spec))
        return wanted

    def _poetry_group_dependencies(
        self, poetry: Mapping[str, Any]
    ) -> list[tuple[NormalizedName, Mapping[str, Any]]]:
        """The dependencies of the poetry groups asked for (dev-dependencies: group dev)."""
        groups: dict[str, object] = {
            g: t.get("dependencies", {})
            for g, t in _table(poetry, "group").items()
            if isinstance(t, dict)
        }
        if "dev-dependencies" in poetry:  # Poetry < 1.2
            groups.setdefault("dev", poetry["dev-dependencies"])
        self.check_requested("dependency group", self.groups, groups)
        wanted: list[tuple[NormalizedName, Mapping[str, Any]]] = []
        for group, table in groups.items():
            if canonicalize_name(group) not in self.groups or not isinstance(table, dict):
                continue
            for name, value in table.items():
                wanted.extend((canonicalize_name(name), spec) for spec in _poetry_specs(value))
        return wanted

    def _project_edges(
        self, path: str, strings: Iterable[str], by_name: Mapping[NormalizedName, list[_Package]]
    ) -> list[LockEdge]:
        """Edges for PEP 508 requirement strings of [project], to every locked version
        they admit; an invalid string is a problem of the pyproject.toml at `path`."""
        edges: list[LockEdge] = []
        for text in strings:
            try:
                requirement = Requirement(text)
            except InvalidRequirement as e:
                why = clip(str(e).strip().splitlines()[0]) if str(e).strip() else "invalid"
                message = f"invalid dependency '{clip(text)}': {why}"
                self.problems.append(InputProblem(path, None, message))
                continue
            for candidate in by_name.get(canonicalize_name(requirement.name), []):
                if requirement.specifier.contains(candidate.key[1], prereleases=True):
                    edges.append(
                        LockEdge(
                            candidate.node,
                            requirement.marker,
                            frozenset(canonicalize_name(e) for e in requirement.extras),
                        )
                    )
        return edges

    def _poetry_edges(
        self,
        wanted: Iterable[tuple[NormalizedName, Mapping[str, Any]]],
        by_name: Mapping[NormalizedName, list[_Package]],
        line: int | None,
        what: str,
    ) -> tuple[LockEdge, ...]:
        found: list[LockEdge] = []
        for name, spec in wanted:
            # A dependency poetry did not lock (its markers never hold for the project's
            # Python range, or an extra nobody asked for) cannot be installed: no edge.
            candidates = by_name.get(name, [])
            version = spec.get("version")
            if len(candidates) > 1 and isinstance(version, str):
                try:
                    specifier = SpecifierSet(version)
                except InvalidSpecifier:  # poetry syntax (^1.2, ~1.2): keep every candidate
                    pass
                else:
                    candidates = [
                        c for c in candidates if specifier.contains(c.key[1], prereleases=True)
                    ]
            marker = self.marker(spec.get("markers"), line, what)
            extras = frozenset(canonicalize_name(e) for e in _strings(spec.get("extras")))
            found.extend(LockEdge(c.node, marker, extras) for c in candidates)
        return tuple(found)

    def _source(self, package: _Package) -> dict[str, Any]:
        """`add` arguments for a package from git, a directory, a file or a URL."""
        source = package.raw.get("source")
        if not isinstance(source, dict) or source.get("type") in (None, "legacy"):
            return {}
        kind, url = source.get("type"), str(source.get("url", ""))
        if kind == "git":
            commit = source.get("resolved_reference") or source.get("reference")
            return {"reference": f"git+{redact_url(url)}" + (f"@{commit}" if commit else "")}
        if kind == "directory":
            return {"reference": url, "editable": package.raw.get("develop") is True}
        return {"reference": redact_url(url)}


def _poetry_specs(value: object) -> list[Mapping[str, Any]]:
    """A poetry dependency value as tables: ``"^1.0"``, ``{version=...}`` or a list of them."""
    if isinstance(value, str):
        return [{"version": value}]
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


def _poetry_extra_names(entries: object) -> list[NormalizedName]:
    """Names in a poetry extras list: ``["PySocks (>=1.5.6,!=1.5.7)", "trio"]``."""
    names = []
    for entry in _strings(entries):
        try:
            names.append(canonicalize_name(Requirement(entry).name))
        except InvalidRequirement:
            names.append(canonicalize_name(entry.split()[0]))
    return names
