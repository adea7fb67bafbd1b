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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

import click
from click.core import ParameterSource

from wheelcheck import __version__
from wheelcheck._report import Format, write_report
from wheelcheck.errors import (
    EXIT_INDEX,
    EXIT_OK,
    EXIT_POLICY,
    Interrupted,
    WheelcheckError,
    error_lines,
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
@click.option(
    "-t",
    "--target",
    "targets",
    multiple=True,
    metavar="TARGET",
    help="Docker image (python:3.12-alpine) or tag spec (cp312-musllinux_1_2_x86_64). "
    "Repeatable. Default: the alpine and slim images of --python.",
)
@click.option(
    "-a",
    "--arch",
    "arches",
    multiple=True,
    metavar="ARCH",
    help="Architecture for image targets: amd64, arm64, linux/arm/v7, aarch64... "
    "Repeatable. Default: amd64 and arm64.",
)
@click.option("--python", "python", metavar="X.Y", help="Python for the default targets (3.12).")
@click.option("-i", "--index-url", metavar="URL", help="Base URL of the Simple index.")
@click.option(
    "--extra-index-url",
    "extra_index_urls",
    multiple=True,
    metavar="URL",
    help="Further indexes to search. Repeatable.",
)
@click.option("--mirror", metavar="NAME", help="A known mirror by name: tuna (Tsinghua), pypi.")
@click.option("--pre", is_flag=True, help="Include pre-releases, as pip --pre.")
@click.option(
    "--prefer-binary", is_flag=True, help="Prefer older wheels over newer sdists, as pip."
)
@click.option(
    "--no-deps",
    is_flag=True,
    help="Judge only what the files name, trusting them as complete (lockfiles made elsewhere).",
)
@click.option(
    "--no-advice",
    is_flag=True,
    help="Skip build needs, remedies, sizes and image estimates (reads no sdist or wheel).",
)
@click.option(
    "--no-sizes",
    is_flag=True,
    help="Skip installed sizes and image estimates (no range requests for every wheel).",
)
@click.option(
    "--kind",
    type=click.Choice(["requirements", "pyproject", "pylock", "uv_lock", "poetry_lock"]),
    help="Read every FILE as this kind. Default: from the file name (pyproject.toml, "
    "pylock.toml, uv.lock, poetry.lock; anything else is a requirements file).",
)
@click.option(
    "--extra",
    "extras",
    multiple=True,
    metavar="NAME",
    help="Optional dependencies of a pyproject.toml or lockfile to include. Repeatable.",
)
@click.option(
    "--group",
    "groups",
    multiple=True,
    metavar="NAME",
    help="Dependency group (PEP 735) of a pyproject.toml or lockfile to include. Repeatable.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice([f.value for f in Format]),
    default="table",
    show_default=True,
    help="Report format: table for people; json for tools; markdown for a pull-request "
    "comment; sarif for code scanning; github for annotations on the diff (and the step "
    "summary inside GitHub Actions).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of stdout.",
)
@click.option(
    "--report",
    "reports",
    multiple=True,
    metavar="FORMAT=PATH",
    help="Also write the report in FORMAT to PATH, e.g. sarif=wheelcheck.sarif. Repeatable.",
)
@click.option(
    "--fail-on",
    multiple=True,
    default=("missing",),
    show_default=True,
    metavar="[TARGET=]LEVEL",
    help="Exit 1 when a package is missing (or not found) on a target (missing), also when "
    "it needs a source build (source), or never. TARGET=LEVEL sets one target: its id "
    "(python:3.12-alpine/arm64), image (python:3.12-alpine) or variant (alpine). Repeatable.",
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="NAME[:REASON]",
    help="Accept this package: it stays in the report, marked ignored with the reason, and "
    "never fails the run. Repeatable.",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="TOML file with a [tool.wheelcheck] table. Default: the nearest pyproject.toml.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds per request.",
)
@click.option(
    "--retries",
    type=click.IntRange(0, 10),
    default=3,
    show_default=True,
    help="Retries per request for transient faults.",
)
@click.option(
    "--cert",
    type=click.Path(exists=True, dir_okay=False),
    metavar="PATH",
    help="CA bundle for TLS verification (private indexes). Default: PIP_CERT, "
    "REQUESTS_CA_BUNDLE or SSL_CERT_FILE, else the system's trust store.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Cache directory. Default: WHEELCHECK_CACHE_DIR, else the user cache directory "
    "(~/.cache/wheelcheck on Linux).",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option(
    "--refresh", is_flag=True, help="Revalidate every cached page with the index (still cached)."
)
@click.option(
    "--offline",
    is_flag=True,
    help="Use only the cache, send no request; what is not cached is an error (exit 3).",
)
@click.option(
    "--cache-max-age",
    type=click.FloatRange(min=0),
    default=600.0,
    show_default=True,
    metavar="SECONDS",
    help="How long a page stays fresh when the index sends no Cache-Control or Expires.",
)
@click.option(
    "-q", "--quiet", is_flag=True, help="Nothing on stderr but errors and warnings: no progress."
)
@click.option(
    "-v", "--verbose", is_flag=True, help="Also say on stderr where each setting came from."
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour in the table report; auto: only on a terminal and when NO_COLOR is unset.",
)
def check(
    files: tuple[str, ...],
    targets: tuple[str, ...],
    arches: tuple[str, ...],
    python: str | None,
    index_url: str | None,
    extra_index_urls: tuple[str, ...],
    mirror: str | None,
    pre: bool,
    prefer_binary: bool,
    no_deps: bool,
    no_advice: bool,
    no_sizes: bool,
    kind: str | None,
    extras: tuple[str, ...],
    groups: tuple[str, ...],
    fmt: str,
    output: Path | None,
    reports: tuple[str, ...],
    fail_on: tuple[str, ...],
    ignore: tuple[str, ...],
    config: Path | None,
    timeout: float,
    retries: int,
    cert: str | None,
    cache_dir: Path | None,
    no_cache: bool,
    refresh: bool,
    offline: bool,
    cache_max_age: float,
    quiet: bool,
    verbose: bool,
    color: str,
) -> None:
    """Check FILEs against each target: requirements files (- for stdin), pyproject.toml,
    or lockfiles (pylock.toml, uv.lock, poetry.lock).

    Settings also come from WHEELCHECK_* variables and [tool.wheelcheck] in pyproject.toml;
    the command line wins over the environment, which wins over the file."""
    from wheelcheck._check import CheckOptions, acheck
    from wheelcheck._cli import interrupt
    from wheelcheck._config import load_settings
    from wheelcheck._findings import (
        apply_policy,
        check_selectors,
        make_policy,
        policy_failed,
        unused_ignores,
    )

    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose exclude each other")
    if no_cache and (offline or refresh):
        raise click.UsageError("--no-cache excludes --offline and --refresh")
    ctx = click.get_current_context()
    given = {n for n in ctx.params if ctx.get_parameter_source(n) is ParameterSource.COMMANDLINE}
    with _errors_to_exit_codes():
        settings = load_settings(config_file=config, cwd=Path.cwd(), environ=os.environ)
        v = settings.merge(ctx.params, given)
        sources = {n: s.source for n, s in settings.values.items() if n not in given}
        policy = make_policy(
            cast(tuple[str, ...], v["fail_on"]),
            cast(tuple[str, ...], v["ignore"]),
            fail_on_source=sources.get("fail_on", "--fail-on"),
            ignore_source=sources.get("ignore", "--ignore"),
        )
        extra_reports = [_parse_report_option(item) for item in reports]
    for warning in settings.warnings:
        click.echo(f"wheelcheck: warning: {warning}", err=True)
    if verbose:
        _explain_settings(settings, given)
    use_color = _color(color, os.environ)
    options = CheckOptions(
        targets=cast(tuple[str, ...], v["targets"]),
        arches=cast(tuple[str, ...], v["arches"]),
        python=cast("str | None", v["python"]),
        index_url=cast("str | None", v["index_url"]),
        extra_index_urls=cast(tuple[str, ...], v["extra_index_urls"]),
        mirror=cast("str | None", v["mirror"]),
        pre=cast(bool, v["pre"]),
        prefer_binary=cast(bool, v["prefer_binary"]),
        no_deps=cast(bool, v["no_deps"]),
        advice=not no_advice,
        sizes=not (no_sizes or no_advice),
        kind=kind,
        extras=extras,
        groups=groups,
        timeout=cast(float, v["timeout"]),
        retries=cast(int, v["retries"]),
        verify=cert or True,
        cache=not no_cache,
        cache_dir=None if no_cache else cache_dir,
        refresh=refresh,
        offline=offline,
        cache_max_age=cache_max_age,
    )
    with _errors_to_exit_codes():
        if policy.per_target:
            from wheelcheck._judge.targets import parse_targets

            specs = cast(tuple[str, ...], v["targets"])
            check_selectors(policy, parse_targets(specs, options.arches, options.python))
        with _progress(enabled=not quiet, color=use_color) as progress:
            report = interrupt.run(acheck(files, options=options, progress=progress))
    report = apply_policy(report, policy)
    ignore_source = sources.get("ignore", "--ignore")
    for unused in unused_ignores(report, policy):
        label = f"--ignore {unused.name}"
        if ignore_source != "--ignore":
            label = f"ignore {unused.name} ({ignore_source})"
        click.echo(
            f"wheelcheck: warning: {label}: no package of this check has that name; "
            "it changes nothing",
            err=True,
        )
    if verbose:
        levels = ", ".join(f"{t.id}={policy.level_for(t).value}" for t in report.targets)
        click.echo(f"wheelcheck: --fail-on per target: {levels}", err=True)

    if not report.packages and not quiet:
        click.echo(f"wheelcheck: nothing to check in {', '.join(files)}", err=True)
    with _errors_to_exit_codes():
        if output is not None:
            _write_file(report, Format(cast(str, v["fmt"])), output, policy)
        else:
            write_report(
                report, Format(cast(str, v["fmt"])), sys.stdout, color=use_color, policy=policy
            )
        for extra_format, path in extra_reports:
            _write_file(report, extra_format, path, policy)

    if report.has_errors:
        from wheelcheck._report.text import lookup_failure_lines

        for line in lookup_failure_lines(report):
            click.echo(line, err=True)
        sys.exit(EXIT_INDEX)
    if policy_failed(report, policy):
        sys.exit(EXIT_POLICY)
    sys.exit(EXIT_OK)


def _color(choice: str, environ: Mapping[str, str]) -> bool | None:
    """--color always/never win; auto honours NO_COLOR (https://no-color.org), else None:
    colour only on a terminal."""
    if choice == "always":
        return True
    if choice == "never" or environ.get("NO_COLOR"):
        return False
    return None


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


def _write_file(report: Report, fmt: Format, path: Path, policy: Policy) -> None:
    """Write one report file, whole or not at all (wheelcheck._cli.atomicfile); a file never gets
    colour, and never the step summary (the report on stdout writes it once)."""
    from wheelcheck._cli.atomicfile import write_file

    def write(stream: TextIO) -> None:
        write_report(report, fmt, stream, color=False, policy=policy, environ={})

    write_file(path, write)


def _explain_settings(settings: Settings, given: set[str]) -> None:
    from wheelcheck._index import redact_url

    where = settings.file if settings.file is not None else "none found"
    click.echo(f"wheelcheck: configuration file: {where}", err=True)
    for name, setting in settings.values.items():
        value = setting.value
        if name in ("index_url", "extra_index_urls"):
            urls = (value,) if isinstance(value, str) else value
            value = tuple(redact_url(str(u)) for u in cast(tuple[str, ...], urls))
        state = "overridden by the command line" if name in given else "used"
        click.echo(f"wheelcheck: {name} = {value!r} from {setting.source} ({state})", err=True)


@contextmanager
def _errors_to_exit_codes() -> Iterator[None]:
    """Turn wheelcheck's own errors into one-line messages and their exit codes."""
    try:
        yield
    except WheelcheckError as error:
        for line in error_lines(error):
            click.echo(line, err=True)
        sys.exit(error.exit_code)


@contextmanager
def _progress(*, enabled: bool, color: bool | None = None) -> Iterator[_ProgressSink]:
    """A spinner on stderr when stderr is a terminal; silent otherwise (pipes, CI logs).
    `color=False` (--color never, NO_COLOR) keeps it colourless."""
    stream: TextIO = sys.stderr
    if not (enabled and stream.isatty()):
        yield _ProgressSink(None)
        return
    from rich.console import Console

    console = Console(file=stream, no_color=color is False)
    with console.status("checking...") as status:
        yield _ProgressSink(status)


class _ProgressSink:
    def __init__(self, status: object | None) -> None:
        self._status = status

    def __call__(self, message: str) -> None:
        if self._status is not None:
            from rich.status import Status

            assert isinstance(self._status, Status)
            self._status.update(f"checking {message}")


# Registered last: the dockerfile command lives in its own package and imports nothing heavy
# at module level, so `wheelcheck --help` stays fast.
from wheelcheck._cli.dockerfile import dockerfile_command  # noqa: E402

main.add_command(dockerfile_command)
