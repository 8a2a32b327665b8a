"""When git history is not enough: real shallow clones, the snapshot file, its fallback rules.

The pull-request scenarios compare `schemadiff origin/main...HEAD` in a full clone with the
same command in `git clone --depth 1` clones, with and without `--no-single-branch`.
"""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GitRepo, Run, clean_env, git, model_source, models_repo, schemadiff
from tests.test_migrations import V1, alembic_project, revision

V2 = V1.replace(
    "name: Mapped[str] = mapped_column(sa.String(50))",
    "name: Mapped[str] = mapped_column(sa.String(50))\n    age: Mapped[int | None]",
)
ROLES = (
    V1
    + model_source(
        """
    class Role(Base):
        __tablename__ = "role"
        id: Mapped[int] = mapped_column(primary_key=True)
    """
    ).split("pass", 1)[1]
)
SNAPSHOT = "migrations/schemadiff.snapshot.json"


def changes(run: Run) -> list[tuple[str, str | None, str | None]]:
    assert run.code == 0, run.err
    return [(c["kind"], c["table"], c["name"]) for c in run.json()["changes"]]


def entries(path: Path) -> list[dict[str, Any]]:
    document = json.loads(path.read_text())
    assert (document["format"], document["version"]) == ("schemadiff-snapshot", 3)
    result: list[dict[str, Any]] = document["entries"]
    return result


def head(repo: GitRepo) -> str:
    text = (repo.path / SNAPSHOT).read_text()
    return str(json.loads(text)["entries"][0]["revision"])


@pytest.fixture
def origin(repo: GitRepo) -> GitRepo:
    """main: an Alembic project whose first migration and snapshot are committed."""
    alembic_project(repo)
    revision(repo, "HEAD~1..HEAD", "-m", "create user", "--dialect", "sqlite")
    repo.commit("migration: create user")
    return repo


def pull_request(origin: GitRepo, with_migration: bool) -> GitRepo:
    """A feature branch that adds a column, with or without its migration; main moves on."""
    origin.git("checkout", "-q", "-b", "feature")
    origin.write("app/models.py", V2)
    if with_migration:
        revision(origin, "-m", "add age", "--dialect", "sqlite")
    origin.commit("add age")
    origin.git("checkout", "-q", "main")
    origin.write("README.md", "main moved on\n")
    origin.commit("docs")
    return origin


def clone(origin: GitRepo, tmp_path: Path, name: str, *options: str) -> GitRepo:
    target = tmp_path / name
    url = f"file://{origin.path}"
    git(tmp_path, "clone", "-q", *options, "--branch", "feature", url, str(target))
    return GitRepo(target)


def compare(repo: GitRepo, *args: str) -> Run:
    return schemadiff("origin/main...HEAD", "--format", "json", "--dialect", "sqlite", *args,
                      cwd=repo.path)  # fmt: skip


@pytest.mark.parametrize("with_migration", [False, True], ids=["no-migration", "migration"])
def test_shallow_pull_requests_report_what_a_full_clone_reports(
    origin: GitRepo, tmp_path: Path, with_migration: bool
) -> None:
    pull_request(origin, with_migration)
    full = compare(clone(origin, tmp_path, "full"))
    assert changes(full) == [("add_column", "user", "age")]
    assert full.json()["from"]["source"] == "git"

    single = compare(clone(origin, tmp_path, "single", "--depth", "1"))
    both = compare(clone(origin, tmp_path, "both", "--depth", "1", "--no-single-branch"))

    assert changes(single) == changes(both) == changes(full)
    for run, missing in ((single, "origin/main is not"), (both, "the merge base of")):
        side = run.json()["from"]
        assert (side["source"], side["commit"]) == ("snapshot", None)
        assert side["reason"].startswith(f"{missing}") and "in this shallow clone" in side["reason"]
        assert "taken from the snapshot of revision" in side["reason"]


def test_shallow_text_output_says_where_the_base_came_from(origin: GitRepo, tmp_path: Path) -> None:
    first = head(origin)
    pull_request(origin, with_migration=True)
    shallow = clone(origin, tmp_path, "single", "--depth", "1")

    run = schemadiff("origin/main...HEAD", "--dialect", "sqlite", cwd=shallow.path)

    assert run.code == 0, run.err
    header = run.out.splitlines()[0]
    assert header.startswith("--- origin/main...HEAD (origin/main is not in this shallow clone; ")
    assert f"taken from the snapshot of revision {first[:12]}" in header
    assert f"({SNAPSHOT} at HEAD)" in header


