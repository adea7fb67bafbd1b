"""The ``wheelcheck plan`` click command (registered by wheelcheck._cli).

Its settings come from the option table as the check's do. The report goes to stdout in
--format (any of the check's formats);
``-o FILE`` also writes the constraints file, whole or not at all, only when a plan was
found. Exit codes: 0 compile-free, 1 some packages must still build (or no set resolves),
2 bad input or usage, 3 the index could not be reached or answered with errors, 130/143
interrupted.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, TextIO

import click

from wheelcheck._cli import terminal
from wheelcheck._cli.exits import errors_to_exit_codes
from wheelcheck._cli.settings import announce, command_settings
from wheelcheck._report import write_plan
from wheelcheck.errors import EXIT_INDEX, EXIT_OK, EXIT_POLICY
from wheelcheck.options import (
    ALLOW_OUTSIDE,
    ALLOW_SWAPS,
    COLOR,
    FORMAT,
    OUTPUT,
    PREFER,
    QUIET,
    check_options,
    click_options,
)

if TYPE_CHECKING:
    from wheelcheck._plan.candidates import Prefer
    from wheelcheck.models import Plan

__all__ = ["plan_command"]


@click.command("plan")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click_options("plan")
def plan_command(files: tuple[str, ...], **_options: object) -> None:
    """The smallest change to FILEs that installs from wheels only on every target together:
    the versions to change, why, and a constraints file (-o) for pip install -c. Where no
    wheel-only set exists, the fewest packages that must still build, and what they need.

    FILEs are those of check: requirements files, pyproject.toml or lockfiles."""
    from wheelcheck._cli import interrupt
    from wheelcheck._plan.run import PlanChoices, aplan

    settings = command_settings("plan")
    announce(settings)
    fmt = settings[FORMAT]
    use_color = terminal.report_color(settings[COLOR], os.environ)
    options = check_options(settings)
    prefer: Prefer = "older" if settings[PREFER] == "older" else "newer"
    choices = PlanChoices(prefer, settings[ALLOW_OUTSIDE], settings[ALLOW_SWAPS])
    progress_bar = terminal.progress(enabled=not settings[QUIET], color=use_color)
    with errors_to_exit_codes(), progress_bar as progress:
        found = interrupt.run(aplan(files, options=options, choices=choices, progress=progress))
    with errors_to_exit_codes():
        write_plan(found, fmt, sys.stdout, color=use_color)
        output = settings[OUTPUT]
        if output is not None and found.outcome != "unknown":
            from wheelcheck._cli.atomicfile import write_file

            write_file(output, lambda stream: _write_constraints(found, stream))
        elif output is not None:
            click.echo(f"wheelcheck: no plan, so {output} was not written", err=True)
    sys.exit(_exit_code(found))


def _write_constraints(found: Plan, stream: TextIO) -> None:
    """A file for ``pip install -c``: one ``name==version`` a line, after a comment."""
    stream.write(f"# wheelcheck plan: {found.summary}\n")
    stream.writelines(f"{line}\n" for line in found.constraints)


def _exit_code(found: Plan) -> int:
    if found.has_errors:  # the report names each failure
        return EXIT_INDEX
    return EXIT_OK if found.outcome == "compile-free" else EXIT_POLICY
