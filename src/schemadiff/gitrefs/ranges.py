"""What the user names, read and checked before git sees it: the sides (a revision,
``WORKTREE``, ``INDEX``, ``EMPTY``), the ranges ``git diff`` takes (``RangeSpec``) and the walks
``git log`` takes (``Walk``). A revision beginning with "-" is refused here, so that git never
reads it as an option.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from schemadiff.errors import GitError
from schemadiff.model import Side

WORKTREE = "<worktree>"
INDEX = "<index>"
EMPTY = "<empty>"
"""The empty tree: the older side of a first commit, or of a push of a whole history."""

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

    def named(self) -> list[str]:
        """Each revision the walk names, checked: ``A..B`` and ``^A B`` name A and B (an
        empty side of ``..`` is HEAD, as git reads it, and names nothing more)."""
        parts = [
            part.removeprefix("^")
            for revision in self.revisions
            for part in revision.replace("...", "..").split("..")
        ]
        for part in parts:
            _check_revision_text(part)
        return [part for part in parts if part]

    def arguments(self) -> list[str]:
        self.named()
        options = ["--first-parent"] if self.first_parent else []
        if self.max_count is not None:
            options.append(f"--max-count={self.max_count}")
        options += [f"--{k}={v}" for k, v in (("since", self.since), ("until", self.until)) if v]
        return [*options, *(self.revisions or ("HEAD",)), "--"]


def empty(side: Side) -> bool:
    """Whether ``side`` is the empty tree."""
    return side.commit in _EMPTY_TREES.values()