def test_a_shallow_clone_without_snapshot_fails_with_the_ways_out(
    origin: GitRepo, tmp_path: Path
) -> None:
    origin.git("rm", "-q", SNAPSHOT)
    origin.commit("no snapshot")
    pull_request(origin, with_migration=False)
    shallow = clone(origin, tmp_path, "single", "--depth", "1")

    run = compare(shallow)

    assert run.code == 2
    lines = run.err.strip().splitlines()
    assert lines[0] == (
        "schemadiff: error: origin/main is not in this shallow clone, and no snapshot stands in "
        "for it."
    )
    for way_out in ("git fetch --deepen=N", "--unshallow", "fetch-depth: 0",
                    "schemadiff snapshot --write", "--from-db URL"):  # fmt: skip
        assert way_out in lines[1]
    assert "Traceback" not in run.err


def test_a_typo_in_a_full_clone_is_still_an_unknown_revision(origin: GitRepo) -> None:
    run = schemadiff("orgin/main...HEAD", cwd=origin.path)

    assert run.code == 2
    assert "Unknown revision 'orgin/main'" in run.err


def test_parent_outside_a_depth_one_clone(origin: GitRepo, tmp_path: Path) -> None:
    pull_request(origin, with_migration=True)
    shallow = clone(origin, tmp_path, "single", "--depth", "1")

    run = schemadiff("HEAD~1..HEAD", "--format", "json", "--dialect", "sqlite", cwd=shallow.path)

    assert changes(run) == [("add_column", "user", "age")]
    assert run.json()["from"]["reason"].startswith("HEAD~1 is not in this shallow clone;")


def test_an_old_commit_that_no_longer_imports_falls_back_to_its_snapshot(
    origin: GitRepo, tmp_path: Path
) -> None:
    """The models at the base imported a package that is gone today."""
    gone = tmp_path / "site"
    gone.mkdir()
    (gone / "legacy_dependency.py").write_text("VALUE = 1\n")
    origin.write("app/models.py", "import legacy_dependency\n" + V1)
    with_legacy = clean_env(PYTHONPATH=str(gone))
    run = schemadiff("snapshot", "--write", cwd=origin.path, env=with_legacy)
    assert run.code == 0, run.err
    origin.commit("models that need legacy_dependency")
    origin.write("app/models.py", V2)
    origin.commit("add age, without legacy_dependency")

    run = schemadiff("HEAD~1..HEAD", "--format", "json", "--no-cache", cwd=origin.path)

    assert changes(run) == [("add_column", "user", "age")]
    reason = run.json()["from"]["reason"]
    assert reason.startswith("the models at HEAD~1 could not be used (Importing the models at ")
    assert "No module named 'legacy_dependency'" in reason
    assert f"taken from the snapshot of revision {head(origin)[:12]}" in reason


# --- the snapshot file ---------------------------------------------------------------------


def test_revision_refreshes_the_snapshot_keyed_to_the_new_revision(origin: GitRepo) -> None:
    first = head(origin)
    origin.write("app/models.py", V2)

    path = revision(origin, "-m", "add age", "--dialect", "sqlite")

    new_id = path.name.split("_")[0]
    found = entries(origin.path / SNAPSHOT)
    assert [(e["revision"], e["parents"]) for e in found] == [(new_id, [first]), (first, [])]
    columns = [c["name"] for c in found[0]["metadata"]["default"]["tables"][0]["columns"]]
    assert columns == ["id", "name", "age"]


def test_a_deleted_revision_can_be_generated_again(origin: GitRepo) -> None:
    first = head(origin)
    origin.write("app/models.py", V2)
    discarded = revision(origin, "-m", "add age", "--dialect", "sqlite")
    discarded.unlink()
    origin.write("app/models.py", ROLES)

    again = revision(origin, "-m", "add role", "--dialect", "sqlite")

    found = entries(origin.path / SNAPSHOT)
    assert [e["revision"] for e in found] == [again.name.split("_")[0], first]
    assert schemadiff("snapshot", "--check", "--dialect", "sqlite", cwd=origin.path).code == 0


def test_snapshot_check_tells_when_the_migrations_are_behind(origin: GitRepo) -> None:
    ok = schemadiff("snapshot", "--check", "--dialect", "sqlite", cwd=origin.path)
    assert ok.code == 0, ok.err
    assert f"matches the models (revision {head(origin)})" in ok.err
    origin.write("app/models.py", V2)

    behind = schemadiff("snapshot", "--check", "--dialect", "sqlite", cwd=origin.path)

    assert behind.code == 1
    assert "+ column age" in behind.out
    assert "the migrations are behind" in behind.err
    assert 'schemadiff revision -m "..."' in behind.err


