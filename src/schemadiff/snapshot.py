"""The schema document: the JSON form of a ``Schema``, and of the values changes carry.

The document is deterministic (sorted keys, tables sorted, columns in declaration order) and
round-trips exactly: ``schema_from_json(schema_to_json(s)) == s``. Its JSON Schema is
``docs/snapshot.schema.json``; any change of shape bumps ``VERSION``.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import os
import tempfile
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

from schemadiff.errors import SchemadiffError
from schemadiff.model import Schema, Value

FORMAT = "schemadiff-snapshot"
VERSION = 2

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
    return {"format": FORMAT, "version": VERSION, **document}


def schema_from_json(document: object, where: str = "the snapshot") -> Schema:
    """Read a schema document, refusing anything of another format or version."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise SnapshotFormatError(f"{where} is not a {FORMAT} document.")
    if document.get("version") != VERSION:
        raise SnapshotFormatError(
            f"{where} has {FORMAT} version {document.get('version')!r}; this schemadiff reads "
            f"version {VERSION}. Regenerate it with `schemadiff snapshot`."
        )
    try:
        schema = decode(Schema, document)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SnapshotFormatError(f"{where} is malformed ({type(exc).__name__}: {exc}).") from None
    return Schema(
        schema.dialect,
        tuple(sorted(schema.tables, key=lambda t: t.key)),
        tuple(sorted(schema.enums, key=lambda e: e.key)),
        tuple(sorted(schema.sequences, key=lambda q: q.key)),
    )


def value_to_json(value: Value) -> object:
    """The JSON of a change's ``old`` or ``new``."""
    return encode(value)


def encode(value: object) -> object:
    """Model values to JSON: a dataclass is an object keyed by its field names."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value


def decode(cls: type[T], data: object) -> T:
    """JSON to a model dataclass, guided by its type hints; a missing key is an error."""
    if not isinstance(data, dict):
        raise TypeError(f"{cls.__name__} must be an object, not {type(data).__name__}")
    hints = _hints(cls)
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    return cls(**{f.name: _decode_value(hints[f.name], data[f.name]) for f in fields})


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _decode_value(hint: Any, data: object) -> object:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        if data is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _decode_value(inner, data)
    if origin is tuple:
        if not isinstance(data, list):
            raise TypeError(f"expected a list, not {type(data).__name__}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode_value(args[0], item) for item in data)
        return tuple(_decode_value(a, item) for a, item in zip(args, data, strict=True))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return decode(hint, data)
    if hint in (str, int, bool, float) and not isinstance(data, hint):
        raise TypeError(f"expected {hint.__name__}, not {type(data).__name__}")
    return data


class OutputError(SchemadiffError):
    """A file schemadiff was asked to write cannot be written."""


def write_document(path: Path, document: object) -> None:
    """Write atomically; replace only a file that is itself a schemadiff document."""
    if path.is_dir():
        raise OutputError(
            f"{path} is a directory: name the file to write, e.g. {path}/schema.json."
        )
    if path.exists() and not _is_ours(path):
        raise OutputError(
            f"{path} exists and is not a {FORMAT} document; schemadiff will not overwrite it. "
            "Remove it or choose another path."
        )
    try:
        _replace(path, dumps(document))
    except OSError as exc:
        raise OutputError(f"Cannot write {path}: {exc.strerror or exc}.") from None


def _replace(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _is_ours(path: Path) -> bool:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and document.get("format") == FORMAT
