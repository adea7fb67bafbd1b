"""The command line: click options -> a check -> a report on stdout -> an exit code.

Nothing imports this module. Exit codes: 0 pass, 1 policy failure (a finding at or above
--fail-on), 2 bad input or usage, 3 the index could not be reached or answered with errors,
130 interrupted (SIGINT, Ctrl-C) and 143 stopped by SIGTERM (both through `run`, the console
script: see wheelcheck._cli.interrupt).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from wheelcheck import __version__
from wheelcheck._cli import terminal
from wheelcheck._cli.exits import errors_to_exit_codes, outcome_exit_code
from wheelcheck._cli.settings import announce, command_settings, report_verbosity
from wheelcheck._report import Format, write_report
from wheelcheck.errors import Interrupted
from wheelcheck.options import (
    COLOR,
    FAIL_ON,
    FORMAT,
    IGNORE,
    OUTPUT,
    QUIET,
    REPORTS,
    VERBOSE,
    CheckOptions,
    check_options,
    click_options,
)

if TYPE_CHECKING:
    from wheelcheck._config import Settings
    from wheelcheck._findings import Policy
    from wheelcheck.models import Report


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="wheelcheck")
def main() -> None:
    """Tell what pip would install for each Docker target, before you build the image."""
    _warnings_on_one_line()


def run() -> None:
    """The ``wheelcheck`` console script: `main` in a process of its own, which SIGINT and
    SIGTERM stop cleanly: one line on stderr, exit 130 or 143, nothing half-written."""
    from wheelcheck._cli import interrupt

    _fewer_collections()
    interrupt.arm()
    try:
        main()
    except Interrupted as stop:
        interrupt.disarm()  # a second signal now ends the exit itself
        click.echo(f"wheelcheck: {stop}", err=True)
        sys.exit(stop.exit_code)
    finally:
        interrupt.disarm()


# Net allocations of container objects between two runs of the cyclic garbage collector.
# At Python's default (700) it ran about 5,000 times in a cold check of 1,161 pins and spent
# 4 s of the 22 re-scanning half a million long-lived rows, files and parsed metadata, none
# of them in a cycle (refcounting frees them); at 100,000 it runs 40 times, 0.3 s. Only the
# console script (`run`) does this: it owns its process; `main` called by a host program
# (click's CliRunner included) and the library leave the host's collector alone.
_GC_THRESHOLD = 100_000


def _fewer_collections() -> None:
    import gc

    youngest, older, oldest = gc.get_threshold()
    gc.set_threshold(max(_GC_THRESHOLD, youngest), max(older, 20), oldest)


class _OneLineWarnings(logging.Handler):
    """wheelcheck's log warnings (say, an invalid Requires-Dist skipped in some release's
    METADATA) as one stderr line each, not packaging's multi-line error diagrams."""

    def emit(self, record: logging.LogRecord) -> None:
        lines = record.getMessage().splitlines() or [""]
        click.echo(f"wheelcheck: warning: {lines[0]}", err=True)


def _warnings_on_one_line() -> None:
    logger = logging.getLogger("wheelcheck")
    if not any(isinstance(h, _OneLineWarnings) for h in logger.handlers):
        logger.addHandler(_OneLineWarnings(logging.WARNING))
        logger.propagate = False  # not also through logging's last-resort handler


