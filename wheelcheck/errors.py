"""wheelcheck's exceptions. Each carries the exit code the CLI maps it to.

Exit codes (documented in README.md and docs/failures.md):
  0  nothing at or above the --fail-on threshold
  1  a finding at or above the threshold (not an exception: the CLI decides from the report)
  2  bad input or usage  -> InputError and subclasses
  3  the index could not be reached or answered with errors -> IndexFault and subclasses
  130  interrupted by SIGINT (Ctrl-C)  -> Interrupted (the console script only)
  143  stopped by SIGTERM              -> Interrupted (the console script only)
"""

from __future__ import annotations

import signal
from collections.abc import Sequence
from dataclasses import dataclass

from wheelcheck._limits import clip_message

EXIT_OK = 0
EXIT_POLICY = 1
EXIT_INPUT = 2
EXIT_INDEX = 3
# A run stopped by a signal exits as shells report a process the signal killed: 128 + its number.
EXIT_INTERRUPTED = 130  # SIGINT
EXIT_TERMINATED = 143  # SIGTERM


class WheelcheckError(Exception):
    """Root of every error wheelcheck raises on purpose; `exit_code` is the CLI's for it.

    Catch it to handle any of them:

    >>> import wheelcheck
    >>> try:
    ...     wheelcheck.check(requirements=["numpy"], targets=["python:2.7-alpine"])
    ... except wheelcheck.WheelcheckError as error:
    ...     print(error.exit_code)
    2
    """

    exit_code: int = EXIT_INPUT


class InputError(WheelcheckError):
    """The user's input (files, options, targets) cannot be used. Exit 2.

    `wheelcheck.check` and `wheelcheck.acheck` raise it before anything is fetched. For the
    input files its message lists every problem, one ``FILE:LINE: message`` a line
    (requirement strings are the lines of ``<string>``):

    >>> import wheelcheck
    >>> try:
    ...     wheelcheck.check(requirements=["numpy==="])
    ... except wheelcheck.InputError as error:
    ...     print(error)
    <string>:1: invalid requirement 'numpy===': ...
    """

    exit_code = EXIT_INPUT


@dataclass(frozen=True, slots=True)
class InputProblem:
    """One problem in one input file, printed as ``FILE:LINE: message``.

    The message is kept to one line of at most `wheelcheck._limits.MAX_MESSAGE_CHARS`: it
    may quote the user's input, which can be anything (a 50 MB line, escape sequences)."""

    file: str
    line: int | None
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", clip_message(self.message))

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


class InvalidInputFiles(InputError):
    """One or more lines of the input files are invalid; all of them are listed."""

    def __init__(self, problems: Sequence[InputProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class InvalidIndexURL(InputError):
    """An index URL that is not an absolute http(s) URL with a host, or an unknown mirror.

    The message is one line: where the value came from (``--index-url``, ``PIP_INDEX_URL``,
    ``pip configuration file /etc/pip.conf``, ...), then the value, already redacted and
    shortened, and what is wrong with it.
    """

    def __init__(self, source: str, message: str) -> None:
        self.source = source
        super().__init__(f"{source}: {message}")


def error_lines(error: WheelcheckError) -> list[str]:
    """What the commands print on stderr for `error`: one ``FILE:LINE: message`` line per
    problem of the input files, else one ``wheelcheck: error: ...`` line, cut to
    `wheelcheck._limits.MAX_MESSAGE_CHARS` (it may quote input: a --target, a setting)."""
    if isinstance(error, InvalidInputFiles):
        return [str(problem) for problem in error.problems]
    return [f"wheelcheck: error: {clip_message(str(error))}"]


class UnknownTarget(InputError):
    """A --target or --arch string that names nothing wheelcheck knows."""


class IndexFault(WheelcheckError):
    """The package index could not be reached or answered with an error. Exit 3.

    `wheelcheck.check` does not raise it: a failed lookup becomes an ``error`` result and
    `Report.has_errors` is true, which the CLI turns into this exit code.

    >>> IndexFault.exit_code
    3
    """

    exit_code = EXIT_INDEX


class ProjectLookupError(IndexFault):
    """Fetching one project's page failed after retries; the check records it as `error`."""

    def __init__(self, project: str, index_url: str, reason: str) -> None:
        self.project = project
        self.index_url = index_url  # already redacted
        self.reason = reason
        super().__init__(f"{project}: {reason} ({index_url})")


class Interrupted(BaseException):
    """SIGINT or SIGTERM stopped the run (raised by the console script's handlers only).

    A BaseException, as KeyboardInterrupt is, so that no ``except Exception`` takes it for a
    failure to recover from; not a KeyboardInterrupt, which click turns into "Aborted!" and
    exit 1, the exit code of a finding.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return EXIT_TERMINATED if self.signum == signal.SIGTERM else EXIT_INTERRUPTED

    def __str__(self) -> str:
        return "terminated" if self.signum == signal.SIGTERM else "interrupted"
