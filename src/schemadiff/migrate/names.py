"""The name PostgreSQL gives a constraint declared without one.

A migration names what it adds, so that its downgrade can drop it by name: the name is the
one PostgreSQL would choose itself (``book_author_id_fkey``, ``account_tenant_nick_key``),
so a database built by ``create_all`` and one built by the migrations agree. PostgreSQL
builds it from the table and the columns, clipped to 63 bytes (``NAMEDATALEN - 1``) at a
character boundary, the longer part shortened first. A name already taken in the schema
would make PostgreSQL add a number (``..._fkey1``); no model can tell that.
"""

from __future__ import annotations

from collections.abc import Sequence

_MAX_BYTES = 63
"""PostgreSQL's NAMEDATALEN less its terminating zero byte."""


def postgresql(table: str, columns: Sequence[str], label: str) -> str:
    """The name of an unnamed constraint on ``columns`` of ``table``: ``label`` is ``fkey``
    for a foreign key, ``key`` for a unique constraint."""
    return _object_name(table.encode(), _joined(columns), label.encode()).decode()


def _joined(columns: Sequence[str]) -> bytes:
    """The columns joined by "_", stopping once the whole is past 63 bytes."""
    joined = b""
    for column in columns:
        if joined:
            joined += b"_"
        joined += column.encode()[:_MAX_BYTES]
        if len(joined) > _MAX_BYTES:
            break
    return joined


def _object_name(first: bytes, second: bytes, label: bytes) -> bytes:
    """``first_second_label`` in 63 bytes: the longer of the two parts loses a byte until
    they fit; then each is clipped back to a whole character."""
    room = _MAX_BYTES - len(label) - 1 - (1 if second else 0)
    keep_first, keep_second = len(first), len(second)
    while keep_first + keep_second > room:
        if keep_first > keep_second:
            keep_first -= 1
        else:
            keep_second -= 1
    parts = [_clipped(first, keep_first), *([_clipped(second, keep_second)] if second else [])]
    return b"_".join([*parts, label])


def _clipped(text: bytes, limit: int) -> bytes:
    """The first ``limit`` bytes of UTF-8 ``text``, less a character cut in two."""
    end = min(limit, len(text))
    while end < len(text) and end > 0 and (text[end] & 0xC0) == 0x80:
        end -= 1  # text[end] continues a character begun before it: drop that character
    return text[:end]
