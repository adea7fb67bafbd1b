"""Advice read from a release file, kept in the cache: a published file never changes.

An sdist's call (pure or native, and why) and a wheel's installed size per Python version
cost a download or a dozen range requests each; a warm or offline check reads them back
instead. Keyed by the file's URL and hash (`keys.file_key`) and by this code
(`checks.code_digest`); a file without a hash is read every time, and the check says so to
the store's ledger (it cannot be reused whole), as it does for sizes estimated from
incomplete samples, which are not stored. Every function takes the check's store, or None
for a check without a cache.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

from wheelcheck._cache.checks import code_digest
from wheelcheck._cache.keys import file_key
from wheelcheck._cache.store import Store
from wheelcheck._metadata.native import NativeCall, NativeKind
from wheelcheck.models import DistFile

__all__ = ["load_call", "load_sizes", "store_call", "store_sizes"]

# Both are wheelcheck's own judgements, not the file's facts: other code (another version,
# an edited checkout: its classifier, its size model) does not read this code's.
_CALLS = f"sdist-call-{code_digest()}"
_KINDS: Mapping[object, NativeKind] = {"pure": "pure", "native": "native", "unknown": "unknown"}
# Sizes calibrate the .pyc model by compiling samples with this interpreter: per version.
_SIZES = f"wheel-size-{code_digest()}-py{sys.version_info[0]}{sys.version_info[1]}"


def _key(store: Store | None, file: DistFile) -> str | None:
    """The file's key in `store`; None without a store, or without a hash (a gap)."""
    if store is None:
        return None
    key = file_key(file)
    if key is None:
        store.note_gap(f"{file.filename} (no hash to key what was read from it)")
    return key


def load_call(store: Store | None, file: DistFile) -> NativeCall | None:
    """The stored call on the sdist `file`, or None."""
    key = _key(store, file)
    if store is None or key is None:
        return None
    document = store.read_json(_CALLS, key)
    if not isinstance(document, dict):
        return None
    kind, languages, evidence = (document.get(k) for k in ("kind", "languages", "evidence"))
    if kind not in _KINDS or not isinstance(languages, list) or not isinstance(evidence, list):
        return None
    return NativeCall(_KINDS[kind], tuple(map(str, languages)), tuple(map(str, evidence)))


def store_call(store: Store | None, file: DistFile, call: NativeCall) -> None:
    key = _key(store, file)
    if store is not None and key is not None:
        document = {"kind": call.kind, "languages": call.languages, "evidence": call.evidence}
        store.write_json(_CALLS, key, document)


def load_sizes(
    store: Store | None, file: DistFile, pythons: list[tuple[int, int]]
) -> dict[tuple[int, int], int] | None:
    """The stored installed sizes of the wheel `file` for every one of `pythons`, or None."""
    key = _key(store, file)
    found = None if store is None or key is None else _stored_sizes(store, key)
    if found is None or not all(python in found for python in pythons):
        return None
    return {python: found[python] for python in pythons}


def store_sizes(store: Store | None, file: DistFile, sizes: Mapping[tuple[int, int], int]) -> None:
    """Store `sizes` (Python version -> bytes) with those already stored for `file`."""
    key = _key(store, file)
    if store is None or key is None:
        return
    merged = {**(_stored_sizes(store, key) or {}), **sizes}
    document = {f"{major}.{minor}": size for (major, minor), size in sorted(merged.items())}
    store.write_json(_SIZES, key, document)


def _stored_sizes(store: Store, key: str) -> dict[tuple[int, int], int] | None:
    document = store.read_json(_SIZES, key)
    if not isinstance(document, dict):
        return None
    sizes: dict[tuple[int, int], int] = {}
    for text, size in document.items():
        major, _, minor = str(text).partition(".")
        if not (major.isdigit() and minor.isdigit() and isinstance(size, int)):
            return None
        sizes[(int(major), int(minor))] = size
    return sizes
