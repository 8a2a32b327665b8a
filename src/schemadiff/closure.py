"""What an import read from its tree, and whether another side would read the same.

The sandbox child records every path of its tree that the import read: the files it opened
(modules included; a file it tried to open and did not find counts), the paths it only
probed (``os.stat``, ``os.path.exists``), the directories the user's code listed
(``os.listdir``, ``os.scandir``, and so ``glob`` and ``pkgutil``), and each place the import
system looked for a module (``app/models/user`` for ``app.models.user``, found or not).
That is the import's *closure*. Another side whose files in the closure are identical would
run the same import, read the same files and build the same MetaData: it has the same
schema and needs no import.

"Identical" is decided from git's view of each side (``Tree.state``): each read path's mode
and blob id (or that it is a directory, or absent), each listed directory's names, and for
each module looked for, the files and package directory that would answer for it. A new
module in a package the models scan is a new name in a listed directory; a module that
appears where a lookup failed before answers it now: both count as changes.
"""

from __future__ import annotations

import bisect
import importlib.abc
import os
import posixpath
import stat
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from schemadiff import view

PYTHON_SUFFIXES = view.PYTHON_SUFFIXES

_IMPORT_SYSTEM = "<frozen importlib._bootstrap_external>"


class Listed(Protocol):
    """A file of a side, as ``gitrefs.Entry`` has it."""

    @property
    def path(self) -> str: ...
    @property
    def mode(self) -> int: ...
    @property
    def blob(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Reads:
    """The closure of one import: tree-relative paths (relative to the repository's top)."""

    files: frozenset[str] = frozenset()
    """Opened or probed: files, directories, or paths that were not there."""
    listed: frozenset[str] = frozenset()
    """Directories the user's code listed: every name in them matters."""
    modules: frozenset[str] = frozenset()
    """Where the import system looked for a module: its path without a suffix
    (``app/models/user``), whether a module was there or not."""
    metadata: frozenset[str] = frozenset()
    """Directories ``importlib.metadata`` scanned for installed distributions (Flask and
    pydantic do, for their plugins): only their ``*.dist-info`` and ``*.egg-info`` matter."""

    def to_json(self) -> dict[str, list[str]]:
        return {
            "files": sorted(self.files),
            "listed": sorted(self.listed),
            "modules": sorted(self.modules),
            "metadata": sorted(self.metadata),
        }

    @classmethod
    def from_json(cls, data: object) -> Reads | None:
        """The reads of ``to_json``; None for anything else (an old or damaged answer)."""
        if not isinstance(data, dict):
            return None
        parts = [data.get(k) for k in ("files", "listed", "modules", "metadata")]
        if not all(isinstance(p, list) and all(isinstance(s, str) for s in p) for p in parts):
            return None
        files, listed, modules, metadata = (frozenset(p) for p in parts)  # type: ignore[arg-type]
        return cls(files, listed, modules, metadata)

    def __or__(self, other: Reads) -> Reads:
        return Reads(
            self.files | other.files,
            self.listed | other.listed,
            self.modules | other.modules,
            self.metadata | other.metadata,
        )

    def __le__(self, other: Reads) -> bool:
        """Whether every path this closure reads, ``other`` reads too."""
        return (
            self.files <= other.files
            and self.listed <= other.listed
            and self.modules <= other.modules
            and self.metadata <= other.metadata
        )

    def __bool__(self) -> bool:
        return bool(self.files or self.listed or self.modules or self.metadata)

    def paths(self) -> frozenset[str]:
        """Every path the closure names."""
        return self.files | self.listed | self.modules | self.metadata


class Tree:
    """A side's files under the import roots, as git (or the working tree) has them, made
    ready to say what a closure's paths hold there (``state``)."""

    def __init__(self, entries: Iterable[Listed]) -> None:
        self.by_path = {e.path: e for e in entries}
        self._sorted = sorted(self.by_path)
        self._children: dict[str, frozenset[str]] = {}

    def children(self, folder: str) -> frozenset[str]:
        """The names directly in ``folder`` ("." for the top), a folder's ending in "/"; found
        by bisection, a subfolder's files skipped at once (a frontend tree costs its folders,
        not its files)."""
        if folder not in self._children:
            prefix = "" if folder == "." else f"{folder}/"
            names: set[str] = set()
            at = bisect.bisect_left(self._sorted, prefix)
            while at < len(self._sorted) and self._sorted[at].startswith(prefix):
                name, slash, _ = self._sorted[at][len(prefix) :].partition("/")
                names.add(name + slash)
                # Past every path below ``name/`` ("0" follows "/"), or to the next name.
                at = (
                    bisect.bisect_left(self._sorted, f"{prefix}{name}0", at + 1)
                    if slash
                    else at + 1
                )
            self._children[folder] = frozenset(names)
        return self._children[folder]

    def is_folder(self, path: str) -> bool:
        prefix = f"{path}/"
        at = bisect.bisect_left(self._sorted, prefix)
        return at < len(self._sorted) and self._sorted[at].startswith(prefix)

    def omitted(self, reads: Reads, given: Iterable[str]) -> set[str]:
        """What the closure read that a view left out (``given`` being the paths it wrote):
        the files it opened or probed, and the folders it listed whose files are not all
        there. Paths for ``view.view``'s ``also``."""
        written = set(given)
        missing = {p for p in reads.files if p in self.by_path and p not in written}
        for module in reads.modules:  # a module looked for, and left out: not found
            parent = module.rpartition("/")[0]
            inside = f"{parent}/" if parent else ""
            for answer in self._answering(module):
                path = f"{module}/{answer}" if answer.startswith("__init__") else inside + answer
                if not answer.endswith("/") and path not in written:
                    missing.add(path)
        for folder in reads.listed:
            inside = "" if folder == "." else f"{folder}/"
            names = self.children(folder)
            if any(not n.endswith("/") and inside + n not in written for n in names):
                missing.add(folder)
        return missing

    def state(self, reads: Reads, digest: Callable[[Listed], str]) -> Any:
        """What the closure's paths hold here: a JSON-able value, equal for two sides
        exactly when the import would read the same in both. ``digest`` names an entry's
        bytes (its blob id, or a hash of a file in the working tree)."""
        files = {}
        for path in sorted(reads.files):
            entry = self.by_path.get(path)
            if entry is not None:
                files[path] = f"{entry.mode:o}:{digest(entry)}"
            else:
                files[path] = "dir" if path == "." or self.is_folder(path) else "-"
        listed = {d: sorted(self.children(d)) for d in sorted(reads.listed)}
        modules = {m: self._answering(m) for m in sorted(reads.modules)}
        metadata = {
            d: sorted(n for n in self.children(d) if _distribution(n))
            for d in sorted(reads.metadata)
        }
        # A link at or on the way to a path read: where it points decides what was read
        # (a folder listed through a link is a file of git's, with the target its bytes).
        links = {
            a: f"{self.by_path[a].mode:o}:{digest(self.by_path[a])}"
            for path in sorted(reads.paths())
            for a in [path, *_ancestors(path)[:-1]]
            if a in self.by_path and stat.S_ISLNK(self.by_path[a].mode)
        }
        return {
            "files": files,
            "listed": listed,
            "modules": modules,
            "metadata": metadata,
            "links": links,
        }

    def _answering(self, module: str) -> list[str]:
        """The names that answer a lookup of ``module`` (a path without suffix) here: its
        module files, its directory, and that directory's ``__init__``."""
        parent, _, name = module.rpartition("/")
        found = sorted(n for n in self.children(parent or ".") if _answers(n, name))
        if f"{name}/" in found:
            found += sorted(n for n in self.children(module) if _answers(n, "__init__"))
        return found


def _distribution(name: str) -> bool:
    """Whether a directory entry is an installed distribution's metadata."""
    return name.rstrip("/").endswith((".dist-info", ".egg-info"))


def _answers(entry: str, module: str) -> bool:
    """Whether a directory entry (a subdirectory ends in "/") answers for ``module``."""
    if entry == f"{module}/":
        return True
    return entry.split(".", 1)[0] == module and entry.endswith(PYTHON_SUFFIXES)


Change = tuple[str, str]
"""A path changed between two commits, as ``git diff-tree --name-status`` says: the status
letter (A, D, M, T) and the path."""


class Watch:
    """A closure made ready to test many changes against (``touches``)."""

    def __init__(self, reads: Reads) -> None:
        self.reads = reads
        # A change to a path read or above one: a link on the way, say (no path is ".").
        self._above = {a for p in reads.paths() for a in _ancestors(p)} | reads.paths()

    def touches(
        self, changes: Sequence[Change], exists: Callable[[str], tuple[bool, bool]]
    ) -> bool:
        """Whether ``changes`` (between two commits) change what the import reads.
        ``exists(path)`` says whether a directory is there in each of the two commits:
        asked only when a file is added or deleted below a listed directory or a module's
        directory, for the subdirectory it is in."""
        reads = self.reads
        for status, path in changes:
            if path in reads.files or path in self._above:
                return True
            if status == "M":
                continue
            above = _ancestors(path)
            if self._answer_changes(path, above[0]) or self._names_change(path, above, exists):
                return True
        return False

    def _answer_changes(self, path: str, parent: str) -> bool:
        """Whether adding or deleting ``path`` changes what answers a module lookup: a
        module file of that name, or a package's ``__init__``."""
        name = posixpath.basename(path)
        if not name.endswith(PYTHON_SUFFIXES):
            return False
        stem = name.split(".", 1)[0]
        module = stem if parent == "." else f"{parent}/{stem}"
        return module in self.reads.modules or (stem == "__init__" and parent in self.reads.modules)

    def _names_change(
        self, path: str, above: list[str], exists: Callable[[str], tuple[bool, bool]]
    ) -> bool:
        """Whether adding or deleting ``path`` changes the names of a listed directory (the
        file's own, or a subdirectory that appears or goes with it), or makes a module's
        directory appear or go."""
        reads = self.reads
        if above[0] in reads.listed:
            return True
        if above[0] in reads.metadata and _distribution(posixpath.basename(path)):
            return True
        for directory in above:
            # A probed path or a module's directory that appears or goes with the file.
            if directory in reads.modules or directory in reads.files:
                before, after = exists(directory)
                if before != after:
                    return True
        for directory in above[1:]:
            if directory in reads.listed or directory in reads.metadata:
                below = path if directory == "." else path[len(directory) + 1 :]
                child = below.split("/", 1)[0]
                named = child if directory == "." else f"{directory}/{child}"
                if directory in reads.metadata and not _distribution(child):
                    continue
                before, after = exists(named)
                if before != after:
                    return True
        return False


def _ancestors(path: str) -> list[str]:
    """``a/b/c.py`` -> ``["a/b", "a", "."]``: each directory above the path, nearest first."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(len(parts), 0, -1)] + ["."]


class Recorder(importlib.abc.MetaPathFinder):
    """The child's side: records what the import reads below ``tree``. Installed once, just
    before the user's code runs (an audit hook cannot be removed; the child exits after),
    first on ``sys.meta_path``, where it hears each lookup and finds nothing itself."""

    def __init__(self, tree: str) -> None:
        absolute = os.path.abspath(tree)
        # Both spellings: a temporary directory behind a link (/var -> /private/var).
        self._trees = sorted({absolute, os.path.realpath(absolute)})
        self.files: set[str] = set()
        self.listed: set[str] = set()
        self.modules: set[str] = set()
        self.metadata: set[str] = set()
        self._busy = False  # recording probes paths too (links, folders): those are ours

    def install(self) -> None:
        sys.addaudithook(self._heard)
        for name in ("stat", "lstat", "access", "readlink"):  # unaudited looks at a path
            setattr(os, name, self._probing(getattr(os, name)))
        sys.meta_path.insert(0, self)

    def reads(self) -> Reads:
        found = (self.files, self.listed, self.modules, self.metadata)
        return Reads(*(frozenset(f) for f in found))

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: object = None) -> None:
        name = fullname.rpartition(".")[2]
        for directory in list(sys.path if path is None else path):
            # Only the tree's own directories: the installed packages' are not ours to watch.
            if isinstance(directory, str) and self._relative(os.path.abspath(directory)):
                self._add(self.modules, os.path.join(directory, name))

    def _heard(self, event: str, args: tuple[Any, ...]) -> None:
        if event == "open":
            self._add(self.files, args[0], opened=True)
        elif event in ("os.listdir", "os.scandir"):
            caller = sys._getframe(1).f_code.co_filename
            # The import system lists the directories it looks in: its lookups are heard
            # one by one (find_spec) instead.
            if caller != _IMPORT_SYSTEM:
                self._add(self.metadata if _metadata(caller) else self.listed, args[0])

    def _probing(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def probe(path: Any, *args: Any, **kwargs: Any) -> Any:
            self._add(self.files, path)
            return function(path, *args, **kwargs)

        return probe

    def _add(self, found: set[str], path: object, opened: bool = False) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            for absolute in self._forms(path):
                relative = self._relative(absolute)
                if relative is None:
                    continue
                found.add(relative)
                if opened and os.path.isdir(absolute):
                    self.listed.add(relative)  # opened to be listed by descriptor (fwalk)
        except (OSError, ValueError, TypeError):
            pass
        finally:
            self._busy = False

    def _forms(self, path: object) -> set[str]:
        """``path`` made absolute, each link on the way to it in the tree and where that
        points, and the path with every link resolved."""
        if path is None:
            path = "."
        if not isinstance(path, (str, bytes, os.PathLike)):
            return set()  # a file descriptor: opened by path before, where it was recorded
        absolute = os.path.abspath(os.fsdecode(os.fspath(path)))
        found, pending = {absolute, os.path.realpath(absolute)}, [absolute]
        for _ in range(_HOPS):
            if not pending:
                break
            link = self._first_link(pending.pop())
            if link is not None:
                found.update(link)
                pending.append(link[1])
        return found

    def _first_link(self, absolute: str) -> tuple[str, str] | None:
        """The first link below the tree on the way to ``absolute``, and the path it leads
        to; None when there is none."""
        relative = self._relative(absolute)
        if relative is None or relative == ".":
            return None
        top = next(t for t in self._trees if absolute.startswith(os.path.join(t, "")))
        parts = relative.split("/")
        for end in range(1, len(parts) + 1):
            prefix = os.path.join(top, *parts[:end])
            if os.path.islink(prefix):
                pointed = os.path.join(os.path.dirname(prefix), os.readlink(prefix))
                return prefix, os.path.normpath(os.path.join(pointed, *parts[end:]))
        return None

    def _relative(self, absolute: str) -> str | None:
        for tree in self._trees:
            if absolute == tree:
                return "."
            if absolute.startswith(os.path.join(tree, "")):
                return absolute[len(tree) + 1 :].replace(os.sep, "/")
        return None


_HOPS = 40
"""Links followed on the way to one path, as the kernel's own limit."""


def _metadata(filename: str) -> bool:
    """Whether code of ``importlib.metadata`` (or its backport) is listing a directory."""
    return f"importlib{os.sep}metadata" in filename or "importlib_metadata" in filename
