"""The dependency tree per target, with resolvelib (the resolver pip uses).

One resolution runs per target, because markers and wheel availability differ per target. The
provider follows pip's rules: candidates come from `_judge.selection.rank_candidates` (tags,
requires-python, pre-releases, yanked, pip's order, --prefer-binary), markers are evaluated in
the target's own environment, extras are separate identifiers whose candidates pin the base
project to the same version (as pip's ExtrasCandidate does), and constraints narrow versions
without adding packages.

resolvelib is synchronous; each resolution runs in a worker thread and asks the event loop
for pages and metadata through a `LoopBridge`. When a release's dependencies are known, the
pages of its dependencies (and their best release's metadata) are prefetched concurrently, so
the resolver rarely waits on the network. A resolution whose check is cancelled, or whose
loop stops, ends with `Stopped` at its next wait: no thread is left waiting for good.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import math
import threading
from collections.abc import (
    Callable,
    Collection,
    Coroutine,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from packaging.markers import UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.tags import Tag
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version
from resolvelib import AbstractProvider, BaseReporter, ResolutionImpossible, Resolver
from resolvelib.resolvers import ResolutionTooDeep

from wheelcheck._index.client import IndexClient
from wheelcheck._index.dependencies import DependencyReader
from wheelcheck._judge.selection import (
    FileKinds,
    Installable,
    SelectionPolicy,
    rank_candidates,
    requires_python_allows,
    tag_priority,
)
from wheelcheck._judge.targets import marker_environment, tag_ranks, target_platform
from wheelcheck.errors import ProjectLookupError, WheelcheckError
from wheelcheck.models import Dependencies, DistFile, ProjectPage, Target

T = TypeVar("T")
MAX_ROUNDS = 200_000
# The identifier of "this Python", required only when a release's Requires-Python excludes it.
PYTHON = NormalizedName("<python>")


@dataclass(frozen=True, slots=True)
class TreeRequirement:
    """A requirement inside the resolver: a project, its extras, a specifier, who asked."""

    name: NormalizedName
    extras: frozenset[str]
    specifier: SpecifierSet
    parent: str  # "requirements.txt:3" for direct ones, "pandas 3.1.1" for dependencies

    def __str__(self) -> str:
        extras = f"[{','.join(sorted(self.extras))}]" if self.extras else ""
        return f"{self.name}{extras}{self.specifier}"


@dataclass(frozen=True, slots=True)
class TreeCandidate:
    """One release of a project (with extras) and the file pip would install for it."""

    name: NormalizedName
    version: Version
    file: DistFile
    extras: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Sought:
    """What resolvelib asks of one identifier: the releases of `page` that meet `specifier`,
    with `extras`, other than the `excluded` versions it has ruled out."""

    page: ProjectPage
    extras: frozenset[str]
    specifier: SpecifierSet
    excluded: Collection[Version]


def identifier(name: NormalizedName, extras: frozenset[str]) -> str:
    return f"{name}[{','.join(sorted(extras))}]" if extras else name


@dataclass(frozen=True, slots=True)
class ResolvedPackage:
    name: NormalizedName
    file: DistFile
    # the chains from each direct requirement that leads here, e.g. (("chainlit", "uvicorn"),)
    via: tuple[tuple[str, ...], ...]
    dependencies: Dependencies


@dataclass(slots=True)
class TreeResult:
    """What one target's resolution found; `conflict` or `error` explain a failure."""

    packages: dict[NormalizedName, ResolvedPackage] = field(default_factory=dict)
    pages: dict[NormalizedName, ProjectPage] = field(default_factory=dict)
    conflict: str | None = None
    error: WheelcheckError | None = None


class Stopped(Exception):
    """The resolution ended unfinished: its check was cancelled or its event loop stopped.

    Never a result: `resolve_target` lets it through, and the check it belonged to does
    not go on.
    """


# How often a resolver thread waiting on the loop looks whether the loop still runs.
_LIVENESS_POLL = 0.1


