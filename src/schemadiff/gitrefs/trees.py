"""The files of a side (``Entry``): listed from a commit's tree, the index or the working
tree, with the paths git would refuse to check out refused, and their bytes read."""

from __future__ import annotations

import fnmatch
import functools
import os
import posixpath
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from schemadiff.errors import GitError
from schemadiff.escape import printable
from schemadiff.gitrefs.objects import _Objects
from schemadiff.gitrefs.process import _pathspec, _records
from schemadiff.model import Side, Source


@dataclass(frozen=True, slots=True)
class Entry:
    """One file of a side: its path relative to the repository's top, and where its bytes are."""

    path: str
    mode: int
    blob: str | None
    """The blob id; None for a file read from the working tree."""


class _Trees(_Objects):
    """A side's files and their contents."""

    def entries(self, side: Side, roots: Iterable[str]) -> list[Entry]:
        """The files of ``side`` under ``roots`` (paths relative to the top), deduplicated.

        A path git itself would refuse to check out (a crafted tree) is an error, and so is
        an unmerged one in the index or working tree: neither may read as a missing file."""
        return self._entries(side, sorted({_pathspec(r) for r in roots}))

    def matching(self, side: Side, globs: Sequence[str]) -> list[str]:
        """The paths of ``side``'s files matching any of ``globs`` (relative to the top;
        ``*`` does not cross a ``/``), sorted. ``git ls-tree`` takes no glob: a commit's
        files under the globs' common folder are listed and matched here."""
        if not globs:
            return []
        if side.source is not Source.GIT:
            return [e.path for e in self._entries(side, sorted({f":(top,glob){g}" for g in globs}))]
        folders = [os.path.dirname(g.partition("*")[0]) or "." for g in globs]
        listed = self.entries(side, [os.path.commonpath(folders) or "."])
        return [e.path for e in listed if any(glob_match(e.path, g) for g in globs)]

    def _entries(self, side: Side, pathspecs: list[str]) -> list[Entry]:
        if side.source is Source.WORKTREE:
            found = self._worktree_entries(pathspecs)
        elif side.source is Source.INDEX:
            found = self._index_entries(pathspecs)
        else:
            assert side.commit is not None
            found = self._tree_entries(side.commit, pathspecs)
        for entry in found:
            if entry.path not in self._verified:  # a path is refused or not for any side
                _verify_path(entry.path, side)
                self._verified.add(entry.path)
        _refuse_doubles(found, side)
        return sorted({e.path: e for e in found}.values(), key=lambda e: e.path)

    def _tree_entries(self, commit: str, pathspecs: list[str]) -> list[Entry]:
        out = self._git("ls-tree", "-r", "-z", "--full-tree", commit, "--", *pathspecs)
        entries = []
        for record in _records(out):
            meta, path = record.split("\t", 1)
            mode, kind, blob = meta.split()
            if kind == "blob":
                entries.append(Entry(path, int(mode, 8), blob))
        return entries

    def _staged(self, pathspecs: list[str]) -> dict[str, tuple[str, Entry]]:
        """The index under ``pathspecs``: each path's tag (``git ls-files -t``: S for
        skip-worktree) and entry. Stops at unmerged paths, which have no one content."""
        out = self._git("ls-files", "-t", "-s", "-z", "--full-name", "--", *pathspecs)
        staged, unmerged = {}, []
        for record in _records(out):
            meta, path = record.split("\t", 1)
            tag, mode, blob, stage = meta.split()
            if stage != "0":
                unmerged.append(path)
            elif mode != "160000":  # a submodule has no files of its own here
                staged[path] = (tag, Entry(path, int(mode, 8), blob))
        if unmerged:
            names = ", ".join(printable(p) for p in sorted(set(unmerged))[:3])
            more = f" and {len(set(unmerged)) - 3} more" if len(set(unmerged)) > 3 else ""
            raise GitError(
                f"The index has unresolved conflicts in {names}{more}: the schema there is not "
                "decided yet. Resolve them (edit, then git add), or finish or abort the merge, "
                "rebase or cherry-pick first."
            )
        return staged

    def _index_entries(self, pathspecs: list[str]) -> list[Entry]:
        return [entry for _, entry in self._staged(pathspecs).values()]

    def _worktree_entries(self, pathspecs: list[str]) -> list[Entry]:
        staged = self._staged(pathspecs)
        out = self._git("ls-files", "-z", "--full-name", "--others", "--exclude-standard", "--",
                        *pathspecs)  # fmt: skip
        entries = []
        for path in [*staged, *_records(out)]:
            try:
                mode = (self.top / path).lstat().st_mode
            except FileNotFoundError:
                tag, entry = staged.get(path, ("", None))
                if tag == "S" and entry is not None:
                    entries.append(entry)  # outside a sparse checkout: as the index has it
                continue  # tracked but deleted in the working tree
            if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
                entries.append(Entry(path, mode, None))
        return entries

    @functools.cached_property
    def _partial(self) -> bool:
        """Whether this clone may lack objects (a partial clone, or a promisor remote)."""
        try:
            found = self._git(
                "config", "--get-regexp", r"^(extensions\.partialclone|remote\..*\.promisor)$"
            )
        except GitError:
            return False  # git config exits 1 when nothing matches
        return bool(found.strip())

    def missing_blobs(self, side: Side) -> frozenset[str]:
        """Blob ids of ``side`` absent from this clone (partial or blob-less); never fetches."""
        if side.commit is None or not self._partial:
            return frozenset()
        if side.commit not in self._missing:
            out = self._git("rev-list", "--objects", "--missing=print", f"{side.commit}^{{tree}}")
            self._missing[side.commit] = frozenset(
                line[1:].split()[0] for line in out.splitlines() if line.startswith("?")
            )
        return self._missing[side.commit]

    def files(self, side: Side, roots: Iterable[str]) -> dict[str, bytes]:
        """The contents of the files of ``side`` under ``roots``, by path; absent ones left out."""
        missing = self.missing_blobs(side)
        present = [e for e in self.entries(side, roots) if e.blob not in missing]
        return dict(zip([e.path for e in present], self.contents(present), strict=True))

    def read(self, side: Side, path: str) -> bytes | None:
        """One file of ``side`` (path relative to the top), or None when it has none there.
        A commit's file is asked of the long-lived ``git cat-file`` processes, unless this
        clone may lack objects (then git would fetch them)."""
        if side.source is Source.GIT and side.commit and "\n" not in path and not self._partial:
            blob = self._look(f"{side.commit}:{path}")
            return None if blob is None else next(self._objects([(blob, path)]))
        match = [e for e in self.entries(side, [path]) if e.path == path]
        if not match or match[0].blob in self.missing_blobs(side):
            return None
        return self.content(match[0])

    def content(self, entry: Entry) -> bytes:
        return next(self.contents([entry]))

    def contents(self, entries: Sequence[Entry]) -> Iterator[bytes]:
        """The bytes of each entry, in order: a file of the working tree (or its link's
        target) from disk, a blob streamed from ``git cat-file --batch`` (``_objects``)."""
        stored = self._objects([(e.blob, e.path) for e in entries if e.blob is not None])
        for entry in entries:
            yield next(stored) if entry.blob is not None else _on_disk(self.top / entry.path)


