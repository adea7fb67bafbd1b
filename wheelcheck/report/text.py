"""Making untrusted text (names, versions, reasons from an index) safe to show on a terminal."""

from __future__ import annotations

import unicodedata


def printable(text: str) -> str:
    """`text` with control characters (ESC, C0, C1, DEL, bidi overrides) replaced by '?'.

    Index pages are untrusted: a project or file name must not be able to move the cursor,
    change colours or hide text in a terminal.
    """
    return "".join(
        "?" if unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\t" else ch for ch in text
    )