class LoopBridge:
    """How resolver threads run coroutines on the event loop and wait for them.

    `stop` (called from the loop once the resolutions are over: done, failed or cancelled)
    makes every wait in progress and every later one raise `Stopped` at once. A wait also
    ends with `Stopped` when the loop no longer runs (a KeyboardInterrupt raised out of
    ``run_forever``, a loop closed by its host): nothing would ever finish its coroutine, and
    the thread would wait for good.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._lock = threading.Lock()
        self._stopped = False
        self._pending: set[concurrent.futures.Future[Any]] = set()

    def submit(self, coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run `coroutine` on the loop; raises Stopped (and closes it) once stopped."""
        with self._lock:
            if self._stopped:
                coroutine.close()
                raise Stopped
            try:
                future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
            except RuntimeError:  # the loop is closed
                coroutine.close()
                raise Stopped from None
            self._pending.add(future)
        future.add_done_callback(self._forget)  # outside the lock: it may run right here
        return future

    def wait(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run `coroutine` on the loop and return its result (from a thread, not the loop)."""
        future = self.submit(coroutine)
        while not future.done():
            concurrent.futures.wait((future,), timeout=_LIVENESS_POLL)
            if not future.done() and not self.loop.is_running():
                raise Stopped
        try:
            return future.result()
        except concurrent.futures.CancelledError:
            raise Stopped from None

    def stop(self) -> None:
        """End every wait: cancel what the threads wait for and refuse anything new."""
        with self._lock:
            self._stopped = True
            pending = list(self._pending)
        for future in pending:
            future.cancel()

    def _forget(self, future: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)


class _Abort(Exception):
    """Carries an index failure out of the resolver, to tell it from resolvelib's own errors."""

    def __init__(self, error: WheelcheckError) -> None:
        super().__init__(str(error))
        self.error = error


class _Provider(AbstractProvider[TreeRequirement, TreeCandidate, str]):
    def __init__(
        self,
        *,
        target: Target,
        client: IndexClient,
        reader: DependencyReader,
        bridge: LoopBridge,
        policy: SelectionPolicy,
        constraints: Mapping[NormalizedName, SpecifierSet],
        url_names: frozenset[NormalizedName],
        hashes: Callable[[NormalizedName], tuple[str, ...]],
        kinds: Callable[[ProjectPage], FileKinds],
    ) -> None:
        self.target = target
        self.hashes = hashes
        self.kinds = kinds
        self.client = client
        self.reader = reader
        self.bridge = bridge
        self.policy = policy
        self.constraints = constraints
        self.url_names = url_names
        self.not_found: set[NormalizedName] = set()
        # project -> why none of its files installs here, for conflict messages
        self.no_file: dict[NormalizedName, str] = {}
        self.requested: dict[str, int] = {}  # direct requirement identifier -> file order
        self.depths: dict[str, float] = {}  # identifier -> depth in the tree, as pip infers
        self.environment = marker_environment(target)
        self.ranks: Mapping[Tag, int] = tag_ranks(target)
        self.pages: dict[NormalizedName, ProjectPage] = {}
        # each page's installable files here, made at its first ranking (with the page it
        # was made from): resolvelib asks for a project's candidates at every new requirement
        self.installable: dict[NormalizedName, tuple[ProjectPage, Installable]] = {}
        self.dependencies: dict[tuple[NormalizedName, Version], Dependencies] = {}
        # what a release asks for here, with extras (`get_dependencies`)
        self.requirements: dict[
            tuple[NormalizedName, Version, frozenset[str]], tuple[TreeRequirement, ...]
        ] = {}
        self.prefetched: set[NormalizedName] = set()

    # -- bridging to the event loop -------------------------------------------------------

    def page(self, name: NormalizedName) -> ProjectPage | None:
        if name in self.pages:
            return self.pages[name]
        try:
            page = self.bridge.wait(self.client.get_project(name))
        except ProjectLookupError as error:
            raise _Abort(error) from None
        if page is None:
            self.not_found.add(name)
        else:
            self.pages[name] = page
        return page

    def release_dependencies(self, candidate: TreeCandidate) -> Dependencies:
        key = (candidate.name, candidate.version)
        if key not in self.dependencies:
            page = self.pages[candidate.name]
            try:
                self.dependencies[key] = self.bridge.wait(
                    self.reader.dependencies(page, candidate.version)
                )
            except WheelcheckError as error:
                raise _Abort(error) from None
        return self.dependencies[key]

    def prefetch(self, requirements: Iterable[TreeRequirement]) -> None:
        """Start fetching pages and best-release metadata that the resolver will want next."""
        for requirement in requirements:
            if requirement.name in self.prefetched:
                continue
            self.prefetched.add(requirement.name)
            self.bridge.submit(self._prefetch(requirement))

    async def _prefetch(self, requirement: TreeRequirement) -> None:
        try:
            page = await self.client.get_project(requirement.name)
            if page is None:
                return
            best = self._rank(page, requirement.specifier)
            if best:
                await self.reader.dependencies(page, best[0].version)
        except Exception:  # the resolver's own request reports failures
            return

    # -- resolvelib's interface -----------------------------------------------------------

    def identify(self, requirement_or_candidate: TreeRequirement | TreeCandidate) -> str:
        return identifier(requirement_or_candidate.name, requirement_or_candidate.extras)

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, TreeCandidate],
        candidates: Mapping[str, Iterator[TreeCandidate]],
        information: Mapping[str, Iterator[Any]],
        backtrack_causes: Sequence[Any],
    ) -> tuple[bool, bool, bool, float, float, bool, str]:
        """pip's order (its PipProvider): the Python check first, then pinned projects, then
        the ones behind the last conflict, shallow before deep, the user's order, constrained
        before free, and the name. Without the depth and cause terms resolvelib can thrash
        for thousands of rounds on trees uv and pip settle in a few hundred."""
        infos = list(information[identifier])
        operators = [s.operator for info in infos for s in info.requirement.specifier]
        pinned = any(op[:2] == "==" for op in operators)
        requested = self.requested.get(identifier)
        if requested is not None:
            depth = 1.0
        elif infos:
            depth = 1.0 + min(
                self.depths.get(self.identify(info.parent), math.inf)
                if info.parent is not None
                else 0.0
                for info in infos
            )
        else:
            depth = math.inf
        self.depths[identifier] = depth
        cause = any(
            identifier == self.identify(c.requirement)
            or (c.parent is not None and identifier == self.identify(c.parent))
            for c in backtrack_causes
        )
        return (
            identifier != PYTHON,
            not pinned,
            not cause,
            depth,
            math.inf if requested is None else float(requested),
            not operators,
            identifier,
        )

    def _rank(self, page: ProjectPage, specifier: SpecifierSet) -> list[DistFile]:
        constraint = self.constraints.get(page.name)
        if constraint is not None:
            specifier = specifier & constraint
        return self._installable(page).ranked(specifier, hashes=self.hashes(page.name))

    def _installable(self, page: ProjectPage) -> Installable:
        """`page`'s installable files on this target (the loop's prefetch and the resolver's
        thread may both make them once: the same answer)."""
        made = self.installable.get(page.name)
        if made is not None and made[0] is page:
            return made[1]
        installable = Installable.of(
            self.kinds(page),
            tag_ranks=self.ranks,
            python_full_version=self.target.python_full_version,
            policy=self.policy,
        )
        self.installable[page.name] = (page, installable)
        return installable

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[TreeRequirement]],
        incompatibilities: Mapping[str, Iterator[TreeCandidate]],
    ) -> list[TreeCandidate]:
        wanted = list(requirements[identifier])
        if not wanted or identifier == PYTHON:
            return []  # PYTHON is only required when a release's Requires-Python excludes it
        page = self.page(wanted[0].name)
        if page is None:
            return []
        specifier = wanted_specifier(wanted, requirements)
        excluded = {c.version for c in incompatibilities[identifier]}
        return self.matches(Sought(page, wanted[0].extras, specifier, excluded))

    def matches(self, sought: Sought) -> list[TreeCandidate]:
        """The candidates of one identifier, best first: pip's order of its files."""
        page, specifier, excluded = sought.page, sought.specifier, sought.excluded
        seen: set[Version] = set()
        matches = []
        for file in self._rank(page, specifier):
            if file.version in seen or file.version in excluded:
                continue
            seen.add(file.version)
            matches.append(TreeCandidate(page.name, file.version, file, sought.extras))
        # A specifier no release meets is a clash of requirements, told as such; one some
        # release meets but whose files fit nowhere here has this cause.
        if not matches and not excluded:
            versions = {f.version for f in page.files}
            if any(specifier.filter(versions, prereleases=True)):
                self.no_file[page.name] = self._why_no_file(page, specifier)
        return matches

    def _why_no_file(self, page: ProjectPage, specifier: SpecifierSet) -> str:
        """Why no release of `page` matching `specifier` installs here, in a few words:
        the cause a conflict message names ("torch has no file for musllinux on x86_64")."""
        where = target_platform(self.target)
        fits = rank_candidates(
            page.files,
            specifier=SpecifierSet(),
            tag_ranks=self.ranks,
            python_full_version=self.target.python_full_version,
            policy=self.policy,
        )
        if not fits:
            any_python = [
                f for f in page.files if not f.is_wheel or tag_priority(f, self.ranks) is not None
            ]
            if any_python:
                return f"{page.name} has no release for Python {self.target.python_full_version}"
            return f"{page.name} has no file for {where}"
        if self.hashes(page.name) and self._rank(page, SpecifierSet()) == []:
            return f"no file of {page.name} for {where} has one of its --hash values"
        return (
            f"no release of {page.name} matching {specifier or 'any version'} has a file for "
            f"{where} (the newest that has one is {fits[0].version})"
        )

    def is_satisfied_by(self, requirement: TreeRequirement, candidate: TreeCandidate) -> bool:
        return requirement.specifier.contains(candidate.version, prereleases=True)

    def get_dependencies(self, candidate: TreeCandidate) -> list[TreeRequirement]:
        # resolvelib asks again for a candidate it pins again after backtracking (2x on the
        # README example); the answer depends on the release and this target only.
        key = (candidate.name, candidate.version, candidate.extras)
        known = self.requirements.get(key)
        if known is not None:
            return list(known)
        found = self.release_dependencies(candidate)
        result = release_requirements(
            candidate.name,
            candidate.version,
            candidate.extras,
            found,
            self.environment,
            self.url_names,
        )
        python = python_requirement(candidate, found, (self.target.python_full_version,))
        if python is not None:
            result.insert(1 if candidate.extras else 0, python)
        self.requirements[key] = tuple(result)
        self.prefetch(result)
        return result


