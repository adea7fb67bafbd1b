"""The dependency arguments of a ``setup.py``, read as a syntax tree and never run.

Only the one ``setup(...)`` call counts, and only arguments written as literals or as
module-level names bound once to literals (and never changed afterwards). Anything else
(a computed list, a file read, ``**kwargs`` that could hold the argument) is "not static".
``ast.parse`` builds the tree without compiling or executing the file.
"""

from __future__ import annotations

import ast
from collections import Counter
from typing import Any

from wheelcheck._metadata.declared import NotStatic

__all__ = ["ARGUMENTS", "setup_py_arguments"]

ARGUMENTS = ("install_requires", "extras_require", "python_requires")
_MUTATORS = frozenset(
    ("append", "extend", "insert", "remove", "pop", "update", "clear", "setdefault", "add")
)
_MAX_DEPTH = 32


def _changed(tree: ast.Module) -> Counter[str]:
    """How often each name is bound, or changed in place, anywhere in the file."""
    counts: Counter[str] = Counter()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            counts[node.id] += 1
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            counts[node.name] += 1
        elif isinstance(node, ast.alias):
            counts[(node.asname or node.name).split(".")[0]] += 1
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            counts[node.value.id] += node.attr in _MUTATORS
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            counts[node.value.id] += not isinstance(node.ctx, ast.Load)
    return counts


def _module_literals(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level ``NAME = value`` bindings of names bound nowhere else."""
    counts = _changed(tree)
    bound: dict[str, ast.expr] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name) and counts[target.id] == 1:
                bound[target.id] = statement.value
    return bound


def _literal(node: ast.expr, names: dict[str, ast.expr], depth: int = 0) -> Any:
    """The value of a literal made of constants, lists, tuples, dicts and bound names."""
    if depth > _MAX_DEPTH:
        raise NotStatic("setup.py nests its arguments too deeply")
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float | bool):
        return node.value
    if isinstance(node, ast.Name) and node.id in names:
        return _literal(names[node.id], names, depth + 1)
    if isinstance(node, ast.List | ast.Tuple):
        return [_literal(element, names, depth + 1) for element in node.elts]
    if isinstance(node, ast.Dict) and None not in node.keys:
        return {
            _literal(key, names, depth + 1): _literal(value, names, depth + 1)
            for key, value in zip(node.keys, node.values, strict=True)
            if key is not None
        }
    raise NotStatic(f"setup.py computes it ({type(node).__name__} at line {node.lineno})")


def _is_setup(function: ast.expr) -> bool:
    if isinstance(function, ast.Name):
        return function.id == "setup"
    return isinstance(function, ast.Attribute) and function.attr == "setup"


def setup_py_arguments(text: bytes) -> dict[str, Any]:
    """The :data:`ARGUMENTS` the one ``setup()`` call passes, as Python values.

    Raises NotStatic when setup.py does not parse, calls setup() other than once, or passes
    one of them in a form that only running it would tell.
    """
    try:
        tree = ast.parse(text, filename="setup.py")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        raise NotStatic(f"setup.py does not parse ({type(error).__name__})") from error
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _is_setup(n.func)]
    if len(calls) != 1:
        raise NotStatic(f"setup.py calls setup() {len(calls)} times, not once")
    names = _module_literals(tree)
    given = {k.arg: k.value for k in calls[0].keywords if k.arg in ARGUMENTS}
    unnamed = {"install_requires", "extras_require"} - given.keys()
    if any(k.arg is None for k in calls[0].keywords) and unnamed:
        raise NotStatic("setup.py passes **kwargs to setup(), which could hold the dependencies")
    found: dict[str, Any] = {}
    for key, node in given.items():
        try:
            found[key] = _literal(node, names)
        except NotStatic as error:
            raise NotStatic(f"{key}: {error}") from None
    return found
