"""Which file pip would pick for a requirement on a target: pip's candidate rules, explicitly.

This follows pip's PackageFinder and resolver (pip 24-26):

1. A file is a candidate when it is a wheel whose tags the target supports, or an sdist, and
   its ``requires-python`` admits the target's Python (an unparsable one is ignored, as pip).
2. The specifier filters candidate versions with packaging's pre-release rule: pre-releases
   only with ``--pre``, when the specifier names one, or when nothing else matches.
3. With ``--hash`` values (pip's hash mode), only files with a listed hash can install:
   pip's ``filter_unallowed_hashes`` keeps those, and when none has one it keeps the rest
   only for its hash check to reject the download, so nothing installs.
4. PEP 592: yanked files are dropped unless every remaining file is yanked and the
   requirement pins one version with ``==``/``===``.
5. Best first by (not yanked, [wheel if --prefer-binary], version, tag priority, build tag);
   an sdist ranks below every wheel of its version.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import Tag
from packaging.version import Version

from wheelcheck._judge.targets import tag_ranks
from wheelcheck.models import DistFile, Target


@dataclass(frozen=True, slots=True)
class SelectionPolicy:
    """pip options that change which file is chosen."""

    pre: bool = False
    prefer_binary: bool = False
    only_binary: bool = False


DEFAULT_POLICY = SelectionPolicy()


@functools.lru_cache(maxsize=8192)
def requires_python_allows(requires_python: str | None, python_full_version: str) -> bool:
    """True unless `requires_python` parses and excludes the version (pip ignores bad ones).

    Cached: a page repeats the same few requires-python strings thousands of times.
    """
    if not requires_python:
        return True
    try:
        spec = SpecifierSet(requires_python)
    except InvalidSpecifier:
        return True
    return spec.contains(Version(python_full_version), prereleases=True)


def is_pinned(specifier: SpecifierSet) -> bool:
    """True when any clause is ``==X`` (no wildcard) or ``===X``: pip's definition (its
    resolver factory), so a pin merged with ``>=1`` from elsewhere still counts."""
    return any(
        clause.operator == "===" or (clause.operator == "==" and not clause.version.endswith(".*"))
        for clause in specifier
    )


def tag_priority(file: DistFile, tag_ranks: Mapping[Tag, int]) -> int | None:
    """The rank of the file's most preferred supported tag (0 best), None if unsupported."""
    ranks = [tag_ranks[t] for t in file.tags if t in tag_ranks]
    return min(ranks) if ranks else None


# A candidate file and its tag priority (lower is better; an sdist ranks after every wheel).
_Ranked = tuple[DistFile, int]


def rank_for(
    target: Target,
    files: Iterable[DistFile],
    specifier: SpecifierSet,
    *,
    policy: SelectionPolicy = DEFAULT_POLICY,
    hashes: Sequence[str] = (),
) -> list[DistFile]:
    """`rank_candidates` on `target`: the ranks of its tags, its Python version."""
    return rank_candidates(
        files,
        specifier=specifier,
        tag_ranks=tag_ranks(target),
        python_full_version=target.python_full_version,
        policy=policy,
        hashes=hashes,
    )


def rank_candidates(
    files: Iterable[DistFile],
    *,
    specifier: SpecifierSet,
    tag_ranks: Mapping[Tag, int],
    python_full_version: str,
    policy: SelectionPolicy = DEFAULT_POLICY,
    hashes: Sequence[str] = (),
) -> list[DistFile]:
    """The files pip could install for this requirement on this target, best first.

    `tag_ranks` maps each tag the target supports to its priority (0 is most preferred; see
    targets.tag_ranks). Returns an empty list when
    nothing is installable; the caller explains why with `judge.explain_missing`.
    """
    files = list(files)
    # One question: files of versions outside the specifier (pre-releases admitted) cannot
    # be chosen, so their tags are not ranked (for a pin, most of the page).
    spelled = any(clause.operator == "===" for clause in specifier)
    possible = (
        None if spelled else set(specifier.filter({f.version for f in files}, prereleases=True))
    )
    installable = Installable.of(
        FileKinds.of(files, versions=possible),
        tag_ranks=tag_ranks,
        python_full_version=python_full_version,
        policy=policy,
    )
    return installable.ranked(specifier, hashes=hashes)


@dataclass(frozen=True, slots=True)
class FileKinds:
    """A page's files grouped by what decides whether a target can install them (wheel or
    sdist, tags, requires-python), each with its place on the page. A page of thousands of
    files has a few hundred kinds: made once, every target reads them (`Installable.of`)."""

    groups: tuple[tuple[bool, frozenset[Tag], str | None, tuple[tuple[int, DistFile], ...]], ...]

    @classmethod
    def of(
        cls, files: Iterable[DistFile], *, versions: Collection[Version] | None = None
    ) -> FileKinds:
        """The kinds of `files` (those of `versions` only, when given)."""
        grouped: dict[tuple[bool, frozenset[Tag], str | None], list[tuple[int, DistFile]]] = {}
        for place, file in enumerate(files):
            if versions is None or file.version in versions:
                kind = (file.is_wheel, file.tags, file.requires_python)
                grouped.setdefault(kind, []).append((place, file))
        return cls(tuple((*kind, tuple(placed)) for kind, placed in grouped.items()))


