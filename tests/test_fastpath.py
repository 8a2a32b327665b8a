"""What decides a side's schema, and the older side of a shallow clone: real repositories.

- Every file under the import roots decides the schema, not only the Python files: models
  that read a JSON file at import time change when only that file does, and ``check`` (its
  fast path), ``log`` and ``blame`` (their classes of commits) see what ``diff`` sees.
- A ``--depth 1 --no-single-branch`` clone whose base has no Alembic revision yet takes the
  entry keyed to no revision.
- A model file kept in Git LFS is named as a pointer, not left as a bare SyntaxError.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import GitRepo, Run, git, models_repo, new_repo, schemadiff
from tests.test_fallbacks import SNAPSHOT, changes, clone, compare, entries
from tests.test_migrations import V1, alembic_project, revision

MODELS = """
import json
import pathlib

import sqlalchemy as sa

COLUMNS = json.loads((pathlib.Path(__file__).parent / "columns.json").read_text())
metadata = sa.MetaData()
user = sa.Table(
    "user",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    *(sa.Column(name, sa.String(50)) for name in COLUMNS),
)
"""
"""Models whose columns are read from app/columns.json when they are imported."""

DROPPED = [
    "app/models.py:8: error: user.email: column dropped, but no new migration in the change "
    "[migration-required]",
    "app/models.py:8: error: user.email: column dropped: its data is lost [destructive]",
]


def columns(repo: GitRepo, *names: str) -> None:
    repo.write("app/columns.json", json.dumps(list(names)) + "\n")


@pytest.fixture
def data_repo(repo: GitRepo) -> GitRepo:
    """Two commits; the second changes only the data file: it drops the column email."""
    repo.write("pyproject.toml", '[tool.schemadiff]\nmetadata = "app.models:metadata"\n')
    repo.write("app/__init__.py", "")
    repo.write("app/models.py", MODELS)
    columns(repo, "name", "email")
    repo.commit("create user")
    columns(repo, "name")
    repo.commit("drop email")
    assert repo.git("show", "--name-only", "--format=", "HEAD") == "app/columns.json"
    return repo


def run(repo: GitRepo, *args: str) -> Run:
    return schemadiff(*args, cwd=repo.path)


# --- 11: data files under the import roots ----------------------------------------------------


def test_diff_sees_the_column_the_data_file_dropped(data_repo: GitRepo) -> None:
    diffed = run(data_repo, "HEAD~1..HEAD", "--format", "json")

    assert diffed.code == 0, diffed.err
    assert changes(diffed) == [("remove_column", "user", "email")]


@pytest.mark.parametrize("output_format", ["text", "github", "markdown"])
def test_check_of_commits_sees_a_change_of_only_a_data_file(
    data_repo: GitRepo, output_format: str
) -> None:
    checked = run(data_repo, "check", "HEAD~1..HEAD", "--format", output_format)

    assert checked.code == 1, checked.out + checked.err
    assert checked.err.splitlines()[-1] == "schemadiff check: failed: 2 errors, 1 warning."
    lines = checked.out.splitlines()
    if output_format == "text":
        assert [line for line in lines if ": error: " in line] == DROPPED
    elif output_format == "github":
        assert lines[0] == (
            "::notice title=schemadiff::1 schema change between HEAD~1 and HEAD: 3 findings "
            "(2 failing, 1 warning)."
        )
    else:
        assert lines[1].endswith(": 1 table changed, 1 change; ❌ 2 errors, ⚠️ 1 warning")


@pytest.mark.parametrize("how", [("--staged",), ("--hook",)])
def test_check_of_the_index_sees_a_staged_data_file(data_repo: GitRepo, how: tuple[str]) -> None:
    """HEAD against the index: both in git, the fast path's case (the hook's at commit)."""
    columns(data_repo)  # drops the column name
    data_repo.git("add", "app/columns.json")

    checked = run(data_repo, "check", *how)

    assert checked.code == 1, checked.out + checked.err
    assert "    - column name VARCHAR(50) NULL" in checked.out.splitlines()
    assert checked.err.splitlines()[-1] == "schemadiff check: failed: 2 errors, 1 warning."


def test_log_lists_the_commit_that_changed_only_the_data_file(data_repo: GitRepo) -> None:
    logged = run(data_repo, "log", "--format", "json")

    assert logged.code == 0, logged.err
    listed = [json.loads(line) for line in logged.out.splitlines()]
    assert [e["subject"] for e in listed] == ["drop email", "create user"]
    assert [(c["kind"], c["name"]) for c in listed[0]["changes"]] == [("remove_column", "email")]


def test_blame_names_the_commit_that_changed_only_the_data_file(data_repo: GitRepo) -> None:
    columns(data_repo, "name", "email")
    added = data_repo.commit("add email again")

    blamed = run(data_repo, "blame", "user", "--format", "json")

    assert blamed.code == 0, blamed.err
    by_column = {c["column"]: c["commit"]["commit"] for c in blamed.json()["lines"]}
    assert by_column["email"] == added


# --- 14: a shallow clone whose base has no revision yet --------------------------------------


def test_no_single_branch_shallow_clone_of_a_pull_request_adding_the_first_revision(
    repo: GitRepo, tmp_path: Path
) -> None:
    alembic_project(repo)  # Alembic set up, the models V1, no revision
    assert run(repo, "snapshot", "--write", "--dialect", "sqlite").code == 0
    assert entries(repo.path / SNAPSHOT)[0]["revision"] is None
    repo.commit("snapshot before any revision")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("app/models.py", V1.replace("String(50)", "String(80)"))
    first = revision(repo, "-m", "create user", "--dialect", "sqlite")
    repo.commit("first migration")
    assert [e["revision"] for e in entries(repo.path / SNAPSHOT)] == [
        first.name.split("_")[0],
        None,
    ]
    repo.git("checkout", "-q", "main")
    repo.write("README.md", "main moved on\n")
    repo.commit("docs")
    full = compare(clone(repo, tmp_path, "full"))
    shallow = clone(repo, tmp_path, "both", "--depth", "1", "--no-single-branch")

    compared = compare(shallow)

    assert changes(compared) == changes(full) == [("modify_type", "user", "name")]
    assert compared.json()["from"]["reason"] == (
        "the merge base of origin/main and HEAD is not in this shallow clone; taken from the "
        f"snapshot of no revision, as origin/main has none yet ({SNAPSHOT} at origin/main)"
    )


def test_no_single_branch_shallow_clone_without_alembic(repo: GitRepo, tmp_path: Path) -> None:
    models_repo(repo, V1)
    assert run(repo, "snapshot", "--write").code == 0
    repo.commit("models and snapshot")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("app/models.py", V1.replace("String(50)", "String(80)"))
    repo.commit("longer names")
    repo.git("checkout", "-q", "main")
    repo.write("README.md", "main moved on\n")
    repo.commit("docs")
    shallow = clone(repo, tmp_path, "both", "--depth", "1", "--no-single-branch")

    compared = schemadiff("origin/main...HEAD", "--format", "json", cwd=shallow.path)

    assert changes(compared) == [("modify_type", "user", "name")]
    assert compared.json()["from"]["reason"] == (
        "the merge base of origin/main and HEAD is not in this shallow clone; taken from the "
        "snapshot of no revision, as origin/main has none yet (schemadiff.snapshot.json at "
        "origin/main)"
    )


# --- 12: a model file kept in Git LFS ---------------------------------------------------------

POINTER = (
    "version https://git-lfs.github.com/spec/v1\n"
    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
    "size 1234\n"
)


@pytest.fixture
def lfs_repo(tmp_path: Path) -> GitRepo:
    """The models committed as git stores a file tracked by Git LFS: the pointer."""
    lfs = new_repo(tmp_path / "lfs")
    lfs.write("pyproject.toml", '[tool.schemadiff]\nmetadata = "app.models:Base.metadata"\n')
    lfs.write(".gitattributes", "app/models.py filter=lfs diff=lfs merge=lfs -text\n")
    lfs.write("app/__init__.py", "")
    lfs.write("app/models.py", POINTER)
    lfs.commit("models in LFS")
    return lfs


AT_HEAD = [
    "schemadiff: error: app/models.py at HEAD is a Git LFS pointer, not the file: git holds "
    "only the pointer there, and schemadiff does not read LFS objects.",
    "  Keep Python files out of Git LFS (git lfs untrack, or their line in .gitattributes).",
]
IN_THE_WORKING_TREE = [
    "schemadiff: error: app/models.py in the working tree is a Git LFS pointer, not the file: "
    "run git lfs pull (or fetch the LFS objects in CI: actions/checkout lfs: true)."
]
NOT_A_POINTER = [
    "schemadiff: error: Importing the models at the working tree failed (app/models.py:2): "
    "SyntaxError: invalid decimal literal",
    "  Fix the syntax error, or compare another ref.",
]


@pytest.mark.parametrize(
    ("args", "models", "expected"),
    [
        (("HEAD",), POINTER, AT_HEAD),
        ((), POINTER, IN_THE_WORKING_TREE),
        ((), POINTER.replace("version", "versio", 1), NOT_A_POINTER),
    ],
    ids=["commit", "working-tree", "not-a-pointer"],
)
def test_a_git_lfs_pointer_as_the_models_is_named(
    lfs_repo: GitRepo, args: tuple[str, ...], models: str, expected: list[str]
) -> None:
    lfs_repo.write("app/models.py", models)

    failed = run(lfs_repo, "snapshot", *args)

    assert (failed.code, failed.out, failed.err.splitlines()) == (2, "", expected)


def test_git_is_left_as_it_was(lfs_repo: GitRepo) -> None:
    before = lfs_repo.state()
    run(lfs_repo, "snapshot", "HEAD")
    assert lfs_repo.state() == before
    assert git(lfs_repo.path, "cat-file", "-p", "HEAD:app/models.py") == POINTER.strip()
