"""A throwaway PostgreSQL server on 127.0.0.1, started as an unprivileged user.

``PG_BIN`` holds the server's binaries (PostgreSQL 15 by default, ``SCHEMADIFF_PG_BIN`` to
override). initdb refuses to run as root: as root, the server's tools run as ``postgres``, so
the server's directory is made with ``tempfile.mkdtemp``, not under a directory private to this
user (pytest's tmp root, the benchmarks' work directory). No fsync: nothing it holds outlives it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PG_BIN = Path(os.environ.get("SCHEMADIFF_PG_BIN", "/usr/lib/postgresql/15/bin"))


class ServerError(RuntimeError):
    """A server tool failed; the message holds what it and the server's log said."""


def available() -> bool:
    """Whether the server's binaries are where ``PG_BIN`` says."""
    return (PG_BIN / "initdb").exists()


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listened on a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def as_postgres(argv: list[str]) -> list[str]:
    """``argv`` as it must run: as ``postgres`` when we are root."""
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


def run_server_tool(argv: list[str], log: Path | None = None) -> None:
    result = subprocess.run(as_postgres(argv), capture_output=True, check=False)
    if result.returncode != 0:
        said = log.read_text(errors="replace") if log and log.exists() else ""
        raise ServerError(f"{' '.join(argv)} failed:\n{result.stderr.decode()}{said}")


@dataclass(frozen=True)
class Server:
    base: Path
    """The server's directory: its data, its log and its socket."""
    port: int

    @property
    def ctl(self) -> list[str]:
        data, log = self.base / "data", self.base / "log"
        return [str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(log), "-w"]


def start(prefix: str) -> Server:
    """A new server in a new directory named with ``prefix``; ServerError when it does not
    start (its directory then removed)."""
    base = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        if os.geteuid() == 0:
            base.chmod(0o755)
            shutil.chown(base, "postgres", "postgres")
        server = Server(base, free_port())
        initdb = [str(PG_BIN / "initdb"), "-D", str(base / "data"), "-A", "trust", "-U", "postgres"]
        run_server_tool(initdb)
        options = f"-p {server.port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
        run_server_tool([*server.ctl, "-o", options, "start"], base / "log")
    except BaseException:
        shutil.rmtree(base, ignore_errors=True)
        raise
    return server


def stop(server: Server) -> None:
    """Stopped at once (nothing it holds is kept), its directory removed."""
    try:
        stop_server = as_postgres([*server.ctl, "-m", "immediate", "stop"])
        subprocess.run(stop_server, capture_output=True, check=False)
    finally:
        shutil.rmtree(server.base, ignore_errors=True)


@contextlib.contextmanager
def running(prefix: str) -> Iterator[Server]:
    """A server for the ``with`` block (see ``start``), stopped and removed after it."""
    server = start(prefix)
    try:
        yield server
    finally:
        stop(server)
