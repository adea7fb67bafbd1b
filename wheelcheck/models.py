"""The data wheelcheck passes between its stages: frozen dataclasses, no behaviour beyond views.

This module is a leaf: it imports nothing from the rest of wheelcheck but the generic
converter `wheelcheck._serde`, so every stage (sources, index, judge, advise, report) can
depend on it without cycles. The classes of the JSON report have `to_dict()` and
`from_dict()`, made by that converter from their typed fields and the few shapes declared at
the end of this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, Self

from packaging.requirements import Requirement
from packaging.tags import Tag
from packaging.utils import NormalizedName
from packaging.version import Version

from wheelcheck._serde import Converter, Key, Shape

SCHEMA_VERSION = "1"

# The enumerated strings of the report. They stay plain str at run time; mypy checks them,
# `from_dict` rejects other values, and a test holds the JSON Schema's enums to them.
Scope = Literal["direct", "tree", "locked"]  # see Report.scope
ImageFamily = Literal["alpine", "slim", "full"]  # the official python image families
BuildKind = Literal["pure", "native", "unknown", "fails"]  # see BuildNeeds.kind
PackageManager = Literal["apk", "apt"]


class Libc(StrEnum):
    """The C library family a target links against; it decides manylinux vs musllinux.

    >>> Libc("musl") is Libc.MUSL
    True
    """

    GLIBC = "glibc"
    MUSL = "musl"


class _JsonForm:
    """`to_dict()` and `from_dict()` of the classes of the JSON report."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """This object as the JSON-ready dict that the report writes for it."""
        return _JSON.dump(self)

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Self:
        """The object that `to_dict()` made `document` (read back with `json.load`, say).

        Keys it does not know are ignored, and a missing key of a field with a default takes
        the default. Raises KeyError, TypeError or ValueError for a document that is not one.
        """
        return _JSON.load(cls, document)


@dataclass(frozen=True, slots=True)
class Target(_JsonForm):
    """One place `pip install` runs: a Python version on a libc and a CPU architecture.

    `id` is unique within a report and stable across runs, for example
    ``python:3.12-alpine/arm64`` or ``cp312-musllinux_1_2_x86_64``. The targets of a check
    are in `Report.targets`; ``wheelcheck.check(..., targets=[...])`` takes them as specs.

    >>> target = Target("cp313t-musllinux_1_2_aarch64", (3, 13), "3.13.1", Libc.MUSL, (1, 2),
    ...                 "aarch64", free_threaded=True)
    >>> target.python
    '3.13t'
    >>> target.to_dict()["libc_version"]
    '1.2'
    >>> Target.from_dict(target.to_dict()) == target
    True
    """

    id: str
    python_version: tuple[int, int]
    python_full_version: str
    libc: Libc
    libc_version: tuple[int, int]
    arch: str  # wheel machine name: x86_64, aarch64, armv7l, ...
    image: str | None = None  # the Docker image reference it came from, if any
    platform: str | None = None  # the Docker platform, e.g. linux/arm64
    distro: str | None = None  # e.g. "Alpine 3.24", "Debian 13 (trixie)"
    free_threaded: bool = False
    variant: ImageFamily | None = None  # the python image family it came from, if any

    @property
    def python(self) -> str:
        """``3.12``, or ``3.13t`` for a free-threaded build."""
        base = f"{self.python_version[0]}.{self.python_version[1]}"
        return base + ("t" if self.free_threaded else "")


@dataclass(frozen=True, slots=True)
class Origin(_JsonForm):
    """Where a requirement was written: a file (``-`` for stdin) and a 1-based line.

    >>> str(Origin("requirements.txt", 3))
    'requirements.txt:3'
    """

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class DeclaredRequirement:
    """One requirement as a user wrote it.

    `requirement` is None only for unnamed direct references (a bare path or URL); those,
    and named ones with a URL, carry `direct_reference` and are never looked up.
    """

    text: str  # as written, without options such as --hash; credentials redacted
    origin: Origin
    name: NormalizedName | None
    requirement: Requirement | None
    direct_reference: str | None = None  # redacted URL or path
    editable: bool = False
    hashes: tuple[str, ...] = ()

    @property
    def display_name(self) -> str:
        if self.requirement is not None:
            return self.requirement.name
        return self.direct_reference or self.text


@dataclass(frozen=True, slots=True)
class RequirementSet:
    """Everything read from the user's input files, before any lookup."""

    requirements: tuple[DeclaredRequirement, ...]
    constraints: tuple[DeclaredRequirement, ...] = ()
    index_url: str | None = None  # from -i/--index-url in a file
    extra_index_urls: tuple[str, ...] = ()
    pre: bool = False  # --pre in a file
    files: tuple[str, ...] = ()
    requires_python: str | None = None  # a pyproject.toml's [project].requires-python
    requires_python_line: int | None = None  # ... and its 1-based line


