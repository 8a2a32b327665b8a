"""Shared fixtures: real git repositories in tmp_path, the real CLI, a throwaway PostgreSQL."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from testsupport import gitenv, postgres

# The machine is shared and noisy: correctness only, never timing.
settings.register_profile("schemadiff", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("schemadiff")

# One cache for the whole run, never the user's own: tests that are about the cache give
# their own SCHEMADIFF_CACHE_DIR.
CACHE_DIR = tempfile.mkdtemp(prefix="schemadiff-test-cache-")
atexit.register(shutil.rmtree, CACHE_DIR, ignore_errors=True)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: no GIT_* from whatever runs the tests."""
    user = {
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "NO_COLOR": "1",
        "SCHEMADIFF_CACHE_DIR": CACHE_DIR,
    }
    return gitenv.clean_env(**{**user, **extra})


def git(cwd: Path, *args: str, **kwargs: Any) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
        **kwargs,
    )
    return result.stdout.strip()


@dataclass
class GitRepo:
    """A real repository with helpers to write files and commit them."""

    path: Path

    def write(self, relpath: str, text: str) -> Path:
        target = self.path / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"))
        return target

    def remove(self, relpath: str) -> None:
        target = self.path / relpath
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()

    def commit(self, message: str = "commit") -> str:
        git(self.path, "add", "-A")
        git(self.path, "commit", "-q", "--allow-empty", "--no-gpg-sign", "-m", message)
        return git(self.path, "rev-parse", "HEAD")

    def git(self, *args: str) -> str:
        return git(self.path, *args)

    def state(self) -> dict[str, str]:
        """Everything schemadiff must never change: HEAD, refs, index, status, stash, worktrees."""
        return {
            "head": git(self.path, "rev-parse", "HEAD"),
            "refs": git(self.path, "for-each-ref"),
            "index": (self.path / ".git" / "index").read_bytes().hex(),
            # --no-optional-locks: a plain status would refresh the index itself.
            "status": git(
                self.path, "--no-optional-locks", "status", "--porcelain", "--ignored", "-uall"
            ),
            "stash": git(self.path, "stash", "list"),
            "worktrees": git(self.path, "worktree", "list", "--porcelain"),
        }


def new_repo(path: Path) -> GitRepo:
    """A repository at ``path`` (made when missing), on branch main, with no commit."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    return GitRepo(path)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return new_repo(tmp_path / "repo")


def models_repo(repo: GitRepo, models: str, locator: str = "app.models:Base.metadata") -> GitRepo:
    """Write pyproject + app/models.py; the caller commits."""
    repo.write(
        "pyproject.toml",
        f"""
        [tool.schemadiff]
        metadata = "{locator}"
        dialect = "postgresql"
        """,
    )
    repo.write("app/__init__.py", "")
    repo.write("app/models.py", models)
    return repo


def committed(repo: GitRepo, *models: str) -> GitRepo:
    """``repo`` with one commit for each models source, in order (see ``models_repo``)."""
    for number, source in enumerate(models, 1):
        models_repo(repo, source).commit(f"models {number}")
    return repo


def commit_case(
    repo: GitRepo,
    folder: Path,
    models: Path | None = None,
    with_after: Callable[[GitRepo], object] | None = None,
) -> GitRepo:
    """A golden case committed twice as app/models.py: before.py, then after.py (read from
    ``models`` when given), each with the case's own pyproject.toml when it has one;
    ``with_after`` adds to the second commit."""
    for side in ("before", "after"):
        models_repo(repo, ((models or folder) / f"{side}.py").read_text())
        if (folder / "pyproject.toml").exists():  # a case that configures more
            repo.write("pyproject.toml", (folder / "pyproject.toml").read_text())
        if side == "after" and with_after is not None:
            with_after(repo)
        repo.commit(side)
    return repo


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def schemadiff(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> Run:
    """The real command line, in its own process, as a user would run it."""
    result = subprocess.run(
        [sys.executable, "-m", "schemadiff", *args],
        cwd=cwd,
        env=env or clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return Run(result.returncode, result.stdout, result.stderr)


def run_module(cwd: Path, module: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m MODULE ARGS`` in ``cwd``, as a user runs a tool (alembic, flask)."""
    return run_python(cwd, "-m", module, *args)


def run_python(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """This interpreter with ``argv`` in ``cwd``, in a clean environment, output captured."""
    return subprocess.run(
        [sys.executable, *argv],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def started(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """The real command line started in its own process, its output piped, not waited for."""
    return subprocess.Popen(
        [sys.executable, "-m", "schemadiff", *args],
        cwd=cwd,
        env=env or clean_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition: Callable[[], object], seconds: float = 30.0) -> bool:
    """Whether ``condition()`` comes true within ``seconds``, polled: for what another process
    does in its own time (never a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


BASE = """
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass
"""


def model_source(body: str) -> str:
    """BASE followed by ``body``, both dedented."""
    return textwrap.dedent(BASE).lstrip() + "\n\n" + textwrap.dedent(body).lstrip()


# --- PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL 15 on 127.0.0.1, started as an unprivileged user."""
    if not postgres.available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL server binaries are missing from {postgres.PG_BIN}")
        pytest.skip(f"PostgreSQL server binaries are missing from {postgres.PG_BIN}")
    with postgres.running("schemadiff-pg-") as server:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{server.port}/postgres"
