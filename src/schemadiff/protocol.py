"""The sandbox protocol: what the parent (``sandbox``) and a child (``_child``) say to each
other, one frozen dataclass per message, each in plain JSON (never pickle: the child runs the
user's code, and nothing it says is trusted). Both sides import this module and spell no key
of their own. It imports neither SQLAlchemy nor git: the child is forked from a warm server
and must stay light.

On the socket of one load, in order, each message a line:

1. the child: ``Hello``, its pid (the parent kills its process group when it is late);
2. the parent: ``Request``, what to load;
3. the child: ``Figures``, what the load cost (``size``: of what follows), then the answer:
   the schema documents in ``snapshot.dump_packed``'s form, whose head line holds
   ``Answer.to_json()`` beside the documents' heads, or that line alone, with the failure.

Anything the user's code prints goes to the file ``OUTPUT`` in the load's directory; the
server records how each child ended in ``ended_record``.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemadiff.confine import Confinement

TREE, HOME, CWD, OUTPUT = "tree", "home", "cwd", "output"
"""A load's directory: the files to import, its HOME, its working directory, what it printed."""


def ended_record(server_directory: Path, pid: int) -> Path:
    """Where the server writes how the child ``pid`` ended: its exit status, or minus the
    signal that killed it."""
    return server_directory / f"exit-{pid}"


def _object(line: bytes) -> dict[str, Any]:
    """The JSON object on ``line``; ValueError when it is not one."""
    data = json.loads(line)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def _line(data: dict[str, Any]) -> bytes:
    return json.dumps(data).encode() + b"\n"


@dataclass(frozen=True, slots=True)
class Hello:
    """The child's first line: its pid, which is also its process group's."""

    pid: int

    def to_bytes(self) -> bytes:
        return _line({"pid": self.pid})

    @classmethod
    def from_bytes(cls, line: bytes) -> Hello:
        return cls(_object(line)["pid"])


