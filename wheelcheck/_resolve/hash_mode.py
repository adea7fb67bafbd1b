"""pip's hash mode: once any requirement carries ``--hash``, every one must.

In that mode pip installs only files whose hash the requirements list, for direct and
transitive packages alike, and stops the whole install when a requirement has no hash, is
not pinned with ``==``, or when the tree needs a package the file does not pin
(https://pip.pypa.io/en/stable/topics/secure-installs/). Such a package is `missing` here
with a reason that starts with `UNHASHED`, which `check`'s findings report as its own rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName

from wheelcheck._judge.selection import is_pinned
from wheelcheck.models import UNHASHED, TargetResult, Verdict

if TYPE_CHECKING:  # direct judging asks this module, so it is imported for types only
    from wheelcheck._resolve.direct import RequirementGroup


@dataclass(frozen=True, slots=True)
class HashMode:
    """The ``--hash`` values of each project the files pin (every line, every marker)."""

    hashes: Mapping[NormalizedName, tuple[str, ...]]

    def pins(self, name: NormalizedName) -> bool:
        return bool(self.hashes.get(name))


def hash_mode(groups: Sequence[RequirementGroup]) -> HashMode | None:
    """The hash mode the requirements put pip in; None when no requirement has a hash."""
    hashes: dict[NormalizedName, tuple[str, ...]] = {}
    for group in groups:
        if group.name is None:
            continue
        found = [h for d in (*group.declared, *group.constraints) for h in d.hashes]
        if found:
            hashes[group.name] = tuple(dict.fromkeys(found))
    return HashMode(hashes) if hashes else None


def direct_refusal(specifier: SpecifierSet, hashes: Sequence[str]) -> TargetResult | None:
    """Why pip's hash mode refuses a direct requirement on a target; None when it does not."""
    if not hashes:
        return TargetResult(
            Verdict.MISSING,
            f"{UNHASHED}: other requirements have --hash, so pip requires one on every "
            "requirement, and this one has none",
        )
    if not is_pinned(specifier):
        return TargetResult(
            Verdict.MISSING,
            f"{UNHASHED}: pip requires every requirement pinned with == in hash mode, and "
            f"this one is {specifier or 'unpinned'}",
        )
    return None


def unpinned_dependency(name: str) -> TargetResult:
    """The cell of a package the tree needs on a target that the files do not pin with a
    hash (the row's `via` says through which requirements)."""
    return TargetResult(
        Verdict.MISSING,
        f"{UNHASHED}: this target needs {name}, and the file does not pin it with --hash; "
        "pip stops the whole install (all requirements must be pinned with hashes)",
    )
