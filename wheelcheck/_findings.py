"""Policy: which results are findings, which findings fail the run, which packages are accepted.

A finding is a package that builds from source, has nothing installable, or is unknown to the
index on some target, or a target whose tree cannot be resolved. `--fail-on` sets, for all
targets or per target, the lowest finding that fails the run (exit 1); `--ignore NAME[:REASON]`
marks a package the team accepts: it stays in the report, marked, and never fails the run.
Lookup errors are not findings: they are tool faults (exit 3).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path, PurePosixPath

from packaging.utils import InvalidName, NormalizedName, canonicalize_name

from wheelcheck.errors import InputError
from wheelcheck.models import VERDICT_SEVERITY, Origin, PackageResult, Report, Target, Verdict


class FailOn(StrEnum):
    """The lowest finding that fails the run."""

    NEVER = "never"
    MISSING = "missing"  # missing, not-found, or an unresolvable tree
    SOURCE = "source"  # also a source build

    @property
    def threshold(self) -> int | None:
        """The VERDICT_SEVERITY at or above which a result fails; None for never."""
        match self:
            case FailOn.NEVER:
                return None
            case FailOn.MISSING:
                return VERDICT_SEVERITY[Verdict.MISSING]
            case FailOn.SOURCE:
                return VERDICT_SEVERITY[Verdict.SOURCE]


@dataclass(frozen=True, slots=True)
class Rule:
    """A kind of finding, with an id that stays the same across releases."""

    id: str
    name: str
    short: str
    help: str


SOURCE_BUILD = Rule(
    "WC001",
    "source-build",
    "pip builds this package from source on the target",
    "No wheel of this version fits the target, so pip compiles the sdist while the image "
    "builds: slow, it needs a compiler and system headers in the image, and it can fail. "
    "Remedies: a base image the package ships wheels for (slim instead of alpine), a version "
    "with wheels for the target, or build tools in a builder stage. Accept it with "
    "--ignore NAME:REASON.",
)
MISSING = Rule(
    "WC002",
    "missing",
    "nothing installable for the target",
    "The project has neither a wheel for the target nor an sdist: pip install fails there. "
    "Pick another version or target, or drop the requirement on that platform with a "
    "marker.",
)
NOT_FOUND = Rule(
    "WC003",
    "not-found",
    "the index does not know this project",
    "The configured index answered 404 for the project: pip install fails. Check the name "
    "and the index URL (--index-url, -i in the file, PIP_INDEX_URL).",
)
CONFLICT = Rule(
    "WC004",
    "conflict",
    "the dependency tree cannot be resolved on the target",
    "pip's resolver would find no set of versions that satisfies every requirement on this "
    "target, so pip install fails there. The message names the requirements that clash.",
)
RULES: tuple[Rule, ...] = (SOURCE_BUILD, MISSING, NOT_FOUND, CONFLICT)
RULE_FOR_VERDICT: Mapping[Verdict, Rule] = {
    Verdict.SOURCE: SOURCE_BUILD,
    Verdict.MISSING: MISSING,
    Verdict.NOT_FOUND: NOT_FOUND,
}


@dataclass(frozen=True, slots=True)
class Ignore:
    """A package the team accepts, with why (shown in every report)."""

    name: NormalizedName
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    """--fail-on (a default and per-target overrides) and --ignore, parsed."""

    fail_on: FailOn = FailOn.MISSING
    # selector (target id, image or variant) -> level; the most specific match wins
    per_target: Mapping[str, FailOn] = field(default_factory=dict)
    ignores: Mapping[NormalizedName, Ignore] = field(default_factory=dict)

    def level_for(self, target: Target) -> FailOn:
        """The --fail-on level for `target`: by id, else image, else variant, else default."""
        for key in (target.id, target.image, target.variant):
            if key is not None and key in self.per_target:
                return self.per_target[key]
        return self.fail_on

    def fails(self, severity: int, target: Target) -> bool:
        """True when a result of `severity` on `target` is at or above its threshold."""
        threshold = self.level_for(target).threshold
        return threshold is not None and severity > 0 and severity >= threshold


def parse_fail_on(values: Iterable[str], *, source: str = "--fail-on") -> Policy:
    """A Policy (without ignores) from ``LEVEL`` and ``TARGET=LEVEL`` strings; the last
    plain LEVEL is the default. Raises InputError naming `source` for an unknown level.

    >>> parse_fail_on(["source", "alpine=never"]).per_target
    {'alpine': <FailOn.NEVER: 'never'>}
    """
    default = FailOn.MISSING
    per_target: dict[str, FailOn] = {}
    for raw in values:
        selector, sep, level_text = raw.rpartition("=")
        level = _level(level_text.strip(), raw, source)
        if sep:
            if not selector.strip():
                raise InputError(f"{source}: {raw!r}: expected LEVEL or TARGET=LEVEL")
            per_target[selector.strip()] = level
        else:
            default = level
    return Policy(fail_on=default, per_target=per_target)


def _level(text: str, raw: str, source: str) -> FailOn:
    try:
        return FailOn(text)
    except ValueError:
        known = ", ".join(level.value for level in FailOn)
        raise InputError(f"{source}: {raw!r}: unknown level (one of: {known})") from None


def parse_ignore(text: str, *, source: str = "--ignore") -> Ignore:
    """``NAME`` or ``NAME:REASON`` -> Ignore; raises InputError for an invalid project name.

    >>> parse_ignore("psycopg2: built in the builder stage")
    Ignore(name='psycopg2', reason='built in the builder stage')
    """
    name, sep, reason = text.partition(":")
    try:
        normalized = canonicalize_name(name.strip(), validate=True)
    except InvalidName:
        raise InputError(
            f"{source}: {text!r}: {name.strip()!r} is not a valid project name"
        ) from None
    return Ignore(normalized, reason.strip() or None if sep else None)


def make_policy(
    fail_on: Iterable[str] = (),
    ignore: Iterable[str | Ignore] = (),
    *,
    fail_on_source: str = "--fail-on",
    ignore_source: str = "--ignore",
) -> Policy:
    """Policy from --fail-on and --ignore values; raises InputError on bad values."""
    policy = parse_fail_on(fail_on, source=fail_on_source)
    ignores: dict[NormalizedName, Ignore] = {}
    for item in ignore:
        parsed = item if isinstance(item, Ignore) else parse_ignore(item, source=ignore_source)
        ignores[parsed.name] = parsed
    return replace(policy, ignores=ignores)


def check_selectors(policy: Policy, targets: Sequence[Target]) -> None:
    """Raise InputError if a per-target --fail-on names no target of the check (a typo would
    otherwise silently change nothing)."""
    known = {key for t in targets for key in (t.id, t.image, t.variant) if key is not None}
    unknown = [s for s in policy.per_target if s not in known]
    if unknown:
        choices = ", ".join(sorted(known))
        raise InputError(
            f"--fail-on {unknown[0]}=...: no such target in this check (one of: {choices})"
        )


def apply_policy(report: Report, policy: Policy) -> Report:
    """`report` with the ignored packages marked, and a note per ignore (used or not)."""
    if not policy.ignores:
        return report
    used: set[NormalizedName] = set()
    packages: list[PackageResult] = []
    for package in report.packages:
        ignore = policy.ignores.get(canonicalize_name(package.name))
        if ignore is None:
            packages.append(package)
            continue
        used.add(ignore.name)
        packages.append(replace(package, ignored=True, ignore_reason=ignore.reason))
    notes = list(report.notes)
    for ignore in policy.ignores.values():
        why = f": {ignore.reason}" if ignore.reason else ""
        if ignore.name in used:
            notes.append(f"ignored {ignore.name}{why} (never fails the run)")
        else:
            notes.append(f"--ignore {ignore.name}: no such package in this report")
    return replace(report, packages=tuple(packages), notes=tuple(notes))


def unused_ignores(report: Report, policy: Policy) -> list[Ignore]:
    """The ignores that name no package of `report`: a typo, or a package the check no
    longer has; they change nothing."""
    names = {canonicalize_name(package.name) for package in report.packages}
    return [ignore for ignore in policy.ignores.values() if ignore.name not in names]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem to show: a package (or a whole target, for a conflict) and the targets it
    applies to, located where the user can fix it. Texts are raw: formats escape them."""

    rule: Rule
    package: str | None  # None for a conflict
    version: str | None
    reason: str
    targets: tuple[Target, ...]
    failing: bool  # at or above --fail-on on these targets (never when ignored)
    location: Origin | None  # the requirement's file and line; None when unknown (stdin)
    direct: bool = True
    via: tuple[str, ...] = ()
    ignored: bool = False
    ignore_reason: str | None = None

    @property
    def title(self) -> str:
        """``WC001 source-build: psycopg2``."""
        subject = self.package if self.package is not None else "dependency tree"
        return f"{self.rule.id} {self.rule.name}: {subject}"

    @property
    def message(self) -> str:
        """One plain sentence: what happens, where, why, and through which requirement."""
        where = ", ".join(t.id for t in self.targets)
        if self.package is None:
            return f"pip cannot resolve the dependency tree on {where}: {self.reason}"
        name = self.package + (f" {self.version}" if self.version else "")
        what = {
            SOURCE_BUILD.id: "builds from source",
            MISSING.id: "has nothing installable",
            NOT_FOUND.id: "is not on the index",
        }.get(self.rule.id, self.rule.short)
        text = f"{name} {what} on {where}: {self.reason}"
        if self.via:
            text += f" (dependency via {'; '.join(self.via)})"
        if self.ignored:
            text += " [ignored" + (f": {self.ignore_reason}]" if self.ignore_reason else "]")
        return text

    @property
    def fingerprint(self) -> str:
        """Stable across runs and versions: rule, package and targets."""
        key = "|".join([self.rule.id, self.package or "", *sorted(t.id for t in self.targets)])
        return hashlib.sha256(key.encode()).hexdigest()[:32]


