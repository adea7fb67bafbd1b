"""Every target's dependency tree, resolved concurrently.

A closed set of exact pins is checked in one pass (`resolve_pinned`); anything else goes to
resolvelib (`resolve_target`), each target in a thread of its own that waits on the event
loop for pages through a LoopBridge. The threads are not the loop's default executor: each
blocks while it waits for a page, and the loop needs that executor for DNS lookups, so
sharing it would deadlock once every default thread held a resolution.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name

from wheelcheck._index.client import IndexClient
from wheelcheck._index.dependencies import DependencyReader
from wheelcheck._judge.selection import SelectionPolicy
from wheelcheck._judge.targets import marker_environment
from wheelcheck._resolve.direct import RequirementGroup
from wheelcheck._resolve.pinned import resolve_pinned
from wheelcheck._resolve.resolver import (
    LoopBridge,
    Stopped,
    TreeLookups,
    TreeRequirement,
    TreeResult,
    resolve_target,
)
from wheelcheck._resolve.tree import INSTALLABLE
from wheelcheck.models import DeclaredRequirement, PackageResult, Target

T = TypeVar("T")
Progress = Callable[[str], None]


def tree_roots(
    groups: Sequence[RequirementGroup], direct: Sequence[PackageResult], target: Target
) -> list[TreeRequirement]:
    """The direct requirements that enter `target`'s tree: only those that install somewhere
    there; the others keep their own verdict."""
    found = []
    for group, package in zip(groups, direct, strict=True):
        if group.name is None or package.results[target.id].verdict not in INSTALLABLE:
            continue
        specifier, extras, _hashes = group.specifier(target)
        canonical_extras = frozenset(canonicalize_name(e) for e in extras)
        origin = str(group.first.origin)
        found.append(TreeRequirement(group.name, canonical_extras, specifier, origin))
    return found


def tree_constraints(
    constraints: Sequence[DeclaredRequirement], target: Target
) -> dict[NormalizedName, SpecifierSet]:
    """-c applies to every package in the tree, direct or not, when its marker holds."""
    environment = {**marker_environment(target), "extra": ""}
    narrowed: dict[NormalizedName, SpecifierSet] = {}
    for constraint in constraints:
        requirement = constraint.requirement
        if constraint.name is None or requirement is None:
            continue
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        current = narrowed.get(constraint.name, SpecifierSet())
        narrowed[constraint.name] = current & requirement.specifier
    return narrowed


async def resolve_trees(
    groups: Sequence[RequirementGroup],
    constraints: Sequence[DeclaredRequirement],
    targets: Sequence[Target],
    direct: Sequence[PackageResult],
    *,
    client: IndexClient,
    reader: DependencyReader,
    policy: SelectionPolicy,
    progress: Progress,
    hashes: Mapping[NormalizedName, tuple[str, ...]] | None = None,
) -> dict[str, TreeResult]:
    """Resolve every target's tree concurrently; target id -> its TreeResult.

    On cancellation (or failure) the bridge is stopped before the threads are joined, so a
    thread waiting for a page ends at its wait instead of blocking the join for good.
    """
    loop = asyncio.get_running_loop()
    bridge = LoopBridge(loop)
    url_names = frozenset(
        g.first.name for g in groups if g.name is None and g.first.name is not None
    )
    lookups = TreeLookups(client, reader, policy, url_names, hashes)
    threads: list[threading.Thread] = []

    async def one(target: Target) -> tuple[str, TreeResult]:
        requirements = tree_roots(groups, direct, target)
        narrowed = tree_constraints(constraints, target)
        tree = await resolve_pinned(target, requirements, lookups=lookups, constraints=narrowed)
        if tree is None:  # not a closed set of pins: the resolver decides
            resolve = functools.partial(
                resolve_target,
                target,
                requirements,
                lookups=lookups,
                bridge=bridge,
                constraints=narrowed,
            )
            tree = await _resolved_in_thread(loop, resolve, target, threads)
        progress(f"resolved {target.id}")
        return target.id, tree

    try:
        return dict(await asyncio.gather(*(one(t) for t in targets)))
    finally:
        # Cancelled, failed or done: no wait outlives this, so each thread ends at its next
        # wait (within one resolver step) and the join is short.
        bridge.stop()
        for thread in threads:
            thread.join()


async def _resolved_in_thread(
    loop: asyncio.AbstractEventLoop,
    resolve: Callable[[], TreeResult],
    target: Target,
    threads: list[threading.Thread],
) -> TreeResult:
    future, thread = _in_thread(loop, resolve, f"wheelcheck-resolve {target.id}")
    threads.append(thread)
    try:
        return await future
    except Stopped:  # the loop stopped under the resolution, then ran again
        raise asyncio.CancelledError from None


def _in_thread(
    loop: asyncio.AbstractEventLoop, function: Callable[[], T], name: str
) -> tuple[asyncio.Future[T], threading.Thread]:
    """Start `function()` in a thread of its own; its outcome arrives on `loop`'s future.

    A daemon thread, not an executor's: a thread that outlives its check (its loop stopped
    under it) ends by itself at its next wait, and never holds up the interpreter's exit.
    """
    outcome: concurrent.futures.Future[T] = concurrent.futures.Future()

    def body() -> None:
        if not outcome.set_running_or_notify_cancel():
            return
        try:
            outcome.set_result(function())
        except BaseException as error:  # handed to the task that awaits it
            outcome.set_exception(error)

    thread = threading.Thread(target=body, name=name, daemon=True)
    future = asyncio.wrap_future(outcome, loop=loop)
    thread.start()
    return future, thread
