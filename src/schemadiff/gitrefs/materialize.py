"""A side's files written into a directory the caller owns: regular files never through a
link nor over another entry, links kept only while they resolve inside it, and the absent
Python files of a partial clone fetched first."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from schemadiff.errors import GitError
from schemadiff.gitrefs.trees import Entry, _Trees, _two_entries, _verify_path
from schemadiff.model import Side


class _Materializing(_Trees):
    """Writing a side's files out."""

    def materialize(
        self,
        side: Side,
        entries: Iterable[Entry],
        destination: Path,
        directories: Iterable[str] = (),
    ) -> list[str]:
        """Write ``entries`` below ``destination``, and make ``directories`` (top-relative,
        empty ones included: a view leaves folders without their files, ``view.view``);
        return the paths that could not be read.

        In a partial clone, absent Python files are fetched from the promisor remote in one
        batch, as git's own lazy fetch would; other absent files (data) are skipped. Regular
        files are written first, never through a link, then the directories; links come last
        and are kept only while they resolve inside ``destination`` (``_place_links``).
        """
        entries = list(entries)
        missing = self._fetched(side, entries)
        present = [e for e in entries if e.blob not in missing]
        files = [e for e in present if not stat.S_ISLNK(e.mode)]
        made: set[str] = set()
        for entry, data in zip(files, self.contents(files), strict=True):
            _write_file(destination, entry.path, data, entry.mode, side, made=made)
        _make_directories(destination, directories, side, made)
        links = [e for e in present if stat.S_ISLNK(e.mode)]
        targets = [os.fsdecode(data) for data in self.contents(links)]
        _place_links(destination, list(zip([e.path for e in links], targets, strict=True)))
        return [e.path for e in entries if e.blob in missing]

    def _fetched(self, side: Side, entries: Sequence[Entry]) -> frozenset[str]:
        """The blobs of ``entries`` still absent once the absent Python files are fetched."""
        missing = self.missing_blobs(side)
        code = [e.blob for e in entries if e.blob and e.blob in missing and e.path.endswith(".py")]
        if code and self._fetch_blobs(code):
            assert side.commit is not None
            del self._missing[side.commit]
            missing = self.missing_blobs(side)
        return missing

    def _fetch_blobs(self, blobs: list[str]) -> bool:
        """Fetch objects by id from the promisor remote; only objects are added, never refs."""
        remotes = self._git("config", "--get-regexp", r"^remote\..*\.promisor$").splitlines()
        names = [line.split()[0][len("remote.") : -len(".promisor")] for line in remotes]
        if not names:
            return False
        try:
            self._git(
                "-c",
                "fetch.negotiationAlgorithm=noop",
                "fetch",
                "--quiet",
                "--no-tags",
                "--no-write-fetch-head",
                "--recurse-submodules=no",
                "--filter=blob:none",
                names[0],
                *[b for b in blobs if b],
            )
        except GitError:
            return False
        return True


def _make_directories(
    destination: Path, directories: Iterable[str], side: Side, made: set[str]
) -> None:
    """Make each directory (top-relative), never through a link, as ``_write_file`` does."""
    for directory in directories:
        _verify_path(directory, side)
        if not _folders(destination, f"{directory}/", made):
            raise _two_entries(directory, side)


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


def _write_file(
    destination: Path, path: str, data: bytes, mode: int, side: Side, *, made: set[str]
) -> None:
    """Create ``destination/path``, never following a link (none exists yet when files are
    written), and never over another entry: ``O_EXCL`` refuses two entries of one name."""
    try:
        if not _folders(destination, path, made):
            raise FileExistsError(errno.EEXIST, "not a directory", path)
        fd = os.open(os.path.join(destination, path), _NEW_FILE, 0o755 if mode & 0o111 else 0o644)
    except (FileExistsError, NotADirectoryError, IsADirectoryError):
        raise _two_entries(path, side) from None
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _folders(destination: Path, path: str, made: set[str] | None = None) -> bool:
    """Make the folders of ``path`` one by one; False when one is a link or not a folder.

    ``made`` holds the folders this materialize has made or found to be folders: each is
    checked once, not once per file in it (until links are placed, a folder stays one)."""
    parts = path.split("/")[:-1]
    for end in range(1, len(parts) + 1):
        relative = "/".join(parts[:end])
        if made is not None and relative in made:
            continue
        folder = os.path.join(destination, relative)
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder)
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            return False
        if made is not None:
            made.add(relative)
    return True


def _place_links(destination: Path, links: Sequence[tuple[str, str]]) -> None:
    """Make the symbolic links whose target stays inside ``destination``.

    A link's target is resolved with the links made so far; then every link is checked again
    until none leaves, since a later link can move an earlier one out (``a -> b/..`` made
    before ``b -> .``). Nothing is made through a link: files come first, and a link whose
    folder is a link is left out."""
    top = os.path.realpath(destination)
    made = []
    for path, target in links:
        place = destination / path
        if "\0" in target:
            continue  # no file system holds such a link: it is left out, as git would fail to
        if _folders(destination, path) and _inside(top, os.path.join(place.parent, target)):
            with contextlib.suppress(FileExistsError):
                place.symlink_to(target)
                made.append(place)
    changed = True
    while changed:
        changed = False
        for place in [p for p in made if p.is_symlink()]:
            if not _inside(top, str(place)):
                place.unlink()
                changed = True


def _inside(top: str, path: str) -> bool:
    resolved = os.path.realpath(path)
    return resolved == top or resolved.startswith(top + os.sep)
