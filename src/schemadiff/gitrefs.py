"""Everything schemadiff asks of git, and the only module that uses GitPython.

It reads; it never writes to the user's repository. Files of a side are read from git
objects (a commit's tree, the index) or from the working tree, and materialized into a
directory that the caller owns.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import functools
import os
import posixpath
import stat
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

import git
import git.exc

from schemadiff.errors import GitError
from schemadiff.escape import printable
from schemadiff.model import Commit, Side, Source

WORKTREE = "<worktree>"
INDEX = "<index>"
EMPTY = "<empty>"
"""The empty tree: the older side of a first commit, or of a push of a whole history."""

_SAFE_CONFIG = {"core.fsmonitor": "false"}
"""Config that could run a program on the read-only calls we make, overridden on every git
call (given in the environment, so GitPython's own long-lived ``cat-file`` process has it too).
``core.fsmonitor`` is the one that applies: ls-files and diff-tree consult it; the rest of the
program-running keys (hooks, textconv, filters, credential helpers) serve commands and options
we never use, or belong to the user's own fetch of absent blobs."""

_LOCATING = {
    "GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE", "GIT_PREFIX",
    "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE",
}  # fmt: skip
"""What a hook or a script may have set that points git at another repository than ours."""

_EMPTY_TREES = {  # git knows these objects without storing them
    "sha1": "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    "sha256": "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321",
}


@dataclass(frozen=True, slots=True)
class RangeSpec:
    """What the user asked to compare, before git resolves it."""

    old: str
    new: str
    """A revision, or ``WORKTREE`` / ``INDEX``."""
    merge_base: bool = False


def parse_range(revisions: Sequence[str], staged: bool = False) -> RangeSpec:
    """Read the revision arguments the way ``git diff`` does."""
    for revision in revisions:
        _check_revision_text(revision)
    rest = INDEX if staged else WORKTREE
    if len(revisions) > 2:
        raise GitError("Too many revisions: give at most two (A B), or one range (A..B, A...B).")
    if len(revisions) == 2:
        if staged:
            raise GitError("--staged compares with the index: give at most one revision with it.")
        return RangeSpec(revisions[0], revisions[1])
    if not revisions:
        return RangeSpec("HEAD", rest)
    return _parse_one(revisions[0], rest, staged)


def _parse_one(text: str, rest: str, staged: bool) -> RangeSpec:
    for separator, merge_base in (("...", True), ("..", False)):
        if separator in text:
            if staged:
                raise GitError(f"--staged takes one revision, not the range {text!r}.")
            old, new = text.split(separator, 1)
            for part in (old, new):
                _check_revision_text(part)
            return RangeSpec(old or "HEAD", new or "HEAD", merge_base)
    return RangeSpec(text, rest)


def _check_revision_text(revision: str) -> None:
    if revision.startswith("-"):
        raise GitError(
            f"Refusing the revision {revision!r}: it begins with '-', which git would read as an "
            "option. Name the commit another way (its id, or refs/heads/NAME)."
        )
    if any(ch in revision for ch in "\0\n"):
        raise GitError(f"Refusing the revision {revision!r}: it contains a control character.")


@dataclass(frozen=True, slots=True)
class Walk:
    """Which commits a history walk visits, with git log's options."""

    revisions: tuple[str, ...] = ()
    """As git log takes them: ``B``, ``A..B``, ``A...B``, ``^A B``; none is HEAD."""
    first_parent: bool = False
    max_count: int | None = None
    since: str | None = None
    until: str | None = None

    def arguments(self) -> list[str]:
        for revision in self.revisions:
            for part in revision.replace("...", "..").split(".."):
                _check_revision_text(part.removeprefix("^"))
        options = ["--first-parent"] if self.first_parent else []
        if self.max_count is not None:
            options.append(f"--max-count={self.max_count}")
        options += [f"--{k}={v}" for k, v in (("since", self.since), ("until", self.until)) if v]
        return [*options, *(self.revisions or ("HEAD",)), "--"]


_LOG_FORMAT = "--format=%x1e%H%x00%P%x00%an%x00%ae%x00%aI%x00%s"


@dataclass(frozen=True, slots=True)
class Missing:
    """The older side of a range that this shallow clone does not hold."""

    label: str
    """The side as the user named it (``origin/main``, ``origin/main...HEAD``)."""
    ref: str
    """The older ref alone (``origin/main``)."""
    reason: str
    """What is missing, as a clause: "origin/main is not in this shallow clone"."""
    tip: str | None = None
    """The older ref's own commit, when only the merge base is missing."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One file of a side: its path relative to the repository's top, and where its bytes are."""

    path: str
    mode: int
    blob: str | None
    """The blob id; None for a file read from the working tree."""


class Repository:
    """A git repository opened read-only at the user's directory."""

    def __init__(self, directory: Path) -> None:
        self._repo = _open(directory)
        if self._repo.working_tree_dir is None:
            raise GitError(f"{directory} is a bare repository: schemadiff needs a working tree.")
        self.top = Path(self._repo.working_tree_dir)
        self.prefix = _project_prefix(directory, self.top)
        """The project directory relative to ``top``, as POSIX text ("" at the top)."""
        self.common_dir = Path(self._repo.common_dir)
        """The git directory shared by all worktrees (``.git`` in a plain clone)."""
        self._missing: dict[str, frozenset[str]] = {}
        self._batch: Any = None
        self._checks: Any = None
        self._existing: dict[tuple[str, str], bool | None] = {}
        self._verified: set[str] = set()
        """Paths ``_verify_path`` passed: a long walk meets the same ones at every commit."""
        self._unread = 0
        """Answers of ``git cat-file --batch`` asked for and not read yet (``_objects``)."""
        self._repo.git.update_environment(
            GIT_DIR=str(self._repo.git_dir),
            GIT_WORK_TREE=str(self.top),
            **_index_file(self.top),
            **_config_environment(_SAFE_CONFIG),
        )

    def close(self) -> None:
        self._stop_cat_file(kill=False)
        if self._checks is not None:
            with contextlib.suppress(git.exc.GitCommandError, OSError):
                self._checks.proc.stdin.close()
                self._checks.wait()
        self._repo.close()

    def resolve(self, spec: RangeSpec) -> tuple[Side | Missing, Side]:
        """Turn a range into two sides, the older first.

        In a shallow clone, an older side outside the clone is ``Missing``, not an error: a
        snapshot may stand in for it.
        """
        new = self.side(spec.new)
        if spec.old == "HEAD" and not spec.merge_base and not self._born:
            empty = replace(self.side(EMPTY), ref="HEAD", reason="no commits yet: the empty tree")
            return empty, new  # git diff --cached does the same before a commit
        try:
            return self._older(spec, new), new
        except GitError as error:
            if not self.shallow:
                raise
            return self._absent(spec, error), new

    def _older(self, spec: RangeSpec, new: Side) -> Side:
        if spec.merge_base:
            assert new.commit is not None
            base = self._merge_base(self._commit(spec.old), new.commit, spec)
            return Side(f"{spec.old}...{spec.new}", base, Source.GIT)
        return self.side(spec.old)

    def _absent(self, spec: RangeSpec, error: GitError) -> Missing:
        label = f"{spec.old}...{spec.new}" if spec.merge_base else spec.old
        try:
            tip = self._commit(spec.old)
        except GitError:
            return Missing(label, spec.old, f"{spec.old} is not in this shallow clone")
        if not spec.merge_base:
            raise error
        reason = f"the merge base of {spec.old} and {spec.new} is not in this shallow clone"
        return Missing(label, spec.old, reason, tip)

    @property
    def shallow(self) -> bool:
        return self._git("rev-parse", "--is-shallow-repository") == "true"

    def side(self, revision: str) -> Side:
        """One side: a revision, ``WORKTREE`` or ``INDEX``."""
        if revision == WORKTREE:
            return Side(None, None, Source.WORKTREE)
        if revision == INDEX:
            return Side(None, None, Source.INDEX)
        if revision == EMPTY or revision in _EMPTY_TREES.values():
            tree = _EMPTY_TREES[self._git("rev-parse", "--show-object-format")]
            return Side(tree[:12], tree, Source.GIT, "the empty tree")
        return Side(revision, self._commit(revision), Source.GIT)

    @property
    def _born(self) -> bool:
        try:
            self._git("rev-parse", "--verify", "--quiet", "HEAD^{commit}")
        except GitError:
            return False
        return True

    def _require_commits(self) -> None:
        if self._born:
            return
        branch = self._git("symbolic-ref", "--quiet", "--short", "HEAD")
        if self._git("for-each-ref", "--count=1", "refs/heads/"):
            raise GitError(
                f"HEAD is on the branch '{printable(branch)}', which has no commits yet (an "
                "orphan branch): HEAD names no commit. Name the commits to compare (main..other)."
            )
        raise GitError(
            f"The repository at {self.top} has no commits yet: there is nothing to compare. "
            "Commit your models first."
        )

    def _commit(self, revision: str) -> str:
        _check_revision_text(revision)  # again here: nothing unchecked ever reaches git
        try:
            return str(self._git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"))
        except GitError:
            if revision.startswith("HEAD") or revision.startswith("@"):
                self._require_commits()
            raise GitError(
                f"Unknown revision '{printable(revision)}': it names no commit in {self.top}. "
                "Check the spelling, or fetch it (git fetch)."
            ) from None

    def _merge_base(self, old: str, new: str, spec: RangeSpec) -> str:
        try:
            return str(self._git("merge-base", old, new))
        except GitError:
            raise GitError(
                f"{spec.old} and {spec.new} have no common ancestor, so {spec.old}...{spec.new} "
                f"has no base. Compare them directly with {spec.old}..{spec.new}."
            ) from None

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

    def content(self, entry: Entry) -> bytes:
        return next(self.contents([entry]))

    def contents(self, entries: Sequence[Entry]) -> Iterator[bytes]:
        """The bytes of each entry, in order: a file of the working tree (or its link's
        target) from disk, a blob streamed from ``git cat-file --batch`` (``_objects``)."""
        stored = self._objects([(e.blob, e.path) for e in entries if e.blob is not None])
        for entry in entries:
            yield next(stored) if entry.blob is not None else _on_disk(self.top / entry.path)

    def _objects(self, wanted: Sequence[tuple[str, str]]) -> Iterator[bytes]:
        """The bytes of each (blob, path), in order, from one long-lived ``git cat-file
        --batch`` (GitPython's own reader takes object ids of 40 digits only, so it cannot
        read a SHA-256 repository). The ids go in ``_CHUNK`` at a time: a round trip per
        chunk, not per blob, and one blob in memory at a time. Answers a caller left unread
        are skipped before the next ids are written."""
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            stdout = self._ask([blob for blob, _ in chunk])
            for blob, path in chunk:
                self._unread -= 1
                try:
                    data = _answer(stdout, blob, path)
                except GitError:
                    raise  # its header was read whole: the stream is still in step
                except BaseException:
                    self._stop_cat_file(kill=True)  # half an answer read: out of step
                    raise
                yield data

    def _ask(self, blobs: Sequence[str]) -> BinaryIO:
        """Write ``blobs`` to ``git cat-file --batch``, after reading past the answers a
        caller left unread; its output, where their answers will be."""
        if self._batch is None:
            self._batch = self._repo.git.execute(
                ["git", "cat-file", "--batch"], as_process=True, istream=subprocess.PIPE
            )
            self._unread = 0
        process = self._batch.proc
        assert process is not None and process.stdin is not None and process.stdout is not None
        for _ in range(self._unread):
            header = process.stdout.readline().split()
            if len(header) == 3:
                process.stdout.read(int(header[2]) + 1)
        process.stdin.write(b"".join(blob.encode() + b"\n" for blob in blobs))
        process.stdin.flush()
        self._unread = len(blobs)
        stdout: BinaryIO = process.stdout
        return stdout

    def _stop_cat_file(self, kill: bool) -> None:
        batch, self._batch = self._batch, None
        if batch is None:
            return
        with contextlib.suppress(git.exc.GitCommandError, OSError):
            if kill:
                batch.proc.kill()
            batch.proc.stdin.close()
            batch.wait()

    def log(self, walk: Walk) -> list[Commit]:
        """The commits of ``walk``, newest first, as git log orders them."""
        self._require_commits()
        for option, value in (("--since", walk.since), ("--until", walk.until)):
            if value is not None:
                self._check_date(option, value)
        arguments = walk.arguments()
        try:
            out = self._git("log", _LOG_FORMAT, *arguments)
        except GitError as error:
            raise GitError(f"{error} Check the range and the dates.") from None
        commits = []
        for record in out.split("\x1e"):
            if record.strip():
                commit, parents, author, email, date, subject = record.strip("\n").split("\0")
                commits.append(Commit(commit, tuple(parents.split()), author, email, date, subject))
        return commits

    def _check_date(self, option: str, value: str) -> None:
        """A date git reads, or an error: git log itself takes any text (what it does not
        understand is "now"), so it is asked the careful way git reads an expiry date."""
        try:
            self._git("-c", f"schemadiff.date={value}", "config", "--type=expiry-date",
                      "schemadiff.date")  # fmt: skip
        except GitError:
            raise GitError(
                f"{option} {printable(value)!r}: git does not read that as a date. Give one as "
                'git log takes it: 2026-01-31, "2 weeks ago", yesterday.'
            ) from None

    def changes(
        self, pairs: Sequence[tuple[str, str | None]], paths: Sequence[str]
    ) -> list[tuple[tuple[str, str], ...]]:
        """For each (commit, parent) pair, the files under ``paths`` (top-relative; "." is
        all) that differ, as (status letter, path); a parent of None is the empty tree. One
        git process, without rename detection: a rename is a deletion and an addition."""
        if not pairs:
            return []
        lines = "".join(f"{c} {p or ''}\n" for c, p in pairs).encode()
        specs = sorted({_pathspec(p) for p in paths})
        out = self._git_input(
            lines,
            "diff-tree",
            "--stdin",
            "-r",
            "--root",
            "--always",
            "--no-renames",
            "--name-status",
            "-z",
            "--",
            *specs,
        )
        found: list[list[tuple[str, str]]] = []
        expected = iter(c for c, _ in pairs)
        upcoming = next(expected, None)
        tokens = iter(_records(out))
        for token in tokens:
            if token == upcoming:
                found.append([])
                upcoming = next(expected, None)
            elif found and token[:1] in "ADMTUX" and len(token) <= 2:
                found[-1].append((token[0], next(tokens, "")))
            else:
                raise GitError("git diff-tree gave an answer schemadiff cannot read.")
        if len(found) != len(pairs):
            raise GitError("git diff-tree gave an answer schemadiff cannot read.")
        return [tuple(f) for f in found]

    def exists(self, commit: str, path: str) -> bool | None:
        """Whether ``path`` (top-relative) is there, as a file or a directory, at ``commit``;
        None when git cannot be asked (a name with a line break). Each answer kept."""
        asked = (commit, path)
        if asked not in self._existing:
            found = None if "\n" in path else self._check(f"{commit}:{path}")
            self._existing[asked] = None if found is None else found[1] is not None
        return self._existing[asked]

    def _look(self, name: str) -> str | None:
        """The id of the blob ``name`` (``commit:path``) names; None for none (absent, or a
        folder)."""
        found = self._check(name)
        return found[0] if found[1] == "blob" else None

    def _check(self, name: str) -> tuple[str, str | None]:
        """What one long-lived ``git cat-file --batch-check`` says of ``name``: the object's
        id and type, or a type of None when there is none."""
        if self._checks is None:
            self._checks = self._repo.git.execute(
                ["git", "cat-file", "--batch-check=%(objectname) %(objecttype)"],
                as_process=True,
                istream=subprocess.PIPE,
            )
        process = self._checks.proc
        assert process is not None and process.stdin is not None and process.stdout is not None
        process.stdin.write(name.encode() + b"\n")
        process.stdin.flush()
        answer = process.stdout.readline().decode(errors="replace").strip()
        if not answer:
            raise GitError("git cat-file ended before it answered.")
        if answer.endswith((" missing", " ambiguous")):
            return answer, None
        oid, _, kind = answer.rpartition(" ")
        return oid, kind

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

    def blobs(self, commits: Sequence[str], path: str) -> dict[str, str | None]:
        """The object id of ``path`` (top-relative) at each commit; None where it is absent."""
        lines = "".join(f"{c}:{path}\n" for c in commits).encode()
        out = self._git_input(lines, "cat-file", "--batch-check=%(objectname)")
        answers = out.splitlines()
        if len(answers) != len(commits):
            raise GitError("git cat-file gave an answer schemadiff cannot read.")
        return {
            c: None if a.endswith(" missing") else a for c, a in zip(commits, answers, strict=True)
        }

    def shallow_commits(self) -> frozenset[str]:
        """The commits whose parents this shallow clone does not hold."""
        path = Path(self._git("rev-parse", "--git-path", "shallow"))
        try:
            text = (path if path.is_absolute() else self.top / path).read_text()
        except OSError:
            return frozenset()
        return frozenset(text.split())

    def _git_input(self, data: bytes, *args: str) -> str:
        with tempfile.TemporaryFile() as stdin:
            stdin.write(data)
            stdin.seek(0)
            return self._git(*args, istream=stdin)

    def _git(self, *args: str, istream: BinaryIO | None = None) -> str:
        try:
            out: str = self._repo.git.execute(["git", *args], istream=istream)
        except git.exc.GitCommandError as exc:
            raise GitError(f"git {args[0]} failed: {_first_line(exc.stderr)}") from exc
        return out


def empty(side: Side) -> bool:
    """Whether ``side`` is the empty tree."""
    return side.commit in _EMPTY_TREES.values()


def _index_file(top: Path) -> dict[str, str]:
    """GIT_INDEX_FILE made absolute: a hook inherits it relative to the top (``git commit -a``
    sets ``.git/index.lock``), and it names the index being committed, which is the one to read.
    git reads a relative one from the repository's top, wherever it was started (``-C`` and
    the shell's directory make no difference), and so does schemadiff."""
    index = os.environ.get("GIT_INDEX_FILE")
    return {"GIT_INDEX_FILE": os.path.join(top, index)} if index else {}


def _config_environment(values: dict[str, str]) -> dict[str, str]:
    """``-c key=value`` for every git process, as environment variables (git 2.31+), after
    the ones the user's environment already passes (a CI job's ``safe.directory``, an auth
    header): ours come last, so they win for the same key, and theirs are kept."""
    given = os.environ.get("GIT_CONFIG_COUNT", "0")
    start = int(given) if given.isdigit() else 0
    env = {"GIT_CONFIG_COUNT": str(start + len(values))}
    for i, (key, value) in enumerate(values.items(), start):
        env.update({f"GIT_CONFIG_KEY_{i}": key, f"GIT_CONFIG_VALUE_{i}": value})
    return env


def _open(directory: Path) -> git.Repo:
    if not directory.is_dir():
        raise GitError(f"No such directory: {directory}")
    top = _toplevel(directory)
    try:
        return git.Repo(top)
    except git.exc.InvalidGitRepositoryError:
        raise GitError(
            f"Not a git repository: {directory}. Run schemadiff inside a Git repository, or point "
            "at one with -C PATH."
        ) from None


def _toplevel(directory: Path) -> str:
    """The repository's top, found by git itself so that its ownership check applies: given
    a git directory explicitly (as GitPython does), git trusts a repository another user owns
    and would run its config's programs as us (CVE-2022-24765)."""
    env = {k: v for k, v in os.environ.items() if k not in _LOCATING}
    env.update(_config_environment(_SAFE_CONFIG))
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            check=False,
            cwd=directory,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise GitError("git was not found. Is it installed and on PATH?") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git rev-parse did not answer in 60 s in {directory}.") from None
    if found.returncode == 0:
        return found.stdout.rstrip("\n")
    raise GitError(_refusal(directory, found.stderr))


def _refusal(directory: Path, stderr: str) -> str:
    if "dubious ownership" in stderr:
        advice = [ln.strip() for ln in stderr.splitlines() if "safe.directory" in ln]
        return (
            f"git refuses the repository at {directory}: another user owns it, and its "
            "configuration could run programs as you.\n  If you trust it: "
            + (advice[0] if advice else "git config --global --add safe.directory PATH")
        )
    if "work tree" in stderr:
        return f"{directory} is a bare repository: schemadiff needs a working tree."
    if "not a git repository" in stderr:
        return (
            f"Not a git repository: {directory}. Run schemadiff inside a Git repository, or "
            "point at one with -C PATH."
        )
    return f"git rev-parse failed in {directory}: {_first_line(stderr)}"


def _project_prefix(directory: Path, top: Path) -> str:
    """The project holding ``directory``: its nearest folder, up to the repository's top, with
    a pyproject.toml or an alembic.ini (black finds its project root the same way)."""
    top, start = top.resolve(), directory.resolve()
    for folder in (start, *start.parents):
        if folder == top or not folder.is_relative_to(top):
            break
        if (folder / "pyproject.toml").is_file() or (folder / "alembic.ini").is_file():
            return folder.relative_to(top).as_posix()
    return ""


def _pathspec(root: str) -> str:
    return ":(top,literal)" + (root.strip("/") if root not in ("", ".") else "")


def glob_match(path: str, glob: str) -> bool:
    """Whether ``path`` matches ``glob`` folder by folder, as git's ``glob`` pathspec magic."""
    parts, patterns = path.split("/"), glob.split("/")
    return len(parts) == len(patterns) and all(map(fnmatch.fnmatchcase, parts, patterns))


def _records(out: str) -> list[str]:
    return [r for r in out.split("\0") if r]


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


_CHUNK = 200
"""Object ids written to ``git cat-file --batch`` at once, before their answers are read. 200
ids of SHA-256 (13 KB) fit in a pipe's buffer on any system (16 KB on macOS), so our write
never waits while git waits for us to read its answers: no deadlock, and no writer thread."""


def _answer(stdout: BinaryIO, blob: str, path: str) -> bytes:
    """One answer of ``git cat-file --batch``: a header line, the bytes, a newline."""
    header = stdout.readline().split()
    if len(header) != 3 or header[1] != b"blob":
        raise GitError(f"git cat-file could not read {printable(path)} ({blob}).")
    data: bytes = stdout.read(int(header[2]) + 1)[:-1]
    return data


def _on_disk(path: Path) -> bytes:
    return os.readlink(path).encode() if path.is_symlink() else path.read_bytes()


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


def _first_line(text: object) -> str:
    lines = [ln.strip() for ln in str(text or "").splitlines() if ln.strip()]
    first = (lines[0] if lines else "no message").removeprefix("stderr: ").removeprefix("'")
    return first[:-1] if first.count("'") % 2 else first  # GitPython's quote, not git's own
