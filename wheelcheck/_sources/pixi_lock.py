"""pixi.lock (pixi, lock versions 4 to 7): the PyPI packages of one pixi environment.

A pixi.lock lists, per environment and platform, the exact conda and PyPI packages pixi
installs there. wheelcheck reads the PyPI ones (conda packages come from conda channels,
not from a Python index) of the chosen environment (``--environment``, default
``default``) for each Linux platform the environment locks; a target installs a package
when the lock lists it for the target's platform (linux-64 for amd64, linux-aarch64 for
arm64, ...), which is the marker each pin carries. A platform the environment does not
lock installs none of its packages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml
from packaging.markers import Marker
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from wheelcheck._sources.lock_platforms import LockedPlatforms
from wheelcheck._sources.lock_records import EntryReader, LockedFile, LockEntry, LockRead
from wheelcheck._sources.lockfiles import SourceKind, _Package
from wheelcheck._sources.pyproject import TomlDocument, read_input_text
from wheelcheck._urls import redact_url
from wheelcheck.errors import InputProblem, InvalidInputFiles

__all__ = ["PIXI_MACHINES", "read_pixi_lock"]

# pixi's Linux platforms and the platform_machine of each (conda's platform names).
PIXI_MACHINES: Mapping[str, str] = {
    "linux-64": "x86_64",
    "linux-aarch64": "aarch64",
    "linux-ppc64le": "ppc64le",
    "linux-s390x": "s390x",
    "linux-32": "i686",
    "linux-armv7l": "armv7l",
    "linux-armv6l": "armv6l",
}


def load_yaml(path: str) -> tuple[Any, yaml.Node | None]:
    """The parsed YAML of `path` and its node tree (which knows each node's line); a problem
    naming the line when it is not YAML. Only plain YAML types are built (the safe loader,
    libyaml's when installed): a tag that would build an object is refused."""
    text = read_input_text(path, "YAML")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        root = loader.get_single_node()
        return (None if root is None else loader.construct_document(root)), root
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = None if mark is None else mark.line + 1
        why = (e.problem or e.context or "invalid").strip()
        raise InvalidInputFiles([InputProblem(path, line, f"invalid YAML: {why}")]) from None
    except (yaml.YAMLError, RecursionError, ValueError) as e:
        why = "nested too deeply" if isinstance(e, RecursionError) else str(e).splitlines()[0]
        raise InvalidInputFiles([InputProblem(path, None, f"invalid YAML: {why}")]) from None
    finally:
        loader.dispose()


def read_pixi_lock(
    path: str,
    *,
    environment: str | None = None,
    extras: Sequence[str] = (),
    groups: Sequence[str] = (),
) -> LockRead:
    """The PyPI pins of one environment of a pixi.lock, each with a marker naming the
    Linux platforms that install it and the line of its entry.

    Raises `InvalidInputFiles`: bad YAML (with its line), an unsupported ``version``, an
    unknown environment (naming those there are), an environment that locks no Linux
    platform, malformed entries, a listed package missing from ``packages``, and extras or
    groups (pixi selects with environments).
    """
    data, root = load_yaml(path)
    reader = _PixiReader(path, TomlDocument(path, {}, ()), SourceKind.PIXI_LOCK)
    reader.data, reader.root = data, root
    reader.environment = environment or "default"
    if extras or groups:
        reader.problem(None, "a pixi.lock has no extras or groups; choose --environment")
    read = reader.read_with_entries()
    platforms = LockedPlatforms(
        reader.environment,
        reader.platforms,
        {machine: name for name, machine in PIXI_MACHINES.items()},
    )
    return LockRead(replace(read.locked, platforms=platforms), read.entries)


class _PixiReader(EntryReader):
    data: Any = None
    root: yaml.Node | None = None
    environment: str = "default"
    index_url: str | None = None  # the environment's first index: where its files came from
    platforms: tuple[str, ...] = ()  # those the environment lists, in the lock's order

    def read(self) -> None:
        data = self.data
        if not isinstance(data, dict) or data.get("version") not in (4, 5, 6, 7):
            version = data.get("version") if isinstance(data, dict) else None
            line = _key_line(self.root, "version") or 1
            self.unsupported(line, "pixi.lock version", version, "versions 4 to 7")
            return
        environments = data.get("environments")
        if not isinstance(environments, dict) or self.environment not in environments:
            names = sorted(environments) if isinstance(environments, dict) else []
            self.problem(
                _key_line(self.root, "environments"),
                f"unknown pixi environment '{self.environment}'; available: "
                + (", ".join(names) or "none"),
            )
            return
        env = environments[self.environment]
        indexes = env.get("indexes") if isinstance(env, dict) else None
        if isinstance(indexes, list) and indexes and isinstance(indexes[0], str):
            self.index_url = indexes[0]
        platforms = env.get("packages") if isinstance(env, dict) else None
        if not isinstance(platforms, dict):
            self.problem(
                _key_line(_child(self.root, "environments"), self.environment),
                f"environments.{self.environment}: no 'packages' table",
            )
            return
        self.platforms = tuple(str(p) for p in platforms)
        linux = {p: refs for p, refs in platforms.items() if p in PIXI_MACHINES}
        if not linux:
            self.problem(
                _key_line(_child(self.root, "environments"), self.environment),
                f"pixi environment '{self.environment}' locks no Linux platform "
                f"(it locks: {', '.join(sorted(platforms)) or 'none'})",
            )
            return
        self._packages(linux)

    def _refs_node(self, platform: str) -> yaml.Node | None:
        """The node of the environment's list for `platform`, for its lines."""
        return _child(self.root, "environments", self.environment, "packages", platform)

    def _packages(self, linux: Mapping[str, Any]) -> None:
        """Add each PyPI package the environment lists for a Linux platform, in the order
        of ``packages``, with the platforms listing it as its marker."""
        catalogue = self.data.get("packages")
        if not isinstance(catalogue, list):
            self.problem(_key_line(self.root, "packages"), "'packages' must be a list")
            return
        by_location: dict[str, int] = {}
        for index, entry in enumerate(catalogue):
            location = _pypi_location(entry)
            if location is not None:
                by_location.setdefault(location, index)
        platforms_of: dict[str, list[str]] = {}
        for platform, refs in linux.items():
            for index, ref in enumerate(refs if isinstance(refs, list) else []):
                location = _pypi_ref(ref)
                if location is None:
                    continue
                if location not in by_location:
                    self.problem(
                        _item_line(self._refs_node(platform), index),
                        f"{platform}: PyPI package {_shown(location)} is not in 'packages'",
                    )
                    continue
                platforms_of.setdefault(location, []).append(platform)
        first = "linux-64" if "linux-64" in linux else sorted(linux)[0]
        self.requires_python = _conda_python(linux[first])
        for location, index in sorted(by_location.items(), key=lambda item: item[1]):
            if location in platforms_of:
                entry = catalogue[index]
                node = _child(self.root, "packages")
                line = _key_line(_item(node, index), "name") or _item_line(node, index)
                self._add(location, entry, line, platforms_of[location])

    def _add(
        self, location: str, entry: Mapping[str, Any], line: int | None, platforms: list[str]
    ) -> None:
        name, version = entry.get("name"), entry.get("version")
        if not isinstance(name, str) or not name or not isinstance(version, (str, int, float)):
            self.problem(line, f"PyPI package {_shown(location)} has no name or version")
            return
        version = str(version)
        # one name and version may be locked as a different file per platform
        package = _Package((canonicalize_name(name), version), line, {"name": name}, location)
        machines = sorted({PIXI_MACHINES[p] for p in platforms})
        marker = Marker(
            'sys_platform == "linux" and ('
            + " or ".join(f'platform_machine == "{m}"' for m in machines)
            + ")"
        )
        is_url = "://" in location
        local = not is_url or location.startswith("file:")
        reference = None if not local and not location.startswith(("git+", "git:")) else location
        self.add(
            package,
            marker=marker,
            reference=None if reference is None else redact_url(reference),
            editable=entry.get("editable") is True,
            files=[_url_file(location)] if not local else [],
        )
        digest = entry.get("sha256")
        python = entry.get("requires_python")
        self.entries.append(
            LockEntry(
                package.key[0],
                version,
                files=(
                    LockedFile(
                        _url_file(location),
                        redact_url(location),
                        (f"sha256:{digest}",) if isinstance(digest, str) else (),
                    ),
                ),
                index=None if self.index_url is None else redact_url(self.index_url),
                requires_python=python if isinstance(python, str) else None,
                index_url=self.index_url,
                source=location,
            )
        )


def _pypi_location(entry: object) -> str | None:
    """The URL or path of a PyPI entry of ``packages`` (v6 ``pypi:``, v4/v5 ``kind: pypi``)."""
    if not isinstance(entry, dict):
        return None
    if isinstance(entry.get("pypi"), str):
        return str(entry["pypi"])
    if entry.get("kind") == "pypi":
        location = entry.get("url", entry.get("path"))
        return str(location) if isinstance(location, str) else None
    return None


def _pypi_ref(ref: object) -> str | None:
    """The URL or path of an environment's ``- pypi: ...`` item."""
    if isinstance(ref, dict) and isinstance(ref.get("pypi"), str):
        return str(ref["pypi"])
    return None


def _conda_python(refs: object) -> str | None:
    """``==X.Y.Z`` of the conda ``python`` package a platform lists (conda file names are
    ``name-version-build``), else None."""
    for ref in refs if isinstance(refs, list) else []:
        url = ref.get("conda") if isinstance(ref, dict) else None
        if not isinstance(url, str):
            continue
        parts = _url_file(url).rsplit("-", 2)
        if len(parts) == 3 and parts[0] == "python":
            try:
                return f"=={Version(parts[1])}"
            except InvalidVersion:
                return None
    return None


def _url_file(location: str) -> str:
    return unquote(PurePosixPath(urlsplit(location).path).name) or location


def _shown(location: str) -> str:
    """A location for a message: redacted, its end kept (the file name)."""
    return redact_url(location)[-120:]


def _child(node: yaml.Node | None, *keys: str) -> yaml.Node | None:
    """The node at `keys` below a mapping node, or None."""
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
    return node


def _item(node: yaml.Node | None, index: int) -> yaml.Node | None:
    if isinstance(node, yaml.SequenceNode) and 0 <= index < len(node.value):
        item: yaml.Node = node.value[index]
        return item
    return None


def _key_line(node: yaml.Node | None, key: str) -> int | None:
    """1-based line of `key` in a mapping node, or None."""
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, _value in node.value:
        if getattr(key_node, "value", None) == key:
            return int(key_node.start_mark.line) + 1
    return None


def _item_line(node: yaml.Node | None, index: int) -> int | None:
    """1-based line of item `index` of a sequence node, or None."""
    item = _item(node, index)
    return None if item is None else int(item.start_mark.line) + 1
