"""Alembic's revision graph, read from the revision files with ``ast``: never imported.

The files of any side (a commit, the index, the working tree) can be read this way, which is
how the snapshot file's entries are matched to the revision a side is at.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from schemadiff.errors import ConfigError
from schemadiff.escape import printable

_REV_ID = re.compile(r"\w[\w.]*")
"""What a revision id given with ``--rev-id`` may be. Alembic refuses only ``@ - + :`` (they
mean something in its revision syntax), but the id is also part of the revision file's name:
no separator, no leading dot (``..``), nothing a shell or a reader would take for another
thing. Generated ids (12 hex digits) always match."""


@dataclass(frozen=True, slots=True)
class Graph:
    parents: Mapping[str, tuple[str, ...]]
    """Each revision's down revisions."""

    @property
    def heads(self) -> tuple[str, ...]:
        """The revisions no other revision follows, sorted."""
        followed = {p for parents in self.parents.values() for p in parents}
        return tuple(sorted(set(self.parents) - followed))

    @property
    def head(self) -> str | None:
        """The Alembic head: the one revision no other follows; None when there are no
        revisions, or several heads (``forked``)."""
        return head_of(self.heads)

    @property
    def forked(self) -> bool:
        """Whether the revisions have several heads: branches nobody merged."""
        return len(self.heads) > 1

    def lineage(self, revision: str) -> Iterator[str]:
        """``revision`` and its ancestors, each before its own parents."""
        seen: set[str] = set()
        queue = [revision]
        while queue:
            current = queue.pop(0)
            if current not in seen:
                seen.add(current)
                yield current
                queue.extend(self.parents.get(current, ()))


def graph(files: Mapping[str, bytes]) -> Graph:
    """The graph of the revision files given by path; files that declare none are skipped."""
    found = (declared(source) for path, source in sorted(files.items()) if path.endswith(".py"))
    return Graph({rev: parents for rev, parents in filter(None, found)})


def declared(source: bytes) -> tuple[str, tuple[str, ...]] | None:
    """A revision file's ``revision`` and ``down_revision``, as written at module level."""
    values = literals(source)
    revision = values.get("revision")
    if not isinstance(revision, str):
        return None
    return revision, _revisions(values.get("down_revision"))


def literals(source: bytes) -> dict[str, object]:
    """The module-level names a file assigns a literal to, with their values; none when the
    file is no Python."""
    tree = _parsed(source)
    return dict(_assignments(tree)) if tree is not None else {}


def docstring(source: bytes) -> str | None:
    """The file's docstring (Alembic shows its first line as the revision's message)."""
    tree = _parsed(source)
    return ast.get_docstring(tree, clean=False) if tree is not None else None


def _parsed(source: bytes) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def _assignments(tree: ast.Module) -> Iterator[tuple[str, object]]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name):
            try:
                yield target.id, ast.literal_eval(value)
            except (ValueError, TypeError, SyntaxError, RecursionError):  # not a literal
                continue


def _revisions(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, tuple | list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def check_rev_id(rev_id: str | None) -> None:
    """Refuse a ``--rev-id`` that Alembic would refuse, or that would name a file outside
    the versions directory."""
    if rev_id is not None and not _REV_ID.fullmatch(rev_id):
        raise ConfigError(
            f"--rev-id '{printable(rev_id)}' is not a usable revision id: it names the "
            "revision file, so it takes letters, digits, '_' and '.' (not first). "
            "Choose another, or leave --rev-id out for a generated one."
        )


def head_of(heads: Sequence[str]) -> str | None:
    """The head of a revision graph whose heads are ``heads``: the one there is, else None."""
    return heads[0] if len(heads) == 1 else None