def wanted_specifier(
    wanted: Sequence[TreeRequirement], requirements: Mapping[str, Iterator[TreeRequirement]]
) -> SpecifierSet:
    """The specifier every requirement on one identifier asks for together."""
    name, extras = wanted[0].name, wanted[0].extras
    specifier = SpecifierSet()
    for requirement in wanted:
        specifier &= requirement.specifier
    if extras:
        # pip's factory narrows "b[x]" by the requirements on "b" too: a pin of b (even
        # of a yanked or pre-release version) holds for b[x]'s candidates.
        for requirement in requirements.get(name, iter(())):
            specifier &= requirement.specifier
    return specifier


def python_requirement(
    candidate: TreeCandidate, found: Dependencies, pythons: Iterable[str]
) -> TreeRequirement | None:
    """When METADATA's Requires-Python excludes one of `pythons` (the index did not say
    so): an unsatisfiable requirement, which makes resolvelib backtrack, as pip does."""
    if not found.requires_python or all(
        requires_python_allows(found.requires_python, python) for python in pythons
    ):
        return None
    parent = f"{candidate.name} {candidate.version}"
    return TreeRequirement(PYTHON, frozenset(), SpecifierSet(found.requires_python), parent)


def release_requirements(
    name: NormalizedName,
    version: Version,
    extras: frozenset[str],
    found: Dependencies,
    environment: Mapping[str, str],
    url_names: frozenset[NormalizedName],
) -> list[TreeRequirement]:
    """What a release asks for on a target, with `extras`: pip's rules for the resolver.

    An extras identifier ("b[x]") asks for its base project at the same release and for the
    dependencies only its extras add, as pip's ExtrasCandidate does.
    """
    parent = f"{name} {version}"
    result: list[TreeRequirement] = []
    if extras:
        base = SpecifierSet(f"=={version}")
        result.append(TreeRequirement(name, frozenset(), base, parent))
        active = list(extras)
    else:
        active = [""]
    for requirement in found.requires_dist:
        if requirement.url:
            continue  # a direct URL inside metadata: pip refuses these from an index
        if canonicalize_name(requirement.name) in url_names:
            continue  # the user installs it from a URL: its release is not looked up
        if not any(_applies(requirement, extra, environment) for extra in active):
            continue
        if extras and _applies(requirement, "", environment):
            continue  # already a dependency of the base candidate
        result.append(
            TreeRequirement(
                canonicalize_name(requirement.name),
                frozenset(canonicalize_name(e) for e in requirement.extras),
                requirement.specifier,
                parent,
            )
        )
    return result