def test_snapshot_check_fails_when_the_head_has_no_entry(origin: GitRepo) -> None:
    """A hand-written migration moved the head: the snapshot must be refreshed."""
    versions = origin.path / "migrations" / "versions"
    first = head(origin)
    (versions / "b2_data.py").write_text(
        f'revision = "b2"\ndown_revision = "{first}"\ndef upgrade():\n    pass\n'
    )

    run = schemadiff("snapshot", "--check", "--dialect", "sqlite", cwd=origin.path)

    assert run.code == 1
    assert "has no entry for revision b2, the Alembic head: it is behind" in run.err
    write = schemadiff("snapshot", "--write", "--dialect", "sqlite", cwd=origin.path)
    assert write.code == 0, write.err
    assert [(e["revision"], e["parents"]) for e in entries(origin.path / SNAPSHOT)] == [
        ("b2", [first]),
        (first, []),
    ]
    assert schemadiff("snapshot", "--check", "--dialect", "sqlite", cwd=origin.path).code == 0


def test_snapshot_path_is_configurable(origin: GitRepo) -> None:
    origin.write(
        "pyproject.toml",
        '[tool.schemadiff]\nmetadata = "app.models:Base.metadata"\nsnapshot = "db/schema.json"\n',
    )

    run = schemadiff("snapshot", "--write", "--dialect", "sqlite", cwd=origin.path)

    assert run.code == 0, run.err
    assert entries(origin.path / "db" / "schema.json")[0]["revision"] == head(origin)


def test_from_snapshot_replaces_the_older_side(origin: GitRepo, tmp_path: Path) -> None:
    copy = tmp_path / "base.json"
    copy.write_bytes((origin.path / SNAPSHOT).read_bytes())
    origin.write("app/models.py", V2)

    run = schemadiff("--from-snapshot", str(copy), "--format", "json", "--dialect", "sqlite",
                     cwd=origin.path)  # fmt: skip

    assert changes(run) == [("add_column", "user", "age")]
    side = run.json()["from"]
    assert (side["source"], side["ref"]) == ("snapshot", str(copy))
    assert side["reason"] == f"the snapshot {copy} of revision {head(origin)[:12]}"


BAD_SNAPSHOTS = {
    "not JSON": (b"schema: yes\n", "is not JSON"),
    "truncated": (None, "is not JSON"),
    "another format": (b'{"format": "alembic", "version": 3}', "is not a schemadiff-snapshot"),
    "another version": (
        b'{"format": "schemadiff-snapshot", "version": 2, "tables": []}',
        "is schemadiff-snapshot version 2; this schemadiff reads version 3",
    ),
    "other MetaData": (None, "holds the MetaData 'default', but the models have"),
}


