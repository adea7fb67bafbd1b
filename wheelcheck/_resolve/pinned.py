"""A shortcut past the resolver for a closed set of exact pins (a compiled requirements file).

When every requirement of a target pins one version (``==X`` or ``===X``), each pinned
project has exactly one installable version there, and every dependency of every pinned
release that applies on the target names a pinned project whose version satisfies it, that
set *is* the resolution: resolvelib, offered one candidate per project, returns exactly it.
Checking so takes one pass, with every page and every release's metadata fetched at once;
resolvelib's bookkeeping grows with the square of the number of requirements (minutes for
1,000 pins) and it asks for metadata one step at a time.

Anything else (an unpinned or unknown dependency, a clash, a release whose Requires-Python
excludes the target, an index failure) returns None, and the caller runs the resolver, which
finds the answer or explains the failure.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName

from wheelcheck._judge.selection import (
    is_pinned,
    rank_for,
    requires_python_allows,
)
from wheelcheck._judge.targets import marker_environment
from wheelcheck._resolve.resolver import (
    ResolvedPackage,
    TreeLookups,
    TreeRequirement,
    TreeResult,
    identifier,
    release_requirements,
    via_chains,
)
from wheelcheck.errors import WheelcheckError
from wheelcheck.models import Dependencies, DistFile, ProjectPage, Target


@dataclass(frozen=True, slots=True)
class _Pin:
    page: ProjectPage
    file: DistFile  # the file pip would install for the pinned version
    dependencies: Dependencies


class _Graph:
    """Edges between identifiers, as resolvelib's result graph has them (None: the roots)."""

    def __init__(self) -> None:
        self.children: dict[str | None, set[str]] = {None: set()}

    def connect(self, parent: str | None, child: str) -> None:
        self.children.setdefault(parent, set()).add(child)
        self.children.setdefault(child, set())

    def iter_children(self, key: str | None) -> Iterator[str]:
        return iter(self.children.get(key, ()))


class _PinWalk:
    """The walk down from the requirements through the pinned releases' dependencies.

    `wanted` maps each identifier met to the first requirement naming it, `asked` keeps
    every dependency requirement met on the way, `chosen` the pinned release of each project
    looked up (None: fall back to the resolver).
    """

    def __init__(self, requirements: Sequence[TreeRequirement]) -> None:
        self.graph = _Graph()
        self.wanted: dict[str, TreeRequirement] = {}
        self.asked: list[TreeRequirement] = []
        self.chosen: dict[NormalizedName, _Pin | None] = {}
        self.expanded: set[str] = set()
        for requirement in requirements:
            key = identifier(requirement.name, requirement.extras)
            self.graph.connect(None, key)
            self.wanted.setdefault(key, requirement)

    def frontier(self) -> list[str]:
        """The identifiers met and not expanded yet."""
        return [key for key in self.wanted if key not in self.expanded]

    def expand(
        self,
        frontier: Sequence[str],
        pins: Mapping[NormalizedName, SpecifierSet],
        environment: Mapping[str, str],
        url_names: frozenset[NormalizedName],
    ) -> bool:
        """Meet the dependencies of the releases chosen for `frontier`; False when a project
        has no pinned release or a dependency names a project not pinned."""
        for key in frontier:
            self.expanded.add(key)
            requirement = self.wanted[key]
            pin = self.chosen[requirement.name]
            if pin is None:
                return False
            children = release_requirements(
                requirement.name,
                pin.file.version,
                requirement.extras,
                pin.dependencies,
                environment,
                url_names,
            )
            for child in children:
                if child.name not in pins:
                    return False  # not pinned: the resolver chooses its version
                child_key = identifier(child.name, child.extras)
                self.graph.connect(key, child_key)
                self.wanted.setdefault(child_key, child)
                self.asked.append(child)
        return True

    def pins_hold(self) -> bool:
        """Whether every dependency requirement met holds for the version pinned."""
        for child in self.asked:
            pin = self.chosen[child.name]
            if pin is None or not child.specifier.contains(pin.file.version, prereleases=True):
                return False
        return True

    def tree(self) -> TreeResult:
        """The walk as the resolver's result: each project with its file, chains and pages."""
        outcome = TreeResult()
        chains = via_chains(self.graph, {key: self.wanted[key].name for key in self.wanted})
        for key, requirement in self.wanted.items():
            if requirement.extras:
                continue  # the base identifier carries the project, as in the resolver
            pin = self.chosen[requirement.name]
            assert pin is not None  # every wanted identifier was expanded
            outcome.packages[requirement.name] = ResolvedPackage(
                requirement.name,
                pin.file,
                chains.get(key, ((requirement.name,),)),
                pin.dependencies,
            )
            outcome.pages[requirement.name] = pin.page
        return outcome


def _closed_pins(
    requirements: Sequence[TreeRequirement], constraints: Mapping[NormalizedName, SpecifierSet]
) -> dict[NormalizedName, SpecifierSet] | None:
    """The pinned specifier of each project, when every requirement pins one version of a
    project named once (a -c pin may add a dependency's); None otherwise."""
    if not requirements:
        return None
    pins: dict[NormalizedName, SpecifierSet] = {}
    for requirement in requirements:
        specifier = requirement.specifier & constraints.get(requirement.name, SpecifierSet())
        if not is_pinned(specifier) or requirement.name in pins:
            return None
        pins[requirement.name] = specifier
    for name, constraint in constraints.items():
        if name not in pins and is_pinned(constraint):
            pins[name] = constraint  # a -c pin may hold a dependency's version
    return pins


async def resolve_pinned(
    target: Target,
    requirements: Sequence[TreeRequirement],
    *,
    lookups: TreeLookups,
    constraints: Mapping[NormalizedName, SpecifierSet],
) -> TreeResult | None:
    """The tree of a closed set of pins on `target`, or None when it is not one."""
    pins = _closed_pins(requirements, constraints)
    if pins is None:
        return None
    environment = marker_environment(target)
    walk = _PinWalk(requirements)

    async def choose(name: NormalizedName) -> None:
        walk.chosen[name] = await _choose(name, pins[name], target, lookups)

    while frontier := walk.frontier():
        # One wave: every page and release metadata of the frontier, fetched concurrently.
        missing = {walk.wanted[key].name for key in frontier} - walk.chosen.keys()
        await asyncio.gather(*(choose(name) for name in missing))
        if not walk.expand(frontier, pins, environment, lookups.url_names):
            return None
    if not walk.pins_hold():
        return None
    return walk.tree()


async def _choose(
    name: NormalizedName, specifier: SpecifierSet, target: Target, lookups: TreeLookups
) -> _Pin | None:
    """The pinned release of `name` on `target` and its dependencies; None to fall back."""
    try:
        page = await lookups.client.get_project(name, specifier)
        if page is None:
            return None
        ranked = rank_for(
            target, page.files, specifier, policy=lookups.policy, hashes=lookups.hashes_of(name)
        )
        if not ranked or any(f.version != ranked[0].version for f in ranked):
            return None  # nothing, or more than one version (say 2.0 and 2.0+cpu): resolve
        dependencies = await lookups.reader.dependencies(page, ranked[0].version)
    except WheelcheckError:
        return None  # the resolver meets the same failure and reports it
    if dependencies.requires_python and not requires_python_allows(
        dependencies.requires_python, target.python_full_version
    ):
        return None
    return _Pin(page, ranked[0], dependencies)
