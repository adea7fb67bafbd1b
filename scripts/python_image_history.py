"""Rows for data/base-images.json from the history of the official python image tags.

docker-library/official-images keeps one file, ``library/python``, that lists every tag
the official ``python`` images carry; its git history is the record of every tag that was
ever published. This script walks that history in a local clone and prints, for the Python
minors asked for:

- ``variants``: per distribution variant (``alpine3.12``, ``slim-buster``, ...), the oldest
  and newest patch published with it, the architectures of its last entry and the dates;
- ``moves``: per moving suffix (``alpine``, ``slim``, none), which variant each patch tag
  ended on, folded to the first patch per variant (the table's ``first_patch``) and the
  date the minor tag (``3.9-alpine``) first pointed at that variant (``since``).

Windows variants are left out (wheelcheck judges Linux targets). Pre-releases are ignored.

Usage::

    git clone https://github.com/docker-library/official-images
    python scripts/python_image_history.py --repo official-images 3.8 3.9 > history.json
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

from packaging.version import Version

LIBRARY = "library/python"
DEBIAN = ("jessie", "stretch", "buster", "bullseye", "bookworm", "trixie")
MOVING = ("alpine", "slim", "")


@dataclass
class History:
    """What the walk found; keys are (minor, variant) or (minor, suffix, ...)."""

    spans: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    ended_on: dict[tuple[str, str, Version], str] = field(default_factory=dict)
    since: dict[tuple[str, str, str], str] = field(default_factory=dict)


def _git(repo: str, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", repo, *args], check=True, capture_output=True, text=True
    ).stdout


def _field(block: str, name: str) -> list[str]:
    found = re.search(rf"^{name}: (.*)$", block, re.MULTILINE)
    return [t.strip() for t in found.group(1).split(",")] if found else []


def _variant_of(tags: list[str]) -> str | None:
    """The most specific distribution suffix among a block's tags (``alpine3.20``)."""
    best: str | None = None
    for tag in tags:
        suffix = tag.partition("-")[2]
        distro = suffix.removeprefix("slim-")
        if suffix in MOVING or not (any(c.isdigit() for c in distro) or distro in DEBIAN):
            continue
        if best is None or len(suffix) > len(best):
            best = suffix
    return best


def _final(version_text: str) -> Version | None:
    parts = version_text.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    return Version(version_text)


def _read_block(history: History, block: str, day: str, minors: set[str]) -> None:
    tags = _field(block, "Tags") + _field(block, "SharedTags")
    variant = _variant_of(tags)
    if variant is None or "windows" in block:
        return
    arches = _field(block, "Architectures")
    for tag in tags:
        version_text, _, suffix = tag.partition("-")
        minor = ".".join(version_text.split(".")[:2])
        if minor not in minors:
            continue
        patch = _final(version_text)
        if suffix == variant and patch is not None:
            span = history.spans.setdefault((minor, variant), {"first": str(patch), "from": day})
            span.update(last=str(patch), until=day, architectures=arches)
        elif suffix in MOVING and patch is not None:
            history.ended_on[(minor, suffix, patch)] = variant
        elif suffix in MOVING and version_text == minor:
            history.since.setdefault((minor, suffix, variant), day)


def walk(repo: str, minors: set[str]) -> History:
    history = History()
    log = _git(repo, "log", "--reverse", "--format=%H %ad", "--date=short", "--", LIBRARY)
    for line in log.splitlines():
        commit, day = line.split()
        for block in _git(repo, "show", f"{commit}:{LIBRARY}").split("\n\n"):
            _read_block(history, block, day, minors)
    return history


def as_rows(history: History, minors: list[str]) -> dict[str, Any]:
    moves: dict[str, dict[str, dict[str, str | None]]] = {}
    for minor in minors:
        for suffix in MOVING:
            first: dict[str, dict[str, str | None]] = {}
            for (m, s, patch), variant in sorted(history.ended_on.items(), key=lambda i: i[0][2]):
                if (m, s) == (minor, suffix) and variant not in first:
                    since = history.since.get((minor, suffix, variant))
                    first[variant] = {"first_patch": str(patch), "since": since}
            moves[f"{minor} {suffix or '(none)'}"] = first
    variants = {f"{minor} {variant}": span for (minor, variant), span in history.spans.items()}
    return {"variants": variants, "moves": moves}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", required=True, help="a clone of docker-library/official-images")
    parser.add_argument("minors", nargs="+", help="Python minors, e.g. 3.8 3.9")
    args = parser.parse_args(argv)
    history = walk(args.repo, set(args.minors))
    json.dump(as_rows(history, args.minors), sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
