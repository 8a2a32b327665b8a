"""The parent side of the import sandbox: a fork server, and one private directory and one
forked child per load.

``prestart()`` spawns the server at once, so it imports SQLAlchemy while the parent is still
loading its own modules and asking git for the files. ``Sandbox.start()`` makes a load's
directory; ``send()`` has the server fork a child for it, which pays only for the user's
modules; ``ready()`` waits for one or several and collects their schema documents.
Each child runs in its own process group with a private HOME and working directory; every
directory is removed and every process killed on every exit path, errors and Ctrl-C
included. On Linux the server and its children are subreapers (``_reaper``), so what the
models start (a daemon that left their process group included) is killed with them, and the
server cleans up by itself when schemadiff is killed. What parent and child say is
``protocol``'s; how a failed load is worded, ``loadfailure``'s.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import logging
import os
import select
import selectors
import shutil
import signal
import socket
import stat
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from schemadiff import loadfailure, protocol, spawn
from schemadiff.errors import ModelLoadError, ModelTimeoutError, SchemadiffError
from schemadiff.protocol import Figures, Hello, Request

_CHUNK = 1 << 20
_log = logging.getLogger(__name__)


class TemporaryDirectoryError(SchemadiffError):
    """The temporary directory cannot take the sandbox's files: full, read-only, missing."""


_T = TypeVar("_T")
_ADVICE_FOR_TMP = {
    errno.ENOSPC: "Free some space there, or point TMPDIR at a directory with room.",
    errno.EDQUOT: "Free some space there, or point TMPDIR at a directory with room.",
    errno.EROFS: "Point TMPDIR at a directory that can be written.",
    errno.EACCES: "Point TMPDIR at a directory you can write to.",
    errno.EPERM: "Point TMPDIR at a directory you can write to.",
    errno.ENOENT: "Create it, or point TMPDIR at a directory that exists.",
    errno.ENOTDIR: "Point TMPDIR at a directory.",
}


@contextlib.contextmanager
def _writing(root: Path) -> Iterator[None]:
    """Failures to write below ``root`` are the user's environment's, said as such."""
    try:
        yield
    except OSError as error:
        if error.filename is not None and not Path(error.filename).is_relative_to(root):
            raise  # not a file of ours: reading the working tree, say
        named = f"{root} (TMPDIR)" if os.environ.get("TMPDIR") else str(root)
        cause = os.strerror(error.errno) if error.errno else str(error)
        advice = _ADVICE_FOR_TMP.get(error.errno or 0, "Point TMPDIR at another directory.")
        raise TemporaryDirectoryError(
            f"Cannot write the import sandbox's files in the temporary directory {named}: "
            f"{cause}. {advice}"
        ) from None


@dataclass(frozen=True, slots=True)
class Load:
    """One load: the request its child is sent, and what the parent words its failures by."""

    request: Request
    label: str
    """The side, as messages name it (``HEAD~1``)."""
    skipped: tuple[str, ...] = ()
    """Files that could not be materialized (absent from a partial clone)."""


class Server:
    """The fork server: one warm process, its private directory, and the control socket."""

    def __init__(self) -> None:
        self.root = spawn.temporary_root()
        self._count = 0
        self._removals: list[threading.Thread] = []
        self._stopped = False
        started = spawn.adopt()  # the one _entry started first thing, if it could
        if started is not None:
            self.directory, self._control, self._process = started
            return
        with _writing(self.root):
            self.directory = spawn.directory(self.root)
        try:
            self._control, theirs = socket.socketpair()
            with theirs, _writing(self.root):
                self._process = spawn.process(self.directory, theirs.fileno())
        except BaseException:  # Ctrl-C included: the directory is ours to remove
            shutil.rmtree(self.directory, ignore_errors=True)
            raise

    def directory_for_load(self) -> Path:
        """A new private directory for one load, with its tree, home and working directory."""
        self._count += 1
        directory = self.directory / str(self._count)
        with _writing(self.root):
            for name in (protocol.TREE, protocol.HOME, protocol.CWD):
                (directory / name).mkdir(parents=True)
        return directory

    def remove(self, directory: Path) -> None:
        """Remove a finished load's directory while the work goes on: on a busy disk that
        takes a tenth of a second, which the next answer or the exit would wait for.
        ``close`` waits for it instead (in a thread of our own, no signal stops it halfway);
        after ``close``, or at the interpreter's exit, it is removed at once."""
        self._removals = [thread for thread in self._removals if thread.is_alive()]
        if not self._stopped:
            removal = threading.Thread(target=shutil.rmtree, args=(directory, True), daemon=True)
            with contextlib.suppress(RuntimeError):  # exiting: no new thread can start
                removal.start()
                self._removals.append(removal)
                return
        shutil.rmtree(directory, ignore_errors=True)

    def fork(self) -> socket.socket:
        """A socket to a newly forked child (forked as soon as the server is warm)."""
        ours, theirs = socket.socketpair()
        with theirs:
            try:
                socket.send_fds(self._control, [b"f"], [theirs.fileno()])
            except OSError:
                ours.close()
                raise ModelLoadError(self._died()) from None
        return ours

    def _died(self) -> str:
        output = read_untrusted(self.directory / "server-output", tail=_OUTPUT_KEPT)
        said = loadfailure.it_said(output)
        return f"The import sandbox could not start. {said}Run with --debug for more."

    def ended(self, pid: int) -> int | None:
        """How the child ``pid`` ended, as the server recorded it: its exit status, or minus
        the signal that killed it; None when it has not ended."""
        try:
            return int(protocol.ended_record(self.directory, pid).read_text())
        except (OSError, ValueError):
            return None

    def leave(self) -> None:
        """Have the server stop without waiting for it: it leaves when its control socket
        closes, as it does on SIGTERM; ``close`` then waits for it."""
        self._control.close()

    def close(self) -> None:
        """Stop the server; it kills every process below it (what the models started
        included) and removes its directory, or is killed if it does not in time."""
        self._stopped = True
        self._control.close()
        with contextlib.suppress(ProcessLookupError):
            self._process.send_signal(signal.SIGTERM)
        if not _ended_within(self._process, spawn.STOPPING):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
        for removal in self._removals:
            removal.join()
        shutil.rmtree(self.directory, ignore_errors=True)


