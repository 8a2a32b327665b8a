"""The schema document (``document``: the JSON form of a ``Schema`` and of the values changes
carry), its packed wire form (``wire``: what the sandbox child answers and the cache stores),
and a document written to a file (``written``). A snapshot file holds one document per
MetaData (``schemadiff.snapshotfile``).
"""

from __future__ import annotations

from schemadiff.snapshot.document import (
    FORMAT,
    JSONDict,
    SnapshotFormatError,
    decode,
    dumps,
    encode,
    schema_from_json,
    schema_to_json,
    value_to_json,
)
from schemadiff.snapshot.wire import (
    Packed,
    dump_packed,
    load_packed,
    merged,
    pack_table,
    without_common_tables,
)
from schemadiff.snapshot.written import OutputError, write_document

__all__ = [
    "FORMAT",
    "JSONDict",
    "OutputError",
    "Packed",
    "SnapshotFormatError",
    "decode",
    "dump_packed",
    "dumps",
    "encode",
    "load_packed",
    "merged",
    "pack_table",
    "schema_from_json",
    "schema_to_json",
    "value_to_json",
    "without_common_tables",
    "write_document",
]