def _applies(requirement: Requirement, extra: str, environment: Mapping[str, str]) -> bool:
    if requirement.marker is None:
        return extra == ""
    try:
        return requirement.marker.evaluate({**environment, "extra": extra})
    except (UndefinedComparison, UndefinedEnvironmentName):
        return False  # a marker pip cannot evaluate either: the dependency is left out


class ResultGraph(Protocol):
    """The part of resolvelib's result graph that `via_chains` reads (None: the roots)."""

    def iter_children(self, key: str | None) -> Iterator[str | None]: ...


def via_chains(
    graph: ResultGraph, names: Mapping[str, NormalizedName]
) -> dict[str, tuple[tuple[str, ...], ...]]:
    """For each resolved identifier (`names` maps it to its project), the shortest chain of
    project names from every direct requirement that leads to it (a diamond's shared
    dependency has two). Children are walked in sorted order, so ties break the same way
    on every run (the graph keeps them in sets). Only transitive packages show their chains,
    so when every package is a direct requirement (a compiled file) none are traced."""
    chains: dict[str, list[tuple[str, ...]]] = {}
    roots = sorted(r for r in graph.iter_children(None) if r is not None)
    direct = {names[r] for r in roots if r in names}
    if all(name in direct for name in names.values()):
        return {}
    for root in roots:
        if root not in names:
            continue
        seen: set[str] = set()
        frontier: list[tuple[str, tuple[str, ...]]] = [(root, (names[root],))]
        while frontier:
            next_frontier: list[tuple[str, tuple[str, ...]]] = []
            for key, chain in frontier:
                if key in seen:
                    continue
                seen.add(key)
                chains.setdefault(key, []).append(chain)
                for child in sorted(c for c in graph.iter_children(key) if c is not None):
                    if child not in seen and child in names:
                        name = names[child]
                        step = chain if name == chain[-1] else (*chain, name)
                        next_frontier.append((child, step))
            frontier = next_frontier
    return {key: tuple(found) for key, found in chains.items()}


