"""The ``wheelcheck dockerfile`` click command (registered by wheelcheck._cli).

Its settings come from the option table as the check's do: the command line, then
WHEELCHECK_* variables, then [tool.wheelcheck]; its check uses the cache as ``check`` does.

Several Dockerfiles (pre-commit passes every staged one) make one report with a section per
file, in the order given. Exit codes as for ``check`` (wheelcheck._cli.exits), the worst over
the files: 0 nothing at or above --fail-on, 1 a finding at or above it, 2 bad input or usage,
3 the index could not be reached or answered with errors, 130 interrupted (SIGINT, Ctrl-C),
143 stopped by SIGTERM. A file that cannot be read or checked is said on stderr and the
others are still reported.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from wheelcheck._cli import terminal
from wheelcheck._cli.exits import error_exit_code, errors_to_exit_codes, outcome_exit_code
from wheelcheck._cli.settings import announce, command_settings, report_verbosity
from wheelcheck._report import write_dockerfile_reports
from wheelcheck.errors import EXIT_OK, WheelcheckError
from wheelcheck.options import (
    ARCHES,
    BUILD_ARGS,
    COLOR,
    CONTEXT,
    DIFF,
    EXTRA_INDEX_URLS,
    FAIL_ON_SEVERITY,
    FIX,
    FORMAT,
    INDEX_URL,
    NO_CHECK,
    OUTPUT,
    QUIET,
    TARGETS,
    WRITE,
    check_options,
    click_options,
)

if TYPE_CHECKING:
    from wheelcheck._config import Settings
    from wheelcheck._dockerfile.analysis import DockerfileReport

__all__ = ["dockerfile_command"]

_FAIL_ON = {"never": None, "error": 2, "warning": 1, "info": 0}


def _write_or_exit(path: Path, write: Callable[[TextIO], object], what: str) -> None:
    """Write a file whole or not at all (wheelcheck._cli.atomicfile); exit 2 when it cannot be."""
    from wheelcheck._cli.atomicfile import write_file

    with errors_to_exit_codes():
        write_file(path, write, what)


def _build_args(items: tuple[str, ...]) -> dict[str, str]:
    args = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r}: expected KEY=VALUE", param_hint="--build-arg")
        args[key] = value
    return args


@click.command("dockerfile")
@click.argument(
    "dockerfiles",
    nargs=-1,
    metavar="[DOCKERFILE]...",
    type=click.Path(dir_okay=False, path_type=Path),
)
@click_options("dockerfile")
def dockerfile_command(dockerfiles: tuple[Path, ...], **_options: object) -> None:
    """Read each DOCKERFILE (default: Dockerfile), check what it pip-installs on its base
    image and the slim/alpine alternatives, and report findings by line, with fixes (--fix,
    --diff, --write). Several DOCKERFILEs make one report; the exit code is the worst.

    Settings also come from WHEELCHECK_* variables and [tool.wheelcheck] in pyproject.toml,
    as for check; the command line wins over the environment, which wins over the file."""
    settings = command_settings("dockerfile")
    paths = dockerfiles or (Path("Dockerfile"),)
    if settings[FIX] and len(paths) > 1:
        raise click.UsageError("--fix prints one Dockerfile: give one, or use --diff or --write")
    announce(settings)
    use_color = terminal.report_color(settings[COLOR], os.environ)
    done, worst = _analyze_each(paths, settings, use_color)
    results = [result for _path, result in done]
    if settings[FIX] or settings[DIFF] or settings[WRITE]:
        for path, result in done:
            _suggest(result, path, settings)
    elif (output := settings[OUTPUT]) is not None and results:
        writer = _report_writer(results, settings, color=False, environ={})
        _write_or_exit(output, writer, "the report")
    elif results:
        _report_writer(results, settings, color=use_color)(sys.stdout)
    sys.exit(max(worst, _exit_code(results, settings[FAIL_ON_SEVERITY])))


def _analyze_each(
    paths: Sequence[Path], settings: Settings, color: bool | None
) -> tuple[list[tuple[Path, DockerfileReport]], int]:
    """Each Dockerfile's analysis the settings ask for, with the check's progress on a
    terminal; and the worst exit code of the ones that could not be analysed (their errors
    said on stderr, an error shared by all of them once)."""
    from wheelcheck._cli import interrupt
    from wheelcheck._dockerfile.analysis import aanalyze

    # Build needs feed the fixes' apk/apt lines; the Dockerfile report shows no sizes.
    options = replace(check_options(settings), advice=True, sizes=False)
    analysis = functools.partial(
        aanalyze,
        context=settings[CONTEXT],
        targets=settings[TARGETS],
        arches=settings[ARCHES],
        index_url=settings[INDEX_URL],
        index_source=_index_source(settings),
        extra_index_urls=settings[EXTRA_INDEX_URLS],
        build_args=_build_args(settings[BUILD_ARGS]),
        run_check=not settings[NO_CHECK],
        options=options,
    )
    done: list[tuple[Path, DockerfileReport]] = []
    worst = EXIT_OK
    said: set[str] = set()
    for path in paths:
        try:
            with terminal.progress(enabled=not settings[QUIET], color=color) as progress:
                done.append((path, interrupt.run(analysis(path, progress=progress))))
        except WheelcheckError as error:  # said once the spinner has stopped
            worst = max(worst, error_exit_code(error, said=said))
    return done, worst


def _index_source(settings: Settings) -> str:
    """Where the index that replaces the Dockerfile's came from, as the report says it."""
    source = settings.source(INDEX_URL)
    if source == INDEX_URL.env:
        return f"{source} in the environment"
    if source != INDEX_URL.flag:
        return f"{INDEX_URL.key} at {source}"
    return f"{INDEX_URL.flag} on the command line"