def findings(report: Report, policy: Policy) -> list[Finding]:
    """The findings of `report` in package order (conflicts last), one per package, rule,
    version, reason and pass/fail, each listing its targets."""
    targets = {t.id: t for t in report.targets}
    origins = _direct_origins(report)
    fallback = _first_file(report)
    found: list[Finding] = []
    for package in report.packages:
        groups: dict[tuple[Verdict, str | None, str, bool], list[Target]] = {}
        for target_id, result in package.results.items():
            if result.verdict not in RULE_FOR_VERDICT or target_id not in targets:
                continue
            target = targets[target_id]
            failing = not package.ignored and policy.fails(VERDICT_SEVERITY[result.verdict], target)
            key = (result.verdict, result.version, result.reason, failing)
            groups.setdefault(key, []).append(target)
        location = _location(package, origins, fallback)
        for (verdict, version, reason, failing), where in groups.items():
            found.append(
                Finding(
                    rule=RULE_FOR_VERDICT[verdict],
                    package=package.name,
                    version=version,
                    reason=reason,
                    targets=tuple(where),
                    failing=failing,
                    location=location,
                    direct=package.direct,
                    via=package.via,
                    ignored=package.ignored,
                    ignore_reason=package.ignore_reason,
                )
            )
    conflicts: dict[tuple[str, bool], list[Target]] = {}
    for target_id, reason in report.conflicts.items():
        if target_id in targets:
            target = targets[target_id]
            failing = policy.fails(VERDICT_SEVERITY[Verdict.MISSING], target)
            conflicts.setdefault((reason, failing), []).append(target)
    for (reason, failing), where in conflicts.items():
        found.append(
            Finding(CONFLICT, None, None, reason, tuple(where), failing, location=fallback)
        )
    return found


