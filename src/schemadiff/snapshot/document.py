"""The schema document: the JSON form of a ``Schema``, and of the values changes carry.

The document is deterministic (sorted keys, tables sorted, columns in declaration order) and
round-trips exactly: ``schema_from_json(schema_to_json(s)) == s``. Its JSON Schema is in
``docs/snapshot.schema.json``; any change of shape bumps ``snapshotfile.VERSION``.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

from schemadiff.errors import SchemadiffError
from schemadiff.model import Schema, Value

FORMAT = "schemadiff-snapshot"

JSONDict = dict[str, Any]
T = TypeVar("T")


class SnapshotFormatError(SchemadiffError):
    """A document that is not a schemadiff snapshot of this version."""


def dumps(document: object) -> str:
    """The one JSON spelling everything schemadiff writes: sorted keys, two-space indent."""
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def schema_to_json(schema: Schema) -> JSONDict:
    document = encode(schema)
    assert isinstance(document, dict)
    return document


def schema_from_json(document: object, where: str = "the snapshot") -> Schema:
    """Read a schema document; a malformed one is an error that says where it is."""
    try:
        schema = decode(Schema, document)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SnapshotFormatError(
            f"{where} is malformed ({type(exc).__name__}: {exc}). Regenerate it with "
            "`schemadiff snapshot --write`."
        ) from None
    return Schema(
        schema.dialect,
        tuple(sorted(schema.tables, key=lambda t: t.key)),
        tuple(sorted(schema.enums, key=lambda e: e.key)),
        tuple(sorted(schema.sequences, key=lambda q: q.key)),
    )


def value_to_json(value: Value) -> object:
    """The JSON of a change's ``old`` or ``new``."""
    return encode(value)


_ENCODERS: dict[type, Callable[[object], object]] = {}
_DECODERS: dict[object, Callable[[object], object]] = {}


def encode(value: object) -> object:
    """Model values to JSON: a dataclass is an object keyed by its field names."""
    cls = type(value)
    if cls not in _ENCODERS:
        _ENCODERS[cls] = _encoder(cls)
    return _ENCODERS[cls](value)


def _encoder(cls: type) -> Callable[[object], object]:
    """One converter per class, built once: encoding a large schema is a hot path."""
    if dataclasses.is_dataclass(cls):
        names = tuple(f.name for f in dataclasses.fields(cls))
        return lambda value: {n: encode(getattr(value, n)) for n in names}
    if issubclass(cls, tuple | list):
        return lambda value: [encode(v) for v in value]  # type: ignore[attr-defined]
    if issubclass(cls, enum.Enum):
        return lambda value: value.value  # type: ignore[attr-defined]
    return lambda value: value


def decode(cls: type[T], data: object) -> T:
    """JSON to a model dataclass, guided by its type hints; a missing key is an error."""
    return _decoder(cls)(data)  # type: ignore[return-value]


def _decoder(hint: object) -> Callable[[object], object]:
    if hint not in _DECODERS:
        _DECODERS[hint] = _build_decoder(hint)
    return _DECODERS[hint]


def _build_decoder(hint: Any) -> Callable[[object], object]:
    """One converter per type hint, built once from the dataclass fields' annotations."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        (inner,) = [a for a in args if a is not type(None)]
        convert = _decoder(inner)
        return lambda data: None if data is None else convert(data)
    if origin is tuple:
        return _tuple_decoder(args)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass_decoder(hint)
    if hint in (str, int, bool, float):
        return functools.partial(_primitive, hint)
    return lambda data: data


def _tuple_decoder(args: tuple[Any, ...]) -> Callable[[object], object]:
    if len(args) == 2 and args[1] is Ellipsis:
        item = _decoder(args[0])
        return lambda data: tuple(item(v) for v in _list(data))
    items = [_decoder(a) for a in args]
    return lambda data: tuple(f(v) for f, v in zip(items, _list(data), strict=True))


def _dataclass_decoder(cls: type) -> Callable[[object], object]:
    hints = typing.get_type_hints(cls)
    fields = [(f.name, _decoder(hints[f.name])) for f in dataclasses.fields(cls)]

    def convert(data: object) -> object:
        if not isinstance(data, dict):
            raise TypeError(f"{cls.__name__} must be an object, not {type(data).__name__}")
        return cls(*[f(data[name]) for name, f in fields])

    return convert


def _list(data: object) -> list[object]:
    if not isinstance(data, list):
        raise TypeError(f"expected a list, not {type(data).__name__}")
    return data


def _primitive(kind: type, data: object) -> object:
    if not isinstance(data, kind):
        raise TypeError(f"expected {kind.__name__}, not {type(data).__name__}")
    return data