@dataclass(frozen=True, slots=True)
class DistFile:
    """One file on an index page, with what its name and the page say about it.

    `version` and `tags` come from the file name (PEP 427 wheels, sdist names); a file whose
    name cannot be parsed never becomes a DistFile.
    """

    filename: str
    url: str  # absolute; may carry credentials, so never print it (use `index_url`)
    index_url: str  # the redacted index that served it
    version: Version
    is_wheel: bool
    tags: frozenset[Tag] = frozenset()
    build_tag: tuple[int, str] | tuple[()] = ()
    hashes: Mapping[str, str] = field(default_factory=dict)
    requires_python: str | None = None
    yanked: bool = False
    yanked_reason: str | None = None
    size: int | None = None
    # PEP 658/714: hashes of the metadata file; {} when advertised without hashes,
    # None when not advertised.
    core_metadata: Mapping[str, str] | None = None
    upload_time: str | None = None

    @property
    def is_pure(self) -> bool:
        """True for a wheel that runs anywhere (platform tag ``any``)."""
        return self.is_wheel and all(tag.platform == "any" for tag in self.tags)


@dataclass(frozen=True, slots=True)
class ProjectPage:
    """A project's files merged from every configured index.

    `failed_indexes` are the (redacted) indexes whose lookup of the project failed while
    others answered: `files` may then lack some of what pip would see.
    """

    name: NormalizedName
    files: tuple[DistFile, ...]
    index_urls: tuple[str, ...]  # redacted indexes that had the project
    failed_indexes: tuple[str, ...] = ()


class Provenance(StrEnum):
    """Where a release's dependencies were read (`TargetResult.dependencies_from`).

    Only METADATA (a wheel's METADATA, or an sdist's PEP 643 PKG-INFO) and PEP621 (static
    ``[project]`` tables) are what every build gives; the others are declared by files a
    build would regenerate, so a build could still differ (`declared`).

    >>> Provenance("setup.py (static)").declared
    True
    >>> Provenance.METADATA.declared
    False
    """

    METADATA = "metadata"
    PEP621 = "pep621"
    EGG_INFO = "egg-info"
    PKG_INFO = "pkg-info"
    POETRY = "poetry"
    FLIT = "flit"
    SETUP_CFG = "setup.cfg"
    SETUP_PY = "setup.py (static)"
    UNKNOWN = "unknown"

    @property
    def declared(self) -> bool:
        """True for an answer that is declared, not guaranteed by the standards."""
        return self not in (Provenance.METADATA, Provenance.PEP621, Provenance.UNKNOWN)


@dataclass(frozen=True, slots=True)
class Dependencies:
    """What one release of a project needs, read from metadata without running code.

    `known` is False when only a build could tell (an sdist with dynamic dependencies);
    `requires_dist` is then empty. `evidence` says where the answer came from, and
    `provenance` which kind of file gave it.
    """

    requires_dist: tuple[Requirement, ...]
    requires_python: str | None
    known: bool
    evidence: str
    provenance: Provenance


