"""The schema document: the JSON form of a ``Schema``, and of the values changes carry.

The document is deterministic (sorted keys, tables sorted, columns in declaration order) and
round-trips exactly: ``schema_from_json(schema_to_json(s)) == s``. Its JSON Schema is
``docs/snapshot.schema.json``; any change of shape bumps ``VERSION``.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from schemadiff.errors import SchemadiffError
from schemadiff.model import Column, ColumnType, PrimaryKey, Schema, Table, Value

FORMAT = "schemadiff-snapshot"
VERSION = 1

JSONDict = dict[str, Any]


class SnapshotFormatError(SchemadiffError):
    """A document that is not a schemadiff snapshot of this version."""


def dumps(document: object) -> str:
    """The one JSON spelling everything schemadiff writes: sorted keys, two-space indent."""
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def schema_to_json(schema: Schema) -> JSONDict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "dialect": schema.dialect,
        "tables": [table_to_json(t) for t in schema.tables],
    }


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
        tables = tuple(table_from_json(t) for t in document["tables"])
        return Schema(document["dialect"], tuple(sorted(tables, key=lambda t: t.key)))
    except (KeyError, TypeError, AttributeError) as exc:
        raise SnapshotFormatError(f"{where} is malformed ({type(exc).__name__}: {exc}).") from exc


def table_to_json(table: Table) -> JSONDict:
    return {
        "schema": table.schema,
        "name": table.name,
        "comment": table.comment,
        "primary_key": primary_key_to_json(table.primary_key),
        "columns": [column_to_json(c) for c in table.columns],
    }


def table_from_json(data: JSONDict) -> Table:
    return Table(
        schema=data["schema"],
        name=data["name"],
        columns=tuple(column_from_json(c) for c in data["columns"]),
        primary_key=primary_key_from_json(data["primary_key"]),
        comment=data["comment"],
    )


def column_to_json(column: Column) -> JSONDict:
    return {
        "name": column.name,
        "type": column_type_to_json(column.type),
        "nullable": column.nullable,
        "server_default": column.server_default,
        "comment": column.comment,
    }


def column_from_json(data: JSONDict) -> Column:
    return Column(
        name=data["name"],
        type=column_type_from_json(data["type"]),
        nullable=data["nullable"],
        server_default=data["server_default"],
        comment=data["comment"],
    )


def column_type_to_json(column_type: ColumnType) -> JSONDict:
    return {
        "python": column_type.python,
        "imports": list(column_type.imports),
        "ddl": column_type.ddl,
    }


def column_type_from_json(data: JSONDict) -> ColumnType:
    return ColumnType(data["python"], tuple(data["imports"]), data["ddl"])


def primary_key_to_json(primary_key: PrimaryKey | None) -> JSONDict | None:
    if primary_key is None:
        return None
    return {"name": primary_key.name, "columns": list(primary_key.columns)}


def primary_key_from_json(data: JSONDict | None) -> PrimaryKey | None:
    if data is None:
        return None
    return PrimaryKey(data["name"], tuple(data["columns"]))


def value_to_json(value: Value) -> object:
    """The JSON of a change's ``old`` or ``new``."""
    if isinstance(value, Table):
        return table_to_json(value)
    if isinstance(value, Column):
        return column_to_json(value)
    if isinstance(value, ColumnType):
        return column_type_to_json(value)
    if isinstance(value, PrimaryKey):
        return primary_key_to_json(value)
    return value


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
