"""One Dockerfile analysis: parse, find installs, map bases to targets, check, apply rules.

The check is wheelcheck's own (`wheelcheck._check.acheck`) on the requirements the Dockerfile
installs, for the targets of its base images and their slim/alpine alternatives. The build
runs inside the image, so the host's pip configuration and PIP_* variables do not apply: the
index is the one the Dockerfile names (``-i``, ``PIP_INDEX_URL``), unless the caller gives one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wheelcheck._dockerfile.base import BaseImage, alternatives, resolve_base
from wheelcheck._dockerfile.index import IndexChoice
from wheelcheck._dockerfile.installs import (
    Installs,
    PipInstall,
    find_installs,
    requirement_line_origins,
    requirement_sources,
)
from wheelcheck._dockerfile.parse import Dockerfile, read_dockerfile
from wheelcheck._dockerfile.rules import apply_rules
from wheelcheck._findings import Finding, Severity
from wheelcheck._index import redact_url
from wheelcheck._judge.targets import parse_arch, parse_targets
from wheelcheck._urls import index_url_problem, is_local_index, quote_url, redact_text
from wheelcheck.errors import InputProblem, InvalidIndexURL, InvalidInputFiles
from wheelcheck.models import Origin, Report, Target

if TYPE_CHECKING:
    from wheelcheck.options import CheckOptions

__all__ = ["DockerfileReport", "aanalyze", "analyze"]

Progress = Callable[[str], None]
PYPI = "https://pypi.org/simple"


def _no_progress(_message: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class DockerfileReport:
    """Everything `wheelcheck dockerfile` says about one Dockerfile."""

    dockerfile: Dockerfile
    installs: Installs
    bases: Mapping[int, BaseImage]  # stage index -> its base
    findings: tuple[Finding, ...]
    index: IndexChoice | None
    report: Report | None  # the check of the installed requirements (None: nothing to check)
    notes: tuple[str, ...] = ()
    requirement_files: tuple[Path, ...] = ()
    requirement_lines: tuple[str, ...] = ()
    targets: tuple[Target, ...] = field(default_factory=tuple)

    @property
    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None, key=lambda s: s.rank)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dockerfile": self.dockerfile.path,
            "context": str(self.installs.context),
            "stages": [
                {
                    "index": s.index,
                    "name": s.name,
                    "line": s.line,
                    "base": s.base,
                    "kind": self.bases[s.index].kind,
                    "family": self.bases[s.index].family,
                    "python": self.bases[s.index].python,
                    "note": self.bases[s.index].note,
                }
                for s in self.dockerfile.stages
            ],
            "installs": [
                {
                    "line": p.line,
                    "stage": p.stage,
                    "tool": p.tool,
                    "command": redact_command(p.command),
                    "requirement_files": [
                        {
                            "image_path": r.image_path,
                            "context_path": str(r.context_path) if r.context_path else None,
                            "problem": r.problem,
                        }
                        for r in p.requirement_files
                    ],
                    "specs": list(p.specs),
                    "index_url": redact_url(p.index_url) if p.index_url else None,
                    "no_cache": p.no_cache,
                    "cache_mount": p.cache_mount,
                }
                for p in self.installs.pips
            ],
            "index": None if self.index is None else self.index.to_dict(),
            "findings": [_finding_dict(f) for f in self.findings],
            "notes": list(self.notes),
            "check": None if self.report is None else self.report.to_dict(),
        }


def _finding_dict(finding: Finding) -> dict[str, Any]:
    """A finding as the JSON report has it: the line only, the file is the report's."""
    return {
        "rule": finding.rule.id,
        "name": finding.rule.name,
        "severity": finding.severity.value,
        "line": finding.line,
        "message": finding.message,
        "fix": finding.fix,
        "hadolint": finding.rule.hadolint,
        "data": dict(finding.data),
    }


def redact_command(command: str) -> str:
    """`command` with the credentials of every URL in it hidden, however it is written
    (``-i URL``, ``--index-url=URL``, quoted)."""
    return redact_text(command)


def _app_pips(installs: Installs) -> list[PipInstall]:
    return [
        p
        for p in installs.pips
        if p.subcommand != "download" and (p.requirement_files or p.app_specs)
    ]


def _choose_index(
    pips: Sequence[PipInstall], cli_index_url: str | None, cli_source: str
) -> tuple[str | None, str, str | None]:
    """(index for the check or None for the library's default order, its source, the
    Dockerfile's own index)."""
    named = next((p for p in pips if p.index_url), None)
    dockerfile_url = named.index_url if named else None
    if cli_index_url:
        return cli_index_url, cli_source, dockerfile_url
    if named is not None and named.index_url:
        return named.index_url, f"Dockerfile {named.index_source}", dockerfile_url
    return None, "default", None