class Verdict(StrEnum):
    """What pip would do with one requirement on one target (`TargetResult.verdict`).

    >>> Verdict("not-found") is Verdict.NOT_FOUND
    True
    >>> VERDICT_SEVERITY[Verdict.SOURCE] > VERDICT_SEVERITY[Verdict.BINARY]
    True
    """

    BINARY = "binary"  # a platform wheel installs
    PURE = "pure"  # only a pure-Python wheel applies
    SOURCE = "source"  # no wheel applies; pip would build the sdist
    MISSING = "missing"  # nothing installable for this target
    NOT_FOUND = "not-found"  # the index does not know the project
    UNCHECKED = "unchecked"  # a direct reference (VCS, URL, path): not looked up
    SKIPPED = "skipped"  # its marker is false for this target
    ERROR = "error"  # the lookup failed; see reason


# How a `missing` reason starts when pip's hash mode refuses the package (it stops the whole
# install): `check` reports those as a rule of their own, in every format and after a reload.
UNHASHED = "hash mode"


# Verdicts ordered by how badly they block a target, for --fail-on and summaries.
VERDICT_SEVERITY: Mapping[Verdict, int] = {
    Verdict.SKIPPED: 0,
    Verdict.UNCHECKED: 0,
    Verdict.PURE: 0,
    Verdict.BINARY: 0,
    Verdict.SOURCE: 1,
    Verdict.MISSING: 2,
    Verdict.NOT_FOUND: 2,
    Verdict.ERROR: 0,  # a tool fault, reported by exit code 3, never as a finding
}


@dataclass(frozen=True, slots=True)
class BuildNeeds(_JsonForm):
    """What pip's build of one sdist needs on one target, decided without running anything.

    `kind` is "pure" (builds anywhere without a compiler), "native", "unknown", or "fails"
    (a known case that cannot build on the target's Python); `evidence` says what decided
    it. `toolchains` (gcc, g++, cargo, gfortran) and `system_packages` (apk or apt names for
    the target's distribution release) are empty for a pure sdist; `runtime_packages` are
    the shared libraries the built module still needs once the build packages are removed.
    `source` says where the package list comes from.
    It is `TargetResult.build` of a source verdict when the check ran with ``advice=True``.

    >>> needs = BuildNeeds("native", "ext_modules", ("c",), ("gcc",), "apk", ("gcc", "musl-dev"))
    >>> needs.to_dict()["system_packages"]
    ['gcc', 'musl-dev']
    """

    kind: BuildKind
    evidence: str
    languages: tuple[str, ...] = ()
    toolchains: tuple[str, ...] = ()
    package_manager: PackageManager | None = None
    system_packages: tuple[str, ...] = ()
    runtime_packages: tuple[str, ...] = ()
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Remedy(_JsonForm):
    """Ways to avoid one source build on one target, each already checked against the index.

    `older`/`newer` are the nearest versions that ship a wheel for the target, within the
    user's specifier when `within_specifier`, else outside it. `prefer_binary` and
    `only_binary` say what pip would install with that option (None: no change, or for
    only-binary: nothing installs). `alternatives` are other projects with wheels there.
    It is `TargetResult.remedy` of a source verdict when the check ran with ``advice=True``.

    >>> Remedy(older="2.9.9").to_dict()["within_specifier"]
    True
    """

    older: str | None = None
    newer: str | None = None
    within_specifier: bool = True
    prefer_binary: str | None = None
    only_binary: str | None = None
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TargetResult(_JsonForm):
    """The verdict for one package on one target, with the evidence.

    `PackageResult.results` maps each target id to one.

    >>> result = TargetResult(Verdict.SOURCE, "no wheel for musllinux_1_2_aarch64",
    ...                       version="2.9.10", file="psycopg2-2.9.10.tar.gz")
    >>> list(result.to_dict())[:3]
    ['version', 'verdict', 'file']
    >>> TargetResult.from_dict(result.to_dict()).verdict
    <Verdict.SOURCE: 'source'>
    """

    verdict: Verdict
    reason: str
    version: str | None = None
    file: str | None = None  # the file pip would install (for binary, pure, source)
    index_url: str | None = None  # the redacted index that served `file`
    other_wheels: bool = False  # for source: wheels exist for other platforms
    # Advice (issue 4), None when not computed: what a source build needs, how to avoid it,
    # and the estimated bytes on disk after pip installs `file` (with compiled .pyc).
    build: BuildNeeds | None = None
    remedy: Remedy | None = None
    installed_size: int | None = None
    # Resolved trees only: False when this release's dependencies could not be read without
    # running code (a legacy sdist), so the packages it needs were never checked.
    dependencies_known: bool = True
    # Resolved trees only: where those dependencies were read; None when none were read.
    dependencies_from: Provenance | None = None


