"""The sandbox side's hold on every process the user's code starts (Linux).

A daemon that forks twice and calls ``setsid()`` leaves its process group and its parent,
so neither ``killpg`` nor ``PR_SET_PDEATHSIG`` reaches it. A *subreaper*
(``PR_SET_CHILD_SUBREAPER``) gets every orphan of its subtree as a child instead of init, so
the fork server and each forked child keep their descendants in their own tree, where
``kill_descendants`` finds them by walking ``/proc``. No privileges are needed.

Imported by the fork server before SQLAlchemy, so it imports nothing heavy.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable
from types import FrameType

_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
_LINUX = sys.platform.startswith("linux")
_ROUNDS = 200
"""Passes of kill_descendants: each kills what it sees; a fork bomb needs a few."""


def _prctl(option: int, value: int) -> None:
    if _LINUX:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(option, value)


def die_with_parent(signum: int) -> None:
    """Have the kernel send ``signum`` to this process when its parent dies."""
    _prctl(_PR_SET_PDEATHSIG, signum)


def become_subreaper() -> None:
    """Orphaned descendants become our children, not init's: they stay ours to kill."""
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)


def _processes() -> dict[int, int]:
    """Every live process and its parent, from /proc (zombies are left out: they are gone)."""
    found: dict[int, int] = {}
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stat:
                    fields = stat.read().rpartition(b")")[2].split()
            except OSError:
                continue  # it ended while we looked
            if fields and fields[0] not in (b"Z", b"X"):
                found[int(entry.name)] = int(fields[1])
    return found


def descendants(root: int, keep: Callable[[int], bool] = lambda pid: False) -> list[int]:
    """The live processes below ``root``; a child of ``root`` that ``keep`` accepts is left
    out, with its own subtree."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _processes().items():
        children.setdefault(ppid, []).append(pid)
    found: list[int] = []
    todo = [pid for pid in children.get(root, []) if not keep(pid)]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def kill_descendants(root: int, keep: Callable[[int], bool] = lambda pid: False) -> None:
    """SIGKILL every process below ``root`` (but ``keep``'s), again until none is left: what
    a killed process had started is reparented to a subreaper inside the tree, so the next
    pass finds it."""
    for _ in range(_ROUNDS):
        found = descendants(root, keep)
        if not found:
            return
        for pid in found:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.001)  # let the kernel finish them before the next look


_DIRECTORY: list[str] = []
"""The sandbox directory of the fork server this process is (set by ``guard_server``)."""


def guard_server(parent: int, directory: str) -> None:
    """In the fork server, first thing: when schemadiff dies (even by ``kill -9``) or asks it
    to stop (SIGTERM), kill every process below it and remove the sandbox directory."""
    _DIRECTORY.append(directory)
    signal.signal(signal.SIGTERM, leave_server)
    become_subreaper()
    die_with_parent(signal.SIGTERM)
    if os.getppid() != parent:  # it died before we asked to hear of it
        leave_server()


def leave_server(signum: int = 0, frame: FrameType | None = None) -> None:
    """Kill every process below the server, remove its directory, and exit."""
    kill_descendants(os.getpid())
    shutil.rmtree(_DIRECTORY[0], ignore_errors=True)
    os._exit(0)
