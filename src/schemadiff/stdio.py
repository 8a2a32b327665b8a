"""The standard streams, taken in hand first thing: standard output that says when it is lost.

The product goes to standard output; when it cannot be written (a full device, a closed
descriptor) the run failed, and the user's environment is the cause: exit 2 with what went
wrong, never a traceback at exit or a quiet 0. A descriptor closed at start (``>&-``) is taken
at once, or the first file or socket schemadiff opens would become its standard output.
"""

from __future__ import annotations

import errno
import io
import locale
import os
import sys
from typing import TYPE_CHECKING

from schemadiff.errors import SchemadiffError

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer


class OutputError(SchemadiffError):
    """Standard output cannot be written: the output is lost."""


class _Output(io.RawIOBase):
    """File descriptor 1, whose failures say they are standard output's."""

    def __init__(self) -> None:
        self._lost = False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return 1

    def isatty(self) -> bool:
        return os.isatty(1)

    def write(self, data: ReadableBuffer) -> int:
        if self._lost:  # said once; what is left goes nowhere, the last flush at exit included
            return len(memoryview(data))
        try:
            return os.write(1, data)
        except BrokenPipeError:
            raise  # the reader left early: the CLI stops quietly with 141
        except OSError as error:
            self._lost = True
            raise OutputError(_lost(error)) from None


def _lost(error: OSError) -> str:
    if error.errno == errno.EBADF:
        return (
            "Cannot write to standard output: it is closed (or not open for writing), so the "
            "output would be lost. Send it to a terminal, a file or a pipe."
        )
    try:
        target = os.readlink("/proc/self/fd/1")
    except OSError:
        target = ""
    where = f" ({target})" if target.startswith("/") else ""
    cause = os.strerror(error.errno) if error.errno else str(error)
    full = error.errno in (errno.ENOSPC, errno.EDQUOT)
    advice = "Free some space, or send the output elsewhere." if full else "Send it elsewhere."
    return f"Cannot write to standard output{where}: {cause}. {advice}"


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def take() -> None:
    """Hold descriptors 0, 1 and 2 (on /dev/null when they were closed: read-only for 1, so
    that writing there fails), and put ``_Output`` under ``sys.stdout``."""
    for fd, flags in ((0, os.O_RDONLY), (1, os.O_RDONLY), (2, os.O_WRONLY)):
        if not _is_open(fd):
            held = os.open(os.devnull, flags)
            if held != fd:
                os.dup2(held, fd)
                os.close(held)
    if sys.stderr is None:
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115 - for the whole run
    old = sys.stdout
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(_Output()),
        encoding=old.encoding if old else locale.getpreferredencoding(False),
        errors=old.errors if old else "strict",
        line_buffering=bool(old.line_buffering) if old else False,
    )
