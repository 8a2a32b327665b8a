"""A load that failed on a Git LFS pointer, told as such: git holds the pointer's text where
the file should be, and Python saw that (a bare SyntaxError)."""

from __future__ import annotations

from pathlib import Path

from schemadiff import sandbox
from schemadiff.errors import ModelLoadError
from schemadiff.escape import printable
from schemadiff.model import Side, Source

LFS_POINTER = b"version https://git-lfs.github.com/spec/v1"
"""How a Git LFS pointer file starts: git holds this text in place of the file's content."""


def pointer_named(answer: bytes | ModelLoadError, tree: Path, side: Side) -> bytes | ModelLoadError:
    """A failure on a file that is a Git LFS pointer, told as such: Python saw the pointer's
    text (a bare SyntaxError) where the file should be."""
    if not isinstance(answer, ModelLoadError) or answer.file is None:
        return answer
    path = tree / answer.file
    try:
        if not path.resolve().is_relative_to(tree.resolve()):
            return answer  # the child names files in its tree; anything else is not ours to read
    except OSError:
        return answer
    start = sandbox.read_untrusted(path, head=len(LFS_POINTER))
    if start != LFS_POINTER:
        return answer
    failure = ModelLoadError(_pointer_message(printable(answer.file), side))
    failure.detail, failure.file, failure.reads = answer.detail, answer.file, answer.reads
    return failure


def _pointer_message(path: str, side: Side) -> str:
    if side.source is Source.WORKTREE:
        return (
            f"{path} in {side.label} is a Git LFS pointer, not the file: run git lfs pull "
            "(or fetch the LFS objects in CI: actions/checkout lfs: true)."
        )
    # A commit or the index holds the pointer itself; git lfs pull changes only the files
    # of the working tree, and schemadiff runs no filter (a repository's config could name
    # any program as one).
    return (
        f"{path} at {side.label} is a Git LFS pointer, not the file: git holds only the "
        "pointer there, and schemadiff does not read LFS objects.\n"
        "  Keep Python files out of Git LFS (git lfs untrack, or their line in .gitattributes)."
    )