@main.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click_options("check")
def check(files: tuple[str, ...], **_options: object) -> None:
    """Check FILEs against each target: requirements files (- for stdin), pyproject.toml,
    Pipfile, or lockfiles (pylock.toml, uv.lock, poetry.lock, pdm.lock, Pipfile.lock,
    pixi.lock).

    Settings also come from WHEELCHECK_* variables and [tool.wheelcheck] in pyproject.toml;
    the command line wins over the environment, which wins over the file."""
    from wheelcheck._check import acheck
    from wheelcheck._cli import interrupt
    from wheelcheck._findings import apply_policy, policy_failed

    settings = command_settings("check")
    with errors_to_exit_codes():
        policy = _policy(settings)
        extra_reports = [_parse_report_option(item) for item in settings[REPORTS]]
    announce(settings)
    use_color = terminal.report_color(settings[COLOR], os.environ)
    options = check_options(settings)
    with errors_to_exit_codes():
        _check_selectors(policy, options)
        with terminal.progress(enabled=not settings[QUIET], color=use_color) as progress:
            report = interrupt.run(acheck(files, options=options, progress=progress))
    report = apply_policy(report, policy)
    _warn_unused_ignores(report, policy, settings.source(IGNORE))
    if settings[VERBOSE]:
        levels = ", ".join(f"{t.id}={policy.level_for(t).value}" for t in report.targets)
        click.echo(f"wheelcheck: --fail-on per target: {levels}", err=True)
    if not report.packages and not settings[QUIET]:
        click.echo(f"wheelcheck: nothing to check in {', '.join(files)}", err=True)
    with errors_to_exit_codes():
        output, verbosity = settings[OUTPUT], report_verbosity(settings)
        if output is not None:
            _write_file(report, settings[FORMAT], output, policy, verbosity)
        else:
            write_report(
                report,
                settings[FORMAT],
                sys.stdout,
                color=use_color,
                policy=policy,
                verbosity=verbosity,
            )
        for extra_format, path in extra_reports:
            _write_file(report, extra_format, path, policy, verbosity)
    sys.exit(outcome_exit_code([report], failed=policy_failed(report, policy)))


def _policy(settings: Settings) -> Policy:
    from wheelcheck._findings import make_policy

    return make_policy(
        settings[FAIL_ON],
        settings[IGNORE],
        fail_on_source=settings.source(FAIL_ON),
        ignore_source=settings.source(IGNORE),
    )


def _check_selectors(policy: Policy, options: CheckOptions) -> None:
    """A per-target --fail-on must name a target of the check (InputError otherwise)."""
    if not policy.per_target:
        return
    from wheelcheck._findings import check_selectors
    from wheelcheck._judge.targets import parse_targets

    specs = [t for t in options.targets if isinstance(t, str)]
    check_selectors(policy, parse_targets(specs, options.arches, options.python))


def _warn_unused_ignores(report: Report, policy: Policy, source: str) -> None:
    from wheelcheck._findings import unused_ignores

    for unused in unused_ignores(report, policy):
        label = f"--ignore {unused.name}"
        if source != IGNORE.flag:
            label = f"ignore {unused.name} ({source})"
        click.echo(
            f"wheelcheck: warning: {label}: no package of this check has that name; "
            "it changes nothing",
            err=True,
        )


def _parse_report_option(item: str) -> tuple[Format, Path]:
    name, sep, path = item.partition("=")
    if not sep or not path:
        raise click.BadParameter(f"{item!r}: expected FORMAT=PATH", param_hint="--report")
    try:
        return Format(name.strip()), Path(path)
    except ValueError:
        known = ", ".join(f.value for f in Format)
        raise click.BadParameter(
            f"{item!r}: unknown format {name!r} (one of: {known})", param_hint="--report"
        ) from None


def _write_file(report: Report, fmt: Format, path: Path, policy: Policy, verbosity: int) -> None:
    """Write one report file, whole or not at all (wheelcheck._cli.atomicfile); a file never gets
    colour, and never the step summary (the report on stdout writes it once)."""
    from wheelcheck._cli.atomicfile import write_file

    def write(stream: TextIO) -> None:
        write_report(
            report, fmt, stream, color=False, policy=policy, environ={}, verbosity=verbosity
        )

    write_file(path, write)


# Registered last: the dockerfile command lives in its own package and imports nothing heavy
# at module level, so `wheelcheck --help` stays fast.
from wheelcheck._cli.dockerfile import dockerfile_command  # noqa: E402
from wheelcheck._cli.plan import plan_command  # noqa: E402

main.add_command(dockerfile_command)
main.add_command(plan_command)
