"""Ranges read as git diff reads them; the repository is never changed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import GitRepo, model_source, models_repo, schemadiff


def table(name: str, *columns: str) -> str:
    body = "".join(f"    {c}: Mapped[int | None]\n" for c in columns)
    return (
        f"class T_{name}(Base):\n    __tablename__ = '{name}'\n"
        f"    id: Mapped[int] = mapped_column(primary_key=True)\n{body}\n"
    )


def added_columns(run_out: str) -> list[str]:
    document = json.loads(run_out)
    return [f"{c['table']}.{c['name']}" for c in document["changes"] if c["kind"] == "add_column"]


@pytest.fixture
def history(repo: GitRepo) -> GitRepo:
    """main: a -> b(+x); branch topic from a: c(+y). Working tree: +w (unstaged), index: +s."""
    models_repo(repo, model_source(table("t"))).commit("a")
    repo.git("branch", "topic")
    models_repo(repo, model_source(table("t", "x"))).commit("b")
    repo.git("checkout", "-q", "topic")
    models_repo(repo, model_source(table("t", "y"))).commit("c")
    models_repo(repo, model_source(table("t", "y", "s")))
    repo.git("add", "app/models.py")
    models_repo(repo, model_source(table("t", "y", "s", "w")))
    return repo


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), ["t.s", "t.w"]),
        (("--staged",), ["t.s"]),
        (("--cached",), ["t.s"]),
        (("main",), ["t.y", "t.s", "t.w"]),
        (("main", "--staged"), ["t.y", "t.s"]),
        (("main..topic",), ["t.y"]),
        (("main", "topic"), ["t.y"]),
        (("main...topic",), ["t.y"]),
        (("topic...main",), ["t.x"]),
        (("topic~1..",), ["t.y"]),
        (("HEAD~1..HEAD",), ["t.y"]),
    ],
)
def test_range_forms(history: GitRepo, args: tuple[str, ...], expected: list[str]) -> None:
    before = history.state()
    run = schemadiff(*args, "--format", "json", "--no-renames", cwd=history.path)
    assert run.code == 0, run.err
    assert added_columns(run.out) == expected
    assert history.state() == before


def test_merge_base_side_is_named_and_resolved(history: GitRepo) -> None:
    base = history.git("merge-base", "main", "topic")
    document = schemadiff("main...topic", "-f", "json", cwd=history.path).json()
    assert document["from"] == {
        "ref": "main...topic",
        "commit": base,
        "source": "git",
        "reason": None,
    }
    assert document["to"]["source"] == "git"


def test_worktree_and_index_sides(history: GitRepo) -> None:
    document = schemadiff("-f", "json", cwd=history.path).json()
    assert document["to"] == {"ref": None, "commit": None, "source": "worktree", "reason": None}
    staged = schemadiff("--staged", "-f", "json", cwd=history.path).json()
    assert staged["to"] == {"ref": None, "commit": None, "source": "index", "reason": None}


def test_short_sha_tag_and_dash_c(history: GitRepo, tmp_path: object) -> None:
    history.git("tag", "v1", "main~1")
    short = history.git("rev-parse", "--short", "main")
    elsewhere = history.path.parent
    run = schemadiff("-C", str(history.path), f"v1..{short}", cwd=elsewhere)
    assert run.code == 0, run.err
    assert "    + column x INTEGER NULL" in run.out.splitlines()


def test_exit_code_option(history: GitRepo) -> None:
    assert schemadiff("main..topic", "--exit-code", cwd=history.path).code == 1
    same = schemadiff("main..main", "--exit-code", cwd=history.path)
    assert same.code == 0
    assert same.out == ""
    assert "No schema changes between main and main." in same.err


def test_options_before_the_range_and_explicit_diff(history: GitRepo) -> None:
    a = schemadiff("--format", "json", "main..topic", cwd=history.path)
    b = schemadiff("diff", "main..topic", "--format", "json", cwd=history.path)
    assert a.code == b.code == 0
    assert a.out == b.out


def columns_of_only_table(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """A snapshot without Alembic: one entry, keyed to no revision, of one MetaData."""
    (entry,) = snapshot["entries"]
    assert (entry["revision"], entry["parents"]) == (None, [])
    (table,) = entry["metadata"]["default"]["tables"]
    columns: list[dict[str, Any]] = table["columns"]
    return columns


def test_snapshot_of_a_ref_and_of_the_working_tree(history: GitRepo) -> None:
    document = schemadiff("snapshot", "main", cwd=history.path).json()
    assert (document["format"], document["version"]) == ("schemadiff-snapshot", 3)
    assert [c["name"] for c in columns_of_only_table(document)] == ["id", "x"]
    worktree = schemadiff("snapshot", cwd=history.path).json()
    assert [c["name"] for c in columns_of_only_table(worktree)] == ["id", "y", "s", "w"]


def test_snapshot_output_file_is_written_but_never_over_a_foreign_file(history: GitRepo) -> None:
    target = history.path.parent / "schema.json"
    run = schemadiff("snapshot", "main", "-o", str(target), cwd=history.path)
    assert run.code == 0, run.err
    assert json.loads(target.read_text())["format"] == "schemadiff-snapshot"
    assert schemadiff("snapshot", "topic", "-o", str(target), cwd=history.path).code == 0
    foreign = history.path.parent / "notes.json"
    foreign.write_text('{"mine": true}')
    run = schemadiff("snapshot", "-o", str(foreign), cwd=history.path)
    assert run.code == 2
    assert "will not overwrite" in run.err
    assert foreign.read_text() == '{"mine": true}'


def test_alembic_env_gives_locator_and_dialect(repo: GitRepo) -> None:
    repo.write("app/__init__.py", "")
    repo.write("app/models.py", model_source(table("t")))
    repo.write(
        "alembic.ini",
        """
        [alembic]
        script_location = %(here)s/migrations
        prepend_sys_path = .
        sqlalchemy.url = sqlite:///app.db
        """,
    )
    repo.write(
        "migrations/env.py",
        """
        from alembic import context
        from app.models import Base

        target_metadata = Base.metadata
        context.this_would_fail_if_executed()
        """,
    )
    repo.commit("a")
    repo.write("app/models.py", model_source(table("t", "x")))
    document = schemadiff("-f", "json", cwd=repo.path).json()
    assert document["dialect"] == "sqlite"
    assert added_columns(json.dumps(document)) == ["t.x"]


def test_run_from_a_subdirectory_finds_the_project(history: GitRepo) -> None:
    at_top = schemadiff("main..topic", cwd=history.path)
    inside = schemadiff("main..topic", cwd=history.path / "app")
    assert inside.code == 0, inside.err
    assert inside.out == at_top.out


def test_project_in_a_subdirectory_of_the_repository(repo: GitRepo) -> None:
    repo.write("README", "monorepo\n")
    models_repo(GitRepo(repo.path / "backend"), model_source(table("t")))
    repo.commit("a")
    models_repo(GitRepo(repo.path / "backend"), model_source(table("t", "x")))
    for cwd in (repo.path / "backend", repo.path / "backend" / "app"):
        run = schemadiff("HEAD", cwd=cwd)
        assert run.code == 0, run.err
        assert "    + column x INTEGER NULL" in run.out.splitlines()
    assert schemadiff("-C", "backend", "HEAD", cwd=repo.path).code == 0
