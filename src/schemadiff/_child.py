"""The sandbox side: a fork server, and the children it forks to import the user's models.

``serve()`` runs in a process ``schemadiff.sandbox`` starts before any request is known: it
imports SQLAlchemy once (that cost overlaps the parent's own start and git work), then forks
a child per load. Each child talks to the parent on its own socket, as ``schemadiff.protocol``
says: its pid, then one ``Request`` read, then its figures and the answer, the schema
documents (``snapshot.dump_packed``) or the failure. Anything the user's code prints goes to
the file ``protocol.OUTPUT`` in the child's directory. Nothing here is imported by the
parent process."""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import importlib
import importlib.abc
import importlib.machinery
import os
import re
import resource
import signal
import socket
import sys
import sysconfig
import time
import traceback
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import sqlalchemy as sa

from schemadiff import _reaper, closure, confine, extract, protocol, snapshot, snapshotfile
from schemadiff.config import DEFAULT_DIALECT
from schemadiff.discover import Locator
from schemadiff.errors import ModelLoadError
from schemadiff.extract import declarations
from schemadiff.protocol import FailureKind


class LoadFailure(Exception):
    """A failure to report to the parent (``protocol.Failure``)."""

    def __init__(
        self, kind: FailureKind, message: str, file: str | None = None, line: int | None = None
    ):
        super().__init__(message)
        self.kind, self.message, self.file, self.line = kind, message, file, line
        self.traceback = ""
        self.advice = ""

    def told(self) -> protocol.Failure:
        return protocol.Failure(
            self.kind, self.message, self.file, self.line, self.traceback, self.advice
        )


class RepositoryGuard(importlib.abc.MetaPathFinder):
    """Refuses modules found in the user's repository, outside the sandbox tree.

    An editable install (``pip install -e .``) puts the working tree on ``sys.path`` or adds
    a finder for it; either would import today's code in place of the ref's.
    """

    def __init__(self, repository: Path, allowed: Sequence[Path]) -> None:
        self.repository, self.allowed = repository, tuple(allowed)

    def forbids(self, location: str | None) -> bool:
        if not location:
            return False
        path = Path(os.path.abspath(location))
        if any(path.is_relative_to(a) for a in self.allowed):
            return False
        return path.is_relative_to(self.repository)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec: importlib.machinery.ModuleSpec | None = find(fullname, path, target)
            if spec is not None:
                locations = list(spec.submodule_search_locations or [])
                if self.forbids(spec.origin) or (
                    spec.origin is None and locations and all(map(self.forbids, locations))
                ):
                    raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
                return spec
        return None


def _prewarm() -> None:
    """Pay once, in the server, what nearly every load needs."""
    importlib.import_module("sqlalchemy.orm")
    extract.load_dialect(DEFAULT_DIALECT)
    extract.warm_compiler(DEFAULT_DIALECT)


def serve(control_fd: int, directory: str) -> None:
    """The fork server: warm up once, then fork one child per load the parent asks for.

    The parent sends, over the control socket, one byte with one end of a socket pair; the
    child forked for it talks to the parent on that socket alone. The server leaves when the
    control socket closes (the parent is done, or gone), killing what is left below it
    (``_reaper.guard_server`` did the rest before SQLAlchemy was imported).
    """
    # Short-lived processes that build a large object graph once: the cyclic collector would
    # only rescan it (measured: a quarter to a third of a large import). Memory is freed at
    # exit. Frozen, the warm objects are never touched again, so forks share their pages.
    gc.disable()
    control = socket.socket(fileno=control_fd)
    _prewarm()
    gc.freeze()
    server = os.getpid()
    # Our copy of each live child's socket, closed once it is reaped and its end recorded:
    # the parent's end of file then means the record is there to read.
    held: dict[int, int] = {}
    signal.signal(signal.SIGCHLD, lambda signum, frame: _reap(held, server, directory))
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 1, 1)
        except OSError:
            break
        if not message or not fds:
            break
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})  # held knows it first
        pid = os.fork()
        if pid == 0:
            control.close()
            for fd in held.values():
                os.close(fd)
            _child(socket.socket(fileno=fds[0]), server)
        held[pid] = fds[0]
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
    _reaper.leave_server()


