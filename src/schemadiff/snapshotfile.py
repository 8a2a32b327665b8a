"""The snapshot file: the schema the models declared at an Alembic revision, committed.

It answers when git cannot: a shallow clone without the base commit, an old commit whose
models no longer import. Plain JSON, never pickle::

    {"format": "schemadiff-snapshot", "version": 3,
     "entries": [{"revision": "3f2a9c", "parents": ["1b2c3d"],
                  "metadata": {"default": {<schema document>}}}, ...]}

Entries are newest first and at most two: the newest, and the one for its parent revision
(or the newest before it), so a revision just generated can be deleted and generated again.
A file of another format or version is refused, never guessed at.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from schemadiff.snapshot import FORMAT, JSONDict, SnapshotFormatError

VERSION = 3
DEFAULT_NAME = "default"
"""The name of the one MetaData when the models have only one."""
KEPT = 2

REGENERATE = "Regenerate it with `schemadiff snapshot --write`."


@dataclass(frozen=True, slots=True)
class Entry:
    revision: str | None
    """The Alembic revision the schema corresponds to; None without Alembic."""
    parents: tuple[str, ...]
    """That revision's down revisions."""
    metadata: Mapping[str, JSONDict]
    """A schema document for each MetaData, by name."""

    def to_json(self) -> JSONDict:
        return {
            "revision": self.revision,
            "parents": list(self.parents),
            "metadata": dict(self.metadata),
        }


def names(locators: Sequence[str]) -> tuple[str, ...]:
    """The names the MetaData collections are stored under: their locators, or ``default``."""
    return (DEFAULT_NAME,) if len(locators) == 1 else tuple(locators)


def to_json(entries: Sequence[Entry]) -> JSONDict:
    return {"format": FORMAT, "version": VERSION, "entries": [e.to_json() for e in entries]}


def parse(data: bytes, where: str) -> tuple[Entry, ...]:
    """The entries of a snapshot file; anything else is a ``SnapshotFormatError``."""
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SnapshotFormatError(f"{where} is not JSON ({exc}). {REGENERATE}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise SnapshotFormatError(f"{where} is not a {FORMAT} file. {REGENERATE}")
    version = document.get("version")
    if version != VERSION:
        # A newer file is not ours to regenerate: --write would lose what that version keeps.
        newer = isinstance(version, int) and version > VERSION
        raise SnapshotFormatError(
            f"{where} is {FORMAT} version {version!r}; this schemadiff reads "
            f"version {VERSION}. {'Upgrade schemadiff.' if newer else REGENERATE}"
        )
    try:
        return tuple(_entry(e) for e in document["entries"])
    except (KeyError, TypeError, ValueError) as exc:
        raise SnapshotFormatError(f"{where} is malformed ({exc}). {REGENERATE}") from None


def _entry(data: Any) -> Entry:
    revision, parents, metadata = data["revision"], data["parents"], data["metadata"]
    if revision is not None and not isinstance(revision, str):
        raise TypeError(f"revision must be a string, not {revision!r}")
    if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
        raise TypeError(f"parents must be a list of revisions, not {parents!r}")
    if not isinstance(metadata, dict) or not all(isinstance(d, dict) for d in metadata.values()):
        raise TypeError("metadata must map names to schema documents")
    return Entry(revision, tuple(parents), metadata)


def updated(entries: Sequence[Entry], new: Entry) -> tuple[Entry, ...]:
    """``new`` first, then the entry of its parent, else the newest other one."""
    others = [e for e in entries if e.revision != new.revision]
    parent = [e for e in others if e.revision in new.parents]
    return (new, *(parent or others)[: KEPT - 1])


def find(entries: Sequence[Entry], revision: str | None) -> Entry | None:
    return next((e for e in entries if e.revision == revision), None)


def check_names(entry: Entry, expected: Sequence[str], where: str) -> None:
    """Refuse an entry made for another set of MetaData collections."""
    if sorted(entry.metadata) != sorted(expected):
        raise SnapshotFormatError(
            f"{where} holds the MetaData {_listed(entry.metadata)}, but the models have "
            f"{_listed(expected)}. {REGENERATE}"
        )


def _listed(found: Sequence[str] | Mapping[str, object]) -> str:
    return ", ".join(repr(n) for n in sorted(found))
