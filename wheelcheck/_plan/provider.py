"""The resolvelib provider of a plan: every chosen target at once, wheels only.

It is the check's provider (`_resolve.resolver`: pip's preference order, the bridge to the
event loop, the pages and metadata it reads) with two things changed:

- candidates are the releases that fit every target (`candidates.chosen_files`), ranked by
  the plan's preferences (`candidates.Order`), not pip's newest-first; a project the search
  holds gets its current version only, and a project it lets build gets its current version
  (whatever file pip would pick) before the fitting ones;
- a release's dependencies are the union of what it asks for on each target: the plan
  writes one constraints file for all of them. A package only one target needs is still
  asked to have a wheel on all: conservative, never a wrong "compile-free".

`Space` holds what every attempt of one search shares: pages, metadata and fits are read
once, however many attempts the search makes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

from wheelcheck._judge.targets import marker_environment
from wheelcheck._plan.candidates import Prefer, allowed, chosen_files, release_order
from wheelcheck._resolve.resolver import (
    LoopBridge,
    Sought,
    TreeCandidate,
    TreeLookups,
    TreeRequirement,
    _Provider,
    python_requirement,
    release_requirements,
)
from wheelcheck.models import Dependencies, DistFile, ProjectPage, Target

Files = dict[str, DistFile]  # target id -> the file pip picks

# Releases of one project whose metadata is read ahead once the resolver rejects its first
# candidate: backtracking through chainlit's 130 releases (the llm-app) otherwise waits for
# one metadata read at a time (20 of the plan's 32 s, profiled). The client's pool bounds
# them as any read.
READ_AHEAD = 8


@dataclass(slots=True)
class Space:
    """What one plan's search reads and prefers, shared by all its attempts."""

    targets: tuple[Target, ...]
    lookups: TreeLookups
    bridge: LoopBridge
    constraints: Mapping[NormalizedName, SpecifierSet]  # the user's -c (none with outside)
    baselines: Mapping[NormalizedName, Version]  # what the user has today
    prefer: Prefer = "newer"
    pre: bool = False
    follow: bool = True  # False for --no-deps: the named packages only
    pages: dict[NormalizedName, ProjectPage] = field(default_factory=dict)
    dependencies: dict[tuple[NormalizedName, Version], Dependencies] = field(default_factory=dict)
    not_found: set[NormalizedName] = field(default_factory=set)
    _wheels: dict[NormalizedName, dict[Version, Files]] = field(default_factory=dict)
    _any: dict[NormalizedName, dict[Version, Files]] = field(default_factory=dict)

    def wheels(self, page: ProjectPage) -> dict[Version, Files]:
        """The releases that install from a wheel on every target."""
        if page.name not in self._wheels:
            self._wheels[page.name] = chosen_files(page, self.targets, wheels_only=True)
        return self._wheels[page.name]

    def any_files(self, page: ProjectPage) -> dict[Version, Files]:
        """The releases that install on every target, building where pip would."""
        if page.name not in self._any:
            self._any[page.name] = chosen_files(page, self.targets, wheels_only=False)
        return self._any[page.name]

    def files(self, name: NormalizedName, version: Version) -> Files:
        page = self.pages[name]
        return self.wheels(page).get(version) or self.any_files(page)[version]

    def ranked(
        self, page: ProjectPage, specifier: SpecifierSet, held: Version | None, builds: bool
    ) -> list[Version]:
        """The versions to try for `page` under `specifier`, best first."""
        fitting = allowed(self.wheels(page), specifier, pre=self.pre)
        if held is not None:
            return [held] if held in fitting else []
        baseline = self.baselines.get(page.name)
        ranked = release_order(page, baseline, self.prefer).rank(fitting)
        if (
            builds
            and baseline is not None
            and baseline not in fitting
            and baseline in self.any_files(page)
            and specifier.contains(baseline, prereleases=True)
        ):
            ranked.insert(0, baseline)
        return ranked


class PlanProvider(_Provider):
    """One attempt of the search: `held` projects keep their version, `buildable` ones may
    build from source."""

    def __init__(
        self,
        space: Space,
        held: Mapping[NormalizedName, Version],
        buildable: frozenset[NormalizedName],
    ) -> None:
        super().__init__(
            target=space.targets[0],
            client=space.lookups.client,
            reader=space.lookups.reader,
            bridge=space.bridge,
            policy=space.lookups.policy,
            constraints=space.constraints,
            url_names=space.lookups.url_names,
            # a plan proposes new pins, which a hashed file's --hash lines cannot cover
            hashes=lambda name: (),
            kinds=space.lookups.kinds_of,
        )
        self.space = space
        self.held = held
        self.buildable = buildable
        # shared with the other attempts: read once per search
        self.pages = space.pages
        self.dependencies = space.dependencies
        self.not_found = space.not_found
        self.environments = [marker_environment(t) for t in space.targets]
        self.ranked: dict[NormalizedName, list[Version]] = {}  # the last matches, in order

    def matches(self, sought: Sought) -> list[TreeCandidate]:
        """The releases that fit every target, in the plan's order (see `Space.ranked`)."""
        page, extras, excluded = sought.page, sought.extras, sought.excluded
        specifier = sought.specifier & self.constraints.get(page.name, SpecifierSet())
        versions = self.space.ranked(
            page, specifier, self.held.get(page.name), page.name in self.buildable
        )
        first = self.space.targets[0].id
        versions = [v for v in versions if v not in excluded]
        self.ranked[page.name] = versions
        return [
            TreeCandidate(page.name, v, self.space.files(page.name, v)[first], extras)
            for v in versions
        ]

    def read_ahead(self, candidate: TreeCandidate) -> None:
        """Past a project's first candidate the resolver is walking its releases: start
        reading the metadata of the next READ_AHEAD, so the walk waits on a window of
        reads, not on each in turn."""
        ranked = self.ranked.get(candidate.name, [])
        if candidate.version not in ranked[1:]:
            return
        start = ranked.index(candidate.version, 1) + 1
        page = self.pages[candidate.name]
        for version in ranked[start : start + READ_AHEAD]:
            if (candidate.name, version) not in self.dependencies:
                self.bridge.submit(_quietly(self.reader.dependencies(page, version)))

    def get_dependencies(self, candidate: TreeCandidate) -> list[TreeRequirement]:
        self.read_ahead(candidate)
        found = self.release_dependencies(candidate)
        union: dict[str, TreeRequirement] = {}
        for environment in self.environments:
            for requirement in release_requirements(
                candidate.name,
                candidate.version,
                candidate.extras,
                found,
                environment,
                self.url_names,
            ):
                if self.space.follow or requirement.name == candidate.name:
                    union.setdefault(str(requirement), requirement)
        result = list(union.values())
        pythons = [t.python_full_version for t in self.space.targets]
        python = python_requirement(candidate, found, pythons)
        if python is not None:
            result.insert(1 if candidate.extras else 0, python)
        self.prefetch(result)
        return result


async def _quietly(read: Awaitable[object]) -> None:
    """A read ahead: its failure is said by the resolver's own read, if it gets there."""
    try:
        await read
    except Exception:
        return
