"""What a history walk asks of git: the commits (``git log``), the files each commit changes
(one ``git diff-tree --stdin``), a path's blob at each commit, and whether a path exists."""

from __future__ import annotations

from collections.abc import Sequence

from schemadiff.errors import GitError
from schemadiff.escape import printable
from schemadiff.gitrefs.objects import _Objects
from schemadiff.gitrefs.process import _pathspec, _records
from schemadiff.gitrefs.ranges import Walk
from schemadiff.gitrefs.refs import _Refs
from schemadiff.model import Commit

_LOG_FORMAT = "--format=%x1e%H%x00%P%x00%an%x00%ae%x00%aI%x00%s"


class _History(_Refs, _Objects):
    """Commits and the changes between them."""

    def log(self, walk: Walk) -> list[Commit]:
        """The commits of ``walk``, newest first, as git log orders them."""
        self._require_commits()
        for option, value in (("--since", walk.since), ("--until", walk.until)):
            if value is not None:
                self._check_date(option, value)
        for revision in walk.named():
            self._commit(revision)  # an unknown one is said as a diff says it
        arguments = walk.arguments()
        try:
            out = self._git("log", _LOG_FORMAT, *arguments)
        except GitError as error:
            raise GitError(f"{error}. Check the range and the dates.") from None
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
