"""Ctrl-C and SIGTERM: they stop the work at once, never the clean-up.

The first SIGINT or SIGTERM raises ``Stopped`` (a ``KeyboardInterrupt``, so every
``except KeyboardInterrupt`` on the way out sees it) wherever the work is. A later one, or one
that comes while ``held()`` (the clean-up at exit), is only noted: an exception in the middle of
removing a directory would leave it half removed and print a traceback of our own frames. The
exit code is then 128 + the first signal's number, as a shell reports a process a signal
stopped: 130 for Ctrl-C, 143 for SIGTERM.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_SAID: dict[int, str] = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}
_received: list[int] = []
_holding: list[bool] = [False]


class Stopped(KeyboardInterrupt):
    """SIGINT or SIGTERM came while schemadiff was working."""


def _noted(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    if len(_received) == 1 and not _holding[0]:
        raise Stopped(signum)


def install() -> None:
    """Take SIGINT and SIGTERM from Python's defaults (which would die at once on SIGTERM)."""
    for signum in _SIGNALS:
        signal.signal(signum, _noted)


def hold() -> None:
    """From now on signals are noted, never raised: called as the work's last step, inside
    its own ``try``, so that no instant is left between the work and the clean-up."""
    _holding[0] = True


@contextlib.contextmanager
def held() -> Iterator[None]:
    """A clean-up that runs to its end: signals during it are noted, never raised."""
    hold()
    try:
        yield
    finally:
        _holding[0] = False


def outcome(code: int) -> tuple[int, str | None]:
    """The exit code, and what to say, once everything is cleaned up: a noted signal decides
    both, whatever the work returned."""
    if not _received:
        return code, None
    first = _received[0]
    return 128 + first, f"schemadiff: {_SAID.get(first, 'stopped')}"


def release() -> None:
    """Back to the defaults for the last instants: a signal now ends the process by itself
    (a shell still sees 128 + its number), as nothing is left to clean up."""
    for signum in _SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
