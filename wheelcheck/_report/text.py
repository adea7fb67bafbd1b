"""Making untrusted text (names, versions, reasons from an index) safe to show on a terminal."""

from __future__ import annotations

import textwrap
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wheelcheck.models import Report


def printable(text: str) -> str:
    """`text` with control characters (ESC, C0, C1, DEL, bidi overrides) replaced by '?'.

    Index pages are untrusted: a project or file name must not be able to move the cursor,
    change colours or hide text in a terminal.
    """
    return "".join(
        "?" if unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\t" else ch for ch in text
    )


MAX_LINE = 200  # no line of the human report is longer


def long_lines(text: str) -> list[str]:
    """A message meant as one line (an error, a note, a finding: something to grep), made
    printable and continued on indented lines only past MAX_LINE characters."""
    wrapped = textwrap.wrap(
        printable(text),
        MAX_LINE,
        subsequent_indent="    ",
        break_long_words=False,  # a URL stays whole
        break_on_hyphens=False,
    )
    return wrapped or [""]


def lookup_failure_lines(report: Report) -> list[str]:
    """The stderr lines of a check whose lookups failed, whatever the report's format: each
    failure not tied to one result (a failing index, once, by name; an incomplete tree),
    then what the report marks."""
    lines = [f"wheelcheck: error: {printable(error)}" for error in report.errors]
    lines.append(
        "wheelcheck: some lookups failed; their results are marked 'error' or 'may be incomplete'"
    )
    return lines
