"""The library's public API: exactly the names of `wheelcheck.__all__`, each documented.

`dir(wheelcheck)` lists them before any is imported (they load lazily), `from wheelcheck
import *` gives them all, and the examples in the docstrings run.
"""

from __future__ import annotations

import dataclasses
import doctest
import importlib
import inspect
import json
import subprocess
import sys
import typing

import pytest

import wheelcheck


def report_classes() -> set[str]:
    """The classes a Report holds, through its fields: a caller reads and may build them."""
    found: set[type] = set()

    def visit(annotation: object) -> None:
        for argument in typing.get_args(annotation):
            visit(argument)
        if not isinstance(annotation, type) or annotation in found:
            return
        if annotation.__module__ != "wheelcheck.models":
            return
        found.add(annotation)
        if dataclasses.is_dataclass(annotation):
            for hint in typing.get_type_hints(annotation).values():
                visit(hint)

    visit(wheelcheck.Report)
    visit(wheelcheck.Plan)
    return {cls.__name__ for cls in found}


def test_dir_lists_exactly_the_public_names_before_any_is_imported() -> None:
    script = (
        "import json, sys, wheelcheck\n"
        "names = dir(wheelcheck)\n"
        "print(json.dumps([names, wheelcheck.__all__, 'wheelcheck.models' in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    names, exported, models_imported = json.loads(done.stdout)
    assert not models_imported  # listing the names imports nothing
    assert set(exported) <= set(names)
    assert {name for name in names if not name.startswith("_")} == set(exported) - {"__version__"}


def test_all_names_the_report_classes_functions_and_errors_and_not_distfile() -> None:
    assert set(wheelcheck.__all__) == report_classes() | {
        "CheckOptions",
        "IndexFault",
        "InputError",
        "WheelcheckError",
        "__version__",
        "PlanChoices",
        "acheck",
        "aplan",
        "check",
        "plan",
    }
    with pytest.raises(AttributeError):
        wheelcheck.DistFile  # noqa: B018
    from wheelcheck.models import DistFile  # still there for the package's own use

    assert DistFile.__name__ == "DistFile"


def test_star_import_gives_every_public_name() -> None:
    namespace: dict[str, object] = {}
    exec("from wheelcheck import *", namespace)
    assert set(wheelcheck.__all__) <= set(namespace)


@pytest.mark.parametrize(
    "name",
    # CheckOptions: documented with its option table, wheelcheck/options.py (issue 14)
    sorted(set(wheelcheck.__all__) - {"__version__", "CheckOptions"}),
)
def test_every_public_name_has_a_docstring_with_an_example(name: str) -> None:
    doc = inspect.getdoc(getattr(wheelcheck, name)) or ""
    assert ">>>" in doc, f"wheelcheck.{name} has no example"


@pytest.mark.parametrize("module", ["wheelcheck.models", "wheelcheck.errors"])
def test_the_examples_in_the_docstrings_run(module: str) -> None:
    results = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert results.attempted and not results.failed


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        # a string where a list belongs would be read one character at a time
        ({"requirements": "flask"}, "requirements: expected a list of str, got str"),
        ({"targets": "python:3.12-slim"}, "targets: expected a list of str or Target, got str"),
        ({"targets": [3]}, "targets: item 0: expected str or Target, got int"),
        ({"requirements": [b"flask"]}, "requirements: item 0: expected str, got bytes"),
        ({"timeout": "30"}, "timeout: expected float, got str"),
        ({"retries": True}, "retries: expected int, got bool"),
        ({"environ": {"PIP_INDEX_URL": 1}}, "environ: entry 'PIP_INDEX_URL': expected str"),
    ],
)
def test_a_wrong_argument_type_is_refused_by_name(
    arguments: dict[str, object], message: str
) -> None:
    arguments = {"requirements": ["flask"], "offline": True, **arguments}
    with pytest.raises(TypeError, match=message):
        wheelcheck.check(**arguments)  # type: ignore[arg-type]


def test_options_with_a_wrong_type_are_refused_when_made() -> None:
    with pytest.raises(TypeError, match="arches: expected a list of str, got str"):
        wheelcheck.CheckOptions(arches="arm64")  # type: ignore[arg-type]
    assert wheelcheck.CheckOptions(timeout=5, arches=("arm64",)).timeout == 5  # int is a float
