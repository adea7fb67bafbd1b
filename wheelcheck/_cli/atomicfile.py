"""Files the command line writes for the user (reports, a fixed Dockerfile): whole or not at all.

The text goes to a temporary file beside the destination (the same directory, so the same
file system) and is renamed over it (``os.replace``) once it is complete. An error or an
interruption (Ctrl-C, SIGTERM: see wheelcheck._cli.interrupt) while writing removes the temporary
file and leaves the destination as it was: absent, or the previous whole file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from wheelcheck.errors import InputError

__all__ = ["replacing", "write_file"]


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[TextIO]:
    """A UTF-8 text stream whose content replaces `path` when the block ends normally.

    A new file gets the permissions ``open(path, "w")`` would give it (0o666 less the
    umask); an existing one keeps its own. A symbolic link keeps pointing where it did: the
    file it points to is replaced. A destination that is not a regular file (``/dev/stdout``,
    a named pipe) cannot be replaced, and holds nothing to keep whole: it is written in place.
    """
    target = path.resolve()
    try:
        status: os.stat_result | None = target.stat()
    except FileNotFoundError:
        status = None
    if status is not None and not stat.S_ISREG(status.st_mode):
        with target.open("w", encoding="utf-8") as stream:
            yield stream
        return
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    created = False
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        created = True
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            if status is not None:
                temporary.chmod(stat.S_IMODE(status.st_mode))
            yield stream
        temporary.replace(target)
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                temporary.unlink()
        raise


def write_file(path: Path, write: Callable[[TextIO], object], what: str = "the report") -> None:
    """`write` the text of `what` into `path` through `replacing`; InputError if it fails."""
    try:
        with replacing(path) as stream:
            write(stream)
    except OSError as error:
        raise InputError(f"cannot write {what} to {path}: {error.strerror or error}") from None
