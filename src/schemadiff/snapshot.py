"""The schema document: the JSON form of a ``Schema``, and of the values changes carry.

The document is deterministic (sorted keys, tables sorted, columns in declaration order) and
round-trips exactly: ``schema_from_json(schema_to_json(s)) == s``. It is what the sandbox
child answers, what the cache stores, and what a snapshot file holds for each MetaData
(``schemadiff.snapshotfile``). Its JSON Schema is in ``docs/snapshot.schema.json``; any
change of shape bumps ``snapshotfile.VERSION``.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import stat
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from schemadiff import atomic
from schemadiff.errors import SchemadiffError
from schemadiff.model import Schema, TableKey, Value

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


def pack_table(table: JSONDict) -> bytes:
    """A table document's one canonical JSON text: equal tables give equal bytes."""
    return json.dumps(table, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _spelled(field: str, value: str) -> bytes:
    """How a packed table spells a string field: ``pack_table``'s own bytes for it."""
    return pack_table({field: value})[1:-1]


@dataclass(frozen=True, slots=True)
class Packed:
    """A schema document whose tables stay JSON text until needed.

    The tables a change leaves alone are compared as bytes and never decoded: at 2000
    tables, decoding is most of what a cached run would cost.
    """

    dialect: str
    enums: tuple[JSONDict, ...]
    sequences: tuple[JSONDict, ...]
    tables: Mapping[TableKey, bytes]
    declared: tuple[bytes, ...] = ()
    """Where the models declare tables and columns, and what they allow there: JSON lists
    of ``[schema, table, column, file, line, [rule, ...]]``, read only by ``check``. Not part
    of the schema: a snapshot file does not hold them."""

    @classmethod
    def of(cls, document: JSONDict, declared: Sequence[object] = ()) -> Packed:
        tables = {_table_key(t): pack_table(t) for t in document["tables"]}
        rows = (json.dumps(list(declared), separators=(",", ":")).encode(),) if declared else ()
        return cls(
            document["dialect"],
            tuple(document["enums"]),
            tuple(document["sequences"]),
            tables,
            rows,
        )

    def naming(self, tables: Iterable[str], enums: Iterable[str]) -> list[TableKey]:
        """The keys of the tables whose text may refer to one of ``tables`` by a foreign key
        or use one of ``enums``: found in the bytes, without decoding, and so a superset to
        decode and look at."""
        wanted = [_spelled("referred_table", n) for n in tables]
        wanted += [_spelled("name", n) for n in enums]
        return [k for k, text in self.tables.items() if any(w in text for w in wanted)]

    def declarations(self) -> list[list[Any]]:
        return [row for text in self.declared for row in json.loads(text)]

    def document(self, keys: Iterable[TableKey] | None = None) -> JSONDict:
        """The plain document, with all tables or only those of ``keys``."""
        chosen = sorted(self.tables if keys is None else keys)
        return {
            "dialect": self.dialect,
            "enums": list(self.enums),
            "sequences": list(self.sequences),
            "tables": [json.loads(self.tables[k]) for k in chosen],
        }


def merged(documents: Mapping[str, Packed]) -> Packed:
    """One document from each MetaData's (the child already refused a table in two)."""
    (first, *_) = documents.values()
    enums = {_table_key(e): e for d in documents.values() for e in d.enums}
    sequences = {_table_key(q): q for d in documents.values() for q in d.sequences}
    return Packed(
        first.dialect,
        tuple(enums[k] for k in sorted(enums)),
        tuple(sequences[k] for k in sorted(sequences)),
        {k: t for d in documents.values() for k, t in d.tables.items()},
        tuple(text for d in documents.values() for text in d.declared),
    )


def dump_packed(documents: Mapping[str, Packed], **told: object) -> bytes:
    """The wire form of several documents: a JSON line of heads (and ``told``, what else the
    answer says), then a line per table."""
    heads = {
        name: {
            "dialect": d.dialect,
            "enums": d.enums,
            "sequences": d.sequences,
            "count": len(d.tables),
            "declared": len(d.declared),
        }
        for name, d in documents.items()
    }
    lines = [json.dumps({"schemas": heads, **told}).encode()]
    for document in documents.values():
        lines.extend(
            json.dumps(list(k)).encode() + b"\t" + t for k, t in sorted(document.tables.items())
        )
        lines.extend(document.declared)
    return b"\n".join(lines) + b"\n"


def load_packed(data: bytes) -> dict[str, Packed]:
    """The documents of ``dump_packed``; ValueError when the data is not that."""
    head, *lines = data.rstrip(b"\n").split(b"\n")
    heads = json.loads(head)["schemas"]
    found: dict[str, Packed] = {}
    position = 0
    for name, h in heads.items():
        count, declared = h["count"], h["declared"]
        chosen = lines[position : position + count + declared]
        if len(chosen) != count + declared:
            raise ValueError("truncated")
        position += count + declared
        found[name] = Packed(
            h["dialect"],
            tuple(h["enums"]),
            tuple(h["sequences"]),
            _tables(chosen[:count]),
            tuple(chosen[count:]),
        )
    if position != len(lines):
        raise ValueError("trailing lines")
    return found


def _tables(lines: Sequence[bytes]) -> dict[TableKey, bytes]:
    tables = {}
    for line in lines:
        key, _, table = line.partition(b"\t")
        schema, name = json.loads(key)
        tables[(schema, name)] = table
    return tables


def without_common_tables(old: Packed, new: Packed) -> tuple[JSONDict, JSONDict]:
    """Both documents less the tables whose JSON is the same on each side.

    Such a table can produce no change and take part in no rename, and leaving it out means
    the parent never decodes, nor builds objects for, the large unchanged part of a big model.
    """
    same = {k for k, t in new.tables.items() if old.tables.get(k) == t}
    return (
        old.document(k for k in old.tables if k not in same),
        new.document(k for k in new.tables if k not in same),
    )


def _table_key(table: JSONDict) -> TableKey:
    return (table["schema"] or "", table["name"])


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


class OutputError(SchemadiffError):
    """A file schemadiff was asked to write cannot be written."""


def write_document(path: Path, document: JSONDict) -> None:
    """Write atomically; replace only a regular file that is itself a schemadiff document of
    a version no newer than ``document``'s."""
    _refuse_foreign(path, document)
    try:
        _replace(path, dumps(document))
    except OSError as exc:
        raise OutputError(f"Cannot write {path}: {exc.strerror or exc}.") from None


def _refuse_foreign(path: Path, document: JSONDict) -> None:
    """Stop before writing over anything schemadiff did not write: a link (dangling or not),
    a directory, a FIFO, another program's file, or a snapshot of a newer schemadiff."""
    try:
        found = path.lstat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    if stat.S_ISDIR(found.st_mode):
        raise OutputError(
            f"{path} is a directory: name the file to write, e.g. {path}/schema.json."
        )
    if stat.S_ISLNK(found.st_mode) or not stat.S_ISREG(found.st_mode):
        kind = "a symbolic link" if stat.S_ISLNK(found.st_mode) else "not a regular file"
        raise OutputError(
            f"{path} is {kind}; schemadiff will not write over it. "
            "Remove it or choose another path."
        )
    existing = _read_ours(path)
    if existing is None:
        raise OutputError(
            f"{path} exists and is not a {FORMAT} document; schemadiff will not overwrite it. "
            "Remove it or choose another path."
        )
    theirs, ours = existing.get("version"), document.get("version")
    if isinstance(theirs, int) and isinstance(ours, int) and theirs > ours:
        raise OutputError(
            f"{path} is {FORMAT} version {theirs}, newer than this schemadiff's version {ours}; "
            "writing it would lose what the newer version keeps. Upgrade schemadiff."
        )


def _replace(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else None  # an existing file's kept
    atomic.replace(path, text.encode("utf-8"), mode)


def _read_ours(path: Path) -> JSONDict | None:
    """The document at ``path`` when it is a schemadiff one (any version), else None."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(document, dict) and document.get("format") == FORMAT:
        return document
    return None
