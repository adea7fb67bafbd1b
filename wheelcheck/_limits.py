"""Caps on what wheelcheck reads from the user, and how much of it a message may quote.

Input is read whole, parsed and quoted back in error messages; without caps a file of one
50 MB line is parsed for minutes and echoed whole to stderr. Each cap is generous for real
files (documented in docs/failures.md): past it, reading stops and the
input is refused with one ``FILE:LINE`` error (exit 2) quoting the start of the line.

- requirements files (each ``-r``/``-c`` include too, and stdin): `MAX_REQUIREMENTS_BYTES`;
  the largest pip-compile output with hashes seen in practice is a few MB;
- TOML input (pyproject.toml, pylock.toml, uv.lock, poetry.lock, the configuration file):
  `MAX_TOML_BYTES`; lockfiles list every wheel of every pin, so they are larger;
- Dockerfiles: `MAX_DOCKERFILE_BYTES`;
- one line of a requirements file, continuation lines joined (a pin with all its ``--hash``
  options is one line), or of a Dockerfile: `MAX_LINE_CHARS`, about 1,500 sha256 hashes;
- a project page from an index: wheelcheck._index.client.DEFAULT_MAX_PAGE_BYTES (64 MiB).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "MAX_DOCKERFILE_BYTES",
    "MAX_LINE_CHARS",
    "MAX_MESSAGE_CHARS",
    "MAX_QUOTE_CHARS",
    "MAX_REQUIREMENTS_BYTES",
    "MAX_TOML_BYTES",
    "clip",
    "clip_message",
    "describe_size",
    "long_line",
    "over_file_cap",
]

MiB = 1024 * 1024
MAX_REQUIREMENTS_BYTES = 16 * MiB
MAX_TOML_BYTES = 32 * MiB
MAX_DOCKERFILE_BYTES = 1 * MiB
MAX_LINE_CHARS = 128 * 1024
# How much of the user's text one message quotes, and how long one message may get.
MAX_QUOTE_CHARS = 200
MAX_MESSAGE_CHARS = 600
ELLIPSIS = "..."
# A quoted text longer than MAX_QUOTE_CHARS (a match starts only at a quote: linear time).
_LONG_QUOTE = re.compile(rf"""(['"])((?:(?!\1).){{{MAX_QUOTE_CHARS + 1},}})\1""")


def clip(text: str, limit: int = MAX_QUOTE_CHARS) -> str:
    """`text` to quote in a message: on one line (control characters, line breaks included,
    become '?'), and cut to `limit` characters followed by an ellipsis when longer.

    >>> clip("numpy" * 100, 12)
    'numpynumpynu...'
    """
    cut = text[:limit]
    safe = "".join("?" if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in cut)
    return safe + ELLIPSIS if len(text) > limit else safe


def clip_message(message: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """A whole message on one line, every quoted text in it (``'...'`` or ``"..."``) cut to
    `MAX_QUOTE_CHARS`, the whole cut in the middle when still longer than `limit`, so that
    both its start (where and what) and its end (why) stay; the last guard for messages that
    quote the user's input without `clip`."""
    message = _LONG_QUOTE.sub(lambda m: m[1] + clip(m[2]) + m[1], message)
    if len(message) <= limit:
        return clip(message, limit)
    head = limit * 2 // 3
    tail = limit - head - len(ELLIPSIS)
    return clip(message[:head], head) + ELLIPSIS + clip(message[-tail:], tail)


def describe_size(count: int, unit: str = "bytes") -> str:
    """``16 MiB`` for a whole number of MiB, else ``131,072 characters``."""
    if unit == "bytes" and count % MiB == 0:
        return f"{count // MiB} MiB"
    return f"{count:,} {unit}"


def long_line(length: int, text: str) -> str:
    """The message for a line over `MAX_LINE_CHARS`, quoting its start."""
    return (
        f"line of {length:,} characters is over the cap of {MAX_LINE_CHARS:,} characters: "
        f"'{clip(text)}'"
    )


def over_file_cap(data: bytes, limit: int, what: str) -> tuple[int, str]:
    """(line, message) for a file whose first `limit` bytes are `data` and that goes on:
    the line where the cap is reached, and a message quoting that line's start."""
    head = data[:limit]
    line = head.count(b"\n") + 1
    start = head.rfind(b"\n") + 1
    text = head[start : start + MAX_QUOTE_CHARS * 4].decode("utf-8", "replace")
    message = f"file is over the cap of {describe_size(limit)} for {what}; reading stopped here"
    return line, f"{message}: '{clip(text[:MAX_QUOTE_CHARS])}{ELLIPSIS}'"