@pytest.mark.parametrize("case", BAD_SNAPSHOTS)
def test_bad_snapshots_are_refused_with_the_way_out(
    origin: GitRepo, tmp_path: Path, case: str
) -> None:
    data, message = BAD_SNAPSHOTS[case]
    good = (origin.path / SNAPSHOT).read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_bytes(data if data is not None else good[: len(good) // 2])
    extra = []
    if case == "other MetaData":
        bad.write_bytes(good)
        extra = ["--metadata", "app.models:Base.metadata", "--metadata", "app.models:Base"]

    run = schemadiff("--from-snapshot", str(bad), *extra, cwd=origin.path)

    assert run.code == 2, run.out
    assert message in run.err
    assert "Regenerate it with `schemadiff snapshot --write`." in run.err
    assert "Traceback" not in run.err
    assert len(run.err.strip().splitlines()) <= 2


def test_revision_refuses_to_write_over_an_unreadable_snapshot(origin: GitRepo) -> None:
    (origin.path / SNAPSHOT).write_text("not json")
    origin.write("app/models.py", V2)
    versions = sorted((origin.path / "migrations" / "versions").iterdir())

    run = schemadiff("revision", "-m", "add age", "--dialect", "sqlite", cwd=origin.path)

    assert run.code == 2
    assert "is not JSON" in run.err
    assert sorted((origin.path / "migrations" / "versions").iterdir()) == versions
    assert (origin.path / SNAPSHOT).read_text() == "not json"


# --- databases -------------------------------------------------------------------------------


def create_all(url: str, models: str) -> None:
    """The database as `metadata.create_all` leaves it for ``models``."""
    import sqlalchemy as sa

    module = types.ModuleType(f"created_models_{len(sys.modules)}")
    sys.modules[module.__name__] = module  # SQLAlchemy resolves Mapped[...] through it
    exec(compile(models, "models.py", "exec"), module.__dict__)
    engine = sa.create_engine(url)
    module.Base.metadata.create_all(engine)
    engine.dispose()


def test_from_db_reflects_a_sqlite_file_given_relative_to_the_project(origin: GitRepo) -> None:
    create_all(f"sqlite:///{origin.path / 'app.db'}", V1)
    same = schemadiff("--from-db", "sqlite:///app.db", "--format", "json", cwd=origin.path)
    assert changes(same) == []
    origin.write("app/models.py", V2)

    run = schemadiff("--from-db", "sqlite:///app.db", "--format", "json", cwd=origin.path)

    assert changes(run) == [("add_column", "user", "age")]
    side = run.json()["from"]
    assert (side["source"], side["ref"], side["commit"]) == ("database", "sqlite:///app.db", None)
    assert run.json()["dialect"] == "sqlite"


def test_from_db_against_postgresql_and_a_revision_as_the_newer_side(
    origin: GitRepo, postgres_url: str
) -> None:
    import sqlalchemy as sa

    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text("DROP DATABASE IF EXISTS fallbacks"))
        connection.execute(sa.text("CREATE DATABASE fallbacks"))
    admin.dispose()
    url = postgres_url.rsplit("/", 1)[0] + "/fallbacks"
    create_all(url, V1)
    origin.write("app/models.py", V2)
    origin.commit("add age")

    run = schemadiff("--from-db", url, "HEAD", "--format", "json", cwd=origin.path)

    assert changes(run) == [("add_column", "user", "age")]
    assert run.json()["to"]["ref"] == "HEAD"
    assert schemadiff("--from-db", url, "HEAD~1..HEAD", cwd=origin.path).code == 2


def test_from_db_that_cannot_connect_says_so_and_hides_the_password(origin: GitRepo) -> None:
    from testsupport.postgres import free_port

    url = f"postgresql+psycopg2://app:secret@127.0.0.1:{free_port()}/app"

    run = schemadiff("--from-db", url, cwd=origin.path)

    assert run.code == 2
    assert "secret" not in run.err and "app:***@127.0.0.1" in run.err
    assert "Cannot connect to the database" in run.err
    assert "Traceback" not in run.err


def test_fallback_db_when_no_snapshot_stands_in(origin: GitRepo, tmp_path: Path) -> None:
    origin.git("rm", "-q", SNAPSHOT)
    origin.commit("no snapshot")
    pull_request(origin, with_migration=False)
    shallow = clone(origin, tmp_path, "single", "--depth", "1")
    database = tmp_path / "staging.db"
    create_all(f"sqlite:///{database}", V1)

    run = compare(shallow, "--fallback-db", f"sqlite:///{database}")

    assert changes(run) == [("add_column", "user", "age")]
    side = run.json()["from"]
    assert side["source"] == "database"
    assert side["reason"] == (
        f"origin/main is not in this shallow clone; taken from the database sqlite:///{database}"
    )


def test_a_pull_request_that_adds_the_first_revision(repo: GitRepo, tmp_path: Path) -> None:
    alembic_project(repo)
    repo.git("checkout", "-q", "-b", "feature")
    revision(repo, "HEAD~1..HEAD", "-m", "create user", "--dialect", "sqlite")
    repo.commit("first migration")
    shallow = clone(repo, tmp_path, "single", "--depth", "1")

    run = compare(shallow)

    assert changes(run) == [("add_table", "user", "user")]
    assert "taken from no revision" in run.json()["from"]["reason"]


def test_without_alembic_the_committed_snapshot_is_the_base(repo: GitRepo, tmp_path: Path) -> None:
    models_repo(repo, V1)
    assert schemadiff("snapshot", "--write", cwd=repo.path).code == 0
    assert entries(repo.path / "schemadiff.snapshot.json")[0]["revision"] is None
    repo.commit("models and snapshot")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("app/models.py", V2)
    repo.commit("add age")
    shallow = clone(repo, tmp_path, "single", "--depth", "1")

    run = schemadiff("origin/main...HEAD", "--format", "json", cwd=shallow.path)

    assert changes(run) == [("add_column", "user", "age")]
    assert run.json()["from"]["reason"] == (
        "origin/main is not in this shallow clone; taken from the snapshot "
        "(schemadiff.snapshot.json at HEAD)"
    )
