"""Reusing a finished check: its report, kept in the cache with every entry it read.

A check's report is a function of its inputs (the requirements read, the targets, the
indexes, the options that change an answer, and this code with its data) and of the cache
entries it read. A later check with the same inputs that finds every one of those entries
still the same file (size, modification time, inode: every write makes a new file) and,
online, still fresh, would read the same entries and decide the same: it returns the stored
report instead of recomputing it (1,000 pins: 2 s of parsing and ranking).

Only a check that can be repeated from the cache alone is kept: none with errors, none
that used something the cache does not hold (a failed write, a no-store page, a file without
a hash, a page of a binary alternative that advice could not read; a file that advice could
not read is kept as a failure, wheelcheck._cache.advice). ``--refresh`` recomputes and
stores again.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wheelcheck._cache.ledger import EntryStamp
from wheelcheck._cache.store import Store, is_fresh
from wheelcheck.models import Report

__all__ = ["check_key", "code_digest", "load_report", "store_report"]

_FORMAT = 1
KIND = "checks"
_KEPT = 32  # finished checks kept for reuse, newest first


@functools.cache
def code_digest() -> str:
    """A short digest of this code and its data (see `_code_stamp`), for keys of things this
    code decided that outlive a run."""
    text = json.dumps(_code_stamp(), separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def check_key(*inputs: object) -> str:
    """The key of a check with these inputs (dataclasses, strings, requirements...), and of
    this code: the same inputs give the same key in every process."""
    text = json.dumps([_FORMAT, code_digest(), _canonical(inputs)], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def load_report(
    store: Store, key: str, *, offline: bool, now: float | None = None
) -> Report | None:
    """The stored report of the check `key`, or None when there is none or something it read
    has changed since (or, online, is no longer fresh)."""
    payload = store.read_kept(KIND, key)
    if payload is None:
        return None
    now = time.time() if now is None else now
    try:
        document = json.loads(payload)
        for relative, size, mtime_ns, inode, expires, stored, max_age in document["entries"]:
            if store.entry_identity(relative) != (size, mtime_ns, inode):
                return None
            if (
                expires
                and not offline
                and not is_fresh(stored, max_age, store.default_max_age, now)
            ):
                return None  # a normal check would ask the index again
        return Report.from_dict(document["report"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # not ours, or from another version: recompute


def store_report(store: Store, key: str, report: Report) -> bool:
    """Keep `report` under `key` with the entries the check read; False when it may not be
    reused (errors, or something it used is not in the cache)."""
    ledger = store.ledger
    if report.has_errors or ledger.gaps:
        return False
    entries = [_entry_row(relative, stamp) for relative, stamp in ledger.entries.items()]
    document = {"entries": entries, "report": report.to_dict()}
    store.keep(KIND, key, json.dumps(document, separators=(",", ":")).encode(), newest=_KEPT)
    return True


def _entry_row(relative: str, stamp: EntryStamp) -> list[Any]:
    return [
        relative,
        stamp.size,
        stamp.mtime_ns,
        stamp.inode,
        stamp.expires,
        stamp.stored,
        stamp.max_age,
    ]


def _canonical(value: object) -> Any:
    """`value` as JSON that is the same in every process: sets sorted (their iteration order
    changes with string hashing), dataclasses as their fields, anything else as its text (a
    Requirement, a SpecifierSet, a Version, a Path: the text is what they mean)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return [type(value).__name__, *(_canonical(getattr(value, f.name)) for f in fields)]
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((_canonical(item) for item in value), key=repr)
    if isinstance(value, Mapping):
        return [[_canonical(k), _canonical(v)] for k, v in value.items()]
    return [type(value).__name__, str(value)]


@functools.cache
def _code_stamp() -> list[Any]:
    """What this code and its data are: versions, and each source and data file's size and
    modification time (a development checkout changes without a new version)."""
    import packaging
    import resolvelib

    from wheelcheck import __version__

    package = Path(__file__).resolve().parent.parent  # wheelcheck/, not this subpackage
    # The data files: in the package when installed, beside it in a source checkout.
    checkout_data = package.parent / "data"
    in_checkout = (package.parent / "pyproject.toml").is_file() and checkout_data.is_dir()
    roots = [package, checkout_data] if in_checkout else [package]
    files: list[list[Any]] = []
    for root in roots:
        for path in sorted(root.rglob("*")):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            status = path.stat()
            files.append([str(path.relative_to(root)), status.st_size, status.st_mtime_ns])
    return [__version__, packaging.__version__, resolvelib.__version__, sys.version, files]