def _ended_within(process: subprocess.Popen[bytes], seconds: float) -> bool:
    """Whether ``process`` ends within ``seconds``, told the moment it does (a pidfd):
    ``Popen.wait(timeout)`` polls, and wakes up to 50 ms after the exit."""
    if process.poll() is not None:
        return True  # reaped: its pid may be another process's by now
    try:
        pidfd = os.pidfd_open(process.pid)  # unreaped, the pid is still its own
    except (AttributeError, OSError):  # not Linux 5.3 or later
        try:
            process.wait(seconds)
        except subprocess.TimeoutExpired:
            return False
        return True
    try:
        ended = bool(select.select([pidfd], [], [], seconds)[0])
    finally:
        os.close(pidfd)
    if ended:
        process.wait()  # it has ended: this only reaps it
    return ended


class Sandbox:
    """One load: a directory in the server's, and the child forked for it."""

    def __init__(self, server: Server) -> None:
        self._server = server
        self.directory = server.directory_for_load()
        self.tree = self.directory / protocol.TREE
        self._socket: socket.socket | None = None
        self._received = bytearray()
        self._pid: int | None = None
        self._expected: int | None = None
        self._ended = False
        self._closed = False
        self.deadline = 0.0
        self.figures: Figures | None = None

    @classmethod
    def start(cls) -> Sandbox:
        """A sandbox on the running server (started now when ``prestart()`` was not called)."""
        return cls(_server())

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Kill the child if it is still running; its directory is removed in the
        background (``Server.remove``)."""
        if self._pid is not None and not self._ended:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._pid, signal.SIGKILL)
        if self._socket is not None:
            self._socket.close()
        if not self._closed:
            self._closed = True
            self._server.remove(self.directory)

    def fill(self, write: Callable[[Path], _T]) -> _T:
        """``write(tree)``: put the files to import in the tree; a temporary directory that
        is full or read-only is said to be."""
        with _writing(self._server.root):
            return write(self.tree)

    def fileno(self) -> int:
        assert self._socket is not None, "send() first"
        return self._socket.fileno()

    def send(self, request: Request) -> None:
        """Have a child forked for the request (its ``directory`` this sandbox's); it starts
        importing at once."""
        assert request.directory == self.directory, "a request for another sandbox"
        self._socket = self._server.fork()
        with contextlib.suppress(OSError):  # the child died early; wait() reports how
            self._socket.sendall(request.to_bytes())
        self.deadline = time.monotonic() + request.timeout

    def receive(self) -> bool:
        """Read what the child has sent so far; True once it has said all (or died)."""
        assert self._socket is not None, "send() first"
        try:
            chunk = self._socket.recv(_CHUNK)
        except OSError:
            chunk = b""
        if chunk:
            self._received += chunk
            if self._pid is None and b"\n" in self._received:
                self._pid = Hello.from_bytes(bytes(self._received.partition(b"\n")[0])).pid
            # Done once the answer is all here: a process the models started may hold the
            # socket open after the child has left.
            self._ended = self._complete()
            return self._ended
        self._ended = True
        return True

    def _complete(self) -> bool:
        if self._expected is None:
            first = self._received.find(b"\n")
            second = self._received.find(b"\n", first + 1) if first >= 0 else -1
            if second < 0:
                return False
            try:
                size = Figures.from_bytes(bytes(self._received[first + 1 : second])).size
            except ValueError:
                return False
            self._expected = second + 1 + size
        return len(self._received) >= self._expected

    def result(self, load: Load) -> bytes:
        """The answer, once ``receive()`` said the child is done."""
        lines = bytes(self._received).split(b"\n", 2)
        if len(lines) < 3:
            raise self._no_answer(load)
        try:
            self.figures = Figures.from_bytes(lines[1])
        except ValueError:
            raise self._no_answer(load) from None
        if len(lines[2]) != self.figures.size:
            raise self._no_answer(load)
        done = "read" if load.request.database else "imported"
        _log.debug(
            "%s: %s in %.3f s, peak memory %d KiB",
            load.label,
            done,
            self.figures.seconds,
            self.figures.peak_kib,
        )
        return loadfailure.documents(lines[2], self._output(), load.label, load.skipped)

    def _output(self) -> bytes:
        return read_untrusted(self.directory / protocol.OUTPUT, tail=_OUTPUT_KEPT)

    def _no_answer(self, load: Load) -> ModelLoadError:
        err = self._output()
        code = self._server.ended(self._pid) if self._pid is not None else None
        said = loadfailure.ended_without_answer(load.label, code, err, self.tree)
        failure = ModelLoadError(said)
        failure.detail = err.decode("utf-8", "replace")
        return failure

    def stop(self, load: Load) -> ModelTimeoutError:
        self.close()
        self._ended = True
        return ModelTimeoutError(loadfailure.timed_out(load.label, load.request))


def ready(
    boxes: Sequence[Sandbox], loads: Sequence[Load]
) -> list[tuple[int, bytes | ModelLoadError]]:
    """Wait until at least one of the started ``boxes`` is done; its position and answer (or
    failure), for each that is."""
    done: list[tuple[int, bytes | ModelLoadError]] = []
    with selectors.DefaultSelector() as selector:
        for i, box in enumerate(boxes):
            selector.register(box, selectors.EVENT_READ, i)
        while not done:
            deadline = min(box.deadline for box in boxes)
            events = selector.select(max(0.0, deadline - time.monotonic()))
            for key, _ in events:
                i = key.data
                if boxes[i].receive():
                    done.append((i, _outcome(boxes[i], loads[i])))
            if not events:
                now = time.monotonic()
                done += [
                    (i, box.stop(loads[i])) for i, box in enumerate(boxes) if box.deadline <= now
                ]
    return done


def _outcome(box: Sandbox, load: Load) -> bytes | ModelLoadError:
    try:
        return box.result(load)
    except ModelLoadError as failure:
        return failure


_SERVER: list[Server] = []
"""The server loads are forked from (one at most)."""
_LEAVING: list[Server] = []
"""Servers told to leave (``finish``), which ``stop`` waits for."""


def prestart() -> None:
    """Start the fork server before the CLI's own imports, so its warm-up overlaps them."""
    with contextlib.suppress(SchemadiffError):  # said when a load needs it, by the CLI
        _server()


def _server() -> Server:
    if not _SERVER:
        atexit.register(stop)
        _SERVER.append(Server())
    return _SERVER[0]


def finish() -> None:
    """No more loads are coming (the command's session has ended): the server kills what
    is left below it and removes its directory now, while the command goes on to render;
    ``stop`` waits for it. A load after this would start another server."""
    while _SERVER:
        server = _SERVER.pop()
        server.leave()
        _LEAVING.append(server)


def stop() -> None:
    """Stop the fork server (when no side needs importing, it would only compete for CPU),
    and wait for those told to leave."""
    while _SERVER or _LEAVING:
        (_SERVER or _LEAVING).pop().close()


_OUTPUT_KEPT = 1 << 22
"""Bytes kept of what the user's code printed: its end, where the error is."""


def read_untrusted(path: Path, head: int | None = None, tail: int | None = None) -> bytes:
    """A file the child could write or replace, read only when it is still a regular file:
    the child may have swapped it for a link to a secret, a FIFO that never ends, or a device.
    At most ``head`` bytes from its start or ``tail`` from its end; b"" when it is not one."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except (OSError, ValueError):
        return b""
    with os.fdopen(fd, "rb") as file:
        size = os.fstat(fd)
        if not stat.S_ISREG(size.st_mode):
            return b""
        if tail is not None:
            file.seek(max(0, size.st_size - tail))
        return file.read(head if head is not None else -1)
