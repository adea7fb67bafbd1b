"""Dependencies from the ``*.egg-info/requires.txt`` that setuptools put in an sdist.

setuptools writes requires.txt when it builds the sdist: the install requirements first,
then one ``[extra]``, ``[:marker]`` or ``[extra:marker]`` section per group
(https://setuptools.pypa.io/en/latest/deprecated/python_eggs.html#requires-txt). It writes
none for a project without dependencies, so an egg-info directory without one is an answer
too. What setup.py computed on the machine that built the sdist is what is declared; a build
elsewhere could compute otherwise.
"""

from __future__ import annotations

from packaging.requirements import Requirement

from wheelcheck._metadata.declared import Found, NotStatic, section_requirements
from wheelcheck.models import Provenance

__all__ = ["requires_txt"]


def _sections(text: str) -> dict[str, list[str]]:
    """Lines per section; the lines before any header are the section ``""``."""
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            sections.setdefault(current, [])
        else:
            sections[current].append(line)
    return sections


def requires_txt(egg_info: str, text: bytes | None, requires_python: str | None) -> Found:
    """The dependencies in `egg_info`'s requires.txt (`text`; None when it has none)."""
    where = f"{egg_info}/requires.txt"
    if text is None:
        # setuptools writes requires.txt only for a project with dependencies.
        evidence = f"{egg_info} (no requires.txt: none)"
        return Found((), requires_python, (), evidence, Provenance.EGG_INFO)
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotStatic(f"{where} is not UTF-8") from error
    requires: list[Requirement] = []
    extras: list[str] = []
    for key, lines in _sections(decoded).items():
        found, extra = section_requirements(key, lines, where)
        requires += found
        if extra is not None:
            extras.append(extra)
    evidence = where
    return Found(
        tuple(requires),
        requires_python,
        tuple(dict.fromkeys(extras)),
        evidence,
        Provenance.EGG_INFO,
    )
