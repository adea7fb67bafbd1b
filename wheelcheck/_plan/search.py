"""The search for the smallest change: a bounded walk over which packages to relax.

The candidate order (`candidates.Order`) already prefers each package's current version and
then the nearest one, but a resolver that backtracks may still move more packages than it
must. So the search holds packages at their current version and lets go only of those a
conflict names:

1. Hold every package whose current version has a wheel on every target; only the others
   may move. If resolvelib reports a conflict, the held packages it names (the requirement
   or the release asking for it) are let go, and it tries again, at most
   `MAX_RELAX_ROUNDS` times; the last try holds only the user's own pins and locks. The
   user's pins and locks that already have a wheel are never let go.
2. No wheel-only set: some packages must build. Start from those with no fitting release
   within their specifier and let them build (at their current version), holding every
   package that has a wheel today; a conflict lets the packages it names build, or, where
   it names only held ones, lets go of those (never of the user's pins), at most
   `MAX_BUILD_ROUNDS + MAX_RELAX_ROUNDS` times. Then each package of that set
   is taken out again if the rest still resolves (at most `MAX_MINIMIZE` tries), so the set
   is minimal where the bound allowed the check.

Every attempt reads through one `Space`, so pages and metadata are fetched once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from packaging.utils import NormalizedName
from packaging.version import Version
from resolvelib import BaseReporter, ResolutionImpossible, Resolver
from resolvelib.resolvers import ResolutionTooDeep

from wheelcheck._plan.provider import PlanProvider, Space
from wheelcheck._resolve.resolver import (
    PYTHON,
    TreeCandidate,
    TreeRequirement,
    _Abort,
    explain_conflict,
)
from wheelcheck.errors import WheelcheckError

MAX_RELAX_ROUNDS = 6
MAX_BUILD_ROUNDS = 6
MAX_MINIMIZE = 8
MAX_ROUNDS = 50_000  # resolvelib rounds per attempt

Impossible = ResolutionImpossible[TreeRequirement, TreeCandidate]


@dataclass(slots=True)
class Found:
    """What the search found: a set (`chosen`, the packages that still build in
    `building`), or why there is none (`unresolved`, `error`)."""

    chosen: dict[NormalizedName, TreeCandidate] = field(default_factory=dict)
    building: frozenset[NormalizedName] = frozenset()
    must_build: frozenset[NormalizedName] = frozenset()  # no fitting release at all
    # why a package of `building` with fitting releases cannot take one: the conflict
    # found when the search tried it without a build
    reasons: dict[NormalizedName, str] = field(default_factory=dict)
    # why there is no wheel-only set: the last conflict of step 1, in words
    wheel_conflict: str | None = None
    unresolved: str | None = None
    error: WheelcheckError | None = None
    attempts: int = 0


@dataclass(slots=True)
class _Attempts:
    space: Space
    roots: Sequence[TreeRequirement]
    found: Found

    def resolve(
        self, held: Mapping[NormalizedName, Version], buildable: frozenset[NormalizedName]
    ) -> dict[NormalizedName, TreeCandidate] | Impossible:
        """One resolution; raises _Abort (an index failure) and ResolutionTooDeep."""
        self.found.attempts += 1
        provider = PlanProvider(self.space, held, buildable)
        for position, requirement in enumerate(self.roots):
            provider.requested.setdefault(provider.identify(requirement), position)
        try:
            state = Resolver(provider, BaseReporter()).resolve(self.roots, max_rounds=MAX_ROUNDS)
        except ResolutionImpossible as impossible:
            return impossible
        return {c.name: c for c in state.mapping.values() if not c.extras}


def conflict_names(impossible: Impossible) -> set[NormalizedName]:
    """The projects a conflict names: each requirement, and the release that asks for it."""
    names: set[NormalizedName] = set()
    for cause in impossible.causes:
        if cause.requirement.name != PYTHON:
            names.add(cause.requirement.name)
        if cause.parent is not None:
            names.add(cause.parent.name)
    return names


def search(
    space: Space,
    roots: Sequence[TreeRequirement],
    *,
    fitting: Mapping[NormalizedName, Version],
    fixed: frozenset[NormalizedName],
    must_build: frozenset[NormalizedName],
) -> Found:
    """The plan's set for `roots`. `fitting`: the packages whose current version has a wheel
    everywhere (held first); `fixed`: the user's pins and locks among them (always held);
    `must_build`: packages with no fitting release at all (they start step 2)."""
    attempts = _Attempts(space, roots, Found(must_build=must_build))
    try:
        if not _wheels_only(attempts, fitting, fixed):
            _with_builds(attempts, fitting, fixed, must_build)
    except _Abort as abort:
        attempts.found.error = abort.error
    except ResolutionTooDeep:
        attempts.found.error = WheelcheckError(
            f"the plan gave up after {MAX_ROUNDS} resolution rounds (too much backtracking)"
        )
    return attempts.found


def _wheels_only(
    attempts: _Attempts, fitting: Mapping[NormalizedName, Version], fixed: frozenset[str]
) -> bool:
    """Step 1; True when a wheel-only set was found (in `attempts.found`)."""
    pins = {n: v for n, v in fitting.items() if n in fixed}
    held = dict(fitting)
    for round_ in range(MAX_RELAX_ROUNDS):
        outcome = attempts.resolve(held, frozenset())
        if not isinstance(outcome, ResolutionImpossible):
            attempts.found.chosen = outcome
            return True
        attempts.found.wheel_conflict = explain_conflict(outcome, attempts.space.not_found)
        if held == pins:
            return False
        loose = conflict_names(outcome) & (held.keys() - fixed)
        if loose and round_ < MAX_RELAX_ROUNDS - 2:
            held = {n: v for n, v in held.items() if n not in loose}
        else:  # nothing named is held, or the rounds run out: the last try holds pins only
            held = pins
    return False


def _with_builds(
    attempts: _Attempts,
    fitting: Mapping[NormalizedName, Version],
    fixed: frozenset[NormalizedName],
    must_build: frozenset[NormalizedName],
) -> None:
    """Step 2: the smallest set of packages that must build, found within the bounds,
    with the packages that have a wheel today held where they are: a conflict first lets
    the packages it names that are not held build, and only then lets go of held ones
    (never of the user's pins). Letting go first would trade a pure-Python build for a
    downgrade of whatever asks for it, and of everything that one brings in."""
    held = dict(fitting)
    building = set(must_build)
    for _ in range(MAX_BUILD_ROUNDS + MAX_RELAX_ROUNDS):
        outcome = attempts.resolve(held, frozenset(building))
        if not isinstance(outcome, ResolutionImpossible):
            break
        named = conflict_names(outcome)
        more = named - building - held.keys()
        loose = named & (held.keys() - fixed)
        if more:
            building |= more
        elif loose:
            held = {n: v for n, v in held.items() if n not in loose}
        else:
            attempts.found.unresolved = explain_conflict(outcome, attempts.space.not_found)
            return
    else:
        attempts.found.unresolved = "no set found within the search's bounds"
        return
    chosen = outcome
    for name in sorted(building)[:MAX_MINIMIZE]:
        if name in must_build:
            continue  # nothing fits: it builds in every set
        fewer = frozenset(building - {name})
        trial = attempts.resolve(held, fewer)
        if isinstance(trial, ResolutionImpossible):
            attempts.found.reasons[name] = explain_conflict(trial, attempts.space.not_found)
        else:
            building, chosen = set(fewer), trial
    attempts.found.chosen = chosen
    attempts.found.building = frozenset(n for n in building if _builds(attempts, chosen, n))


def _builds(
    attempts: _Attempts, chosen: Mapping[NormalizedName, TreeCandidate], name: NormalizedName
) -> bool:
    """Whether `name`'s chosen release builds (a package let build may still get a wheel)."""
    candidate = chosen.get(name)
    if candidate is None:
        return False
    files = attempts.space.files(name, candidate.version)
    return any(not f.is_wheel for f in files.values())
