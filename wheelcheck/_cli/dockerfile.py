"""The ``wheelcheck dockerfile`` click command (registered by wheelcheck._cli).

Exit codes as for ``check``: 0 nothing at or above --fail-on, 1 a finding at or above it,
2 bad input or usage, 3 the index could not be reached or answered with errors, 130
interrupted (SIGINT, Ctrl-C), 143 stopped by SIGTERM.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import click

from wheelcheck._report import Format
from wheelcheck.errors import EXIT_INDEX, EXIT_OK, EXIT_POLICY, WheelcheckError, error_lines

__all__ = ["dockerfile_command"]

_FAIL_ON = {"never": None, "error": 2, "warning": 1, "info": 0}


def _write_or_exit(path: Path, write: Callable[[TextIO], object], what: str) -> None:
    """Write a file whole or not at all (wheelcheck._cli.atomicfile); exit 2 when it cannot be."""
    from wheelcheck._cli.atomicfile import write_file

    try:
        write_file(path, write, what)
    except WheelcheckError as error:
        click.echo(f"wheelcheck: error: {error}", err=True)
        sys.exit(error.exit_code)


def _build_args(items: tuple[str, ...]) -> dict[str, str]:
    args = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r}: expected KEY=VALUE", param_hint="--build-arg")
        args[key] = value
    return args


@click.command("dockerfile")
@click.argument("dockerfile", default="Dockerfile", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--context",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Build context directory. Default: the Dockerfile's folder.",
)
@click.option(
    "-t",
    "--target",
    "targets",
    multiple=True,
    metavar="TARGET",
    help="Check these targets instead of the base images' (for an unknown base). Repeatable.",
)
@click.option("-a", "--arch", "arches", multiple=True, metavar="ARCH", help="Architectures. "
              "Default: the FROM --platform, else amd64 and arm64.")  # fmt: skip
@click.option(
    "-i", "--index-url", metavar="URL", help="Check against this index instead of the "
    "Dockerfile's (-i / PIP_INDEX_URL in its RUN or ENV)."
)  # fmt: skip
@click.option("--extra-index-url", "extra_index_urls", multiple=True, metavar="URL")
@click.option("--build-arg", "build_args", multiple=True, metavar="KEY=VALUE",
              help="Override an ARG default, as docker build --build-arg.")  # fmt: skip
@click.option("--no-deps", is_flag=True, help="Judge only what the requirements name.")
@click.option("--no-check", is_flag=True, help="Only the Dockerfile rules: ask no index.")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice([f.value for f in Format]),
    default="table",
    show_default=True,
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file.")  # fmt: skip
@click.option("--fix", is_flag=True, help="Print the suggested Dockerfile instead of the report.")
@click.option("--diff", is_flag=True, help="Print the suggestion as a unified diff.")
@click.option("--write", is_flag=True, help="Write the suggestion over DOCKERFILE.")
@click.option(
    "--fail-on",
    type=click.Choice(list(_FAIL_ON)),
    default="error",
    show_default=True,
    help="Exit 1 when a finding has this severity or a higher one.",
)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0,
              show_default=True)  # fmt: skip
@click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True)
@click.option("--cert", type=click.Path(exists=True, dir_okay=False), metavar="PATH")
def dockerfile_command(
    dockerfile: Path,
    context: Path | None,
    targets: tuple[str, ...],
    arches: tuple[str, ...],
    index_url: str | None,
    extra_index_urls: tuple[str, ...],
    build_args: tuple[str, ...],
    no_deps: bool,
    no_check: bool,
    fmt: str,
    output: Path | None,
    fix: bool,
    diff: bool,
    write: bool,
    fail_on: str,
    timeout: float,
    retries: int,
    cert: str | None,
) -> None:
    """Read DOCKERFILE, check what it pip-installs on its base image and the slim/alpine
    alternatives, and report findings by line, with fixes (--fix, --diff, --write)."""
    from wheelcheck._check import CheckOptions
    from wheelcheck._cli import interrupt
    from wheelcheck._dockerfile.analysis import aanalyze
    from wheelcheck._dockerfile.fix import same_app, suggest, unified_diff
    from wheelcheck._dockerfile.output import write_dockerfile_report

    options = CheckOptions(
        no_deps=no_deps, timeout=timeout, retries=retries, verify=cert or True, advice=True
    )
    try:
        result = interrupt.run(
            aanalyze(
                dockerfile,
                context=context,
                targets=targets,
                arches=arches,
                index_url=index_url,
                extra_index_urls=extra_index_urls,
                build_args=_build_args(build_args),
                run_check=not no_check,
                options=options,
            )
        )
    except WheelcheckError as error:
        for line in error_lines(error):
            click.echo(line, err=True)
        sys.exit(error.exit_code)

    if fix or diff or write:
        original = "\n".join(result.dockerfile.lines) + "\n"
        suggestion = suggest(result)
        for change in same_app(result.dockerfile, suggestion):
            click.echo(f"wheelcheck: the suggestion changes the app: {change}", err=True)
        if write:
            _write_or_exit(dockerfile, lambda stream: stream.write(suggestion), "the suggestion")
            click.echo(f"wheelcheck: wrote {dockerfile}", err=True)
        if diff:
            click.echo(unified_diff(original, suggestion, str(dockerfile)), nl=False)
        elif fix:
            click.echo(suggestion, nl=False)
        n = len(result.findings)
        click.echo(f"wheelcheck: {n} finding{'s' if n != 1 else ''} in {dockerfile}", err=True)
    elif output is not None:

        def report(stream: TextIO) -> None:
            write_dockerfile_report(result, Format(fmt), stream, color=False)

        _write_or_exit(output, report, "the report")
    else:
        write_dockerfile_report(result, Format(fmt), sys.stdout)

    if result.report is not None and result.report.has_errors:
        from wheelcheck._report.text import lookup_failure_lines

        for line in lookup_failure_lines(result.report):
            click.echo(line, err=True)
        sys.exit(EXIT_INDEX)
    threshold = _FAIL_ON[fail_on]
    worst = result.worst
    if threshold is not None and worst is not None and worst.rank(worst) >= threshold:
        sys.exit(EXIT_POLICY)
    sys.exit(EXIT_OK)
