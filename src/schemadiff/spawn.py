"""The fork server's process, started with nothing but the standard library.

The server gates every import: its children fork from it once it has SQLAlchemy. ``_entry``
therefore starts it first thing (``early``), before the rest of the sandbox's modules are
imported (``loadfailure``, ``protocol``, ``logging``...: a third of the time to the server's
start); ``sandbox.Server`` then takes it over (``adopt``), or starts one itself with the same
functions, saying what failed. What the server is told and how it is stopped are
``sandbox``'s.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import schemadiff

# The reaper first: the server is answerable for what it starts before SQLAlchemy is in.
_BOOT = (
    "import sys; sys.path.insert(0, {root!r}); from schemadiff import _reaper; "
    "_reaper.guard_server({parent}, {directory!r}); "
    "from schemadiff._child import serve; serve({fd}, {directory!r})"
)
_DROPPED_ENV = ("PYTHONINSPECT", "PYTHONSTARTUP", "PYTHONHOME")
STOPPING = 5.0
"""Seconds the server gets to kill what is left below it and remove its directory."""

Started = tuple[Path, socket.socket, "subprocess.Popen[bytes]"]
"""A server's private directory, our end of its control socket, and its process."""

_EARLY: list[Started] = []


def temporary_root() -> Path:
    """Where the sandbox's files go: TMPDIR as the user set it (tempfile would quietly fall
    back to /tmp when it cannot be written, and put them where they did not want them)."""
    return Path(os.environ.get("TMPDIR") or tempfile.gettempdir()).absolute()


def directory(root: Path) -> Path:
    """A new private directory for a server, below ``root``."""
    return Path(tempfile.mkdtemp(prefix="schemadiff-", dir=root))


def process(directory: Path, fd: int) -> subprocess.Popen[bytes]:
    """The server, in its own session, talking to us on ``fd``; what it prints goes to a file
    in its directory."""
    root = str(Path(schemadiff.__file__).parents[1])
    boot = _BOOT.format(root=root, parent=os.getpid(), directory=str(directory), fd=fd)
    with open(directory / "server-output", "wb") as output:
        return subprocess.Popen(
            [sys.executable, "-c", boot],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
            cwd=directory,
            env=environment(directory),
            start_new_session=True,
            pass_fds=(fd,),
        )


def environment(directory: Path) -> dict[str, str]:
    """Ours without GIT_* and what would change how Python starts; HOME is the directory."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k not in _DROPPED_ENV
    }
    env.update(HOME=str(directory), USERPROFILE=str(directory), PYTHONDONTWRITEBYTECODE="1")
    for xdg in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        env.pop(xdg, None)
    return env


def early() -> None:
    """Start the server now if it can be; a failure is left for ``sandbox.Server`` to meet
    again, and say, when a load needs the server."""
    try:
        made = directory(temporary_root())
    except OSError:
        return
    control = None
    try:
        control, theirs = socket.socketpair()
        with theirs:
            _EARLY.append((made, control, process(made, theirs.fileno())))
    except BaseException as error:  # Ctrl-C included: the directory is ours to remove
        if control is not None:
            control.close()
        shutil.rmtree(made, ignore_errors=True)
        if not isinstance(error, OSError):
            raise


def adopt() -> Started | None:
    """The server ``early`` started, handed over once."""
    return _EARLY.pop() if _EARLY else None


def abandon() -> None:
    """Stop a server ``early`` started that nothing took over: with its control socket
    closed it kills what is below it, removes its directory and exits."""
    while _EARLY:
        made, control, server = _EARLY.pop()
        control.close()
        try:
            server.wait(STOPPING)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        shutil.rmtree(made, ignore_errors=True)
