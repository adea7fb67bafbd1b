"""The command line: click options -> a check -> a report on stdout -> an exit code.

Nothing imports this module. Exit codes: 0 pass, 1 policy failure (a finding at or above
--fail-on), 2 bad input or usage, 3 the index could not be reached or answered with errors.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click

from wheelcheck import __version__
from wheelcheck.errors import (
    EXIT_INDEX,
    EXIT_OK,
    EXIT_POLICY,
    InvalidInputFiles,
    WheelcheckError,
)

FAIL_ON_SEVERITY = {"never": None, "missing": 2, "source": 1}


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="wheelcheck")
def main() -> None:
    """Tell what pip would install for each Docker target, before you build the image."""


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
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Report format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of stdout.",
)
@click.option(
    "--fail-on",
    type=click.Choice(list(FAIL_ON_SEVERITY)),
    default="missing",
    show_default=True,
    help="Exit 1 when a package is missing (or not found) on a target, or also when it "
    "needs a source build.",
)
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds per request.")
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
    help="CA bundle for TLS verification (private indexes).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
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
    kind: str | None,
    extras: tuple[str, ...],
    groups: tuple[str, ...],
    fmt: str,
    output: Path | None,
    fail_on: str,
    timeout: float,
    retries: int,
    cert: str | None,
    quiet: bool,
) -> None:
    """Check FILEs against each target: requirements files (- for stdin), pyproject.toml,
    or lockfiles (pylock.toml, uv.lock, poetry.lock)."""
    from wheelcheck.check import CheckOptions
    from wheelcheck.check import check as run_check
    from wheelcheck.report import Format, write_report

    options = CheckOptions(
        targets=targets,
        arches=arches,
        python=python,
        index_url=index_url,
        extra_index_urls=extra_index_urls,
        mirror=mirror,
        pre=pre,
        prefer_binary=prefer_binary,
        no_deps=no_deps,
        kind=kind,
        extras=extras,
        groups=groups,
        timeout=timeout,
        retries=retries,
        verify=cert or True,
    )
    with _errors_to_exit_codes(), _progress(enabled=not quiet) as progress:
        report = run_check(files, options=options, progress=progress)

    if not report.packages:
        click.echo(f"wheelcheck: nothing to check in {', '.join(files)}", err=True)
    if output is not None:
        with output.open("w", encoding="utf-8") as stream:
            write_report(report, Format(fmt), stream, color=False)
    else:
        write_report(report, Format(fmt), sys.stdout)

    if report.has_errors:
        click.echo("wheelcheck: some lookups failed; their results are marked 'error'", err=True)
        sys.exit(EXIT_INDEX)
    threshold = FAIL_ON_SEVERITY[fail_on]
    if threshold is not None and report.worst_severity() >= threshold:
        sys.exit(EXIT_POLICY)
    sys.exit(EXIT_OK)


@contextmanager
def _errors_to_exit_codes() -> Iterator[None]:
    """Turn wheelcheck's own errors into one-line messages and their exit codes."""
    try:
        yield
    except InvalidInputFiles as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        sys.exit(error.exit_code)
    except WheelcheckError as error:
        click.echo(f"wheelcheck: error: {error}", err=True)
        sys.exit(error.exit_code)


@contextmanager
def _progress(*, enabled: bool) -> Iterator[_ProgressSink]:
    """A spinner on stderr when stderr is a terminal; silent otherwise."""
    stream: TextIO = sys.stderr
    if not (enabled and stream.isatty()):
        yield _ProgressSink(None)
        return
    from rich.console import Console

    console = Console(file=stream)
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
