"""The parent side of the import sandbox: one private directory and one child process.

``Sandbox.start()`` spawns the child at once, so it imports SQLAlchemy while the parent is
still asking git for the files; ``load()`` sends the request and waits for the schema. The
child runs in its own process group with a private HOME and working directory; everything
is removed and the child killed on every exit path, errors and Ctrl-C included.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import schemadiff
from schemadiff.errors import ModelLoadError, ModelTimeoutError

_BOOT = "import sys; sys.path.insert(0, {root!r}); from schemadiff._child import main; main()"
_DROPPED_ENV = ("PYTHONINSPECT", "PYTHONSTARTUP", "PYTHONHOME")


class ModuleMissingError(ModelLoadError):
    """The locator's module does not exist at that side (the models came later)."""


@dataclass(frozen=True, slots=True)
class Request:
    """What to import in a sandbox, with paths relative to the sandbox tree."""

    label: str
    """The side, as messages name it (``HEAD~1``)."""
    repository: Path
    prefix: str
    roots: tuple[str, ...]
    locators: tuple[str, ...]
    dialect: str
    timeout: float
    env: tuple[tuple[str, str], ...] = ()
    user_module_prefix: str | None = None
    skipped: tuple[str, ...] = ()
    """Files that could not be materialized (absent from a partial clone)."""
    database: str | None = None
    """A database URL to reflect instead of importing models."""
    include_schemas: tuple[str, ...] = ()


class Sandbox:
    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="schemadiff-"))
        self.tree = self.directory / "tree"
        self._deadline: float | None = None
        try:
            for name in ("tree", "home", "cwd"):
                (self.directory / name).mkdir()
            self._process = self._spawn()
        except BaseException:  # Ctrl-C included: the directory is ours to remove
            shutil.rmtree(self.directory, ignore_errors=True)
            raise

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-c", _BOOT.format(root=str(Path(schemadiff.__file__).parents[1]))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=self.directory / "cwd",
            env=self._environment(),
            start_new_session=True,
        )

    @classmethod
    def start(cls) -> Sandbox:
        """A started sandbox: one from ``prestart()`` when there is one left, else a new one."""
        return _PRESTARTED.pop(0) if _PRESTARTED else cls()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._kill()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _environment(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("GIT_") and k not in _DROPPED_ENV
        }
        home = str(self.directory / "home")
        env.update(HOME=home, USERPROFILE=home, PYTHONDONTWRITEBYTECODE="1")
        for xdg in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
            env.pop(xdg, None)
        return env

    def send(self, request: Request) -> None:
        """Hand the request to the child, which starts importing at once."""
        message = {
            "tree": str(self.tree),
            "repository": str(request.repository),
            "roots": [str(self.tree / request.prefix / r) for r in request.roots],
            "locators": list(request.locators),
            "dialect": request.dialect,
            "env": dict(request.env),
            "user_module_prefix": request.user_module_prefix,
            "database": request.database,
            "timeout": request.timeout,
            "include_schemas": list(request.include_schemas),
        }
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(json.dumps(message).encode() + b"\n")
            self._process.stdin.flush()
        except BrokenPipeError:
            pass  # the child died early; wait() reports how
        self._deadline = time.monotonic() + request.timeout

    def wait(self, request: Request) -> bytes:
        """The schema documents the child wrote (``snapshot.dump_packed``), or the error that
        explains why there are none."""
        assert self._deadline is not None, "send() first"
        try:
            out, err = self._process.communicate(
                timeout=max(0.0, self._deadline - time.monotonic())
            )
        except subprocess.TimeoutExpired:
            self._kill()
            raise ModelTimeoutError(_timed_out(request)) from None
        return _answer(out, err, self._process.returncode, request)

    def _kill(self) -> None:
        if self._process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
        for stream in (self._process.stdin, self._process.stdout, self._process.stderr):
            if stream is not None:
                stream.close()


_PRESTARTED: list[Sandbox] = []


def prestart(count: int) -> None:
    """Start children before the CLI's own imports, so their warm-up overlaps them."""
    if not _PRESTARTED:
        atexit.register(close_prestarted)
    _PRESTARTED.extend(Sandbox() for _ in range(count))


def close_prestarted() -> None:
    """Stop the children no side took (all sides cached): they would only compete for CPU."""
    while _PRESTARTED:
        _PRESTARTED.pop().close()


def _timed_out(request: Request) -> str:
    if request.database:
        return (
            f"Reading {request.label} took longer than {request.timeout:g} s and was stopped. "
            "Check that the server is reachable, or raise --timeout."
        )
    return (
        f"Importing the models at {request.label} took longer than {request.timeout:g} s and "
        "was stopped. Look for import-time work that blocks (a network call, a database "
        "connection), or raise --timeout."
    )


def _answer(out: bytes, err: bytes, returncode: int, request: Request) -> bytes:
    try:
        answer: dict[str, Any] = json.loads(out.partition(b"\n")[0])
    except ValueError:
        failure = ModelLoadError(
            f"The model import at {request.label} ended without an answer (exit code "
            f"{returncode}). {_tail(err)}Run with --debug to see its whole output."
        )
        failure.detail = err.decode("utf-8", "replace")
        raise failure from None
    if "error" in answer:
        failure = _error(answer["error"], request)
        failure.detail = (answer["error"].get("traceback") or "") + err.decode("utf-8", "replace")
        raise failure
    return out


def _error(error: dict[str, Any], request: Request) -> ModelLoadError:
    kind, message = error["kind"], error["message"]
    if kind == "database":
        return ModelLoadError(message)
    absent_code = [path for path in request.skipped if path.endswith(".py")]
    if kind == "module_missing" and not absent_code:
        return ModuleMissingError(f"{message.rstrip('.')} at {request.label}.")
    where = f" ({error['file']}:{error['line']})" if error.get("file") else ""
    advice = {
        "syntax": "Fix the syntax error, or compare another ref.",
        "import": "Set what it needs under [tool.schemadiff.env], or run with --debug.",
    }.get(kind, "")
    if request.skipped:
        advice = (
            f"{len(request.skipped)} file(s) are absent from this partial clone and could not be "
            f"fetched, such as {absent_code[0] if absent_code else request.skipped[0]}. "
            "Check that the remote is reachable, or clone without --filter."
        )
    second = f"\n  {advice}" if advice else ""
    return ModelLoadError(
        f"Importing the models at {request.label} failed{where}: {message}{second}"
    )


def _tail(err: bytes) -> str:
    lines = [ln for ln in err.decode("utf-8", "replace").splitlines() if ln.strip()]
    return f"It said: {lines[-1].strip()} " if lines else ""