def policy_failed(report: Report, policy: Policy) -> bool:
    """True when some finding is at or above --fail-on (the CLI exits 1)."""
    return any(f.failing for f in findings(report, policy))


def _direct_origins(report: Report) -> dict[NormalizedName, Origin]:
    return {
        canonicalize_name(p.name): p.origin
        for p in report.packages
        if p.direct and p.origin is not None
    }


def _first_file(report: Report) -> Origin | None:
    for package in report.packages:
        if package.origin is not None and package.origin.file != "-":
            return Origin(package.origin.file, 1)
    return None


def _location(
    package: PackageResult, origins: Mapping[NormalizedName, Origin], fallback: Origin | None
) -> Origin | None:
    """The requirement's own line; for a dependency, the line of the direct requirement it
    came through; else the start of the first input file."""
    origin = package.origin
    if origin is None:
        for chain in package.via:
            head = chain.split(">", 1)[0].strip()
            try:
                origin = origins.get(canonicalize_name(head))
            except InvalidName:  # pragma: no cover - names in chains come from the resolver
                origin = None
            if origin is not None:
                break
    if origin is None:
        return fallback
    if origin.file == "-":
        return None
    return origin


def relative_path(file: str, base: Path | None = None) -> str:
    """`file` as a POSIX path relative to `base` (the working directory: the repository root
    in CI) when it lies below it, else unchanged; what code scanning and annotations expect."""
    path = Path(file)
    if path.is_absolute():
        root = (base or Path.cwd()).resolve()
        try:
            return PurePosixPath(path.resolve().relative_to(root)).as_posix()
        except ValueError:
            return path.as_posix()
    return PurePosixPath(*path.parts).as_posix() if path.parts else file