def glob_match(path: str, glob: str) -> bool:
    """Whether ``path`` matches ``glob`` folder by folder, as git's ``glob`` pathspec magic."""
    parts, patterns = path.split("/"), glob.split("/")
    return len(parts) == len(patterns) and all(map(fnmatch.fnmatchcase, parts, patterns))


def _verify_path(path: str, side: Side) -> None:
    """Refuse what git's own ``verify_path`` refuses to check out: an absolute path, or an
    empty, ``.``, ``..`` or ``.git`` component (in any case). Only a crafted tree has one."""
    parts = path.split("/")
    if not path.startswith("/") and all(
        p not in ("", ".", "..") and p.lower() != ".git" for p in parts
    ):
        _verify_name_lengths(path, side)
        return
    raise GitError(
        f"{side.label} holds a file at '{printable(path)}', a path git itself refuses to check "
        "out: the tree was crafted. schemadiff writes nothing of it; inspect that commit "
        "(git ls-tree -r) before trusting it."
    )


_NAME_MAX = 255
"""Bytes in one file name, on every file system Linux and macOS write to."""


def _verify_name_lengths(path: str, side: Side) -> None:
    """A name no file system can hold cannot be checked out either: say so, rather than fail
    as if the temporary directory were at fault."""
    if all(len(os.fsencode(part)) <= _NAME_MAX for part in path.split("/")):
        return
    raise GitError(
        f"{side.label} holds a file at '{printable(path)}' with a name longer than the "
        f"{_NAME_MAX} bytes a file system allows: git cannot check it out either. Inspect that "
        "commit (git ls-tree -r) before trusting it."
    )


def _on_disk(path: Path) -> bytes:
    return os.readlink(path).encode() if path.is_symlink() else path.read_bytes()


def _refuse_doubles(entries: Sequence[Entry], side: Side) -> None:
    """A file whose name is also a folder of the same side: a crafted tree, refused even when
    nothing would be written (the answer may come from the cache)."""
    paths = {e.path for e in entries}
    folders: set[str] = set()
    for parent in {posixpath.dirname(p) for p in paths}:
        folder = parent
        while folder and folder not in folders:
            folders.add(folder)
            folder = posixpath.dirname(folder)
    doubles = sorted(paths & folders)
    if doubles:
        raise _two_entries(doubles[0], side)


def _two_entries(path: str, side: Side) -> GitError:
    return GitError(
        f"{side.label} holds two entries for '{printable(path)}' (a file and a folder of "
        "one name, or the same name twice): the tree was crafted. Inspect that commit "
        "(git ls-tree -r) before trusting it."
    )
