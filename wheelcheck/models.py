"""The data wheelcheck passes between its stages: frozen dataclasses, no behaviour beyond views.

This module is a leaf: it imports nothing from the rest of wheelcheck, so every stage
(sources, index, judge, advise, report) can depend on it without cycles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from packaging.requirements import Requirement
from packaging.tags import Tag
from packaging.utils import NormalizedName
from packaging.version import Version

SCHEMA_VERSION = "1"


class Libc(StrEnum):
    """The C library family a target links against; it decides manylinux vs musllinux."""

    GLIBC = "glibc"
    MUSL = "musl"


@dataclass(frozen=True, slots=True)
class Target:
    """One place `pip install` runs: a Python version on a libc and a CPU architecture.

    `id` is unique within a report and stable across runs, for example
    ``python:3.12-alpine/arm64`` or ``cp312-musllinux_1_2_x86_64``.
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
    variant: str | None = None  # image family: "alpine", "slim", "full"

    @property
    def python(self) -> str:
        """``3.12``, or ``3.13t`` for a free-threaded build."""
        base = f"{self.python_version[0]}.{self.python_version[1]}"
        return base + ("t" if self.free_threaded else "")


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a requirement was written: a file (``-`` for stdin) and a 1-based line."""

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


@dataclass(frozen=True, slots=True)
class Dependencies:
    """What one release of a project needs, read from metadata without running code.

    `known` is False when only a build could tell (an sdist with dynamic dependencies);
    `requires_dist` is then empty. `evidence` says where the answer came from.
    """

    requires_dist: tuple[Requirement, ...]
    requires_python: str | None
    known: bool
    evidence: str


class Verdict(StrEnum):
    """What pip would do with one requirement on one target."""

    BINARY = "binary"  # a platform wheel installs
    PURE = "pure"  # only a pure-Python wheel applies
    SOURCE = "source"  # no wheel applies; pip would build the sdist
    MISSING = "missing"  # nothing installable for this target
    NOT_FOUND = "not-found"  # the index does not know the project
    UNCHECKED = "unchecked"  # a direct reference (VCS, URL, path): not looked up
    SKIPPED = "skipped"  # its marker is false for this target
    ERROR = "error"  # the lookup failed; see reason


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
class BuildNeeds:
    """What pip's build of one sdist needs on one target, decided without running anything.

    `kind` is "pure" (builds anywhere without a compiler), "native" or "unknown";
    `evidence` says what decided it. `toolchains` (gcc, g++, cargo, gfortran) and
    `system_packages` (apk or apt names for the target's distribution release) are empty for
    a pure sdist; `runtime_packages` are the shared libraries the built module still needs
    once the build packages are removed. `source` says where the package list comes from.
    """

    kind: str
    evidence: str
    languages: tuple[str, ...] = ()
    toolchains: tuple[str, ...] = ()
    package_manager: str | None = None  # "apk" or "apt"
    system_packages: tuple[str, ...] = ()
    runtime_packages: tuple[str, ...] = ()
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "evidence": self.evidence,
            "languages": list(self.languages),
            "toolchains": list(self.toolchains),
            "package_manager": self.package_manager,
            "system_packages": list(self.system_packages),
            "runtime_packages": list(self.runtime_packages),
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> BuildNeeds:
        return cls(
            kind=document["kind"],
            evidence=document["evidence"],
            languages=tuple(document["languages"]),
            toolchains=tuple(document["toolchains"]),
            package_manager=document["package_manager"],
            system_packages=tuple(document["system_packages"]),
            runtime_packages=tuple(document["runtime_packages"]),
            source=document["source"],
        )


@dataclass(frozen=True, slots=True)
class Remedy:
    """Ways to avoid one source build on one target, each already checked against the index.

    `older`/`newer` are the nearest versions that ship a wheel for the target, within the
    user's specifier when `within_specifier`, else outside it. `prefer_binary` and
    `only_binary` say what pip would install with that option (None: no change, or for
    only-binary: nothing installs). `alternatives` are other projects with wheels there.
    """

    older: str | None = None
    newer: str | None = None
    within_specifier: bool = True
    prefer_binary: str | None = None
    only_binary: str | None = None
    alternatives: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "older": self.older,
            "newer": self.newer,
            "within_specifier": self.within_specifier,
            "prefer_binary": self.prefer_binary,
            "only_binary": self.only_binary,
            "alternatives": list(self.alternatives),
        }

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Remedy:
        return cls(
            older=document["older"],
            newer=document["newer"],
            within_specifier=document["within_specifier"],
            prefer_binary=document["prefer_binary"],
            only_binary=document["only_binary"],
            alternatives=tuple(document["alternatives"]),
        )


@dataclass(frozen=True, slots=True)
class TargetResult:
    """The verdict for one package on one target, with the evidence."""

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

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "verdict": self.verdict.value,
            "file": self.file,
            "index_url": self.index_url,
            "reason": self.reason,
            "other_wheels": self.other_wheels,
            "installed_size": self.installed_size,
            "build": None if self.build is None else self.build.to_dict(),
            "remedy": None if self.remedy is None else self.remedy.to_dict(),
            "dependencies_known": self.dependencies_known,
        }

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> TargetResult:
        build, remedy = document["build"], document["remedy"]
        return cls(
            verdict=Verdict(document["verdict"]),
            reason=document["reason"],
            version=document["version"],
            file=document["file"],
            index_url=document["index_url"],
            other_wheels=document["other_wheels"],
            build=None if build is None else BuildNeeds.from_dict(build),
            remedy=None if remedy is None else Remedy.from_dict(remedy),
            installed_size=document["installed_size"],
            dependencies_known=document.get("dependencies_known", True),
        )


@dataclass(frozen=True, slots=True)
class PackageResult:
    """One requirement and its result on every target."""

    name: str
    requirement: str
    origin: Origin | None
    results: Mapping[str, TargetResult]  # target id -> result
    direct: bool = True
    via: tuple[str, ...] = ()
    # --ignore: the team accepts this package; it is reported but never fails the run
    ignored: bool = False
    ignore_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "requirement": self.requirement,
            "origin": (
                None
                if self.origin is None
                else {"file": self.origin.file, "line": self.origin.line}
            ),
            "direct": self.direct,
            "via": list(self.via),
            "results": {tid: r.to_dict() for tid, r in self.results.items()},
            "ignored": self.ignored,
            "ignore_reason": self.ignore_reason,
        }

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> PackageResult:
        origin = document["origin"]
        return cls(
            name=document["name"],
            requirement=document["requirement"],
            origin=None if origin is None else Origin(origin["file"], origin["line"]),
            results={tid: TargetResult.from_dict(r) for tid, r in document["results"].items()},
            direct=document["direct"],
            via=tuple(document["via"]),
            ignored=document["ignored"],
            ignore_reason=document["ignore_reason"],
        )


@dataclass(frozen=True, slots=True)
class Recommendation:
    """Which base image to use, and why, in plain sentences.

    `image` is None when no image can be recommended; `withheld` then says why when the
    check could not support any answer: it is incomplete (`unknown` names the packages
    without a verdict on some target, or the tree could not be read whole) or it had nothing
    to check. A recommendation is never drawn from partial results.
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
        """False when the recommendation was withheld because the check is incomplete."""
        return self.withheld is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "image": self.image,
            "withheld": self.withheld,
            "unknown": list(self.unknown),
            "reasons": list(self.reasons),
            "blockers": {k: list(v) for k, v in self.blockers.items()},
            "candidates": [c.to_dict() for c in self.candidates],
            "assumptions": list(self.assumptions),
        }

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Recommendation:
        return cls(
            image=document["image"],
            reasons=tuple(document["reasons"]),
            blockers={k: tuple(v) for k, v in document["blockers"].items()},
            candidates=tuple(BaseEstimate.from_dict(c) for c in document["candidates"]),
            assumptions=tuple(document["assumptions"]),
            withheld=document.get("withheld"),
            unknown=tuple(document.get("unknown", ())),
        )


