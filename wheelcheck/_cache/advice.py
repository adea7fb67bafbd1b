"""Advice read from a release file, kept in the cache: a published file never changes.

An sdist's call (pure or native, and why) and a wheel's footprint (the sizes its installed
size is computed from, for any Python) cost a download or a range request each; a warm or
offline check reads them back instead. So does a file that could not be read: a failure of
the file itself (too large, not an archive) is kept like an answer, a failure of the way to
it (a transport error, HTTP 5xx) for the store's freshness window. Keyed by the file's URL
and hash (`keys.file_key`) and by this code (`checks.code_digest`); a file without a hash is
read every time, and the check says so to the store's ledger (it cannot be reused whole).
Every function takes the check's store, or None for a check without a cache.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Literal

from wheelcheck._cache.checks import code_digest
from wheelcheck._cache.keys import file_key, key_of
from wheelcheck._cache.store import Store
from wheelcheck._metadata.native import NativeCall, NativeKind
from wheelcheck.models import DistFile

__all__ = [
    "load_call",
    "load_failure",
    "load_footprint",
    "store_call",
    "store_failure",
    "store_footprint",
]

# Both are wheelcheck's own judgements, not the file's facts: other code (another version,
# an edited checkout: its classifier, which members it counts) does not read this code's.
_CALLS = f"sdist-call-{code_digest()}"
_KINDS: Mapping[object, NativeKind] = {"pure": "pure", "native": "native", "unknown": "unknown"}
_FOOTPRINTS = f"wheel-footprint-{code_digest()}"
_FAILURES = f"advice-failure-{code_digest()}"
Read = Literal["sdist", "wheel"]


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


def load_footprint(
    store: Store | None, file: DistFile, fields: tuple[str, ...]
) -> dict[str, int] | None:
    """The stored footprint of the wheel `file` (each of `fields` -> a count), or None."""
    key = _key(store, file)
    document = None if store is None or key is None else store.read_json(_FOOTPRINTS, key)
    if not isinstance(document, dict) or set(document) != set(fields):
        return None
    if not all(type(value) is int and value >= 0 for value in document.values()):
        return None
    return {name: int(document[name]) for name in fields}


def store_footprint(store: Store | None, file: DistFile, footprint: Mapping[str, int]) -> None:
    key = _key(store, file)
    if store is not None and key is not None:
        store.write_json(_FOOTPRINTS, key, dict(footprint))


def load_failure(store: Store | None, read: Read, file: DistFile) -> str | None:
    """Why reading `file` for `read` failed, as stored and still fresh, or None."""
    key = _key(store, file)
    found = None if store is None or key is None else store.read(_FAILURES, key_of(read, key))
    if store is None or found is None:
        return None
    header, payload = found
    if "stored" in header and not store.is_fresh(header):
        return None  # a failure of the way to the file: worth another try by now
    try:
        document = json.loads(payload)
    except ValueError:
        return None
    reason = document.get("reason") if isinstance(document, dict) else None
    return reason if isinstance(reason, str) else None


def store_failure(
    store: Store | None, read: Read, file: DistFile, reason: str, *, lasting: bool
) -> None:
    """Keep why `file` could not be read: for good when `lasting` (the file's own fault),
    else for the store's freshness window."""
    key = _key(store, file)
    if store is not None and key is not None:
        payload = json.dumps({"reason": reason}).encode()
        store.write(_FAILURES, key_of(read, key), payload, expires=not lasting)
