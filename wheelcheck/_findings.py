"""Findings of the three commands, and the policy of `check`.

A finding is one problem to show: the rule it breaks (one registry: WC001.. for `check`,
WCD001.. for `dockerfile`, WCP001.. for `plan`; ids never change meaning), its severity,
where it is (file and line), one plain sentence and how to fix it. `check`'s findings come
from its report under the policy here; the Dockerfile rules (wheelcheck._dockerfile.rules)
make their own; a plan's changes and builds are findings of their rule for the formats
that annotate (wheelcheck._report.plan_findings).

A finding of `check` is a package that builds from source, has nothing installable, or is
unknown to the index on some target, or a target whose tree cannot be resolved. `--fail-on`
sets, for all targets or per target, the lowest finding that fails the run (exit 1): such a
finding is an error, any other a warning; `--ignore NAME[:REASON]` marks a package the team
accepts: it stays in the report, marked, and never fails the run. Lookup errors are not
findings: they are tool faults (exit 3).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Any

from packaging.utils import InvalidName, NormalizedName, canonicalize_name

from wheelcheck.errors import InputError
from wheelcheck.models import (
    UNHASHED,
    VERDICT_SEVERITY,
    Origin,
    PackageResult,
    Report,
    Target,
    TargetResult,
    Verdict,
)


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


class Severity(StrEnum):
    """How bad a finding is. A Dockerfile rule says; for `check`, a finding at or above
    --fail-on is an error and any other a warning."""

    ERROR = "error"  # the build fails or installs nothing; for `check`: fails the run
    WARNING = "warning"  # a bigger, slower or fragile image; for `check`: does not fail it
    INFO = "info"  # worth knowing

    @property
    def rank(self) -> int:
        """0 for info, 1 for warning, 2 for error: the order of `--fail-on` levels."""
        match self:
            case Severity.INFO:
                return 0
            case Severity.WARNING:
                return 1
            case Severity.ERROR:
                return 2


@dataclass(frozen=True, slots=True)
class Rule:
    """A kind of finding, with an id that stays the same across releases."""

    id: str
    name: str
    short: str  # what it flags, in a few words
    help: str  # what it means and what to do about it
    severity: Severity = Severity.WARNING  # the usual one (SARIF's default level)
    hadolint: str | None = None  # the hadolint rule it matches, if any


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
UNHASHED_PIN = Rule(
    "WC005",
    "unhashed-pin",
    "pip's hash mode refuses a requirement the files do not pin with --hash",
    "Once any requirement has --hash, pip installs only hashed, ==-pinned requirements and "
    "stops the whole install on the first that is not, or on a dependency the target needs "
    "that the file does not pin (https://pip.pypa.io/en/stable/topics/secure-installs/). "
    "Recompile the file on the target's Python and platform (pip-compile --generate-hashes "
    "or uv pip compile --generate-hashes), or add the pin with its hashes.",
)
CHECK_RULES: tuple[Rule, ...] = (SOURCE_BUILD, MISSING, NOT_FOUND, CONFLICT, UNHASHED_PIN)

DOCKERFILE_DOCS = "docs/dockerfile-rules.md"


def _dockerfile_rule(
    rule_id: str,
    name: str,
    short: str,
    severity: Severity = Severity.WARNING,
    hadolint: str | None = None,
) -> Rule:
    """A rule of `wheelcheck dockerfile`; docs/dockerfile-rules.md explains each at length."""
    text = f"{short} (see {DOCKERFILE_DOCS} in wheelcheck)"
    return Rule(rule_id, name, short, text, severity, hadolint)


DOCKERFILE_RULES: tuple[Rule, ...] = (
    _dockerfile_rule("WCD001", "full-base", "the full python image where slim would do"),
    _dockerfile_rule("WCD002", "alpine-builds", "alpine base while packages build or are missing"),
    _dockerfile_rule(
        "WCD003", "pip-cache", "pip's download cache is kept in the image", hadolint="DL3042"
    ),
    _dockerfile_rule(
        "WCD004", "split-pip-layers", "several RUN steps install Python packages", hadolint="DL3059"
    ),
    _dockerfile_rule(
        "WCD005",
        "pip-upgrade-layer",
        "`pip install --upgrade pip` in a layer of its own",
        Severity.INFO,
    ),
    _dockerfile_rule("WCD006", "install-after-copy-all", "requirements installed after `COPY . .`"),
    _dockerfile_rule(
        "WCD007", "build-tools-kept", "build tools installed and not removed in the same RUN"
    ),
    _dockerfile_rule(
        "WCD008",
        "no-multi-stage",
        "native builds in the final image without a build stage",
        Severity.INFO,
    ),
    _dockerfile_rule(
        "WCD009", "build-deps-missing", "source builds without build dependencies", Severity.ERROR
    ),
    _dockerfile_rule(
        "WCD010", "requirements-untraced", "requirements file not in the build context"
    ),
    _dockerfile_rule("WCD011", "index", "the index the Dockerfile installs from", Severity.INFO),
    _dockerfile_rule(
        "WCD012", "unknown-base", "the base image is unknown to wheelcheck", Severity.INFO
    ),
    _dockerfile_rule(
        "WCD013",
        "externally-managed",
        "pip into a distro Python without a venv (PEP 668)",
        Severity.ERROR,
    ),
)

PLAN_DOCS = "docs/plan.md"


def _plan_rule(
    rule_id: str, name: str, short: str, help_text: str, severity: Severity = Severity.INFO
) -> Rule:
    """A kind of change `wheelcheck plan` proposes (or a package it cannot spare a build)."""
    return Rule(rule_id, name, short, f"{help_text} (see {PLAN_DOCS} in wheelcheck)", severity)


# One rule per kind of change of a plan, in the order a change is matched to them: a swap,
# a dropped package, an added one, then a move to another major version, outside the
# user's specifier, or within it; and the packages that still build.
PLAN_RULES: tuple[Rule, ...] = (
    _plan_rule(
        "WCP001",
        "version-change",
        "the plan moves a package to another version within your specifiers",
        "Today's version has no wheel for every target (or another change needs a new "
        "one): the plan pins the nearest release that has wheels. Apply the constraints "
        "file, or edit the pin.",
    ),
    _plan_rule(
        "WCP002",
        "outside-specifier",
        "the plan's version is outside your own specifier (--allow-outside)",
        "No release your specifier admits has wheels for every target. pip refuses a "
        "constraint its requirement excludes: edit the requirement too.",
        Severity.WARNING,
    ),
    _plan_rule(
        "WCP003",
        "major-version-change",
        "the plan moves a package to another major version",
        "The search tries the same major version first: this one is the nearest release "
        "with wheels, but its API may differ. Read its changelog before you accept it.",
        Severity.WARNING,
    ),
    _plan_rule(
        "WCP004",
        "binary-swap",
        "a binary alternative replaces a package (--allow-swaps)",
        "The package has no release with wheels; the alternative from "
        "data/binary-alternatives.json does. Edit your requirements as the caveat says.",
        Severity.WARNING,
    ),
    _plan_rule(
        "WCP005",
        "added-package",
        "a changed release needs a package you do not install today",
        "A dependency of a release the plan moves to; the constraints file pins it.",
    ),
    _plan_rule(
        "WCP006",
        "removed-package",
        "a package is no longer installed with the plan's set",
        "A swap replaces it, or no release of the plan's set needs it any more.",
    ),
    _plan_rule(
        "WCP007",
        "still-builds",
        "no release with wheels fits: the package still builds from source",
        "No release within your specifiers has a wheel for every target, or each one "
        "conflicts with the rest of the set. The message says why and what the build needs.",
        Severity.WARNING,
    ),
)

# Every rule of the three commands by id: the one registry.
RULES: Mapping[str, Rule] = {
    rule.id: rule for rule in (*CHECK_RULES, *DOCKERFILE_RULES, *PLAN_RULES)
}
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
class Subject:
    """What a finding of `check` is about: a package (None: the dependency tree, for a
    conflict) on some targets, and why."""

    package: str | None
    version: str | None
    reason: str
    targets: tuple[Target, ...]
    direct: bool = True
    via: tuple[str, ...] = ()  # the dependency chains it came through

    @property
    def name(self) -> str:
        return self.package if self.package is not None else "dependency tree"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem to show, from either command: the rule, how bad it is, where the user can
    fix it, one plain sentence, and a fix. Texts are raw: formats escape them."""

    rule: Rule
    severity: Severity
    location: Origin | None  # file and line; None when unknown (requirements from stdin)
    message: str
    fix: str | None = None  # this finding's own fix; None: the rule's help is the fix
    data: Mapping[str, Any] = field(default_factory=dict)  # evidence, for tools
    subject: Subject | None = None  # set for the findings of `check`
    ignored: bool = False  # accepted with --ignore: shown, never fails the run
    ignore_reason: str | None = None

    @property
    def line(self) -> int | None:
        return None if self.location is None else self.location.line

    @property
    def title(self) -> str:
        """``WC001 source-build: psycopg2``; ``WCD003 pip-cache``."""
        about = f": {self.subject.name}" if self.subject is not None else ""
        return f"{self.rule.id} {self.rule.name}{about}"

    @property
    def text(self) -> str:
        """The message and its own fix, for formats with one text per finding."""
        return self.message if self.fix is None else f"{self.message}. Fix: {self.fix}"

    @property
    def fingerprint(self) -> str:
        """Stable across runs and versions: the rule and what it is about (a package and its
        targets; else the file and line)."""
        if self.subject is not None:
            about = [self.subject.package or "", *sorted(t.id for t in self.subject.targets)]
        elif self.location is not None:
            about = [self.location.file, str(self.location.line)]
        else:
            about = []
        return hashlib.sha256("|".join([self.rule.id, *about]).encode()).hexdigest()[:32]