@dataclass(frozen=True, slots=True)
class BaseEstimate:
    """One candidate base image: what building on it takes, and the final image size.

    Sizes are MB (10**6 bytes), the largest over `arches`. `single_stage_mb` keeps the build
    toolchain in the image; `multi_stage_mb` builds in another stage (or removes the
    toolchain in the same layer) and keeps only the runtime libraries. `derived` is True
    when the image was not checked itself but shares a checked image's verdicts (slim and
    full of the same Debian release).
    """

    image: str
    variant: str | None
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "image": self.image,
            "variant": self.variant,
            "arches": list(self.arches),
            "base_mb": self.base_mb,
            "packages_mb": self.packages_mb,
            "toolchain_mb": self.toolchain_mb,
            "single_stage_mb": self.single_stage_mb,
            "multi_stage_mb": self.multi_stage_mb,
            "native_builds": list(self.native_builds),
            "pure_builds": list(self.pure_builds),
            "missing": list(self.missing),
            "build_arches": list(self.build_arches),
            "toolchains": list(self.toolchains),
            "system_packages": list(self.system_packages),
            "unsized": list(self.unsized),
            "summary": self.summary,
            "derived": self.derived,
            "dockerfile": {k: list(v) for k, v in self.dockerfile.items()},
        }

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> BaseEstimate:
        return cls(
            image=document["image"],
            variant=document["variant"],
            arches=tuple(document["arches"]),
            base_mb=document["base_mb"],
            packages_mb=document["packages_mb"],
            toolchain_mb=document["toolchain_mb"],
            single_stage_mb=document["single_stage_mb"],
            multi_stage_mb=document["multi_stage_mb"],
            native_builds=tuple(document["native_builds"]),
            pure_builds=tuple(document["pure_builds"]),
            missing=tuple(document["missing"]),
            build_arches=tuple(document["build_arches"]),
            toolchains=tuple(document["toolchains"]),
            system_packages=tuple(document["system_packages"]),
            unsized=tuple(document["unsized"]),
            summary=document["summary"],
            derived=document["derived"],
            dockerfile={k: tuple(v) for k, v in document["dockerfile"].items()},
        )


