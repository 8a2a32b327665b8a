"""What a side's import is given: its Python code and the files beside it, not every file
under the import roots.

An application repository holds far more than its models need (a frontend tree, docs,
fixtures), and writing it all for each import costs more than the import. The import system
reads Python files, and models read data files kept next to their code; a data folder with
no code in it is given only when a previous import of the same project read from it
(``also``). Every folder is still made, empty or not, so that a scan of a folder (a namespace
package, ``pkgutil.iter_modules``, ``os.listdir``) sees the same names as in the full tree.

Pure: paths in, paths out, no I/O.
"""

from __future__ import annotations

import importlib.machinery
import posixpath
import stat
from collections.abc import Iterable
from typing import Protocol, TypeVar

PYTHON_SUFFIXES = tuple(importlib.machinery.all_suffixes())
"""What the import system loads as a module: ``.py``, ``.pyc`` and extension modules."""


class _Located(Protocol):
    @property
    def path(self) -> str: ...

    @property
    def mode(self) -> int: ...


E = TypeVar("E", bound=_Located)


def view(
    entries: Iterable[E], also: Iterable[str] = (), migrations: Iterable[str] = ()
) -> tuple[list[E], list[str]]:
    """The entries to write and the folders to make, all as paths relative to the top.

    An entry is written when it is a Python file, when its folder holds a Python file
    directly (``app/models/enums.json`` beside ``app/models/__init__.py``), or when it is at
    or directly inside a path of ``also``; not when it lies in one of ``migrations`` (the
    Alembic revision folders: schemadiff reads them itself, statically, and the models do
    not import them), unless ``also`` names it. A link is always written: it may stand for a
    package (``alias -> real``), and costs no blob worth leaving out. So is an entry named
    like a folder of another, so that ``materialize`` refuses the crafted tree as it would
    in full. The folders are those of every entry, written or not, parents first."""
    entries = list(entries)
    given = {_normal(path) for path in also}
    skipped = tuple(f"{_normal(path)}/" for path in migrations)
    code = {posixpath.dirname(e.path) for e in entries if is_python(e.path)}
    folders = {folder for e in entries for folder in _folders_of(e.path)}
    chosen = [
        e
        for e in entries
        if e.path in folders
        or stat.S_ISLNK(e.mode)
        or _in(e.path, given)
        or (_chosen(e, code) and not e.path.startswith(skipped))
    ]
    return chosen, sorted(folders)


def _in(path: str, given: set[str]) -> bool:
    return path in given or posixpath.dirname(path) in given


def is_python(path: str) -> bool:
    return path.endswith(PYTHON_SUFFIXES)


def _chosen(entry: _Located, code: set[str]) -> bool:
    return is_python(entry.path) or posixpath.dirname(entry.path) in code


def _folders_of(path: str) -> list[str]:
    parts = path.split("/")[:-1]
    return ["/".join(parts[:end]) for end in range(1, len(parts) + 1)]


def _normal(path: str) -> str:
    """``also``'s paths as entries spell theirs: no ``./``, no trailing ``/``; "" is the top."""
    normal = posixpath.normpath(path.strip("/") or ".")
    return "" if normal == "." else normal