def _reap(held: dict[int, int], server: int, directory: str) -> None:
    """Collect the children that ended: record how (``exit-PID`` in the server's directory,
    read by the parent when no answer came), kill what they left running (it is ours now,
    as their subreaper was), and close our copy of their socket."""
    ended = []
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
        if pid in held:
            ended.append(held.pop(pid))
            _record_end(
                protocol.ended_record(Path(directory), pid), os.waitstatus_to_exitcode(status)
            )
    if ended:
        _reaper.kill_descendants(server, keep=held.__contains__)
    for fd in ended:
        os.close(fd)


def _record_end(path: Path, code: int) -> None:
    with contextlib.suppress(OSError):  # the parent removed the directory: nobody asks
        path.write_text(str(code))


def _child(connection: socket.socket, server: int) -> NoReturn:
    """One load: say our pid, read the request, answer with its schema documents."""
    code = 1
    try:
        for signum in (signal.SIGTERM, signal.SIGCHLD):  # the server's handlers are not ours
            signal.signal(signum, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        os.setsid()  # our own process group: the parent can stop us and what we start
        _reaper.become_subreaper()  # and what leaves the group (a daemon) stays ours
        _reaper.die_with_parent(signal.SIGKILL)
        if os.getppid() != server:  # it died before we asked to die with it: nobody to answer
            raise ConnectionAbortedError
        connection.sendall(protocol.Hello(os.getpid()).to_bytes())
        line = connection.makefile("rb").readline()
        if line:
            request = protocol.Request.from_bytes(line)
            _isolate(request.directory)
            connection.sendall(_answer(request))
            code = 0
    except OSError:
        pass  # the parent went away: nobody to answer
    finally:
        # Interpreter shutdown would tear down the whole model graph (0.3 s at 500 tables)
        # after the answer is out: flush what the user's code printed, then leave at once.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        _reaper.kill_descendants(os.getpid())  # nothing the models started outlives them
        os._exit(code)


def _isolate(directory: Path) -> None:
    """Our own working directory and HOME; the user's prints go to a file, never to the
    answer; ``input()`` at import time gets end of file."""
    os.chdir(directory / protocol.CWD)
    home = str(directory / protocol.HOME)
    os.environ.update(HOME=home, USERPROFILE=home)
    output = os.open(directory / protocol.OUTPUT, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    for fd in (1, 2):
        os.dup2(output, fd)
    os.close(output)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - closed at exit
    faulthandler.enable()  # a crash in C leaves the Python stack in the output file


def _answer(request: protocol.Request) -> bytes:
    """A line of figures (seconds, peak memory, size of the answer), then the answer: the
    documents, or the error; either with what the import read of its tree (``closure``)."""
    start = time.perf_counter()
    recorder = closure.Recorder(str(request.tree))
    try:
        documents = load(request, recorder)
        told = protocol.Answer(recorder.reads().to_json())
        answer = snapshot.dump_packed(documents, **told.to_json())
    except LoadFailure as failure:
        answer = _error(failure, recorder)
    except ModelLoadError as exc:
        kind = FailureKind.DATABASE if request.database else FailureKind.INVALID
        answer = _error(LoadFailure(kind, str(exc)), recorder)
    except BaseException as exc:  # raised while reading the MetaData: by the user's code?
        answer = _error(_user_failure(exc, request.tree, FailureKind.READ), recorder)
    figures = protocol.Figures(
        seconds=round(time.perf_counter() - start, 4),
        peak_kib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        size=len(answer),
    )
    return figures.to_bytes() + answer


def _error(failure: LoadFailure, recorder: closure.Recorder) -> bytes:
    return protocol.Answer(recorder.reads().to_json(), failure.told()).to_bytes()


def load(request: protocol.Request, recorder: closure.Recorder) -> dict[str, snapshot.Packed]:
    """A schema document for each MetaData, by its name in the snapshot file; ``recorder``
    hears what the import reads."""
    if request.database:
        return {"database": snapshot.Packed.of(_reflected(request.database, request))}
    tree = request.tree
    _confine(request)
    _prepare(request, tree)
    recorder.install()
    declared = declarations.Recorder(tree)
    declared.install()
    for module in request.imports:
        _run_import(module, tree)
    locators = request.locators
    collections = [(loc, _metadata(loc, tree)) for loc in locators]
    schemas = extract.schemas_from_metadata(
        collections, request.dialect, request.user_module_prefix
    )
    names = snapshotfile.names(locators)
    return {
        name: snapshot.Packed.of(
            snapshot.schema_to_json(schema), declared.rows(list(metadata.tables.values()))
        )
        for name, schema, (_, metadata) in zip(names, schemas, collections, strict=True)
    }


def _reflected(url: str, request: protocol.Request) -> dict[str, Any]:
    from schemadiff.extract import reflect  # noqa: PLC0415 - only for --from-db

    schema = reflect.schema_from_database(url, request.timeout, request.include_schemas)
    return snapshot.schema_to_json(schema)


def _confine(request: protocol.Request) -> None:
    """Landlock and limits (schemadiff.confine), before any of the user's code runs."""
    try:
        confine.enter(request.confinement, request.directory, request.repository)
    except (confine.ConfinementError, OSError) as exc:
        raise LoadFailure(FailureKind.CONFINE, str(exc)) from None


def _prepare(request: protocol.Request, tree: Path) -> None:
    sys.dont_write_bytecode = True
    os.environ.update(request.env)
    sys.argv = ["schemadiff-sandbox"]
    allowed = [tree, *_environment_dirs()]
    guard = RepositoryGuard(request.repository, allowed)
    here = os.getcwd()
    kept = [p for p in sys.path if p not in ("", here) and not guard.forbids(p)]
    sys.path[:] = [*request.paths(), *kept]
    sys.meta_path.insert(0, guard)


def _environment_dirs() -> list[Path]:
    """Where installed packages live: never the user's code, even inside the repository."""
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    dirs.update(v for k, v in sysconfig.get_paths().items() if k in ("purelib", "platlib"))
    dirs.add(str(Path(extract.__file__).parent))
    return [Path(os.path.abspath(d)) for d in dirs]


def _run_import(module: str, tree: Path) -> None:
    """One entry of ``import``: a function called, or a module imported the way env.py's
    ``from package import name`` does (a name defined in the package will do)."""
    try:
        found = Locator.parse(module)
        if found is not None and found.call:
            _value(found, module, tree)
            return
        try:
            _import(module, tree)
        except LoadFailure as failure:
            package, _, name = module.rpartition(".")
            if failure.kind is not FailureKind.MODULE_MISSING or not package:
                raise
            if not hasattr(_import(package, tree), name):
                raise
    except LoadFailure as failure:
        if failure.kind is not FailureKind.MODULE_MISSING:
            raise
        # Not "this side has no models": the import entry is wrong for this side.
        raise LoadFailure(
            FailureKind.IMPORT_MISSING, f"import {module!r} names no module"
        ) from None


def _metadata(locator: str, tree: Path) -> sa.MetaData:
    found = Locator.parse(locator)
    if found is None:  # the parent checked it: not a locator is a bug of ours
        raise LoadFailure(FailureKind.INTERNAL, f"{locator!r} is not a locator")
    value = _value(found, locator, tree)
    metadata = _as_metadata(value)
    if metadata is not None:
        return metadata
    what = f"{locator} returned a value of type" if found.call else f"{locator} is a"
    raise LoadFailure(
        FailureKind.NOT_METADATA,
        f"{what} {type(value).__name__}, not a sqlalchemy MetaData. Point the locator at one, "
        'e.g. "app.models:Base.metadata", or at a function that returns one.',
        *_defined_at(found, tree),
    )


def _value(found: Locator, text: str, tree: Path) -> object:
    """What the locator names: the attribute, or what calling it returns."""
    value: object = _import(found.module, tree)
    for part in found.attributes:
        value = _attribute(value, part, text, tree)
    if not found.call:
        return value
    if not callable(value):
        raise LoadFailure(
            FailureKind.LOCATOR, f"{text}: {found.attributes[-1]!r} is not a function."
        )
    try:
        return value()
    except TypeError as exc:
        if exc.__traceback__ is None or exc.__traceback__.tb_next is not None:
            raise _user_failure(exc, tree) from None  # raised inside: the user's own TypeError
        # No frame of the function: the call itself failed, for want of its arguments.
        called = text.removesuffix("()")
        raise LoadFailure(FailureKind.ARGUMENTS, repr(called), *_defined_at(found, tree)) from None
    except BaseException as exc:  # anything the user's code raises, even SystemExit
        raise _user_failure(exc, tree) from None


def _as_metadata(value: object) -> sa.MetaData | None:
    """The MetaData ``value`` holds: itself, its ``metadata`` (a declarative base, a
    Flask-SQLAlchemy ``db``: its default bind), or a Flask app's db (Flask-Migrate's, which
    its env.py uses, else Flask-SQLAlchemy's)."""
    extensions = getattr(value, "extensions", None)
    if isinstance(extensions, dict):
        migrate = extensions.get("migrate")
        value = getattr(migrate, "db", None) or extensions.get("sqlalchemy") or value
    if isinstance(value, sa.MetaData):
        return value
    metadata = getattr(value, "metadata", None)
    return metadata if isinstance(metadata, sa.MetaData) else None


def _defined_at(found: Locator, tree: Path) -> tuple[str | None, int | None]:
    """Where the function called is defined: the place to fix (nothing for a value)."""
    value: object = sys.modules.get(found.module)
    for part in found.attributes if found.call else ():
        value = getattr(value, part, None)
    code = getattr(value, "__code__", None)
    if not found.call or not isinstance(code, types.CodeType):
        return None, None
    return _relative(code.co_filename, tree), code.co_firstlineno


def _import(module_name: str, tree: Path) -> types.ModuleType:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name + ".").startswith(exc.name + "."):
            raise LoadFailure(
                FailureKind.MODULE_MISSING, f"There is no module {module_name!r}."
            ) from None
        raise _user_failure(exc, tree) from None
    except SyntaxError as exc:
        file = _relative(exc.filename, tree)
        raise LoadFailure(FailureKind.SYNTAX, f"SyntaxError: {exc.msg}", file, exc.lineno) from None
    except BaseException as exc:  # anything the user's code raises, even SystemExit
        raise _user_failure(exc, tree) from None


def _attribute(value: object, part: str, locator: str, tree: Path) -> object:
    try:
        return getattr(value, part)
    except AttributeError:
        pass
    if isinstance(value, types.ModuleType):
        try:
            return _import(f"{value.__name__}.{part}", tree)
        except LoadFailure as failure:
            if failure.kind is not FailureKind.MODULE_MISSING:
                raise
    raise LoadFailure(FailureKind.LOCATOR, f"{locator}: {part!r} is not defined there.")


def _user_failure(
    exc: BaseException, tree: Path, kind: FailureKind = FailureKind.IMPORT
) -> LoadFailure:
    """The exception and the last frame of the user's own code that raised it. Raised while
    reading (``READ``) with no frame of theirs, it is a bug of ours (``INTERNAL``)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if _relative(f.filename, tree)]
    last = frames[-1] if frames else None
    message = _said(exc)
    where = (_relative(last.filename, tree), last.lineno) if last else (None, None)
    if isinstance(exc, RecursionError):
        kind = FailureKind.RECURSION
    elif kind is FailureKind.READ and last is None:
        kind = FailureKind.INTERNAL
    failure = LoadFailure(kind, message, *where)
    if refusal := confine.explain(exc, message):
        failure.kind, failure.message, failure.advice = (
            FailureKind(refusal.kind),
            refusal.message,
            refusal.advice,
        )
    failure.traceback = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return failure


def _said(exc: BaseException) -> str:
    """What the exception says is wrong, on one line: pydantic's fields and what each lacks;
    else the line naming the exception and the lines after it, without the trailing
    "For further information visit URL" kind (a SyntaxError's source lines come first)."""
    said = _pydantic_said(exc)
    if said is not None:
        return said
    lines = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()
    kept = [line.strip() for line in lines if line.strip() and not _NOISE.match(line)]
    name = type(exc).__qualname__
    start = next((i for i, line in enumerate(kept) if _names(line, name)), 0)
    return " ".join(kept[start : start + _KEPT_LINES]) or name


_NOISE = re.compile(r"^\s*(For further information|See |Visit |https?://\S+\s*$)", re.IGNORECASE)
_KEPT_LINES = 3
_FIELDS_SAID = 3


def _names(line: str, name: str) -> bool:
    head = line.partition(":")[0]
    return head == name or head.endswith(f".{name}")


def _pydantic_said(exc: BaseException) -> str | None:
    """pydantic's ValidationError as "pydantic ValidationError for Settings: field: what"."""
    errors = getattr(exc, "errors", None)
    if not type(exc).__module__.startswith("pydantic") or not callable(errors):
        return None
    try:
        found = errors(include_url=False, include_input=False)
        fields = [f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in found]
    except Exception:  # another shape than pydantic 2's: said the generic way
        return None
    more = len(fields) - _FIELDS_SAID
    listed = "; ".join(fields[:_FIELDS_SAID]) + (f"; and {more} more" if more > 0 else "")
    title = getattr(exc, "title", None)
    return f"pydantic {type(exc).__name__}{f' for {title}' if title else ''}: {listed}"


def _relative(filename: str | None, tree: Path) -> str | None:
    if not filename:
        return None
    path = Path(os.path.abspath(filename))
    return path.relative_to(tree).as_posix() if path.is_relative_to(tree) else None
