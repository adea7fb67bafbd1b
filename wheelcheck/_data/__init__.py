"""The tables wheelcheck ships, read in one place: base images, build dependencies, sizes,
the option table.

Maintainers and the scripts in scripts/ edit them in the repository's top-level ``data/``
folder; a wheel carries them here, beside this module (pyproject.toml force-includes
``data`` as ``wheelcheck/_data``). Every row of the JSON tables names its source as a URL.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar, get_type_hints


class _Dataclass(Protocol):
    __dataclass_fields__: ClassVar[dict[str, Any]]


D = TypeVar("D", bound=_Dataclass)

# A source checkout (an editable install) reads the repository's own data/ folder.
_CHECKOUT_DATA = Path(__file__).resolve().parents[2] / "data"


@functools.cache
def read_text(name: str) -> str:
    """The text of the shipped table `name` (``"base-images.json"``).

    Raises OSError when no such table is shipped.
    """
    shipped = resources.files(__name__).joinpath(name)
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    return (_CHECKOUT_DATA / name).read_text(encoding="utf-8")


def names() -> list[str]:
    """The names of the shipped tables, sorted."""
    shipped = [f.name for f in resources.files(__name__).iterdir() if f.name.endswith(".json")]
    return sorted(shipped or (p.name for p in _CHECKOUT_DATA.glob("*.json")))


def read_json(name: str) -> Any:
    """The parsed JSON table `name`; raises OSError (missing) or ValueError (not JSON)."""
    return json.loads(read_text(name))


@functools.cache
def read_toml(name: str) -> dict[str, Any]:
    """The parsed TOML table `name` (``"options.toml"``), shared: callers must not change it.
    Raises OSError (missing) or tomllib.TOMLDecodeError (not TOML)."""
    return tomllib.loads(read_text(name))


def read_row(cls: type[D], row: Mapping[str, Any], **given: Any) -> D:
    """`cls`, a dataclass, from one row of a shipped table: each field that is not `given`
    is the row's key of the same name, passed through the field's class (``str``, ``float``,
    ``SpecifierSet``: one that takes the JSON value). Raises KeyError for a missing key."""
    hints = get_type_hints(cls)
    names = [field.name for field in dataclasses.fields(cls)]
    return cls(**{name: given[name] if name in given else hints[name](row[name]) for name in names})
