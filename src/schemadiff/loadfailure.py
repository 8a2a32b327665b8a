"""How the parent words a load that failed, from what its child said (``protocol.Failure``)
or how it ended: the user's words, where to look, and what to do next.
"""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Sequence
from pathlib import Path

from schemadiff.errors import ModelLoadError
from schemadiff.protocol import Answer, Failure, FailureKind, Request


class ModuleMissingError(ModelLoadError):
    """The locator's module does not exist at that side (the models came later)."""


def timed_out(label: str, request: Request) -> str:
    if request.database:
        return (
            f"Reading {label} took longer than {request.timeout:g} s and was stopped. "
            "Check that the server is reachable, or raise --timeout."
        )
    return (
        f"Importing the models at {label} took longer than {request.timeout:g} s and "
        "was stopped. Look for import-time work that blocks (a network call, a database "
        "connection), or raise --timeout."
    )


def documents(out: bytes, err: bytes, label: str, skipped: Sequence[str]) -> bytes:
    """The answer ``out`` when it holds documents; else the failure it tells, raised as the
    user reads it (``err``: what the child printed)."""
    answer = Answer.from_bytes(out)
    if answer.failure is not None:
        failure = _error(answer.failure, label, skipped)
        failure.detail = answer.failure.traceback + err.decode("utf-8", "replace")
        failure.reads = answer.reads
        raise failure
    return out


def _error(error: Failure, label: str, skipped: Sequence[str]) -> ModelLoadError:
    kind, message = error.kind, error.message
    if kind is FailureKind.DATABASE:
        return ModelLoadError(message)
    absent_code = [path for path in skipped if path.endswith(".py")]
    if kind is FailureKind.MODULE_MISSING and not absent_code:
        return ModuleMissingError(f"{message.rstrip('.')} at {label}.")
    if kind is FailureKind.IMPORT_MISSING and not absent_code:
        return ModelLoadError(
            f"{message} at {label}.\n  Import a module every compared commit has, "
            "or compare from a commit that has it."
        )
    if kind is FailureKind.INTERNAL:  # raised while reading, by no code of the user's
        raise SandboxBug(f"{message} (reading the models at {label})") from RemoteError(
            error.traceback
        )
    where = f" ({error.file}:{error.line})" if error.file else ""
    if kind is FailureKind.ARGUMENTS:
        return ModelLoadError(
            f"{message} takes arguments{where}; a locator calls it with none: point at a "
            "function that takes none, e.g. a wrapper"
        )
    advice = _ADVICE.get(kind, error.advice)
    absent = (
        absent_code
        if kind in (FailureKind.MODULE_MISSING, FailureKind.IMPORT_MISSING)
        else _absent_cause(message, skipped)
    )
    if absent:
        advice = (
            f"{len(skipped)} file(s) are absent from this partial clone and could not be "
            f"fetched, such as {absent[0]}. "
            "Check that the remote is reachable, or clone without --filter."
        )
    second = f"\n  {advice}" if advice else ""
    doing = "Reading" if kind is FailureKind.READ else "Importing"
    failure = ModelLoadError(f"{doing} the models at {label} failed{where}: {message}{second}")
    failure.file = error.file
    return failure


_NO_MODULE = re.compile(r"ModuleNotFoundError: No module named '([\w.]+)'")
_NO_FILE = re.compile(r"(?:FileNotFoundError|OSError): \[Errno 2\] [^:]*: '(.+)'$")


def _absent_cause(message: str, skipped: Sequence[str]) -> list[str]:
    """The absent files the failure names: a module or a file it could not find. Any other
    failure (a missing variable, a syntax error in a file that is there) has its own advice."""
    module, file = _NO_MODULE.search(message), _NO_FILE.search(message)
    if module:
        return [p for p in skipped if _provides(p, module.group(1))]
    if file:
        name = file.group(1).replace(os.sep, "/").removeprefix("./")
        return [p for p in skipped if f"/{name}".endswith(f"/{p}") or f"/{p}".endswith(f"/{name}")]
    return []


def _provides(path: str, module: str) -> bool:
    """Whether the file at ``path`` is ``module`` or a package on its way, from any root."""
    parts = path.removesuffix(".py").removesuffix("/__init__").split("/")
    tails = {".".join(parts[start:]) for start in range(len(parts))}
    return path.endswith(".py") and any((module + ".").startswith(t + ".") for t in tails)


_ADVICE = {
    FailureKind.SYNTAX: "Fix the syntax error, or compare another ref.",
    FailureKind.IMPORT: "Set what it needs under [tool.schemadiff.env], or run with --debug.",
    FailureKind.RECURSION: "A call there recurses without end; run with --debug to see the "
    "traceback.",
    FailureKind.READ: "Your code raised it while schemadiff read the MetaData it built (a type's "
    "__repr__, a default); run with --debug to see the traceback.",
}


class SandboxBug(Exception):
    """The child failed in schemadiff's own code: a bug of ours (exit 3)."""


class RemoteError(Exception):
    """The child's traceback, chained to ``SandboxBug`` so that ``--debug`` shows it."""

    def __str__(self) -> str:
        return f"\n{self.args[0]}" if self.args else ""


_FRAME = re.compile(r'^  File "(.*)", line (\d+) in ', re.MULTILINE)


def ended_without_answer(label: str, code: int | None, err: bytes, tree: Path) -> str:
    """What to say when the child ended without an answer, by how it ended (``code`` as
    ``Server.ended`` gives it) and what it printed (Python's fault handler's dump, on a crash)."""
    if code is None:
        return (
            f"The model import at {label} ended without an answer. "
            f"{it_said(err)}Run with --debug to see its whole output."
        )
    if code >= 0:
        return (
            f"The model import at {label} exited with status {code} before it answered: "
            "something it imports ended the process (os._exit(), or exit() in C). "
            f"{it_said(err)}Run with --debug to see its whole output."
        )
    name = _signal_name(-code)
    if -code == signal.SIGKILL:
        return (
            f"The model import at {label} was killed by SIGKILL: it spun past cpu-limit in C "
            "code, the system ran out of memory, or another program stopped it. Run with --debug "
            "to see its output."
        )
    text = err.decode("utf-8", "replace")
    frames = [(f, n) for f, n in _FRAME.findall(text) if Path(f).is_relative_to(tree)]
    where = f" ({Path(frames[0][0]).relative_to(tree).as_posix()}:{frames[0][1]})" if frames else ""
    # The fault handler prints at most 100 frames, then "  ...": a stack that deep is a
    # recursion that overflowed the C stack.
    if "\n  ...\n" in text:
        return (
            f"The model import at {label} crashed with {name}{where}: a recursion that does not "
            "end overflowed the C stack.\n  Look for a call that calls itself without end; run "
            "with --debug to see the Python stack."
        )
    return (
        f"The model import at {label} crashed with {name}{where}.\n  Code it runs in C (an "
        "extension module, ctypes) failed; run with --debug to see the Python stack."
    )


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def it_said(err: bytes) -> str:
    """The last line the child printed, quoted in a message (empty when it printed none)."""
    lines = [ln for ln in err.decode("utf-8", "replace").splitlines() if ln.strip()]
    return f"It said: {lines[-1].strip()} " if lines else ""
