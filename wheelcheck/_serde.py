"""Frozen dataclasses to JSON-ready values and back, driven by their field annotations.

A dataclass becomes a dict of its fields in field order, unless its `Shape` declares another
key order or keys that are not one field in JSON form (a property, a pair written as one
string). Values follow their annotation: nested dataclasses, ``tuple[X, ...]`` (arrays),
``Mapping[str, X]`` (objects), enums (their value), Literal (checked when read back),
``X | None``, and str, int, float, bool, Any as they are. `Converter.schema` describes the
same annotations as JSON Schema (type, enum, items, properties), so that a test can hold the
shipped schema to them.

A leaf: it knows nothing of wheelcheck's classes; `wheelcheck.models` declares their shapes.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

__all__ = ["Converter", "Key", "Shape"]

T = TypeVar("T")
Convert = Callable[[Any], Any]
Schema = dict[str, Any]

_PLAIN_SCHEMAS: Mapping[object, Schema] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    Any: {},
}


@dataclass(frozen=True, slots=True)
class Key:
    """A JSON key that is not one field in its JSON form, declared in both directions."""

    dump: Callable[[Any], Any]  # the whole object -> the key's JSON value
    load: Callable[[Any], Mapping[str, Any]]  # the key's JSON value -> the fields it sets
    schema: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Shape:
    """How one dataclass is written where that is not simply its fields in order."""

    keys: tuple[str, ...] = ()  # the JSON keys in order; () means the fields in order
    custom: Mapping[str, Key] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Form:
    """How values of one annotation are written, read back and described."""

    dump: Convert
    load: Convert
    schema: Callable[[], Schema]  # called late: a dataclass's schema needs its members


@dataclass(frozen=True, slots=True)
class _Member:
    """One JSON key of a class: the field it is, or a declared `Key`."""

    key: str
    dump: Convert  # the object -> the key's JSON value
    # the key's JSON value -> the field's value; for a Key (`field` None), the fields' values
    load: Convert
    schema: Callable[[], Schema]
    field: str | None
    optional: bool  # a document may leave it out: its field has a default


def _same(value: Any) -> Any:
    return value


def _enum_value(member: Enum) -> Any:
    return member.value


def _one_of(choices: tuple[Any, ...], value: Any) -> Any:
    if value not in choices:
        raise ValueError(f"{value!r} is not one of {choices!r}")
    return value


def _nullable(schema: Schema) -> Schema:
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    return {**schema, "type": [schema["type"], "null"]}


class Converter:
    """Writes and reads the dataclasses of one document, with the shapes declared for some."""

    def __init__(self, shapes: Mapping[type, Shape]) -> None:
        self._shapes = dict(shapes)
        self._members: dict[type, tuple[_Member, ...]] = {}

    def dump(self, value: Any) -> dict[str, Any]:
        """`value`, a dataclass instance, as a dict of JSON-ready values."""
        return {member.key: member.dump(value) for member in self._members_of(type(value))}

    def load(self, cls: type[T], document: Mapping[str, Any]) -> T:
        """The `cls` that `dump` made `document`; keys it does not know are ignored.

        Raises KeyError for a missing key whose field has no default, ValueError for a value
        outside an enum or Literal, TypeError or AttributeError for a value of another shape.
        """
        values: dict[str, Any] = {}
        for member in self._members_of(cls):
            if member.key not in document:
                if not member.optional:
                    raise KeyError(member.key)
            elif member.field is None:
                values.update(member.load(document[member.key]))
            elif member.load is _same:
                values[member.field] = document[member.key]
            else:
                values[member.field] = member.load(document[member.key])
        return cls(**values)

    def schema(self, cls: type) -> Schema:
        """The JSON Schema of what `dump` writes for `cls`: types and enums, no prose."""
        members = self._members_of(cls)
        return {"type": "object", "properties": {m.key: m.schema() for m in members}}

    def _members_of(self, cls: type) -> tuple[_Member, ...]:
        members = self._members.get(cls)
        if members is None:
            members = self._members[cls] = self._plan(cls)
        return members

    def _plan(self, cls: type) -> tuple[_Member, ...]:
        shape = self._shapes.get(cls, Shape())
        fields = {f.name: f for f in dataclasses.fields(cls)}
        hints = get_type_hints(cls)
        members = []
        for key in shape.keys or tuple(fields):
            custom = shape.custom.get(key)
            if custom is not None:
                members.append(_custom_member(key, custom))
            elif key in fields:
                members.append(self._field_member(fields[key], hints[key]))
            else:
                raise TypeError(f"{cls.__name__}: JSON key {key!r} is no field and not declared")
        return tuple(members)

    def _field_member(self, declared: dataclasses.Field[Any], annotation: Any) -> _Member:
        name = declared.name
        form = self._form(annotation)
        read = operator.attrgetter(name)
        convert = form.dump
        has_default = not (
            declared.default is dataclasses.MISSING
            and declared.default_factory is dataclasses.MISSING
        )
        return _Member(
            key=name,
            dump=read if convert is _same else lambda value: convert(read(value)),
            load=form.load,
            schema=form.schema,
            field=name,
            optional=has_default,
        )

    def _form(self, annotation: Any) -> _Form:
        origin, args = get_origin(annotation), get_args(annotation)
        if annotation in _PLAIN_SCHEMAS:
            return _Form(_same, _same, lambda: dict(_PLAIN_SCHEMAS[annotation]))
        if origin is Literal:
            return _Form(_same, functools.partial(_one_of, args), lambda: {"enum": list(args)})
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            values = [member.value for member in annotation]
            return _Form(_enum_value, annotation, lambda: {"enum": values})
        if origin is Union or origin is types.UnionType:
            return self._optional_form(annotation, args)
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return self._array_form(self._form(args[0]))
        if origin is Mapping and args[0] is str:
            return self._object_form(self._form(args[1]))
        if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
            cls = annotation
            return _Form(self.dump, functools.partial(self.load, cls), lambda: self.schema(cls))
        raise TypeError(f"no JSON form for {annotation!r}")

    def _optional_form(self, annotation: Any, args: tuple[Any, ...]) -> _Form:
        present = [arg for arg in args if arg is not type(None)]
        if len(present) != 1 or len(args) != 2:
            raise TypeError(f"no JSON form for {annotation!r}: only X | None unions")
        inner = self._form(present[0])

        def dump(value: Any) -> Any:
            return None if value is None else inner.dump(value)

        def load(value: Any) -> Any:
            return None if value is None else inner.load(value)

        # What is written as it is stays so with None (most optional fields: str | None).
        return _Form(
            _same if inner.dump is _same else dump,
            _same if inner.load is _same else load,
            lambda: _nullable(inner.schema()),
        )

    @staticmethod
    def _array_form(item: _Form) -> _Form:
        def dump(value: Any) -> list[Any]:
            return list(value) if item.dump is _same else [item.dump(x) for x in value]

        def load(value: Any) -> tuple[Any, ...]:
            return tuple(value) if item.load is _same else tuple(item.load(x) for x in value)

        return _Form(dump, load, lambda: {"type": "array", "items": item.schema()})

    @staticmethod
    def _object_form(entry: _Form) -> _Form:
        def dump(value: Any) -> dict[str, Any]:
            return (
                dict(value) if entry.dump is _same else {k: entry.dump(x) for k, x in value.items()}
            )

        def load(value: Any) -> dict[str, Any]:
            return (
                dict(value) if entry.load is _same else {k: entry.load(x) for k, x in value.items()}
            )

        return _Form(dump, load, lambda: {"type": "object", "additionalProperties": entry.schema()})


def _custom_member(key: str, custom: Key) -> _Member:
    schema = dict(custom.schema)
    return _Member(key, custom.dump, custom.load, lambda: schema, field=None, optional=False)
