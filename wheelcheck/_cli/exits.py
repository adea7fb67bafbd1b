"""How both commands end: wheelcheck's errors and the outcome of a run as exit codes.

0 nothing at or above --fail-on, 1 a finding at or above it, 2 bad input or usage, 3 the
index could not be reached or answered with errors (see wheelcheck.errors). Lookup failures
win over findings: a report with holes cannot say that nothing fails.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from wheelcheck.errors import EXIT_INDEX, EXIT_OK, EXIT_POLICY, WheelcheckError, error_lines

if TYPE_CHECKING:
    from wheelcheck.models import Report

__all__ = ["error_exit_code", "errors_to_exit_codes", "outcome_exit_code"]


def error_exit_code(error: WheelcheckError, *, said: set[str] | None = None) -> int:
    """Say `error` on stderr (one line, or one per problem of the input files); its exit code.

    Lines in `said` are not said again, and the new ones are added to it: an error several
    inputs share (an unknown --target) is said once."""
    for line in error_lines(error):
        if said is None or line not in said:
            click.echo(line, err=True)
        if said is not None:
            said.add(line)
    return error.exit_code


@contextmanager
def errors_to_exit_codes() -> Iterator[None]:
    """Turn wheelcheck's own errors into their messages and exit codes."""
    try:
        yield
    except WheelcheckError as error:
        sys.exit(error_exit_code(error))


def outcome_exit_code(checks: Iterable[Report], *, failed: bool) -> int:
    """The exit code of a run whose checks are `checks` and whose findings `failed` (some at
    or above --fail-on): EXIT_INDEX, after saying so on stderr, when a lookup failed."""
    from wheelcheck._report.text import lookup_failure_lines

    incomplete = [report for report in checks if report.has_errors]
    for report in incomplete:
        for line in lookup_failure_lines(report):
            click.echo(line, err=True)
    if incomplete:
        return EXIT_INDEX
    return EXIT_POLICY if failed else EXIT_OK
