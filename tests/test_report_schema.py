"""The JSON report, its Python types and its shipped JSON Schema agree.

wheelcheck/schema/report.schema.json is written by hand, for its prose; `Report.to_dict()`
is made from the dataclasses' typed fields. The test holds the schema to those types in both
directions: every key the report writes is in the schema with the same type and enum, and
the schema names no key the report does not write. The documents themselves are validated
against the schema in test_check.py and test_report_formats.py, and an advised report reads
back from its JSON in test_cache.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from wheelcheck.models import (
    _JSON,
    BuildNeeds,
    Libc,
    PackageResult,
    Recommendation,
    Report,
    Target,
    TargetResult,
    Verdict,
)

SCHEMA = Path(__file__).resolve().parent.parent / "wheelcheck" / "schema" / "report.schema.json"
# What a schema admits; the rest (description, required, pattern, ...) is prose or extra.
STRUCTURE = ("type", "enum", "const", "items", "properties", "additionalProperties")


def structure(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The part of `schema` that the types decide."""
    kept: dict[str, Any] = {}
    for key in STRUCTURE:
        if key not in schema:
            continue
        value = schema[key]
        if key == "enum":
            value = sorted(value, key=repr)  # an enum's order means nothing
        elif key in ("items", "additionalProperties"):
            value = structure(value)
        elif key == "properties":
            value = {name: structure(item) for name, item in value.items()}
        kept[key] = value
    return kept


def differences(shipped: Any, typed: Any, path: str = "$") -> list[str]:
    """Where the two structures disagree, as JSON paths, for a readable failure."""
    if isinstance(shipped, dict) and isinstance(typed, dict):
        found: list[str] = []
        for key in sorted(set(shipped) | set(typed)):
            if key not in typed:
                found.append(f"{path}.{key}: in the schema, not written by the report")
            elif key not in shipped:
                found.append(f"{path}.{key}: written by the report, not in the schema")
            else:
                found += differences(shipped[key], typed[key], f"{path}.{key}")
        return found
    return [] if shipped == typed else [f"{path}: schema {shipped!r}, types {typed!r}"]


def test_the_shipped_schema_has_every_key_of_the_report_with_its_type_and_enum() -> None:
    shipped = structure(json.loads(SCHEMA.read_text(encoding="utf-8")))
    typed = structure(_JSON.schema(Report))
    assert differences(shipped, typed) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("scope",), "everything"),
        (("targets", 0, "variant"), "distroless"),
        (("targets", 0, "libc"), "bionic"),
        (("packages", 0, "results", "t", "verdict"), "maybe"),
        (("packages", 0, "results", "t", "build", "kind"), "magic"),
        (("packages", 0, "results", "t", "build", "package_manager"), "yum"),
    ],
)
def test_a_report_with_a_value_outside_an_enum_is_not_read_back(
    path: tuple[str | int, ...], value: str
) -> None:
    target = Target("t", (3, 12), "3.12.8", Libc.MUSL, (1, 2), "x86_64", variant="alpine")
    build = BuildNeeds("native", "ext_modules", package_manager="apk")
    result = TargetResult(Verdict.SOURCE, "no wheel", build=build)
    package = PackageResult("p", "p", None, {"t": result})
    report = Report((target,), (package,), Recommendation(None, ()), (), scope="tree")
    document = report.to_dict()
    assert Report.from_dict(document) == report
    inner: Any = document
    for step in path[:-1]:
        inner = inner[step]
    inner[path[-1]] = value
    with pytest.raises(ValueError, match=repr(value)):
        Report.from_dict(document)
