"""Targets a declared Python range leaves out: a lock's installer refuses such a Python.

``uv sync`` and ``poetry install`` stop on a Python outside the lock's ``requires-python``
("3.12.1 is not supported by the project"); pip refuses a project whose requires-python
excludes it. Judging such a target would answer a question no installer asks, so it is
not judged, and the report says why; when no target is left, that is an input error.
"""

from __future__ import annotations

from collections.abc import Sequence

from wheelcheck._judge.images import load_table
from wheelcheck._sources.python_range import PythonRange
from wheelcheck.errors import InputProblem, InvalidInputFiles
from wheelcheck.models import Target


def within_python(
    targets: Sequence[Target], ranges: Sequence[PythonRange]
) -> tuple[tuple[Target, ...], list[str]]:
    """The targets every range admits, and one note per range that left some out.

    Raises InvalidInputFiles (exit 2) naming the file, line and range when none is left,
    with a ``--python`` every range admits when the image table has one.
    """
    kept = list(targets)
    notes: list[str] = []
    for python in ranges:
        if not python.alternatives:
            notes.append(
                f"{python.file}: requires-python {python.text!r} could not be read; no target "
                "is left out for it"
            )
            continue
        outside = [t for t in kept if not python.admits(t.python_full_version)]
        if not outside:
            continue
        kept = [t for t in kept if t not in outside]
        notes.append(
            f"{python.file}: requires-python {python.text} excludes "
            f"{', '.join(t.id for t in outside)}: not judged (its installer refuses that "
            "Python)"
        )
        if not kept:
            raise InvalidInputFiles(
                [InputProblem(python.file, python.line, _none_left(python, ranges, outside))]
            )
    return tuple(kept), notes


def _none_left(
    python: PythonRange, ranges: Sequence[PythonRange], outside: Sequence[Target]
) -> str:
    pythons = ", ".join(dict.fromkeys(t.python_full_version for t in outside))
    message = f"requires-python {python.text} admits none of the targets (Python {pythons})"
    table = load_table()
    admitted = [
        minor
        for minor, patch in sorted(table.current.items(), key=lambda item: item[1])
        if all(r.admits(str(patch)) for r in ranges if r.alternatives)
    ]
    if admitted:
        return f"{message}; check a Python it admits, e.g. --python {admitted[0]}"
    return f"{message}; no Python image wheelcheck knows is inside it"
