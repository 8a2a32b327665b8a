"""``Repository``: the parts (refs, objects, trees, materializing, history) put together."""

from __future__ import annotations

import contextlib

import git.exc

from schemadiff.gitrefs.history import _History
from schemadiff.gitrefs.materialize import _Materializing


class Repository(_History, _Materializing):
    """A git repository opened read-only at the user's directory."""

    def close(self) -> None:
        self._stop_cat_file(kill=False)
        if self._checks is not None:
            with contextlib.suppress(git.exc.GitCommandError, OSError):
                self._checks.proc.stdin.close()
                self._checks.wait()
        self._repo.close()