def _report_writer(
    results: Sequence[DockerfileReport],
    settings: Settings,
    *,
    color: bool | None,
    environ: Mapping[str, str] | None = None,
) -> Callable[[TextIO], None]:
    """Writes the report in --format; a file gets `environ={}`: no step summary from it."""

    def write(stream: TextIO) -> None:
        write_dockerfile_reports(
            results,
            settings[FORMAT],
            stream,
            color=color,
            environ=environ,
            verbosity=report_verbosity(settings),
        )

    return write


def _suggest(result: DockerfileReport, dockerfile: Path, settings: Settings) -> None:
    """--fix, --diff, --write: the suggested Dockerfile, and what it changes of the app."""
    from wheelcheck._dockerfile.fix import same_app, suggest, unified_diff

    original = "\n".join(result.dockerfile.lines) + "\n"
    suggestion = suggest(result)
    for change in same_app(result.dockerfile, suggestion):
        click.echo(f"wheelcheck: the suggestion changes the app: {change}", err=True)
    if settings[WRITE]:
        _write_or_exit(dockerfile, lambda stream: stream.write(suggestion), "the suggestion")
        if not settings[QUIET]:
            click.echo(f"wheelcheck: wrote {dockerfile}", err=True)
    if settings[DIFF]:
        click.echo(unified_diff(original, suggestion, str(dockerfile)), nl=False)
    elif settings[FIX]:
        click.echo(suggestion, nl=False)
    if not settings[QUIET]:
        n = len(result.findings)
        click.echo(f"wheelcheck: {n} finding{'s' if n != 1 else ''} in {dockerfile}", err=True)


def _exit_code(results: Sequence[DockerfileReport], fail_on: str) -> int:
    """The run's exit code (wheelcheck._cli.exits): lookups that failed, else the findings."""
    checks = [result.report for result in results if result.report is not None]
    failed = any(_fails(result, fail_on) for result in results)
    return outcome_exit_code(checks, failed=failed)


def _fails(result: DockerfileReport, fail_on: str) -> bool:
    """True when a finding of `result` has the --fail-on severity or a higher one."""
    threshold = _FAIL_ON[fail_on]
    worst = result.worst
    return threshold is not None and worst is not None and worst.rank >= threshold
