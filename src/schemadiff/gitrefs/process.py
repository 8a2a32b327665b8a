"""The repository opened, and git run in it.

The top is found by git itself, so that its ownership check applies; every git process gets
one environment (our git directory, work tree and index, and config that runs no program);
a failure of git is a ``GitError``.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

import git
import git.exc

from schemadiff.errors import GitError

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


class _Opened:
    """The open repository and its git calls: what each part of ``Repository`` builds on."""

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


def _records(out: str) -> list[str]:
    return [r for r in out.split("\0") if r]


def _first_line(text: object) -> str:
    lines = [ln.strip() for ln in str(text or "").splitlines() if ln.strip()]
    first = (lines[0] if lines else "no message").removeprefix("stderr: ").removeprefix("'")
    return first[:-1] if first.count("'") % 2 else first  # GitPython's quote, not git's own
