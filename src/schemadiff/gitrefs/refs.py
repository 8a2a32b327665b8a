"""Revisions turned into sides: a range's two commits or its merge base, the empty tree,
and what a shallow clone does not hold (``Missing``)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from schemadiff.errors import GitError
from schemadiff.escape import printable
from schemadiff.gitrefs.process import _Opened
from schemadiff.gitrefs.ranges import (
    _EMPTY_TREES,
    EMPTY,
    INDEX,
    WORKTREE,
    RangeSpec,
    _check_revision_text,
)
from schemadiff.model import Side, Source


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


class _Refs(_Opened):
    """Revisions, ranges and the shallow clone's edge, asked of git."""

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

    def shallow_commits(self) -> frozenset[str]:
        """The commits whose parents this shallow clone does not hold."""
        path = Path(self._git("rev-parse", "--git-path", "shallow"))
        try:
            text = (path if path.is_absolute() else self.top / path).read_text()
        except OSError:
            return frozenset()
        return frozenset(text.split())
