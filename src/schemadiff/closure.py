"""What an import read from its tree, and whether another side would read the same.

The sandbox child records, with an audit hook, every path of its tree that the import read:
the files it opened (modules included; a file it tried to open and did not find counts),
the paths it only probed (``os.stat``, ``os.path.exists``), the directories the user's code
listed, and the directories the import system searched. That is the import's *closure*.
Another side whose files in the closure are identical would run the same import, read the
same files and build the same MetaData: it has the same schema and needs no import.

"Identical" is decided from git's view of each side (``state_of``): each read path's mode
and blob id (or that it is a directory, or absent), each listed directory's names, and each
searched directory's Python files and subdirectories, the names an import can find there.
A new module in a package the models scan is a new name in a listed (or searched)
directory, so it counts as a change there.
"""

from __future__ import annotations

import importlib.machinery
import os
import posixpath
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

PYTHON_SUFFIXES = tuple(importlib.machinery.all_suffixes())
"""Names the import system finds as modules in a directory it searches."""

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
    searched: frozenset[str] = frozenset()
    """Directories the import system searched: their modules and subdirectories matter."""

    def to_json(self) -> dict[str, list[str]]:
        return {
            "files": sorted(self.files),
            "listed": sorted(self.listed),
            "searched": sorted(self.searched),
        }

    @classmethod
    def from_json(cls, data: object) -> Reads | None:
        """The reads of ``to_json``; None for anything else (an old or damaged answer)."""
        if not isinstance(data, dict):
            return None
        parts = [data.get(k) for k in ("files", "listed", "searched")]
        if not all(isinstance(p, list) and all(isinstance(s, str) for s in p) for p in parts):
            return None
        files, listed, searched = (frozenset(p) for p in parts)  # type: ignore[arg-type]
        return cls(files, listed, searched)

    def __or__(self, other: Reads) -> Reads:
        return Reads(
            self.files | other.files, self.listed | other.listed, self.searched | other.searched
        )

    def __bool__(self) -> bool:
        return bool(self.files or self.listed or self.searched)


class Tree:
    """A side's files under the import roots, as git (or the working tree) has them, made
    ready to say what a closure's paths hold there (``state``)."""

    def __init__(self, entries: Iterable[Listed]) -> None:
        self.by_path = {e.path: e for e in entries}
        self.children: dict[str, set[str]] = {}
        for path in self.by_path:
            parts = path.split("/")
            for depth in range(len(parts)):
                parent = "/".join(parts[:depth]) or "."
                name = parts[depth] + ("/" if depth + 1 < len(parts) else "")
                self.children.setdefault(parent, set()).add(name)

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
                files[path] = "dir" if path in self.children else "-"
        listed = {d: sorted(self.children.get(d, ())) for d in sorted(reads.listed)}
        searched = {d: _importable(self.children.get(d, ())) for d in sorted(reads.searched)}
        return {"files": files, "listed": listed, "searched": searched}


def _importable(names: Iterable[str]) -> list[str]:
    return sorted(n for n in names if n.endswith("/") or n.endswith(PYTHON_SUFFIXES))


Change = tuple[str, str]
"""A path changed between two commits, as ``git diff-tree --name-status`` says: the status
letter (A, D, M, T) and the path."""


class Watch:
    """A closure made ready to test many changes against (``touches``)."""

    def __init__(self, reads: Reads) -> None:
        self.reads = reads
        # A change to a path above a read one: a directory link on the way, say.
        self._above = {a for f in reads.files for a in _ancestors(f)}
        self._dirs = reads.listed | reads.searched

    def touches(
        self, changes: Sequence[Change], exists: Callable[[str], tuple[bool, bool]]
    ) -> bool:
        """Whether ``changes`` (between two commits) change what the import reads.
        ``exists(path)`` says whether the path is there in each of the two commits: asked
        only when a file is added or deleted below a directory the closure lists or
        searches, for the subdirectory it is in."""
        reads = self.reads
        for status, path in changes:
            if path in reads.files or path in self._above:
                return True
            if status == "M":
                continue
            above = _ancestors(path)
            if any(a in reads.files for a in above):
                return True  # a probed path may have become, or stopped being, a directory
            if self._names_change(path, above, exists):
                return True
        return False

    def _names_change(
        self, path: str, above: list[str], exists: Callable[[str], tuple[bool, bool]]
    ) -> bool:
        """Whether adding or deleting ``path`` changes the names of a listed or searched
        directory: the file's own name, or a subdirectory that appears or goes with it."""
        reads = self.reads
        parent, name = above[0], posixpath.basename(path)
        if parent in reads.listed:
            return True
        if parent in reads.searched and name.endswith(PYTHON_SUFFIXES):
            return True
        if name.startswith("__init__.") and len(above) > 1 and above[1] in reads.searched:
            return True  # a namespace package becomes a regular one, or back
        for directory in above[1:]:
            if directory in self._dirs:
                below = path if directory == "." else path[len(directory) + 1 :]
                child = below.split("/", 1)[0]
                before, after = exists(child if directory == "." else f"{directory}/{child}")
                if before != after:
                    return True
        return False


def _ancestors(path: str) -> list[str]:
    """``a/b/c.py`` -> ``["a/b", "a", "."]``: each directory above the path, nearest first."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(len(parts), 0, -1)] + ["."]


class Recorder:
    """The child's side: records what the import reads below ``tree``. Installed once, just
    before the user's code runs; an audit hook cannot be removed, and the child exits after."""

    def __init__(self, tree: str) -> None:
        self._tree = os.path.join(os.path.abspath(tree), "")
        self.files: set[str] = set()
        self.listed: set[str] = set()
        self.searched: set[str] = set()
        self._busy = False  # recording probes paths too (realpath): those are ours

    def install(self) -> None:
        sys.addaudithook(self._heard)
        for name in ("stat", "lstat"):
            setattr(os, name, self._probing(getattr(os, name)))

    def reads(self) -> Reads:
        return Reads(frozenset(self.files), frozenset(self.listed), frozenset(self.searched))

    def _heard(self, event: str, args: tuple[Any, ...]) -> None:
        if event == "open":
            self._add(self.files, args[0])
        elif event in ("os.listdir", "os.scandir"):
            caller = sys._getframe(1).f_code.co_filename
            self._add(self.searched if caller == _IMPORT_SYSTEM else self.listed, args[0])

    def _probing(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def probe(path: Any, *args: Any, **kwargs: Any) -> Any:
            self._add(self.files, path)
            return function(path, *args, **kwargs)

        return probe

    def _add(self, found: set[str], path: object) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            for relative in self._inside(path):
                found.add(relative)
        finally:
            self._busy = False

    def _inside(self, path: object) -> set[str]:
        """The tree-relative forms of ``path``, as given and with links resolved, that lie
        in the tree."""
        if path is None:
            path = "."
        if not isinstance(path, (str, bytes, os.PathLike)):
            return set()  # a file descriptor: opened by path before, where it was recorded
        try:
            text = os.fsdecode(os.fspath(path))
            absolute = os.path.abspath(text)
            candidates = {absolute, os.path.realpath(absolute)}
        except (OSError, ValueError, TypeError):
            return set()
        return {r for r in map(self._relative, candidates) if r is not None}

    def _relative(self, absolute: str) -> str | None:
        if absolute + os.sep == self._tree:
            return "."
        if not absolute.startswith(self._tree):
            return None
        return absolute[len(self._tree) :].replace(os.sep, "/")