@dataclass(frozen=True, slots=True)
class PackageResult(_JsonForm):
    """One requirement and its result on every target (`Report.packages`).

    `origin` is where the requirement was written (None for one the resolver added: `via`
    then names who needs it, and `direct` is False).

    >>> package = PackageResult("psycopg2", "psycopg2==2.9.10", Origin("requirements.txt", 1),
    ...                         {"python:3.12-slim/amd64": TargetResult(Verdict.SOURCE, "...")})
    >>> package.results["python:3.12-slim/amd64"].verdict
    <Verdict.SOURCE: 'source'>
    """

    name: str
    requirement: str
    origin: Origin | None
    results: Mapping[str, TargetResult]  # target id -> result
    direct: bool = True
    via: tuple[str, ...] = ()
    # --ignore: the team accepts this package; it is reported but never fails the run
    ignored: bool = False
    ignore_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Recommendation(_JsonForm):
    """Which base image to use, and why, in plain sentences (`Report.recommendation`).

    `image` is None when no image can be recommended; `withheld` then says why when the
    check could not support any answer: it is incomplete (`unknown` names the packages
    without a verdict on some target, or the tree could not be read whole) or it had nothing
    to check. A recommendation is never drawn from partial results.

    >>> Recommendation("python:3.12-slim", ("psycopg2 needs a build on alpine",)).complete
    True
    """

    image: str | None
    reasons: tuple[str, ...]
    # per alpine target id: the packages that need a build or are missing there
    blockers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # per candidate base image: builds, toolchains and estimated size (issue 4)
    candidates: tuple[BaseEstimate, ...] = ()
    assumptions: tuple[str, ...] = ()
    withheld: str | None = None
    unknown: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """False when the recommendation was withheld: the check is incomplete, or it had
        nothing to check (`withheld` says which)."""
        return self.withheld is None