@dataclass(frozen=True, slots=True)
class Request:
    """What one child loads: models imported from its tree, or a database reflected."""

    directory: Path
    """The load's private directory (``TREE``, ``HOME``, ``CWD``, ``OUTPUT``)."""
    repository: Path
    """The user's repository: its modules are refused outside the tree (an editable install)."""
    prefix: str
    """The repository's top in the tree, where the import roots start."""
    roots: tuple[str, ...]
    """The import roots, relative to ``prefix``: first on ``sys.path``."""
    locators: tuple[str, ...]
    dialect: str
    timeout: float
    """Seconds the parent waits; a reflected database's connection gets as long."""
    imports: tuple[str, ...] = ()
    """Modules imported (or functions called) before the locators are read."""
    env: tuple[tuple[str, str], ...] = ()
    """Set in the child's environment before the user's code runs."""
    user_module_prefix: str | None = None
    database: str | None = None
    """A database URL to reflect instead of importing models."""
    include_schemas: tuple[str, ...] = ()
    """Schemas reflected beside the default one."""
    confinement: Confinement = field(default_factory=Confinement)

    @property
    def tree(self) -> Path:
        return self.directory / TREE

    def paths(self) -> list[str]:
        """The import roots as ``sys.path`` holds them."""
        return [str(self.tree / self.prefix / r) for r in self.roots]

    def to_json(self) -> dict[str, Any]:
        return {
            "directory": str(self.directory),
            "repository": str(self.repository),
            "prefix": self.prefix,
            "roots": list(self.roots),
            "locators": list(self.locators),
            "dialect": self.dialect,
            "timeout": self.timeout,
            "imports": list(self.imports),
            "env": dict(self.env),
            "user_module_prefix": self.user_module_prefix,
            "database": self.database,
            "include_schemas": list(self.include_schemas),
            "confinement": self.confinement.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Request:
        return cls(
            directory=Path(data["directory"]),
            repository=Path(data["repository"]),
            prefix=data["prefix"],
            roots=tuple(data["roots"]),
            locators=tuple(data["locators"]),
            dialect=data["dialect"],
            timeout=data["timeout"],
            imports=tuple(data["imports"]),
            env=tuple(data["env"].items()),
            user_module_prefix=data["user_module_prefix"],
            database=data["database"],
            include_schemas=tuple(data["include_schemas"]),
            confinement=Confinement.from_json(data["confinement"]),
        )

    def to_bytes(self) -> bytes:
        return _line(self.to_json())

    @classmethod
    def from_bytes(cls, line: bytes) -> Request:
        return cls.from_json(_object(line))


@dataclass(frozen=True, slots=True)
class Figures:
    """What one load cost its child."""

    seconds: float
    peak_kib: int
    size: int
    """Of the answer, in bytes: a child that died while sending it sent less."""

    def to_bytes(self) -> bytes:
        return _line({"seconds": self.seconds, "peak_kib": self.peak_kib, "size": self.size})

    @classmethod
    def from_bytes(cls, line: bytes) -> Figures:
        """ValueError when the line is not figures (the child died while writing it)."""
        data = _object(line)
        try:
            return cls(float(data["seconds"]), int(data["peak_kib"]), int(data["size"]))
        except (KeyError, TypeError):
            raise ValueError("not figures") from None


class FailureKind(str, enum.Enum):
    """What failed in the child; the parent words each kind (``loadfailure``)."""

    IMPORT = "import"
    """The user's import raised."""
    READ = "read"
    """Reading the MetaData (a locator's attribute or function) raised in the user's code."""
    SYNTAX = "syntax"
    MODULE_MISSING = "module_missing"
    """The locator's module is not in the tree."""
    IMPORT_MISSING = "import_missing"
    """A module ``import = [...]`` names is not in the tree."""
    LOCATOR = "locator"
    """The locator names no MetaData (or no function, for ``()``)."""
    NOT_METADATA = "not_metadata"
    """What the locator names is no MetaData."""
    ARGUMENTS = "arguments"
    """The locator's function takes arguments."""
    RECURSION = "recursion"
    LIMIT = "limit"
    """A limit of the confinement (memory, CPU time) ended the import."""
    REFUSED = "refused"
    """The confinement refused an access."""
    CONFINE = "confine"
    """The confinement could not be set up."""
    DATABASE = "database"
    """Reflecting a database failed."""
    INVALID = "invalid"
    """The request could not be read."""
    INTERNAL = "internal"
    """A bug of ours: raised while reading, by no code of the user's."""


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a load failed, as the child saw it; the parent words it (``loadfailure``)."""

    kind: FailureKind
    message: str
    file: str | None = None
    """Relative to the tree: the user's file to fix, when one is to blame."""
    line: int | None = None
    traceback: str = ""
    advice: str = ""
    """What to do, when the child knows better than the kind (a confinement's refusal)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "traceback": self.traceback,
            "advice": self.advice,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Failure:
        return cls(
            FailureKind(data["kind"]),
            data["message"],
            data.get("file"),
            data.get("line"),
            data.get("traceback") or "",
            data.get("advice") or "",
        )


@dataclass(frozen=True, slots=True)
class Answer:
    """The head line of what follows the figures: the failure, if the load failed, and what
    the import read of its tree (``closure.Reads``'s JSON; None when unknown)."""

    reads: object = None
    failure: Failure | None = None

    def to_json(self) -> dict[str, Any]:
        told = {"reads": self.reads}
        return told if self.failure is None else {"error": self.failure.to_json(), **told}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Answer:
        error = data.get("error")
        return cls(data.get("reads"), None if error is None else Failure.from_json(error))

    def to_bytes(self) -> bytes:
        """A failed load's whole answer (the documents' own head holds ``to_json()``)."""
        return _line(self.to_json())

    @classmethod
    def from_bytes(cls, answer: bytes) -> Answer:
        """The head of an answer, documents or failure; ValueError when there is none."""
        return cls.from_json(_object(answer.partition(b"\n")[0]))
