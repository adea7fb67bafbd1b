"""Dockerfile rules: findings with a stable id, a severity, a line, a message and a fix.

Rules read the parsed Dockerfile, its installs, the base of each stage and, where there is
one, the check report of the installed requirements (verdicts per target). The rules and
findings are those of wheelcheck._findings, shared with `check`; ids never change meaning;
docs/dockerfile-rules.md describes each and the hadolint rule it matches, if any.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wheelcheck._advise.build_needs import build_needs, curated_row
from wheelcheck._advise.recommend import blockers
from wheelcheck._advise.size import base_image_size
from wheelcheck._dockerfile.base import BaseImage, slim_of
from wheelcheck._dockerfile.index import IndexChoice
from wheelcheck._dockerfile.installs import Installs, PipInstall, RunStep
from wheelcheck._dockerfile.parse import Dockerfile, Stage
from wheelcheck._findings import RULES, Finding, Severity
from wheelcheck._judge.images import resolve_image
from wheelcheck.models import Libc, Origin, Report, Target, TargetResult, Verdict

__all__ = ["apply_rules"]


def apply_rules(
    dockerfile: Dockerfile,
    installs: Installs,
    bases: Mapping[int, BaseImage],
    report: Report | None,
    index: IndexChoice | None,
) -> list[Finding]:
    """Every finding for this Dockerfile, ordered by line then rule id."""
    ctx = _Context(dockerfile, installs, bases, report, index)
    findings: list[Finding] = []
    for rule in (
        _unknown_base,
        _full_base,
        _alpine_builds,
        _externally_managed,
        _pip_cache,
        _split_layers,
        _install_after_copy_all,
        _build_tools_kept,
        _build_deps_missing,
        _no_multi_stage,
        _untraced,
        _index,
    ):
        findings.extend(rule(ctx))
    return sorted(findings, key=lambda f: (f.line or 0, f.rule.id))


@dataclass
class _Context:
    dockerfile: Dockerfile
    installs: Installs
    bases: Mapping[int, BaseImage]
    report: Report | None
    index: IndexChoice | None

    @property
    def image_stages(self) -> list[Stage]:
        """The final stage and the stages it is built FROM: what ends up in the image."""
        return self.dockerfile.lineage(self.dockerfile.final)

    def finding(
        self,
        rule_id: str,
        line: int,
        message: str,
        fix: str,
        data: Mapping[str, Any] | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        """A finding of rule `rule_id` at `line` of this Dockerfile, of the rule's usual
        severity unless `severity` says otherwise."""
        rule = RULES[rule_id]
        return Finding(
            rule=rule,
            severity=severity or rule.severity,
            location=Origin(self.dockerfile.path, line),
            message=message,
            fix=fix,
            data=data or {},
        )

    def in_image(self, stage_index: int) -> bool:
        return any(s.index == stage_index for s in self.image_stages)

    def app_pips(self, stage_index: int | None = None) -> list[PipInstall]:
        return [
            p
            for p in self.installs.pips
            if (stage_index is None or p.stage == stage_index)
            and (p.requirement_files or p.app_specs)
        ]

    def verdicts(self, targets: Sequence[Target]) -> dict[Verdict, list[str]]:
        """Packages per blocking verdict (source, missing) over `targets`."""
        if self.report is None:
            return {}
        merged: dict[Verdict, list[str]] = {}
        for target in targets:
            if target.id not in {t.id for t in self.report.targets}:
                continue
            for verdict, names in blockers(target, self.report.packages).items():
                merged.setdefault(verdict, [])
                merged[verdict] += [n for n in names if n not in merged[verdict]]
        return merged

    @property
    def verdicts_known(self) -> bool:
        """True when a check ran and every lookup it made answered: only then may a rule
        say what installs where (a failed lookup's package has no verdict)."""
        return self.report is not None and not self.report.has_errors

    def checked(self, family: str) -> list[Target]:
        if self.report is None:
            return []
        return [t for t in self.report.targets if t.variant == family]

    def result(self, package: str, target: Target) -> TargetResult | None:
        if self.report is None:
            return None
        for p in self.report.packages:
            if p.name == package:
                return p.results.get(target.id)
        return None


def _names(names: Sequence[str], limit: int = 6) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _they(names: Sequence[str], singular: str, plural: str) -> str:
    """``psycopg2 builds`` / ``psycopg2, lxml build``: the names and a verb that agrees."""
    return f"{_names(names)} {singular if len(names) == 1 else plural}"


# --- base image ----------------------------------------------------------------------------


def _unknown_base(ctx: _Context) -> list[Finding]:
    out = []
    for stage in ctx.dockerfile.stages:
        base = ctx.bases[stage.index]
        if stage.parent is not None or base.kind != "unknown" or not ctx.app_pips(stage.index):
            continue
        out.append(
            ctx.finding(
                "WCD012",
                stage.line,
                f"base {stage.base} is unknown to wheelcheck ({base.note}); "
                "its installs were not judged for it",
                "give the Python and libc it has with --target, e.g. "
                "--target python:3.12-slim or --target cp312-manylinux_2_36_x86_64",
            )
        )
    return out


def _distro_key(reference: str) -> str | None:
    try:
        return resolve_image(reference).variant.distro.key
    except Exception:  # the size lookup is a nicety; an odd tag must not break the rule
        return None


def _size_text(base: BaseImage, slim: str) -> tuple[str, dict[str, Any]]:
    target = base.targets[0]
    platform = target.platform or "linux/amd64"
    full = base_image_size(
        "full", platform, distro=_distro_key(base.reference), python=target.python
    )
    thin = base_image_size("slim", platform, distro=_distro_key(slim), python=target.python)
    if full is None or thin is None:
        return "", {}
    saved = full.compressed_mb - thin.compressed_mb
    text = (
        f"{full.compressed_mb:.0f} MB vs {thin.compressed_mb:.0f} MB compressed "
        f"({full.image} vs {thin.image}, {platform.removeprefix('linux/')}): "
        f"about {saved:.0f} MB less to pull"
    )
    data = {
        "full_mb": full.compressed_mb,
        "slim_mb": thin.compressed_mb,
        "saved_mb": round(saved, 1),
        "size_rows": [full.image, thin.image],
        "platform": platform,
    }
    return text, data


def _full_base(ctx: _Context) -> list[Finding]:
    stage = ctx.image_stages[-1]
    base = ctx.bases[stage.index]
    if base.kind != "python" or base.family != "full" or not base.targets:
        return []
    slim = slim_of(base.reference)
    size, data = _size_text(base, slim)
    slim_targets = ctx.checked("slim")
    builds = ctx.verdicts(slim_targets)
    source = builds.get(Verdict.SOURCE, [])
    data = {**data, "slim": slim, "source_on_slim": source}
    rarely = "it carries compilers and -dev libraries an app image rarely needs"
    if ctx.report is None:
        why = rarely
    elif not ctx.verdicts_known:
        why = f"{rarely} (what installs on slim is unknown: some lookups failed)"
    elif not slim_targets:
        why = f"{rarely} (slim was not checked: run without --target to compare)"
    elif not source and not builds.get(Verdict.MISSING):
        why = f"every package installs from a wheel on {slim}"
    else:
        why = (
            f"on slim {_they(source, 'builds', 'build')} from source: install the build "
            "dependencies in the same RUN as pip (as --fix does) or in a build stage"
        )
    message = f"{stage.base} is the full image where {slim} would do: {why}"
    if size:
        message += f"; {size}"
    return [ctx.finding("WCD001", stage.line, message, f"FROM {slim}", data)]


def _alpine_builds(ctx: _Context) -> list[Finding]:
    out = []
    seen: set[int] = set()
    for pip in ctx.app_pips():
        stage = ctx.dockerfile.stages[pip.stage]
        root = ctx.dockerfile.lineage(stage)[-1]
        base = ctx.bases[root.index]
        if root.index in seen or base.family != "alpine" or not base.targets:
            continue
        seen.add(root.index)
        found = ctx.verdicts(base.targets)
        source, missing = found.get(Verdict.SOURCE, []), found.get(Verdict.MISSING, [])
        if not (source or missing):
            continue
        parts = []
        if source:
            parts.append(f"{_they(source, 'builds', 'build')} from source")
        if missing:
            parts.append(f"{_they(missing, 'has', 'have')} nothing installable")
        slim = (
            f"python:{base.targets[0].python}-slim"
            if base.kind != "python"
            else slim_of(base.reference)
        )
        on_slim = ctx.verdicts(ctx.checked("slim"))
        still = on_slim.get(Verdict.SOURCE, []) + on_slim.get(Verdict.MISSING, [])
        fix = f"FROM {slim} (glibc: manylinux wheels install)"
        if still:
            fix += f"; on slim {_they(still, 'still builds', 'still build')} from source"
        out.append(
            ctx.finding(
                "WCD002",
                root.line,
                f"{root.base} uses musl: " + "; ".join(parts),
                fix,
                {"source": source, "missing": missing, "slim": slim},
                severity=Severity.ERROR if missing else Severity.WARNING,
            )
        )
    return out


def _externally_managed(ctx: _Context) -> list[Finding]:
    out = []
    for run in ctx.installs.runs:
        base = ctx.bases[run.stage]
        if base.kind != "distro" or base.distro is None or not base.distro.externally_managed:
            continue
        earlier_venv = any(
            r.creates_venv for r in ctx.installs.runs if r.stage == run.stage and r.line <= run.line
        )
        for pip in run.pips:
            if pip.is_uv or pip.break_system_packages or earlier_venv:
                continue
            if "VIRTUAL_ENV" in run.instruction.env or "/venv" in pip.command.split(" ")[0]:
                continue
            out.append(
                ctx.finding(
                    "WCD013",
                    pip.line,
                    f"{base.reference}'s Python {base.distro.python} is externally managed "
                    "(PEP 668): this pip install stops with error: externally-managed-environment",
                    "create a venv first (python3 -m venv /opt/venv, ENV PATH=/opt/venv/bin:$PATH) "
                    f"or use python:{base.distro.python}-slim",
                )
            )
            break
    return out


# --- layers and cache ----------------------------------------------------------------------


def _pip_cache(ctx: _Context) -> list[Finding]:
    out = []
    for run in ctx.installs.runs:
        if not ctx.in_image(run.stage):
            continue  # a build stage's cache does not reach the image
        kept = [p for p in run.pips if p.cache_kept and p.subcommand != "download"]
        if not kept:
            continue
        uv = all(p.is_uv for p in kept)
        option = "--no-cache" if uv else "--no-cache-dir"
        target = "/root/.cache/uv" if uv else "/root/.cache/pip"
        out.append(
            ctx.finding(
                "WCD003",
                run.line,
                f"{kept[0].tool} {kept[0].subcommand} keeps its download cache in the layer "
                f"(no {option}, no {'UV_NO_CACHE' if uv else 'PIP_NO_CACHE_DIR'}, "
                "no cache mount)",
                f"add {option}, or RUN --mount=type=cache,target={target}",
            )
        )
    return out


def _pip_runs(ctx: _Context, stage: int) -> list[RunStep]:
    return [r for r in ctx.installs.runs if r.stage == stage and r.pips]


def _split_layers(ctx: _Context) -> list[Finding]:
    out = []
    for stage in ctx.dockerfile.stages:
        runs = _pip_runs(ctx, stage.index)
        if len(runs) < 2:
            continue
        group = [runs[0]]
        for run in runs[1:]:
            copies_between = any(
                c.instruction.stage == stage.index and group[-1].line < c.line < run.line
                for c in ctx.installs.copies
            )
            if copies_between:
                group = [run]
                continue
            group.append(run)
            lines = ", ".join(str(r.line) for r in group[:-1])
            out.append(
                ctx.finding(
                    "WCD004",
                    run.line,
                    f"this RUN installs Python packages like the RUN on line {lines}: "
                    "each RUN is a layer of its own",
                    "install in one RUN: join the commands with &&",
                    {"lines": [r.line for r in group]},
                )
            )
        for run in runs:
            if all(p.tools_only and p.upgrade for p in run.pips) and len(runs) > 1:
                out.append(
                    ctx.finding(
                        "WCD005",
                        run.line,
                        "`pip install --upgrade pip` in a layer of its own: the image keeps "
                        "both pips, and the next install does not need it",
                        "drop it, or run it in the same RUN as the install",
                    )
                )
    return out


def _install_after_copy_all(ctx: _Context) -> list[Finding]:
    out = []
    for pip in ctx.app_pips():
        if not pip.requirement_files:
            continue
        copy_all = next(
            (
                c
                for c in reversed(ctx.installs.copies)
                if c.copies_context and c.instruction.stage == pip.stage and c.line < pip.line
            ),
            None,
        )
        if copy_all is None:
            continue
        names = ", ".join(r.image_path.rsplit("/", 1)[-1] for r in pip.requirement_files)
        out.append(
            ctx.finding(
                "WCD006",
                pip.line,
                f"requirements installed after `COPY` of the whole context (line "
                f"{copy_all.line}): any source change reinstalls every package",
                f"COPY {names} first, install, then COPY the rest",
                {"copy_line": copy_all.line},
            )
        )
    return out


def _build_tools_kept(ctx: _Context) -> list[Finding]:
    out = []
    for run in ctx.installs.runs:
        kept = run.build_tools_kept
        if not kept or not ctx.in_image(run.stage):
            continue
        manager = run.system[0].manager
        if manager == "apk":
            fix = "apk add --virtual .build-deps ... && pip install ... && apk del .build-deps"
        else:
            fix = "apt-get purge -y --auto-remove ... in the same RUN, after pip install"
        out.append(
            ctx.finding(
                "WCD007",
                run.line,
                f"build tools {_names(list(kept))} stay in the image: removing them in a "
                "later RUN does not shrink it",
                fix + "; or build wheels in a separate stage",
                {"packages": list(kept)},
            )
        )
    return out


def _source_builds(ctx: _Context, stage: Stage) -> tuple[list[str], list[Target]]:
    base = ctx.bases[ctx.dockerfile.lineage(stage)[-1].index]
    return ctx.verdicts(base.targets).get(Verdict.SOURCE, []), list(base.targets)


def _has_build_tools(ctx: _Context, stage: Stage, before: int) -> bool:
    indexes = {s.index for s in ctx.dockerfile.lineage(stage)}
    return any(
        r.stage in indexes and r.line < before and r.build_tools_added for r in ctx.installs.runs
    )


@dataclass(frozen=True, slots=True)
class BuildPlan:
    """System packages for building some sdists on one target.

    `install` goes in before pip (runtime libraries first), `purge` comes out in the same RUN
    after pip; `source` says where the names come from.
    """

    manager: str  # apt | apk
    install: tuple[str, ...]
    purge: tuple[str, ...]
    runtime: tuple[str, ...]
    source: str


def build_plan(report: Report | None, packages: Sequence[str], target: Target) -> BuildPlan:
    """What to install (and purge again) to build `packages` from source on `target`.

    Uses the build-needs advice of wheelcheck._advise.build_needs that the check puts in
    `TargetResult.build`; for a package without it, the compiler of the distribution plus a
    small fallback table. `source` cites what the advice cites (data/build-deps.json and the
    row's own source), per package when they differ.
    """
    manager = "apk" if target.libc is Libc.MUSL else "apt"
    build: list[str] = []
    runtime: list[str] = []
    guessed: list[str] = []
    cited: dict[str, list[str]] = {}  # source -> the packages it covers
    for name in packages:
        result = _result(report, name, target)
        needs = result.build if result is not None else None
        if needs is not None and needs.kind != "unknown":
            build += [p for p in needs.system_packages if p not in build]
            runtime += [p for p in needs.runtime_packages if p not in runtime]
            cited.setdefault(needs.source or "data/build-deps.json", []).append(name)
        else:
            guessed.append(name)
    if guessed:
        # No advice (--no-advice): the distribution's compiler, plus the libraries of the
        # package's row in data/build-deps.json when it has one.
        generic = ["build-base"] if manager == "apk" else ["build-essential"]
        extra = [p for name in guessed for p in _curated_libraries(name, target)]
        build += [p for p in (*generic, *extra) if p not in build]
    if len(cited) == 1 and not guessed:
        parts = list(cited)
    else:
        parts = [f"{_names(names)}: {source}" for source, names in cited.items()]
    if guessed:
        parts.append(f"a generic compiler for {_names(guessed)} (no build-needs advice)")
    source = "; ".join(parts) or "data/build-deps.json"
    return BuildPlan(manager, tuple(runtime + build), tuple(build), tuple(runtime), source)


def _curated_libraries(name: str, target: Target) -> tuple[str, ...]:
    """The system packages the curated row of `name` names for `target` (none without one)."""
    if curated_row(name) is None:
        return ()
    needs = build_needs(name, None, target, other_wheels=True)
    return needs.system_packages


def _result(report: Report | None, name: str, target: Target) -> TargetResult | None:
    if report is None:
        return None
    for package in report.packages:
        if package.name == name:
            return package.results.get(target.id)
    return None


def install_command(plan: BuildPlan) -> str:
    """The one-line apk/apt command that installs `plan`."""
    if plan.manager == "apk":
        keep = f"apk add --no-cache {' '.join(plan.runtime)} && " if plan.runtime else ""
        return f"{keep}apk add --no-cache --virtual .build-deps {' '.join(plan.purge)}"
    return "apt-get update && apt-get install -y --no-install-recommends " + " ".join(plan.install)


def _build_deps_missing(ctx: _Context) -> list[Finding]:
    out = []
    for pip in ctx.app_pips():
        stage = ctx.dockerfile.stages[pip.stage]
        base = ctx.bases[ctx.dockerfile.lineage(stage)[-1].index]
        if base.kind == "python" and base.family == "full":
            continue  # the full image has gcc and the common -dev libraries
        source, targets = _source_builds(ctx, stage)
        if not source or not targets or _has_build_tools(ctx, stage, pip.line + 1):
            continue
        plan = build_plan(ctx.report, source, targets[0])
        out.append(
            ctx.finding(
                "WCD009",
                pip.line,
                f"{_they(source, 'builds', 'build')} from source on {base.reference} and no "
                "compiler is installed before this step: the build fails",
                f"RUN {install_command(plan)} (from {plan.source}), or pick versions or "
                "packages with wheels",
                {"packages": source, "system_packages": list(plan.install)},
            )
        )
    return out


def _no_multi_stage(ctx: _Context) -> list[Finding]:
    if len(ctx.dockerfile.stages) > 1:
        return []
    stage = ctx.dockerfile.final
    source, _targets = _source_builds(ctx, stage)
    if not source:
        return []
    flagged = {r.line for r in ctx.installs.runs if r.build_tools_kept}
    if flagged:
        return []
    pip = ctx.app_pips(stage.index)
    line = pip[0].line if pip else stage.line
    return [
        ctx.finding(
            "WCD008",
            line,
            f"{_they(source, 'compiles', 'compile')} in the final image: compilers and headers "
            "are there to stay unless removed in the same RUN",
            "build wheels in a build stage (pip wheel -w /wheels) and install them in a "
            "slim final stage, or remove the build tools in the same RUN",
            {"packages": source},
        )
    ]


# --- inputs and index ----------------------------------------------------------------------


def _untraced(ctx: _Context) -> list[Finding]:
    out = []
    for pip in ctx.installs.pips:
        for req in (*pip.requirement_files, *pip.constraint_files):
            if req.problem is None:
                continue
            out.append(
                ctx.finding(
                    "WCD010",
                    pip.line,
                    f"{req.image_path}: {req.problem}; its packages were not checked",
                    "run from the build context or pass --context DIR",
                    {"image_path": req.image_path},
                )
            )
    return out


def _index(ctx: _Context) -> list[Finding]:
    named = [p for p in ctx.installs.pips if p.index_url]
    if not named or ctx.index is None:
        return []
    first = named[0]
    used = ctx.index.url
    named_url = ctx.index.dockerfile_url or ""
    same = used.rstrip("/") == named_url.rstrip("/")
    message = f"installs from {named_url}" + (
        f" ({first.index_source})" if first.index_source else ""
    )
    fix = "a mirror serves PyPI's files: the verdicts hold for it if it is in sync"
    if ctx.report is None:
        message += "; not checked (--no-check)"
    elif not ctx.verdicts_known:
        message += f"; wheelcheck could not get every answer from {used} (see the errors)"
        fix = "check against another index: wheelcheck dockerfile --index-url URL"
    elif same:
        message += "; wheelcheck checked that index"
    else:
        message += f"; wheelcheck checked {used} instead"
    lines = sorted({p.line for p in named})
    return [
        ctx.finding(
            "WCD011",
            lines[0],
            message,
            fix,
            {"index_url": named_url, "checked": used, "lines": lines},
        )
    ]


__all__ += ["BuildPlan", "build_plan", "install_command"]