def _usable_index(
    path: str, origin: tuple[int, str] | None, url: str, notes: list[str], *, extra: bool
) -> bool:
    """True when the index `url`, written at `origin` (line, how) of the Dockerfile at
    `path`, can be checked; False, with a note, for a local index (pip in the image reads it,
    wheelcheck cannot). Raises InvalidIndexURL naming ``path:line`` for anything else."""
    line, how = origin if origin is not None else (None, "an index option")
    where = path if line is None else f"{path}:{line}"
    problem = index_url_problem(url)
    if problem is None:
        return True
    if is_local_index(url):
        what = "extra index URL" if extra else "index URL"
        notes.append(
            f"ignoring {what} {redact_url(url)} from {where}: only http(s) indexes can be checked"
        )
        return False
    hint = " (an unset build argument? give --build-arg or --index-url)" if "$" in url else ""
    raise InvalidIndexURL(where, f"{how} {quote_url(url)} {problem}{hint}")


async def aanalyze(
    path: str | Path,
    *,
    context: str | Path | None = None,
    targets: Sequence[str] = (),
    arches: Sequence[str] = (),
    index_url: str | None = None,
    index_source: str = "--index-url on the command line",
    extra_index_urls: Sequence[str] = (),
    build_args: Mapping[str, str] | None = None,
    run_check: bool = True,
    options: CheckOptions | None = None,
    progress: Progress = _no_progress,
) -> DockerfileReport:
    """Analyse the Dockerfile at `path` and return a DockerfileReport.

    `targets` replace the targets derived from the base images (for an unknown base);
    `index_url` overrides the index the Dockerfile names (the report says it came from
    `index_source`); `run_check=False` applies only the rules that need no index. `options`
    carries the remaining check options (timeout, retries, no_deps, the cache...). Raises
    InputError for an unreadable Dockerfile or requirement file (an invalid requirement in a
    RUN line is reported at that line of the Dockerfile), and UnknownTarget for a bad
    `targets` or `arches` entry, as `wheelcheck._check.acheck` does; index failures become
    `error` results.
    """
    dockerfile = read_dockerfile(path, build_args)
    arch_tuple = _known_arches(arches)
    installs = find_installs(dockerfile, context)
    bases = _stage_bases(dockerfile, arch_tuple)
    notes: list[str] = []
    pips = _app_pips(installs)
    files, lines = requirement_sources(pips)
    chosen_targets = _check_targets(dockerfile, bases, pips, targets, arch_tuple)
    chosen_index = _choose_index(pips, index_url, index_source)
    report: Report | None = None
    index: IndexChoice | None = None
    if run_check and (files or lines) and chosen_targets:
        check = _InstallCheck(dockerfile, pips, files, lines, chosen_targets, notes)
        report, index = await check.run(
            chosen_index, index_url, extra_index_urls, options, progress
        )
    elif not run_check:
        notes.append("--no-check: only the Dockerfile rules ran; no index was asked")
    elif not (files or lines):
        notes.append("the Dockerfile installs no Python requirements wheelcheck can trace")
    index = index or _named_index(chosen_index[2])
    findings = apply_rules(dockerfile, installs, bases, report, index)
    return DockerfileReport(
        dockerfile=dockerfile,
        installs=installs,
        bases=bases,
        findings=tuple(findings),
        index=index,
        report=report,
        notes=tuple(notes),
        requirement_files=tuple(files),
        requirement_lines=tuple(lines),
        targets=tuple(chosen_targets),
    )


def _known_arches(arches: Sequence[str]) -> tuple[str, ...]:
    """`arches`; an unknown one is an error (UnknownTarget), as for a check, not an unknown
    base."""
    for arch in arches:
        parse_arch(arch)
    return tuple(arches)


def _named_index(url: str | None) -> IndexChoice | None:
    """The index the Dockerfile names, when the check did not run: said, not asked."""
    if not url:
        return None
    return IndexChoice(redact_url(url), "named in the Dockerfile; not asked", redact_url(url))


def _stage_bases(dockerfile: Dockerfile, arches: tuple[str, ...]) -> dict[int, BaseImage]:
    """The base of each stage: its image's, or for a stage built FROM another, the root's."""
    bases = {
        s.index: resolve_base(s.base, platform=s.platform, arches=arches)
        for s in dockerfile.stages
        if s.parent is None
    }
    for stage in dockerfile.stages:
        if stage.parent is not None:
            root = dockerfile.lineage(stage)[-1]
            bases[stage.index] = bases[root.index]
    return bases


