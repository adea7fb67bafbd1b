"""The value types of the option table: how one setting is written on the command line, in
``[tool.wheelcheck]`` and in a ``WHEELCHECK_*`` variable, and read back typed.

Each type parses the file's TOML value and the variable's text into the same typed value the
command line gives, and checks a value it is handed (click's, a default) without trusting it:
so every setting comes back typed, whatever its source. A bad value raises ValueError with
the message the reader puts after the key or the variable.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

__all__ = [
    "VALUE_TYPES",
    "CertFile",
    "Choice",
    "Count",
    "EnumChoice",
    "Flag",
    "Ignores",
    "IndexURL",
    "IndexURLs",
    "Integer",
    "MirrorName",
    "Number",
    "PathValue",
    "RedactedValueError",
    "Strings",
    "Text",
    "ValueType",
]

T_co = TypeVar("T_co", covariant=True)
E = TypeVar("E", bound=Enum)
N = TypeVar("N", int, float)

_LIST_SEPARATORS = re.compile(r"[\s,]+")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class RedactedValueError(ValueError):
    """A bad value whose message already quotes it safely (an index URL, its password
    hidden): the reader must not quote the raw value again."""


class ValueType(ABC, Generic[T_co]):
    """One kind of setting value."""

    # What the configuration reference says the value is, where it is the same for every
    # value of the kind (else `describe` says it), and the click.option arguments that give
    # the kind on the command line, where they need nothing of the value (else `click`).
    description: ClassVar[str] = "string"
    click_arguments: ClassVar[Mapping[str, Any]] = {}

    def describe(self) -> str:
        """What the configuration reference says the value is."""
        return self.description

    @abstractmethod
    def from_toml(self, raw: object) -> T_co:
        """The value of a ``[tool.wheelcheck]`` key."""

    @abstractmethod
    def from_env(self, text: str) -> T_co:
        """The value of a ``WHEELCHECK_*`` variable, already stripped and not empty."""

    @abstractmethod
    def check(self, value: object) -> T_co:
        """`value` (from click, or a default) as this type; TypeError when it is not."""

    def click(self) -> dict[str, Any]:
        """The click.option arguments that give this type on the command line."""
        return dict(self.click_arguments)

    def click_default(self, default: object) -> object:
        """`default` as click shows and parses it."""
        return default


def _wrong(value: object, wanted: str) -> TypeError:
    return TypeError(f"expected {wanted}, not {value!r}")


@dataclass(frozen=True, slots=True)
class Text(ValueType[str]):
    def from_toml(self, raw: object) -> str:
        if not isinstance(raw, str):
            raise ValueError(f'expected a string, such as "3.12", not {raw!r}')
        return self.checked(raw)

    def from_env(self, text: str) -> str:
        return self.checked(text)

    def checked(self, text: str) -> str:
        """`text` when it can be used (subclasses check more)."""
        return text

    def check(self, value: object) -> str:
        if not isinstance(value, str):
            raise _wrong(value, "a string")
        return value


@dataclass(frozen=True, slots=True)
class IndexURL(Text):
    """An index URL, checked where its source is known, so a typo fails naming the file
    line or the variable."""

    description = "URL"

    def checked(self, text: str) -> str:
        _check_index_url(text)
        return text


@dataclass(frozen=True, slots=True)
class MirrorName(Text):
    description = "mirror name"

    def checked(self, text: str) -> str:
        # Imported here: the index package is not needed to read the other settings.
        from wheelcheck._index.config import mirror_url
        from wheelcheck.errors import InvalidIndexURL

        try:
            mirror_url(text)
        except InvalidIndexURL as error:
            raise RedactedValueError(str(error).removeprefix(f"{error.source}: ")) from None
        return text


def _check_index_url(url: str) -> None:
    from wheelcheck._urls import index_url_problem, quote_url

    problem = index_url_problem(url)
    if problem is not None:
        raise RedactedValueError(f"{quote_url(url)} {problem}")


@dataclass(frozen=True, slots=True)
class Choice(ValueType[str]):
    choices: tuple[str, ...]

    def describe(self) -> str:
        return "one of " + ", ".join(f"`{c}`" for c in self.choices)

    def from_toml(self, raw: object) -> str:
        if not isinstance(raw, str) or raw not in self.choices:
            raise ValueError(f"expected one of {', '.join(self.choices)}, not {raw!r}")
        return raw

    def from_env(self, text: str) -> str:
        if text not in self.choices:
            raise ValueError(f"expected one of {', '.join(self.choices)}")
        return text

    def check(self, value: object) -> str:
        if not isinstance(value, str) or value not in self.choices:
            raise _wrong(value, f"one of {', '.join(self.choices)}")
        return value

    def click(self) -> dict[str, Any]:
        import click

        return {"type": click.Choice(list(self.choices))}


@dataclass(frozen=True, slots=True)
class EnumChoice(ValueType[E]):
    """One of the values of a string enum (the report formats), given as its value."""

    enum: type[E]

    @property
    def names(self) -> Choice:
        return Choice(tuple(str(member.value) for member in self.enum))

    def describe(self) -> str:
        return self.names.describe()

    def from_toml(self, raw: object) -> E:
        return self.enum(self.names.from_toml(raw))

    def from_env(self, text: str) -> E:
        return self.enum(self.names.from_env(text))

    def check(self, value: object) -> E:
        if isinstance(value, self.enum):
            return value
        return self.enum(self.names.check(value))

    def click(self) -> dict[str, Any]:
        return self.names.click()

    def click_default(self, default: object) -> object:
        return default.value if isinstance(default, self.enum) else default


@dataclass(frozen=True, slots=True)
class Strings(ValueType[tuple[str, ...]]):
    """A list: repeated on the command line, a string or a list of strings in the file,
    separated by spaces or commas in a variable."""

    description = "list"
    click_arguments: ClassVar[Mapping[str, Any]] = {"multiple": True}

    def from_toml(self, raw: object) -> tuple[str, ...]:
        if isinstance(raw, str):
            return self.checked((raw,))
        if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
            return self.checked(tuple(raw))
        raise ValueError("expected a string or a list of strings")

    def from_env(self, text: str) -> tuple[str, ...]:
        return self.checked(tuple(item for item in _LIST_SEPARATORS.split(text) if item))

    def checked(self, items: tuple[str, ...]) -> tuple[str, ...]:
        """`items` when they can be used (subclasses check more)."""
        return items

    def check(self, value: object) -> tuple[str, ...]:
        if not isinstance(value, tuple | list):
            raise _wrong(value, "a list of strings")
        items = tuple(value)
        for item in items:
            if not isinstance(item, str):
                raise _wrong(item, "a string")
        return items


@dataclass(frozen=True, slots=True)
class IndexURLs(Strings):
    description = "list of URLs"

    def checked(self, items: tuple[str, ...]) -> tuple[str, ...]:
        for url in items:
            _check_index_url(url)
        return items


@dataclass(frozen=True, slots=True)
class Ignores(Strings):
    """``NAME[:REASON]`` items: a list or a table ``NAME = "REASON"`` in the file, one per
    line in a variable (a line without a reason may list several names)."""

    description = 'list of `NAME[:REASON]` or a table `NAME = "REASON"`'

    def from_toml(self, raw: object) -> tuple[str, ...]:
        if isinstance(raw, dict):
            if not all(isinstance(v, str) for v in raw.values()):
                raise ValueError("expected a table of NAME = REASON strings")
            return tuple(f"{k}:{v}" if v else str(k) for k, v in raw.items())
        if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
            return tuple(raw)
        raise ValueError('expected a list of "NAME[:REASON]" or a table of NAME = REASON')

    def from_env(self, text: str) -> tuple[str, ...]:
        items: list[str] = []
        for line in text.splitlines():
            if ":" in line:
                items.append(line.strip())
            else:
                items.extend(item for item in _LIST_SEPARATORS.split(line) if item)
        return tuple(items)


@dataclass(frozen=True, slots=True)
class Flag(ValueType[bool]):
    description = "boolean"
    click_arguments: ClassVar[Mapping[str, Any]] = {"is_flag": True}

    def from_toml(self, raw: object) -> bool:
        if not isinstance(raw, bool):
            raise ValueError(f"expected true or false, not {raw!r}")
        return raw

    def from_env(self, text: str) -> bool:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError("expected 1/true/yes/on or 0/false/no/off")

    def check(self, value: object) -> bool:
        if not isinstance(value, bool):
            raise _wrong(value, "true or false")
        return value


@dataclass(frozen=True, slots=True)
class Count(ValueType[int]):
    """A flag given more than once for more (``-vv``): 0 to `high`; in the file and the
    environment a number, or true/false for 1/0 as when it was a plain flag."""

    high: int
    click_arguments: ClassVar[Mapping[str, Any]] = {"count": True}

    def describe(self) -> str:
        return f"integer, 0 to {self.high} (true: 1)"

    def from_toml(self, raw: object) -> int:
        if isinstance(raw, bool):
            return int(raw)
        if not isinstance(raw, int):
            raise ValueError(f"expected true, false or 0 to {self.high}, not {raw!r}")
        _in_range(raw, 0, self.high, False)
        return raw

    def from_env(self, text: str) -> int:
        if text.lower() in _TRUE | _FALSE:
            return int(text.lower() in _TRUE)
        value = _parsed(text, int, f"1/true/yes/on, 0/false/no/off or 0 to {self.high}")
        _in_range(value, 0, self.high, False)
        return value

    def check(self, value: object) -> int:
        if isinstance(value, bool):
            return int(value)
        if not isinstance(value, int):
            raise _wrong(value, "a count")
        return min(value, self.high)


def _in_range(value: float, low: float, high: float | None, low_open: bool) -> None:
    """The ranges the command line enforces, for the same settings from the file or the
    environment."""
    inside = (value > low if low_open else value >= low) and (high is None or value <= high)
    if inside:
        return
    if high is not None:
        wanted = f"{low:g} to {high:g}"
    else:
        wanted = f"a number above {low:g}" if low_open else f"a number of at least {low:g}"
    raise ValueError(f"expected {wanted}, not {value!r}")


def _number_range(*, min: float, min_open: bool) -> Any:
    """click's FloatRange, refusing NaN too (every comparison with NaN is false, so a range
    lets it through; the environment and the file refuse it already)."""
    import click

    class _NumberRange(click.FloatRange):
        def convert(self, value: Any, param: Any, ctx: Any) -> Any:
            number = super().convert(value, param, ctx)
            if math.isnan(number):
                self.fail("expected a number, not nan", param, ctx)
            return number

    return _NumberRange(min=min, min_open=min_open)


def _parsed(text: str, convert: Callable[[str], N], what: str) -> N:
    """`convert(text)`; a ValueError that says what was expected (not Python's own)."""
    try:
        return convert(text)
    except ValueError:
        raise ValueError(f"expected {what}") from None


@dataclass(frozen=True, slots=True)
class Integer(ValueType[int]):
    low: int
    high: int

    def describe(self) -> str:
        return f"integer, {self.low} to {self.high}"

    def from_toml(self, raw: object) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError(f"expected an integer, not {raw!r}")
        _in_range(raw, self.low, self.high, False)
        return raw

    def from_env(self, text: str) -> int:
        value = _parsed(text, int, "an integer")
        _in_range(value, self.low, self.high, False)
        return value

    def check(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _wrong(value, "an integer")
        return value

    def click(self) -> dict[str, Any]:
        import click

        return {"type": click.IntRange(self.low, self.high)}


@dataclass(frozen=True, slots=True)
class Number(ValueType[float]):
    low: float
    low_open: bool = False  # the lowest value itself excluded

    def describe(self) -> str:
        return f"number above {self.low:g}" if self.low_open else f"number, {self.low:g} or more"

    def from_toml(self, raw: object) -> float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ValueError(f"expected a number, not {raw!r}")
        value = float(raw)
        _in_range(value, self.low, None, self.low_open)
        return value

    def from_env(self, text: str) -> float:
        value = _parsed(text, float, "a number")
        _in_range(value, self.low, None, self.low_open)
        return value

    def check(self, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _wrong(value, "a number")
        return float(value)

    def click(self) -> dict[str, Any]:

        return {"type": _number_range(min=self.low, min_open=self.low_open)}


@dataclass(frozen=True, slots=True)
class PathValue(ValueType[Path]):
    """A file or directory name, relative to the working directory. The command line checks
    what it names (`file_okay`, `dir_okay`, `exists`); from the file or a variable it is
    checked where it is used, which names its source (the cache directory, for one, is
    refused only when the cache is used)."""

    file_okay: bool = True
    dir_okay: bool = True
    exists: bool = False

    description = "path"

    def from_toml(self, raw: object) -> Path:
        if not isinstance(raw, str) or not raw:
            raise ValueError(f"expected a path as a string, not {raw!r}")
        return Path(raw)

    def from_env(self, text: str) -> Path:
        return Path(text)

    def check(self, value: object) -> Path:
        if not isinstance(value, Path):
            raise _wrong(value, "a path")
        return value

    def click(self) -> dict[str, Any]:
        import click

        kinds = {"file_okay": self.file_okay, "dir_okay": self.dir_okay, "exists": self.exists}
        return {"type": click.Path(path_type=Path, **kinds)}


@dataclass(frozen=True, slots=True)
class CertFile(ValueType[str]):
    """A CA bundle: an existing file, kept as written (the index client reads it)."""

    description = "path of a file"

    def from_toml(self, raw: object) -> str:
        if not isinstance(raw, str) or not raw:
            raise ValueError(f"expected a path as a string, not {raw!r}")
        return self.from_env(raw)

    def from_env(self, text: str) -> str:
        path = Path(text)
        if path.is_dir():
            raise ValueError("expected a file, not a directory")
        if not path.exists():
            raise ValueError("no such file")
        return text

    def check(self, value: object) -> str:
        if not isinstance(value, str):
            raise _wrong(value, "a path")
        return value

    def click(self) -> dict[str, Any]:
        import click

        return {"type": click.Path(exists=True, dir_okay=False)}


def _report_format() -> EnumChoice[Any]:
    from wheelcheck._report import Format  # imported here: this module stays a leaf

    return EnumChoice(Format)


def _source_kind() -> Choice:
    """The kinds of input file, as the readers name them (--kind, --format-in)."""
    from wheelcheck._sources.lockfiles import SourceKind

    return Choice(tuple(kind.value for kind in SourceKind))


# The `type` of a row of data/options.toml, by name; each is called with the row's type-args.
VALUE_TYPES: Mapping[str, Callable[..., ValueType[Any]]] = {
    "text": Text,
    "index-url": IndexURL,
    "mirror-name": MirrorName,
    "choice": Choice,
    "source-kind": _source_kind,
    "report-format": _report_format,
    "strings": Strings,
    "index-urls": IndexURLs,
    "ignores": Ignores,
    "flag": Flag,
    "count": Count,
    "integer": Integer,
    "number": Number,
    "path": PathValue,
    "cert-file": CertFile,
}
