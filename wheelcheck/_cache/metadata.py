"""A release's dependencies, kept in the cache per file (`keys.file_key`): they never expire.

What wheelcheck._index.dependencies read from a release's metadata file, wheel or sdist.
"""

from __future__ import annotations

import functools
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from wheelcheck._cache.store import Store
from wheelcheck.models import Dependencies, Provenance

__all__ = ["load_dependencies", "store_dependencies"]

KIND = "metadata"


def load_dependencies(store: Store, key: str) -> Dependencies | None:
    """The stored dependencies for a file key, or None when absent or unusable."""
    document = store.read_json(KIND, key)
    if not isinstance(document, dict):
        return None
    try:
        return _from_json(document)
    except (ValueError, KeyError, TypeError, InvalidRequirement):
        return None


def store_dependencies(store: Store, key: str, dependencies: Dependencies) -> None:
    store.write_json(KIND, key, _to_json(dependencies))


def _to_json(dependencies: Dependencies) -> dict[str, Any]:
    return {
        "requires_dist": [str(r) for r in dependencies.requires_dist],
        "requires_python": dependencies.requires_python,
        "known": dependencies.known,
        "evidence": dependencies.evidence,
        "provenance": dependencies.provenance.value,
    }


@functools.lru_cache(maxsize=16384)
def _requirement(text: str) -> Requirement:
    """A parsed Requires-Dist line: popular ones ("typing-extensions>=4") recur across
    releases. Shared, so never modified (nothing in wheelcheck modifies a Requirement)."""
    return Requirement(text)


def _from_json(document: dict[str, Any]) -> Dependencies:
    requires_python = document["requires_python"]
    return Dependencies(
        requires_dist=tuple(_requirement(str(r)) for r in document["requires_dist"]),
        requires_python=None if requires_python is None else str(requires_python),
        known=bool(document["known"]),
        evidence=str(document["evidence"]),
        # Entries written before provenance was kept lack the key: unusable, read again.
        provenance=Provenance(document["provenance"]),
    )