@dataclass(frozen=True, slots=True)
class _InstallCheck:
    """The check of the requirements a Dockerfile installs, as pip in the image sees them."""

    dockerfile: Dockerfile
    pips: Sequence[PipInstall]
    files: Sequence[Path]
    lines: Sequence[str]
    targets: tuple[Target, ...]
    notes: list[str]  # where the indexes wheelcheck cannot check are noted

    async def run(
        self,
        chosen_index: tuple[str | None, str, str | None],
        index_url: str | None,
        extra_index_urls: Sequence[str],
        options: CheckOptions | None,
        progress: Progress,
    ) -> tuple[Report, IndexChoice]:
        """The check's report and the index it used; `chosen_index` is `_choose_index`'s."""
        # Imported here, not at module level: the checker pulls in httpx and the resolver.
        from wheelcheck._check import acheck
        from wheelcheck.options import CheckOptions

        url, source, dockerfile_url = chosen_index
        if index_url is None and url is not None and not self._usable_primary(url):
            url, source = None, "default"
        extras = tuple(extra_index_urls) or self._usable_extras()
        # Build-needs advice (TargetResult.build) feeds the apk/apt lines of the fixes.
        check_options = replace(
            options or CheckOptions(advice=True),
            targets=self.targets,
            index_url=url,
            extra_index_urls=extras,
            # The build runs in the image: the host's pip config and PIP_* do not apply.
            environ={**self._pip_environment(), **_host_cache_variable(options)},
            pip_config_files=(),
        )
        path, origins = self.dockerfile.path, requirement_line_origins(self.pips)
        try:
            report = await acheck(
                [str(f) for f in self.files], self.lines, options=check_options, progress=progress
            )
        except InvalidInputFiles as error:
            raise _located(error, path, self.lines, origins) from None
        report = _relocated(report, path, self.lines, origins)
        used = report.index_urls[0] if report.index_urls else (url or PYPI)
        if url is None and source == "default":
            source = "requirements file or default" if used.rstrip("/") != PYPI else "default"
        named = redact_url(dockerfile_url) if dockerfile_url else None
        return report, IndexChoice(url=redact_url(used), source=source, dockerfile_url=named)

    # The Dockerfile's indexes are checked here, where their lines are known.
    def _usable_primary(self, url: str) -> bool:
        named = next(p for p in self.pips if p.index_url)
        return _usable_index(self.dockerfile.path, named.index_origin, url, self.notes, extra=False)

    def _usable_extras(self) -> tuple[str, ...]:
        return tuple(
            u
            for p in self.pips
            for u, origin in zip(p.extra_index_urls, p.extra_index_sources, strict=True)
            if _usable_index(self.dockerfile.path, origin, u, self.notes, extra=True)
        )

    def _pip_environment(self) -> dict[str, str]:
        """The Dockerfile's PIP_* but its index URLs, which arrive as checked above."""
        return {
            k: v
            for p in self.pips
            for k, v in p.env.items()
            if k.startswith("PIP_") and k not in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL")
        }


def _host_cache_variable(options: CheckOptions | None) -> dict[str, str]:
    """WHEELCHECK_CACHE_DIR of the caller's environment: the cache is the host's, not the
    image's, so the check reads it there, as it would without a Dockerfile."""
    import os

    from wheelcheck.options import CACHE_DIR_VARIABLE as VARIABLE

    host = os.environ if options is None or options.environ is None else options.environ
    return {VARIABLE: host[VARIABLE]} if VARIABLE in host else {}


def _located(
    error: InvalidInputFiles, path: str, lines: Sequence[str], origins: Mapping[str, int]
) -> InvalidInputFiles:
    """`error` with the problems of the inline requirement `lines` (checked as a string,
    one line each) placed at the Dockerfile lines that install them."""
    problems = []
    for problem in error.problems:
        if problem.file == _INLINE and problem.line is not None and problem.line <= len(lines):
            line = origins.get(lines[problem.line - 1])
            problem = InputProblem(path, line, problem.message)
        problems.append(problem)
    return InvalidInputFiles(problems)


def _relocated(
    report: Report, path: str, lines: Sequence[str], origins: Mapping[str, int]
) -> Report:
    """`report` with the origins of the inline requirement `lines` at the Dockerfile lines
    that install them (the check knows them as lines of a string)."""
    packages = []
    for package in report.packages:
        origin = package.origin
        number = origin.line if origin is not None and origin.file == _INLINE else None
        if number is not None and 0 < number <= len(lines):
            line = origins.get(lines[number - 1])
            if line is not None:
                package = replace(package, origin=Origin(path, line))
        packages.append(package)
    return replace(report, packages=tuple(packages))


# What wheelcheck._sources.parse_requirement_text names requirement lines given as a string.
_INLINE = "<string>"


def analyze(path: str | Path, **kwargs: Any) -> DockerfileReport:
    """Synchronous `aanalyze`."""
    return asyncio.run(aanalyze(path, **kwargs))


def _check_targets(
    dockerfile: Dockerfile,
    bases: Mapping[int, BaseImage],
    pips: Sequence[PipInstall],
    targets: Sequence[str],
    arches: tuple[str, ...],
) -> tuple[Target, ...]:
    """The targets of the stages that install, then the slim/alpine alternatives of the
    image's stage (or --target's own, when given)."""
    if targets:
        return parse_targets(list(targets), arches)
    stages = sorted({p.stage for p in pips}) or [dockerfile.final.index]
    found: list[Target] = []
    for index in stages:
        found.extend(bases[index].targets)
    main = bases[dockerfile.final.index]
    if not main.targets:
        main = next((bases[i] for i in stages if bases[i].targets), main)
    found.extend(alternatives(main, arches))
    return tuple(dict.fromkeys(found))