@dataclass(frozen=True, slots=True)
class BaseEstimate(_JsonForm):
    """One candidate base image: what building on it takes, and the final image size.

    Sizes are MB (10**6 bytes), the largest over `arches`. `single_stage_mb` keeps the build
    toolchain in the image; `multi_stage_mb` builds in another stage (or removes the
    toolchain in the same layer) and keeps only the runtime libraries. `derived` is True
    when the image was not checked itself but shares a checked image's verdicts (slim and
    full of the same Debian release). `Recommendation.candidates` holds one per image when
    the check ran with ``sizes=True``.

    >>> estimate = BaseEstimate("python:3.12-slim", "slim", ("amd64",), 41.2, 12.0, 0.0,
    ...                         53.2, 53.2)
    >>> estimate.to_dict()["multi_stage_mb"]
    53.2
    """

    image: str
    variant: ImageFamily | None
    arches: tuple[str, ...]
    base_mb: float
    packages_mb: float
    toolchain_mb: float
    single_stage_mb: float
    multi_stage_mb: float
    native_builds: tuple[str, ...] = ()
    pure_builds: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    build_arches: tuple[str, ...] = ()
    toolchains: tuple[str, ...] = ()
    system_packages: tuple[str, ...] = ()
    unsized: tuple[str, ...] = ()  # packages whose installed size is unknown
    summary: str = ""
    derived: bool = False
    # Dockerfile snippets for the builds: "same-layer" and "multi-stage" (empty: no builds)
    dockerfile: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TargetSize(_JsonForm):
    """Estimated installed size of everything pip installs on one target.

    `installed_bytes` sums the packages whose size is known; `unknown` names the others
    (source builds without a comparable wheel, failed reads). `largest` is the biggest
    contributors, largest first, as (package, bytes). `Report.sizes` maps each target id to
    one when the check ran with ``sizes=True``. `pyc_model` names the Python minor whose
    .pyc model was used; `note` says so when that is not the target's own.

    >>> TargetSize(52_000_000, 2, largest=(("numpy", 40_000_000),)).to_dict()["largest"]
    [{'name': 'numpy', 'bytes': 40000000}]
    """

    installed_bytes: int
    packages: int
    unknown: tuple[str, ...] = ()
    largest: tuple[tuple[str, int], ...] = ()
    # The Python minor ("3.13") whose fitted .pyc model estimated the compiled files, and,
    # when it is not the target's own (no fit for that minor), a note that says so.
    pyc_model: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Report(_JsonForm):
    """The whole answer of one check, as `wheelcheck.check` returns it.

    `to_dict()` is the JSON document that ``wheelcheck check --format json`` writes (its
    schema: wheelcheck/schema/report.schema.json); `from_dict()` reads one back.

    >>> report = Report((), (), Recommendation(None, (), withheld="nothing to check"), ())
    >>> report.has_errors, report.recommendation.complete
    (False, False)
    >>> Report.from_dict(report.to_dict()) == report
    True
    >>> Report.from_dict({"schema_version": "0"})
    Traceback (most recent call last):
    ValueError: not a schema 1 report
    """

    targets: tuple[Target, ...]
    packages: tuple[PackageResult, ...]
    recommendation: Recommendation
    index_urls: tuple[str, ...]
    # direct: only what the files name (--no-deps); tree: resolved; locked: a lockfile's pins
    scope: Scope = "direct"
    notes: tuple[str, ...] = ()
    # target id -> why pip could not resolve the tree there (pip install would fail)
    conflicts: Mapping[str, str] = field(default_factory=dict)
    # index or metadata failures that are not tied to one package's verdict
    errors: tuple[str, ...] = ()
    # target id -> estimated installed size of its packages (issue 4); empty when not computed
    sizes: Mapping[str, TargetSize] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        """True when some lookup failed (the CLI exits 3)."""
        return bool(self.errors) or any(
            r.verdict is Verdict.ERROR for p in self.packages for r in p.results.values()
        )

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Self:
        """The Report that `to_dict()` made `document` (a JSON report read back).

        Raises ValueError for a document of another schema version, and KeyError, TypeError
        or ValueError for one that is not a report.
        """
        if document.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(f"not a schema {SCHEMA_VERSION} report")
        return _JSON.load(cls, document)


PlanOutcome = Literal["compile-free", "must-build", "unknown"]  # see Plan.outcome
PlanKind = Literal["binary", "pure", "source"]  # see PlanPackage.kind


@dataclass(frozen=True, slots=True)
class PlanChange(_JsonForm):
    """One change the plan makes to what the user installs today (`Plan.changes`).

    `before` is None for a package the plan adds (a dependency of a changed release),
    `after` None for one it drops. `outside_specifier` marks a version the user's own
    specifier excludes (only with ``allow_outside``); `swapped_from` names the project a
    binary alternative replaces (only with ``allow_swaps``), with its `caveat`.
    `crosses_major` marks a move to another major version (2.12.0 -> 0.1.0): the search
    tries the same major first, so such a change is the one that had a wheel. `origin` is
    the requirement to edit (a dependency: the direct requirement it comes through; a
    package the plan adds: the first input file, no line); None when unknown (stdin).

    >>> PlanChange("literalai", "0.1.201", "0.0.102", "0.1.201 has no wheel").to_dict()["after"]
    '0.0.102'
    """

    name: str
    before: str | None
    after: str | None
    why: str
    outside_specifier: bool = False
    swapped_from: str | None = None
    caveat: str | None = None
    crosses_major: bool = False
    origin: Origin | None = None


@dataclass(frozen=True, slots=True)
class PlanBuild(_JsonForm):
    """A package that still builds from source in the plan (`Plan.builds`): why no wheel
    fits, in one line, what the build needs on each target where that is known, and where
    its requirement is (`origin`, as `PlanChange.origin`).

    >>> PlanBuild("syncer", "2.0.3", "no release has a wheel").to_dict()["needs"]
    {}
    """

    name: str
    version: str | None
    why: str
    needs: Mapping[str, BuildNeeds] = field(default_factory=dict)  # target id -> needs
    origin: Origin | None = None


