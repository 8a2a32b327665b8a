"""Everything schemadiff asks of git, and the only package that uses GitPython.

It reads; it never writes to the user's repository. Files of a side are read from git
objects (a commit's tree, the index) or from the working tree, and materialized into a
directory that the caller owns.

``Repository`` is put together from one part per kind of question (``repository.py``):
``refs`` (revisions to sides), ``objects`` (the long-lived ``git cat-file`` processes),
``trees`` (a side's files), ``materialize`` (writing them out) and ``history`` (log,
diff-tree, blobs), all on ``process`` (the repository opened, git run in it). ``ranges``
reads what the user names before git sees it.
"""

from __future__ import annotations

from schemadiff.gitrefs.ranges import (
    EMPTY,
    INDEX,
    WORKTREE,
    RangeSpec,
    Walk,
    empty,
    parse_range,
)
from schemadiff.gitrefs.refs import Missing
from schemadiff.gitrefs.repository import Repository
from schemadiff.gitrefs.trees import Entry, glob_match

__all__ = [
    "EMPTY",
    "INDEX",
    "WORKTREE",
    "Entry",
    "Missing",
    "RangeSpec",
    "Repository",
    "Walk",
    "empty",
    "glob_match",
    "parse_range",
]