_OUTCOMES = {
    SOURCE_BUILD.id: "builds from source",
    MISSING.id: "has nothing installable",
    NOT_FOUND.id: "is not on the index",
    UNHASHED_PIN.id: "is refused in pip's hash mode",
}


def rule_for(result: TargetResult) -> Rule | None:
    """The rule a result breaks, if any: hash-mode refusals have their own."""
    if result.verdict is Verdict.MISSING and result.reason.startswith(UNHASHED):
        return UNHASHED_PIN
    return RULE_FOR_VERDICT.get(result.verdict)


def outcome(rule: Rule) -> str:
    """What a package does on the targets of a finding of `rule`: ``builds from source``."""
    return _OUTCOMES.get(rule.id, rule.short)


def _check_message(rule: Rule, subject: Subject, accepted: PackageResult | None) -> str:
    """One plain sentence: what happens, where, why, and through which requirement."""
    where = ", ".join(t.id for t in subject.targets)
    if subject.package is None:
        return f"pip cannot resolve the dependency tree on {where}: {subject.reason}"
    name = subject.package + (f" {subject.version}" if subject.version else "")
    text = f"{name} {outcome(rule)} on {where}: {subject.reason}"
    if subject.via:
        text += f" (dependency via {'; '.join(subject.via)})"
    if accepted is not None:
        why = accepted.ignore_reason
        text += " [ignored" + (f": {why}]" if why else "]")
    return text