@dataclass(frozen=True, slots=True)
class PlanPackage(_JsonForm):
    """One package of the plan's set, the same version on every target (`Plan.packages`).

    `files` maps each target id to the file pip installs there; `dependencies` is None
    when its dependencies were read from a wheel or static metadata, else what limits
    them ("unknown: ...", "declared, not guaranteed: ...").

    >>> PlanPackage("six", "1.17.0", "pure", {"python:3.12-alpine/amd64": "six.whl"}).changed
    False
    """

    name: str
    version: str
    kind: PlanKind
    files: Mapping[str, str]
    changed: bool = False
    dependencies: str | None = None


@dataclass(frozen=True, slots=True)
class Plan(_JsonForm):
    """The smallest change that makes a build compile-free on the chosen targets together,
    as `wheelcheck.plan` returns it.

    `outcome` is "compile-free" (every package of `packages` installs from a wheel on every
    target), "must-build" (`builds` lists the smallest set found that still builds) or
    "unknown" (a lookup failed or no set resolves: `errors` and `notes` say why; nothing
    is proposed). `constraints` are the lines of a file for ``pip install -c``; `summary`
    is the answer in one line.

    >>> plan = Plan((), "unknown", "nothing to plan", (), (), (), ())
    >>> Plan.from_dict(plan.to_dict()) == plan
    True
    """

    targets: tuple[Target, ...]
    outcome: PlanOutcome
    summary: str
    changes: tuple[PlanChange, ...]
    builds: tuple[PlanBuild, ...]
    packages: tuple[PlanPackage, ...]
    constraints: tuple[str, ...]
    scope: Scope = "tree"
    notes: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def has_errors(self) -> bool:
        """True when some lookup failed (the CLI exits 3)."""
        return bool(self.errors)


# The JSON form of the report, where it is not each class's fields in order: the key order
# that documents have always had, and the keys that are not one field.


def _dotted(pair: tuple[int, int]) -> str:
    return f"{pair[0]}.{pair[1]}"


def _pair(dotted: str) -> tuple[int, int]:
    major, minor = dotted.split(".")
    return int(major), int(minor)


def _python_fields(python: str) -> dict[str, Any]:
    """`Target.python` (``3.12``, ``3.13t``) back to the fields it is written from."""
    return {
        "python_version": _pair(python.removesuffix("t")),
        "free_threaded": python.endswith("t"),
    }


_STRING = {"type": "string"}

_JSON = Converter(
    {
        Target: Shape(
            keys=(
                "id", "image", "python", "python_full_version", "libc", "libc_version",
                "arch", "platform", "distro", "variant",
            ),
            custom={
                "python": Key(lambda target: target.python, _python_fields, _STRING),
                "libc_version": Key(
                    lambda target: _dotted(target.libc_version),
                    lambda dotted: {"libc_version": _pair(dotted)},
                    _STRING,
                ),
            },
        ),
        TargetResult: Shape(
            keys=(
                "version", "verdict", "file", "index_url", "reason", "other_wheels",
                "installed_size", "build", "remedy", "dependencies_known", "dependencies_from",
            ),
        ),
        PackageResult: Shape(
            keys=(
                "name", "requirement", "origin", "direct", "via", "results", "ignored",
                "ignore_reason",
            ),
        ),
        Recommendation: Shape(
            keys=(
                "image", "withheld", "unknown", "reasons", "blockers", "candidates",
                "assumptions",
            ),
        ),
        TargetSize: Shape(
            custom={
                "largest": Key(
                    lambda size: [{"name": n, "bytes": b} for n, b in size.largest],
                    lambda items: {"largest": tuple((i["name"], i["bytes"]) for i in items)},
                    {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"name": _STRING, "bytes": {"type": "integer"}},
                        },
                    },
                ),
            },
        ),
        Report: Shape(
            keys=(
                "schema_version", "scope", "targets", "packages", "recommendation",
                "index_urls", "notes", "conflicts", "errors", "sizes",
            ),
            custom={
                # Checked by Report.from_dict before anything else is read.
                "schema_version": Key(
                    lambda _report: SCHEMA_VERSION, lambda _version: {}, {"const": SCHEMA_VERSION}
                ),
            },
        ),
    }
)  # fmt: skip