def explain_conflict(
    error: ResolutionImpossible[TreeRequirement, TreeCandidate],
    not_found: Collection[NormalizedName] = (),
    no_file: Mapping[NormalizedName, str] | None = None,
) -> str:
    """ResolutionImpossible in words: which requirements clash, and who asked for them.

    `not_found` names projects the index does not have, `no_file` why a project has no file
    for the target: those read as their cause, not as a clash of requirements.
    """
    no_file = no_file or {}
    by_name: dict[str, list[str]] = {}
    for cause in error.causes:
        requirement = cause.requirement
        who = cause.parent if cause.parent is not None else None
        asked_by = requirement.parent if who is None else f"{who.name} {who.version}"
        if requirement.name == PYTHON:
            text = f"Python {requirement.specifier} (from {asked_by}'s Requires-Python)"
        else:
            text = f"{requirement} (from {asked_by})"
        by_name.setdefault(requirement.name, []).append(text)
    parts = []
    causes = {name: f"{name} is not on the index" for name in not_found}
    causes.update(no_file)
    for name in [n for n in by_name if n in causes]:
        askers = sorted({a.rsplit("(from ", 1)[1].rstrip(")") for a in by_name.pop(name)})
        parts.append(f"{causes[NormalizedName(name)]} (needed by {', '.join(askers)})")
    for name, asks in by_name.items():
        unique = list(dict.fromkeys(asks))
        if len(unique) == 1:
            parts.append(f"nothing installable matches {unique[0]}")
        else:
            parts.append(f"{name}: " + " conflicts with ".join(unique))
    return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class TreeLookups:
    """What every resolution of one check reads through, the same for every target.

    `url_names` are projects the user installs from a direct reference, whose releases are
    not looked up when a dependency names them.
    """

    client: IndexClient
    reader: DependencyReader
    policy: SelectionPolicy
    url_names: frozenset[NormalizedName] = frozenset()
    # pip's hash mode: each pinned project's --hash values; only those files install
    hashes: Mapping[NormalizedName, tuple[str, ...]] | None = None
    # each page's file kinds (with the page they were made from), shared by the targets
    kinds: dict[NormalizedName, tuple[ProjectPage, FileKinds]] = field(
        default_factory=dict, compare=False
    )

    def hashes_of(self, name: NormalizedName) -> tuple[str, ...]:
        """The --hash values files of `name` must match; () outside hash mode (or for a
        project the files do not pin, which the merged report flags)."""
        return () if self.hashes is None else self.hashes.get(name, ())

    def kinds_of(self, page: ProjectPage) -> FileKinds:
        """`page`'s file kinds, made once for every target's resolution (each thread may
        make them once: the same answer)."""
        made = self.kinds.get(page.name)
        if made is not None and made[0] is page:
            return made[1]
        kinds = FileKinds.of(page.files)
        self.kinds[page.name] = (page, kinds)
        return kinds