@dataclass(frozen=True, slots=True)
class Installable:
    """The files of one page that one target can install under one policy, in pip's order
    (best first), for any specifier: what every question about the page on that target
    filters. Made once per page and target, it spares a resolver asking again and again
    (every new requirement on a project) the tags and requires-python of every file.
    """

    policy: SelectionPolicy
    best_first: tuple[_Ranked, ...]
    versions: frozenset[Version]
    # specifier (its text and pre-release override) and hashes -> what `ranked` answered:
    # a resolver asks the same question of a project many times (4x on the README example)
    answers: dict[tuple[str, bool | None, tuple[str, ...]], tuple[DistFile, ...]] = field(
        default_factory=dict, compare=False
    )

    @classmethod
    def of(
        cls,
        kinds: FileKinds,
        *,
        tag_ranks: Mapping[Tag, int],
        python_full_version: str,
        policy: SelectionPolicy = DEFAULT_POLICY,
    ) -> Installable:
        """The files of `kinds` the target can install (a supported wheel, or an sdist unless
        only binaries are allowed, whose requires-python admits the target)."""
        compatible: list[tuple[int, DistFile, int]] = []
        for is_wheel, tags, requires_python, placed in kinds.groups:
            if not requires_python_allows(requires_python, python_full_version):
                continue
            if is_wheel:
                ranks = [tag_ranks[t] for t in tags if t in tag_ranks]
                if not ranks:
                    continue
                priority = min(ranks)
            elif policy.only_binary:
                continue
            else:
                priority = len(tag_ranks)  # an sdist ranks after every wheel of its version
            compatible += [(place, file, priority) for place, file in placed]

        def sort_key(item: tuple[int, DistFile, int]) -> tuple[object, ...]:
            place, file, priority = item
            binary_first = int(policy.prefer_binary and file.is_wheel)
            return (-int(file.yanked), binary_first, file.version, -priority, file.build_tag, place)

        # pip sorts ascending and walks the list from the end, so among equal keys the file
        # listed last on the page wins: descending, with the place as the last key. A sort
        # of a subset is the subset of the sort, so `ranked` only filters this.
        best_first = tuple((f, p) for _, f, p in sorted(compatible, key=sort_key, reverse=True))
        return cls(policy, best_first, frozenset(f.version for f, _ in best_first))

    def ranked(self, specifier: SpecifierSet, *, hashes: Sequence[str] = ()) -> list[DistFile]:
        """The files pip could install for a requirement with `specifier`, best first
        (`rank_candidates`)."""
        # The text names every clause; the override is the one thing it does not show.
        question = (str(specifier), specifier.prereleases, tuple(hashes))
        answer = self.answers.get(question)
        if answer is None:
            answer = self.answers[question] = tuple(self._ranked(specifier, hashes))
        return list(answer)

    def _ranked(self, specifier: SpecifierSet, hashes: Sequence[str]) -> list[DistFile]:
        # "===" compares spellings ("1.0" and "1.0.0" are one Version): versions are then
        # compared as text; every other operator compares Versions.
        spelled = any(clause.operator == "===" for clause in specifier)
        if spelled:
            matching = _spelled_in_specifier(self.best_first, specifier, self.policy.pre)
        else:
            # Pre-releases admitted first, then packaging's rule among those: what the
            # one-shot `rank_candidates` asks, in the same two steps.
            possible = specifier.filter(self.versions, prereleases=True)
            prereleases = True if self.policy.pre else None
            allowed = set(specifier.filter(set(possible), prereleases))
            matching = [(f, p) for f, p in self.best_first if f.version in allowed]
        if hashes:
            matching = _prefer_hashed(matching, hashes)
        if not (is_pinned(specifier) and matching and all(f.yanked for f, _ in matching)):
            matching = [(f, p) for f, p in matching if not f.yanked]
        return [f for f, _ in matching]


def _spelled_in_specifier(
    ranked: Sequence[_Ranked], specifier: SpecifierSet, pre: bool
) -> list[_Ranked]:
    """The candidates whose version, as spelled, the specifier (with "===") admits, by
    packaging's pre-release rule (pre-releases with `pre`, when named, or when nothing else
    matches)."""
    prereleases = True if pre else None
    texts = set(specifier.filter({str(f.version) for f, _ in ranked}, prereleases))
    return [(f, p) for f, p in ranked if str(f.version) in texts]


def _prefer_hashed(matching: list[_Ranked], hashes: Sequence[str]) -> list[_Ranked]:
    """The candidates with one of the ``--hash`` values: the only ones pip's hash check
    lets install (see the module docstring)."""
    wanted = set(hashes)
    return [(f, p) for f, p in matching if any(f"{k}:{v}" in wanted for k, v in f.hashes.items())]
