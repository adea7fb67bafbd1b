"""Targets a pylock.toml's ``environments`` leaves out: its installer refuses them.

PEP 751 lets a lock list the environments it was made for (``environments``, marker
strings); an installer stops on an environment that satisfies none ("Provided environment
does not satisfy any of the environments specified in the lock file", pip 26). Such a
target is not judged, and the report says why; when no target is left, that is an input
error naming the lock's line.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet

from wheelcheck._judge.targets import marker_environment
from wheelcheck._sources import LockedSet
from wheelcheck.errors import InputProblem, InvalidInputFiles
from wheelcheck.models import Target


def within_environments(
    targets: Sequence[Target], locks: Sequence[LockedSet]
) -> tuple[tuple[Target, ...], list[str]]:
    """The targets each lock's ``environments`` admits, and one note per lock that left
    some out. Raises InvalidInputFiles (exit 2) when none is left."""
    kept = list(targets)
    notes: list[str] = []
    for lock in locks:
        if not lock.environments:
            continue
        outside = [t for t in kept if not _admits(lock, t)]
        if not outside:
            continue
        kept = [t for t in kept if t not in outside]
        file = lock.requirement_set.files[0]
        listed = " or ".join(f"'{m}'" for m in lock.environments)
        notes.append(
            f"{file}: environments {listed} excludes {', '.join(t.id for t in outside)}: "
            "not judged (its installer refuses that environment)"
        )
        if not kept:
            message = (
                f"environments {listed} admits none of the targets "
                f"({', '.join(t.id for t in outside)}); check a target it admits or "
                "regenerate the lock for these"
            )
            raise InvalidInputFiles([InputProblem(file, lock.environments_line, message)])
    return tuple(kept), notes


def _admits(lock: LockedSet, target: Target) -> bool:
    # the lock's requested extras and groups, as its package markers see them
    env: dict[str, str | AbstractSet[str]] = {
        **marker_environment(target),
        "extra": "",
        "extras": lock.extras,
        "dependency_groups": lock.groups,
    }
    return any(m.evaluate(env, context="lock_file") for m in lock.environments)