def resolve_target(
    target: Target,
    requirements: Sequence[TreeRequirement],
    *,
    lookups: TreeLookups,
    bridge: LoopBridge,
    constraints: Mapping[NormalizedName, SpecifierSet],
) -> TreeResult:
    """Resolve `requirements` for one target (call from a worker thread, not the loop).

    `bridge` carries the waits for pages and metadata to the loop; once it is stopped (or
    the loop stops) this raises `Stopped`. `constraints` narrow versions (pip's -c);
    `url_names` are projects the user installs from a direct reference, whose releases are
    not looked up when a dependency names them.
    """
    provider = _Provider(
        target=target,
        client=lookups.client,
        reader=lookups.reader,
        bridge=bridge,
        policy=lookups.policy,
        constraints=constraints,
        url_names=lookups.url_names,
        hashes=lookups.hashes_of,
        kinds=lookups.kinds_of,
    )
    for position, requirement in enumerate(requirements):
        provider.requested.setdefault(provider.identify(requirement), position)
    provider.prefetch(requirements)
    outcome = TreeResult()
    try:
        state = Resolver(provider, BaseReporter()).resolve(requirements, max_rounds=MAX_ROUNDS)
    except _Abort as abort:
        outcome.error = abort.error
        return outcome
    except ResolutionImpossible as impossible:
        outcome.conflict = explain_conflict(impossible, provider.not_found, provider.no_file)
        return outcome
    except ResolutionTooDeep:
        # Undecided, not proven impossible: a tool limit, so an error rather than a finding.
        outcome.error = WheelcheckError(
            f"gave up after {MAX_ROUNDS} resolution rounds (too much backtracking)"
        )
        return outcome
    chains = via_chains(state.graph, {key: c.name for key, c in state.mapping.items()})
    for key, candidate in state.mapping.items():
        if candidate.extras:
            continue  # the base identifier carries the project
        found = provider.dependencies[(candidate.name, candidate.version)]
        outcome.packages[candidate.name] = ResolvedPackage(
            candidate.name, candidate.file, chains.get(key, ((candidate.name,),)), found
        )
    outcome.pages = {name: provider.pages[name] for name in outcome.packages}
    return outcome