@dataclass(frozen=True, slots=True)
class TargetSize:
    """Estimated installed size of everything pip installs on one target.

    `installed_bytes` sums the packages whose size is known; `unknown` names the others
    (source builds without a comparable wheel, failed reads). `largest` is the biggest
    contributors, largest first, as (package, bytes).
    """

    installed_bytes: int
    packages: int
    unknown: tuple[str, ...] = ()
    largest: tuple[tuple[str, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "installed_bytes": self.installed_bytes,
            "packages": self.packages,
            "unknown": list(self.unknown),
            "largest": [{"name": n, "bytes": b} for n, b in self.largest],
        }

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> TargetSize:
        return cls(
            installed_bytes=document["installed_bytes"],
            packages=document["packages"],
            unknown=tuple(document["unknown"]),
            largest=tuple((item["name"], item["bytes"]) for item in document["largest"]),
        )


@dataclass(frozen=True, slots=True)
class Report:
    """The whole answer of one check; `to_dict()` is the JSON document (schema in docs/)."""

    targets: tuple[Target, ...]
    packages: tuple[PackageResult, ...]
    recommendation: Recommendation
    index_urls: tuple[str, ...]
    scope: str = "direct"  # "direct": only what the files name; "tree": resolved
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "scope": self.scope,
            "targets": [target_to_dict(t) for t in self.targets],
            "packages": [p.to_dict() for p in self.packages],
            "recommendation": self.recommendation.to_dict(),
            "index_urls": list(self.index_urls),
            "notes": list(self.notes),
            "conflicts": dict(self.conflicts),
            "errors": list(self.errors),
            "sizes": {tid: size.to_dict() for tid, size in self.sizes.items()},
        }

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Report:
        """The Report that `to_dict()` made `document` (a JSON report read back).

        Raises ValueError for a document of another schema version, and KeyError or
        TypeError for one that is not a report.
        """
        if document.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(f"not a schema {SCHEMA_VERSION} report")
        return cls(
            targets=tuple(target_from_dict(t) for t in document["targets"]),
            packages=tuple(PackageResult.from_dict(p) for p in document["packages"]),
            recommendation=Recommendation.from_dict(document["recommendation"]),
            index_urls=tuple(document["index_urls"]),
            scope=document["scope"],
            notes=tuple(document["notes"]),
            conflicts=dict(document["conflicts"]),
            errors=tuple(document["errors"]),
            sizes={tid: TargetSize.from_dict(s) for tid, s in document["sizes"].items()},
        )


def target_to_dict(target: Target) -> dict[str, Any]:
    return {
        "id": target.id,
        "image": target.image,
        "python": target.python,
        "python_full_version": target.python_full_version,
        "libc": target.libc.value,
        "libc_version": f"{target.libc_version[0]}.{target.libc_version[1]}",
        "arch": target.arch,
        "platform": target.platform,
        "distro": target.distro,
        "variant": target.variant,
    }


def target_from_dict(document: Mapping[str, Any]) -> Target:
    """The Target that `target_to_dict` described (every field can be read back)."""
    python: str = document["python"]
    free_threaded = python.endswith("t")
    major, minor = python.removesuffix("t").split(".")
    libc_major, libc_minor = document["libc_version"].split(".")
    return Target(
        id=document["id"],
        python_version=(int(major), int(minor)),
        python_full_version=document["python_full_version"],
        libc=Libc(document["libc"]),
        libc_version=(int(libc_major), int(libc_minor)),
        arch=document["arch"],
        image=document["image"],
        platform=document["platform"],
        distro=document["distro"],
        free_threaded=free_threaded,
        variant=document["variant"],
    )
