"""The per-target ranking (`Installable`, asked again and again) against the one-shot
ranking it replaced: on random pages, the same files in the same order for every
specifier, policy and --hash set."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.tags import Tag, parse_tag
from packaging.version import Version

from wheelcheck._judge.selection import (
    FileKinds,
    Installable,
    SelectionPolicy,
    is_pinned,
    rank_candidates,
    requires_python_allows,
    tag_priority,
)
from wheelcheck._judge.targets import parse_targets, tag_ranks
from wheelcheck.models import DistFile

_Ranked = tuple[DistFile, int]


def reference_ranking(
    files: Sequence[DistFile],
    specifier: SpecifierSet,
    ranks: Mapping[Tag, int],
    python_full_version: str,
    policy: SelectionPolicy,
    hashes: Sequence[str],
) -> list[DistFile]:
    """rank_candidates as it was before the per-target rankings (commit b6d6e7a)."""
    spelled = any(clause.operator == "===" for clause in specifier)
    possible = (
        None if spelled else set(specifier.filter({f.version for f in files}, prereleases=True))
    )
    compatible: list[_Ranked] = []
    for file in files:
        if possible is not None and file.version not in possible:
            continue
        if not requires_python_allows(file.requires_python, python_full_version):
            continue
        if file.is_wheel:
            priority = tag_priority(file, ranks)
            if priority is None:
                continue
        elif policy.only_binary:
            continue
        else:
            priority = len(ranks)
        compatible.append((file, priority))
    prereleases = True if policy.pre else None
    if spelled:
        texts = set(specifier.filter({str(f.version) for f, _ in compatible}, prereleases))
        matching = [(f, p) for f, p in compatible if str(f.version) in texts]
    else:
        allowed = set(specifier.filter({f.version for f, _ in compatible}, prereleases))
        matching = [(f, p) for f, p in compatible if f.version in allowed]
    if hashes:
        wanted = set(hashes)
        matching = [
            (f, p) for f, p in matching if any(f"{k}:{v}" in wanted for k, v in f.hashes.items())
        ]
    if not (is_pinned(specifier) and matching and all(f.yanked for f, _ in matching)):
        matching = [(f, p) for f, p in matching if not f.yanked]

    def sort_key(item: _Ranked) -> tuple[object, ...]:
        file, priority = item
        binary_first = int(policy.prefer_binary and file.is_wheel)
        return (-int(file.yanked), binary_first, file.version, -priority, file.build_tag)

    return [f for f, _ in sorted(matching, key=sort_key)[::-1]]


SPELLINGS = [
    "0.9", "1.0", "1.0.0", "1.0a1", "1.0.0a1", "1.0rc1", "1.0.post1", "1.0.dev0", "1.0+local",
    "1.0.0+local", "1.1", "2.0", "2.0.0", "2.0b1", "2.0.dev3", "1!1.0", "3.0rc2",
]  # fmt: skip
TAGS = [
    "py3-none-any", "py2.py3-none-any", "cp312-cp312-manylinux_2_17_x86_64",
    "cp312-cp312-musllinux_1_2_x86_64", "cp312-cp312-manylinux_2_17_aarch64",
    "cp312-cp312-musllinux_1_1_aarch64", "cp311-cp311-manylinux_2_17_x86_64",
    "cp39-abi3-manylinux_2_28_x86_64", "cp312-cp312-win_amd64", "cp313-cp313-musllinux_1_2_x86_64",
    "cp312-cp312-manylinux_2_39_x86_64",
]  # fmt: skip
REQUIRES_PYTHON = [None, ">=3.8", ">=3.13", "<3", ">=3.12.0", "not a specifier", "==3.12.*"]
CLAUSES = [
    ">=1.0", "==1.0", "==1.0.0", "===1.0", "===1.0.0", "!=1.0", "<2", "<2.0", "==1.*", "~=1.0",
    ">=1.0a1", "<=2.0b1", "==2.0b1", "===2.0b1", ">0.9", "==1.0+local", "===1.0+local", "<1.0",
    ">=3", "==2.0.0", "!=2.0b1",
]  # fmt: skip
HASHES = ["a", "b", "c"]


@st.composite
def dist_files(draw: st.DrawFn, index: int) -> DistFile:
    version = draw(st.sampled_from(SPELLINGS))
    is_wheel = draw(st.booleans())
    tags: frozenset[Tag] = frozenset()
    if is_wheel:
        chosen = draw(st.lists(st.sampled_from(TAGS), min_size=1, max_size=2))
        tags = frozenset(t for text in chosen for t in parse_tag(text))
    build_tag: tuple[int, str] | tuple[()] = draw(
        st.sampled_from([(), (1, ""), (2, ""), (2, "a")]) if is_wheel else st.just(())
    )
    digest = draw(st.sampled_from(HASHES))
    return DistFile(
        filename=f"f{index}",
        url=f"https://x/f{index}",
        index_url="https://x/",
        version=Version(version),
        is_wheel=is_wheel,
        tags=tags,
        build_tag=build_tag,
        hashes={"sha256": digest},
        requires_python=draw(st.sampled_from(REQUIRES_PYTHON)),
        yanked=draw(st.booleans()),
    )


@st.composite
def pages(draw: st.DrawFn) -> list[DistFile]:
    count = draw(st.integers(min_value=0, max_value=14))
    return [draw(dist_files(i)) for i in range(count)]


@st.composite
def specifiers(draw: st.DrawFn) -> SpecifierSet:
    clauses = draw(st.lists(st.sampled_from(CLAUSES), max_size=3))
    override = draw(st.sampled_from([None, True, False]))
    return SpecifierSet(",".join(clauses), prereleases=override)


policies = st.builds(SelectionPolicy, st.booleans(), st.booleans(), st.booleans())
hash_sets = st.lists(st.sampled_from([f"sha256:{h}" for h in HASHES]), max_size=2)
TARGETS = parse_targets(["python:3.12-slim", "python:3.12-alpine"], ["amd64", "arm64"])


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    files=pages(),
    questions=st.lists(st.tuples(specifiers(), hash_sets), min_size=1, max_size=6),
    policy=policies,
    target_index=st.integers(min_value=0, max_value=len(TARGETS) - 1),
)
def test_installable_ranks_as_the_one_shot_ranking_did(
    files: list[DistFile],
    questions: list[tuple[SpecifierSet, list[str]]],
    policy: SelectionPolicy,
    target_index: int,
) -> None:
    target = TARGETS[target_index]
    ranks = tag_ranks(target)
    python = target.python_full_version
    # one Installable asked every question in turn, as the resolver's provider does
    installable = Installable.of(
        FileKinds.of(files), tag_ranks=ranks, python_full_version=python, policy=policy
    )
    for specifier, hashes in questions:
        expected = [
            f.filename for f in reference_ranking(files, specifier, ranks, python, policy, hashes)
        ]
        one_shot = rank_candidates(
            files,
            specifier=specifier,
            tag_ranks=ranks,
            python_full_version=python,
            policy=policy,
            hashes=hashes,
        )
        assert [f.filename for f in one_shot] == expected, (str(specifier), specifier.prereleases)
        asked = installable.ranked(specifier, hashes=hashes)
        assert [f.filename for f in asked] == expected, (str(specifier), specifier.prereleases)
