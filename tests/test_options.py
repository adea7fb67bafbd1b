"""The option table (wheelcheck.options): every option is accepted where the table says, by
both commands where it applies, and its help and default come from the table."""

from __future__ import annotations

import dataclasses
from typing import get_type_hints

import pytest

import wheelcheck
from wheelcheck.options import CheckOptions, CheckOverrides

# -- the library's keyword overrides ---------------------------------------------------------


def test_the_keyword_overrides_are_the_fields_of_check_options() -> None:
    """check(..., **overrides) is typed by CheckOverrides: it must name every field of
    CheckOptions, with the same type."""
    fields = {f.name for f in dataclasses.fields(CheckOptions)}
    assert set(CheckOverrides.__annotations__) == fields
    assert get_type_hints(CheckOverrides) == get_type_hints(CheckOptions)
    assert CheckOverrides.__required_keys__ == frozenset()


def test_an_unknown_keyword_override_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"unknown check option\(s\): timout"):
        wheelcheck.check(requirements=["six"], timout=3)  # type: ignore[call-arg]
