"""The packed form of a schema document: its tables kept as canonical JSON text, compared as
bytes, decoded only when needed. It is what the sandbox child answers and what the cache
stores for each MetaData."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from schemadiff.model import TableKey
from schemadiff.snapshot.document import JSONDict


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
