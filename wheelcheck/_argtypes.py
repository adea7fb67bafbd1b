"""Checks of the library's arguments against their annotations, for callers mypy does not see.

A string where a list of strings belongs would be read one character at a time (``targets=
"python:3.12-slim"`` as the targets ``p``, ``y``, ...), and a number where a string belongs
would be dropped or fail deep inside the check: both are refused at the door, naming the
argument, as Python's own functions refuse a wrong type. A leaf: it knows the annotation
forms the library's signatures use (classes, ``X | None``, ``Sequence[X]``, ``Mapping[K,
V]``, ``Any``) and nothing of wheelcheck.
"""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from typing import Any, Union, get_args, get_origin

__all__ = ["require_type"]


def require_type(name: str, value: object, annotation: Any) -> None:
    """Raise TypeError naming `name` when `value` does not fit `annotation`."""
    problem = _problem(value, annotation)
    if problem is not None:
        raise TypeError(f"{name}: {problem}")


def _problem(value: object, annotation: Any) -> str | None:
    """Why `value` does not fit `annotation`, or None when it does."""
    origin = get_origin(annotation)
    if annotation is Any:
        return None
    if origin in (Union, types.UnionType):
        arms = get_args(annotation)
        problems = [_problem(value, arm) for arm in arms]
        if None in problems:
            return None
        others = [p for arm, p in zip(arms, problems, strict=True) if arm is not type(None)]
        if len(others) == 1:  # X | None given an X that is wrong inside: say what is wrong
            return others[0]
        return f"expected {_name(annotation)}, got {type(value).__name__}"
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping):
        return _mapping_problem(value, annotation)
    if origin is not None and isinstance(origin, type) and issubclass(origin, Sequence):
        return _sequence_problem(value, annotation)
    return _plain_problem(value, annotation)


def _plain_problem(value: object, annotation: Any) -> str | None:
    if annotation is None or annotation is type(None):
        return None if value is None else f"expected None, got {type(value).__name__}"
    if annotation is bool:
        fits = isinstance(value, bool)
    elif annotation in (int, float):  # bool is an int to isinstance, but not a number here
        numbers = (int,) if annotation is int else (int, float)  # PEP 484: an int is a float
        fits = isinstance(value, numbers) and not isinstance(value, bool)
    else:
        fits = isinstance(value, annotation)
    return None if fits else f"expected {_name(annotation)}, got {type(value).__name__}"


def _sequence_problem(value: object, annotation: Any) -> str | None:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        return f"expected a list of {_name(get_args(annotation)[0])}, got {type(value).__name__}"
    (item,) = get_args(annotation)[:1]
    for index, element in enumerate(value):
        problem = _problem(element, item)
        if problem is not None:
            return f"item {index}: {problem}"
    return None


def _mapping_problem(value: object, annotation: Any) -> str | None:
    if not isinstance(value, Mapping):
        return f"expected a mapping, got {type(value).__name__}"
    key_type, value_type = get_args(annotation)
    for key, element in value.items():
        problem = _problem(key, key_type) or _problem(element, value_type)
        if problem is not None:
            return f"entry {key!r}: {problem}"
    return None


def _name(annotation: Any) -> str:
    if get_origin(annotation) in (Union, types.UnionType):
        return " or ".join(_name(arm) for arm in get_args(annotation))
    if annotation is type(None):
        return "None"
    return getattr(annotation, "__name__", str(annotation))
