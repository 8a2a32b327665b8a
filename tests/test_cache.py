"""The local cache: a side whose key is cached is not imported; corrupt entries are not trusted.

Imports are counted by the models themselves: each import appends a line to a file.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from schemadiff import cache
from tests.conftest import GitRepo, Run, clean_env, model_source, models_repo, schemadiff

COUNTED = """
import os
with open(os.environ["IMPORT_LOG"], "a") as log:
    log.write("imported\\n")
"""
V1 = COUNTED + model_source(
    """
    class User(Base):
        __tablename__ = "user"
        id: Mapped[int] = mapped_column(primary_key=True)
    """
)
V2 = V1.replace("primary_key=True)", "primary_key=True)\n    age: Mapped[int]")


@pytest.fixture
def counted(repo: GitRepo, tmp_path: Path) -> tuple[GitRepo, Path, Path]:
    """Two commits of counted models, a private cache and the import log. The models write
    the log outside their tree, which confinement would refuse: the sandbox is off here."""
    models_repo(repo, V1)
    with (repo.path / "pyproject.toml").open("a") as pyproject:
        pyproject.write('sandbox = "off"\n')
    repo.commit("v1")
    repo.write("app/models.py", V2)
    repo.commit("v2")
    return repo, tmp_path / "cache", tmp_path / "imports.log"


def run(repo: GitRepo, cache_dir: Path, log: Path, *args: str) -> Run:
    env = clean_env(SCHEMADIFF_CACHE_DIR=str(cache_dir), IMPORT_LOG=str(log))
    return schemadiff("HEAD~1..HEAD", *args, cwd=repo.path, env=env)


def imports(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def entries(cache_dir: Path) -> list[Path]:
    """The documents cached (not the index of the closures met)."""
    found = (cache_dir / "v1").glob("*.json")
    return sorted(p for p in found if not p.name.startswith("closures-"))


def test_a_second_run_imports_nothing(counted: tuple[GitRepo, Path, Path]) -> None:
    repo, cache_dir, log = counted
    first = run(repo, cache_dir, log)
    assert (first.code, imports(log), len(entries(cache_dir))) == (0, 2, 2), first.err

    second = run(repo, cache_dir, log)

    assert (second.code, second.out, imports(log)) == (0, first.out, 2)
    assert "+ column age" in second.out


def test_only_the_side_that_changed_is_imported(counted: tuple[GitRepo, Path, Path]) -> None:
    repo, cache_dir, log = counted
    assert run(repo, cache_dir, log).code == 0
    repo.write("app/models.py", V2.replace("age: Mapped[int]", "age: Mapped[int | None]"))
    env = clean_env(SCHEMADIFF_CACHE_DIR=str(cache_dir), IMPORT_LOG=str(log))

    worktree = schemadiff("HEAD", cwd=repo.path, env=env)

    assert worktree.code == 0, worktree.err
    assert "nullable" in worktree.out
    assert imports(log) == 3  # HEAD came from the cache, the working tree was imported


def test_the_key_includes_the_dialect(counted: tuple[GitRepo, Path, Path]) -> None:
    repo, cache_dir, log = counted
    assert run(repo, cache_dir, log).code == 0

    assert run(repo, cache_dir, log, "--dialect", "sqlite").code == 0

    assert imports(log) == 4


def test_no_cache_imports_and_writes_nothing(counted: tuple[GitRepo, Path, Path]) -> None:
    repo, cache_dir, log = counted
    for _ in range(2):
        assert run(repo, cache_dir, log, "--no-cache").code == 0

    assert imports(log) == 4
    assert entries(cache_dir) == []


def test_a_corrupt_entry_is_ignored_and_replaced(counted: tuple[GitRepo, Path, Path]) -> None:
    repo, cache_dir, log = counted
    good = run(repo, cache_dir, log)
    originals = {p: p.read_bytes() for p in entries(cache_dir)}
    truncated, flipped = originals
    truncated.write_bytes(originals[truncated][:100])
    flipped.write_bytes(originals[flipped].replace(b'"user"', b'"usex"'))  # checksum fails

    again = run(repo, cache_dir, log)

    assert (again.code, again.out) == (0, good.out)
    assert imports(log) == 4
    assert {p: p.read_bytes() for p in entries(cache_dir)} == originals


def test_an_unwritable_cache_is_a_note_not_an_error(
    counted: tuple[GitRepo, Path, Path], tmp_path: Path
) -> None:
    repo, _, log = counted
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")

    result = run(repo, blocker / "cache", log)

    assert result.code == 0
    assert "+ column age" in result.out
    assert f"note: The cache directory {blocker}/cache/v1 cannot be written" in result.err
    assert "working on without the cache" in result.err


def test_the_cache_directory_follows_xdg(
    counted: tuple[GitRepo, Path, Path], tmp_path: Path
) -> None:
    repo, _, log = counted
    env = clean_env(XDG_CACHE_HOME=str(tmp_path / "xdg"), IMPORT_LOG=str(log))
    del env["SCHEMADIFF_CACHE_DIR"]

    assert schemadiff("HEAD~1..HEAD", cwd=repo.path, env=env).code == 0

    assert len(entries(tmp_path / "xdg" / "schemadiff")) == 2


def _entry(directory: Path, name: str, size: int, age_days: float) -> Path:
    path = directory / f"{name}.json"
    path.write_bytes(b"x" * size)
    when = time.time() - age_days * 86400
    os.utime(path, (when, when))
    return path


def test_prune_removes_old_entries_then_the_least_recently_used(tmp_path: Path) -> None:
    stale = _entry(tmp_path, "stale", 10, age_days=40)
    oldest = _entry(tmp_path, "oldest", 400, age_days=3)
    middle = _entry(tmp_path, "middle", 400, age_days=2)
    newest = _entry(tmp_path, "newest", 400, age_days=1)

    cache.prune(tmp_path, max_bytes=1000, max_age_days=30)

    assert [p.exists() for p in (stale, oldest, middle, newest)] == [False, False, True, True]


def test_a_hit_counts_as_a_use(tmp_path: Path) -> None:
    store = cache.Cache(tmp_path)
    store.put("k" * 64, b"body")
    path = tmp_path / f"{'k' * 64}.json"
    os.utime(path, (0, 0))

    assert store.get("k" * 64) == b"body"

    assert path.stat().st_mtime > time.time() - 60
    assert store.get("other") is None
