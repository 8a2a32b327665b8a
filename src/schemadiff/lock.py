"""One writer at a time: an advisory lock on a file in the git directory.

Two ``schemadiff revision`` runs on one project would both read the same Alembic head and
both write a revision after it. The lock (``fcntl.flock``) is held from reading the head to
the snapshot file being refreshed; the kernel drops it when the process ends, however it
ends, so a killed run never leaves the project locked. The file lives in the git directory,
never in the working tree, and is left there (removing it would race with the next holder).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from schemadiff.errors import SchemadiffError

WAIT = 60.0
"""Seconds a run waits for another to finish before giving up."""
_POLL = 0.05


class LockError(SchemadiffError):
    """The lock is held by another run for longer than we wait, or cannot be taken."""


@contextlib.contextmanager
def held(path: Path, what: str, wait: float = WAIT) -> Iterator[None]:
    """Hold the lock at ``path`` while the block runs; ``what`` names the holder's work."""
    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as error:
        raise LockError(f"Cannot open the lock file {path}: {error.strerror}.") from None
    try:
        _take(handle, path, what, wait)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def _take(handle: int, path: Path, what: str, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockError(
                    f"Another schemadiff is {what} in this repository: it has held {path} "
                    f"for more than {wait:g} s. Wait for it to finish and run again."
                ) from None
            time.sleep(_POLL)