def _check_finding(
    rule: Rule,
    subject: Subject,
    failing: bool,
    location: Origin | None,
    accepted: PackageResult | None = None,
) -> Finding:
    """A finding of `check`; `accepted` is the package when --ignore accepts it."""
    return Finding(
        rule=rule,
        severity=Severity.ERROR if failing else Severity.WARNING,
        location=location,
        message=_check_message(rule, subject, accepted),
        subject=subject,
        ignored=accepted is not None,
        ignore_reason=None if accepted is None else accepted.ignore_reason,
    )


def findings(report: Report, policy: Policy) -> list[Finding]:
    """The findings of `report` in package order (conflicts last), one per package, rule,
    version, reason and pass/fail, each listing its targets; an error when it fails the run
    under `policy`, else a warning."""
    targets = {t.id: t for t in report.targets}
    origins = _direct_origins(report)
    fallback = _first_file(report)
    found: list[Finding] = []
    for package in report.packages:
        location = _location(package, origins, fallback)
        found += _package_findings(package, targets, policy, location)
    conflicts: dict[tuple[str, bool], list[Target]] = {}
    for target_id, reason in report.conflicts.items():
        if target_id in targets:
            target = targets[target_id]
            failing = policy.fails(VERDICT_SEVERITY[Verdict.MISSING], target)
            conflicts.setdefault((reason, failing), []).append(target)
    for (reason, failing), where in conflicts.items():
        subject = Subject(None, None, reason, tuple(where))
        found.append(_check_finding(CONFLICT, subject, failing, fallback))
    return found


def _package_findings(
    package: PackageResult, targets: Mapping[str, Target], policy: Policy, location: Origin | None
) -> list[Finding]:
    groups: dict[tuple[Rule, str | None, str, bool], list[Target]] = {}
    for target_id, result in package.results.items():
        rule = rule_for(result)
        if rule is None or target_id not in targets:
            continue
        target = targets[target_id]
        failing = not package.ignored and policy.fails(VERDICT_SEVERITY[result.verdict], target)
        key = (rule, result.version, result.reason, failing)
        groups.setdefault(key, []).append(target)
    return [
        _check_finding(
            rule,
            Subject(package.name, version, reason, tuple(where), package.direct, package.via),
            failing,
            location,
            package if package.ignored else None,
        )
        for (rule, version, reason, failing), where in groups.items()
    ]


def policy_failed(report: Report, policy: Policy) -> bool:
    """True when some finding is at or above --fail-on (the CLI exits 1)."""
    return any(f.severity is Severity.ERROR for f in findings(report, policy))


def _direct_origins(report: Report) -> dict[NormalizedName, Origin]:
    return {
        canonicalize_name(p.name): p.origin
        for p in report.packages
        if p.direct and p.origin is not None
    }


def first_input_file(report: Report) -> str | None:
    """The first file a requirement of `report` was read from (not stdin), if any."""
    for package in report.packages:
        if package.origin is not None and package.origin.file != "-":
            return package.origin.file
    return None


def _first_file(report: Report) -> Origin | None:
    file = first_input_file(report)
    return None if file is None else Origin(file, 1)


def requirement_origins(report: Report) -> dict[NormalizedName, Origin]:
    """Where each package's requirement is written, as its findings are located: its own
    line, or for a dependency the direct requirement's line it came through. Packages read
    from stdin, or not traced to a requirement, are left out."""
    origins = _direct_origins(report)
    found: dict[NormalizedName, Origin] = {}
    for package in report.packages:
        origin = _location(package, origins, None)
        if origin is not None:
            found[canonicalize_name(package.name)] = origin
    return found


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
