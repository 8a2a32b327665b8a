"""A schema document written to a file the user named: atomically, and never over a file
schemadiff did not write."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from schemadiff import atomic
from schemadiff.errors import SchemadiffError
from schemadiff.snapshot.document import FORMAT, JSONDict, dumps


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
