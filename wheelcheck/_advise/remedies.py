"""How to avoid a source build: other versions with a wheel, binary alternatives, pip options.

Everything is read from index pages already fetched: the nearest older and newer versions
that ship a wheel for the target (inside the user's specifier first, else outside it), what
``--prefer-binary`` and ``--only-binary`` would make pip choose, and projects from the curated
list ``data/binary-alternatives.json`` judged on the same target.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from wheelcheck._data import read_json as read_data
from wheelcheck._judge.selection import (
    SelectionPolicy,
    rank_for,
    requires_python_allows,
    tag_priority,
)
from wheelcheck._judge.targets import tag_ranks
from wheelcheck._judge.verdicts import judge_files
from wheelcheck.models import ProjectPage, Remedy, Target, Verdict

__all__ = ["Alternative", "RemedySearch", "alternatives_for", "wheel_versions"]


@dataclass(frozen=True, slots=True)
class Alternative:
    """A project to install instead: `requirement` as written, the project to check."""

    requirement: str
    check: NormalizedName  # the project whose wheels decide it
    compatible: bool  # same import name and API
    note: str


@functools.cache
def _alternatives() -> dict[NormalizedName, tuple[Alternative, ...]]:
    table: dict[NormalizedName, tuple[Alternative, ...]] = {}
    for row in read_data("binary-alternatives.json")["rows"]:
        found = []
        for alt in row["alternatives"]:
            try:
                requirement = Requirement(alt["requirement"])
            except InvalidRequirement:
                continue
            found.append(
                Alternative(
                    alt["requirement"],
                    canonicalize_name(alt.get("check") or requirement.name),
                    bool(alt.get("compatible", False)),
                    str(alt.get("note", "")),
                )
            )
        table[canonicalize_name(row["name"])] = tuple(found)
    return table


def alternatives_for(name: str) -> tuple[Alternative, ...]:
    """The curated binary alternatives of project `name` (empty when there are none)."""
    return _alternatives().get(canonicalize_name(name), ())


def wheel_versions(page: ProjectPage, target: Target, *, pre: bool = False) -> list[Version]:
    """Versions (ascending) with a non-yanked wheel `target` installs, requires-python
    included; pre-releases only with `pre`."""
    ranks = tag_ranks(target)
    found = {
        f.version
        for f in page.files
        if f.is_wheel
        and not f.yanked
        and (pre or not f.version.is_prerelease)
        and tag_priority(f, ranks) is not None
        and requires_python_allows(f.requires_python, target.python_full_version)
    }
    return sorted(found)


@dataclass(frozen=True, slots=True)
class RemedySearch:
    """What every remedy of one check shares: the pip options in force (`policy`) and the
    fetched pages of the curated alternatives (`alternative_pages`; a missing key: not
    checked)."""

    policy: SelectionPolicy = field(default_factory=SelectionPolicy)
    alternative_pages: Mapping[NormalizedName, ProjectPage | None] = field(default_factory=dict)

    def find(
        self,
        page: ProjectPage,
        *,
        chosen: Version,
        target: Target,
        specifier: SpecifierSet | None = None,
    ) -> Remedy:
        """Ways around building `page`'s sdist of version `chosen` on `target`, where the
        user asked for `specifier` (None or empty: any version). Returns a Remedy; its
        `only_binary` is None when ``--only-binary`` would leave nothing to install."""
        policy = self.policy
        spec = specifier or SpecifierSet()
        pre = policy.pre or chosen.is_prerelease
        versions = wheel_versions(page, target, pre=pre)
        inside = [v for v in versions if spec.contains(v, prereleases=True)]
        older = max((v for v in inside if v < chosen), default=None)
        newer = min((v for v in inside if v > chosen), default=None)
        within = older is not None or newer is not None
        if not within:
            older = max((v for v in versions if v < chosen), default=None)
            newer = min((v for v in versions if v > chosen), default=None)

        def best(changed: SelectionPolicy) -> str | None:
            ranked = rank_for(target, page.files, spec, policy=changed)
            if not ranked:
                return None
            return f"{ranked[0].version} ({'wheel' if ranked[0].is_wheel else 'sdist'})"

        prefer = best(replace(policy, prefer_binary=True))
        prefer_binary = prefer if prefer and not prefer.endswith("(sdist)") else None
        only = best(replace(policy, only_binary=True))

        described: list[str] = []
        for alternative in alternatives_for(page.name):
            described.append(_describe_alternative(alternative, target, self.alternative_pages))
        return Remedy(
            older=None if older is None else str(older),
            newer=None if newer is None else str(newer),
            within_specifier=within,
            prefer_binary=prefer_binary,
            only_binary=only,
            alternatives=tuple(described),
        )


def _describe_alternative(
    alternative: Alternative,
    target: Target,
    pages: Mapping[NormalizedName, ProjectPage | None] | None,
) -> str:
    compat = "drop-in" if alternative.compatible else "code changes"
    head = f"{alternative.requirement} ({compat}: {alternative.note})"
    if pages is None or alternative.check not in pages:
        return f"{head}: not checked"
    page = pages[alternative.check]
    if page is None:
        return f"{head}: not on the index"
    result = judge_files(page, specifier=SpecifierSet(), target=target, tag_ranks=tag_ranks(target))
    if result.verdict is Verdict.BINARY:
        return f"{head}: {alternative.check} {result.version} has a {result.reason} here"
    if result.verdict is Verdict.PURE:
        return f"{head}: {alternative.check} {result.version} is a pure-Python wheel"
    return f"{head}: no wheel here either ({result.verdict.value})"


def alternative_projects(names: Sequence[str]) -> list[NormalizedName]:
    """The projects whose pages the alternatives of `names` need."""
    wanted: dict[NormalizedName, None] = {}
    for name in names:
        for alternative in alternatives_for(name):
            wanted.setdefault(alternative.check)
    return list(wanted)
