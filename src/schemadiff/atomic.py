"""Files written as one unit: made beside their place under a temporary name, then moved
there (``replace``) or linked there, never over a file that is there (``create``). A reader
sees the old file or the new one, never half of one, and nothing is left behind whatever
stops the write (Ctrl-C, SIGTERM, a full disk): the temporary file is made inside the
clean-up scope. The snapshot file, the cache's entries and a new revision file are written
this way."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def replace(path: Path, data: bytes, mode: int | None = None) -> None:
    """Put ``data`` at ``path``, over what is there. ``mode``: the file's permissions (by
    default those a plain ``open`` would give it)."""
    _write(path, data, mode, sync=False, over=True)


def create(path: Path, data: bytes | Callable[[], bytes]) -> None:
    """Put ``data`` at a new ``path``, on the disk before it is seen there;
    FileExistsError when something is at ``path`` already. ``data`` may be made once the
    temporary file is there (a template rendered): stopped then, it leaves nothing either."""
    _write(path, data, None, sync=True, over=False)


def _write(
    path: Path, data: bytes | Callable[[], bytes], mode: int | None, *, sync: bool, over: bool
) -> None:
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".schemadiff-{path.name}.", suffix=".tmp"
        )
        with os.fdopen(handle, "wb") as stream:
            stream.write(data if isinstance(data, bytes) else data())
            if sync:
                stream.flush()
                os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~umask() if mode is None else mode)
        if over:
            os.replace(temporary, path)
            temporary = None
        else:
            os.link(temporary, path)
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def umask() -> int:
    """The process's umask (read by setting it, and set back at once)."""
    current = os.umask(0o022)
    os.umask(current)
    return current
