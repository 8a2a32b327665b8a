"""A named enum rebuilt on a column with a default the models do not declare, on a real
PostgreSQL with real Alembic: the default was set by hand in the database.

PostgreSQL cannot cast a default of the old type to the rebuilt one, so the generated
migration must take the default off for the cast and put the same value back; a value the
rebuilt type no longer has cannot be put back: the migration stops, says so, and its
transaction leaves the database as it was.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests.conftest import GitRepo, clean_env
from tests.test_oracle import URL_VARIABLE, fresh_postgresql_database, new_revision
from tests.test_sequence_keys import alembic_project

pytestmark = pytest.mark.postgres

MODELS = """\
import sqlalchemy as sa

metadata = sa.MetaData()

sa.Table(
    "person",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("mood", sa.Enum({labels}, name="mood"), nullable=False),
)
"""
TWO, THREE = "'happy', 'sad'", "'happy', 'sad', 'angry'"
REFUSED = (
    "psycopg2.errors.RaiseException: schemadiff: the default of person.mood is 'angry', "
    "which mood no longer has. Give the column another default, or drop it, then run the "
    "migration again."
)


@pytest.fixture
def url(postgres_url: str) -> Iterator[str]:
    with fresh_postgresql_database(postgres_url) as url:
        yield url


def alembic(repo: GitRepo, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "alembic", *args],
        cwd=repo.path,
        env=clean_env(**{URL_VARIABLE: url}),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def migrated(repo: GitRepo, url: str, *labels: str) -> None:
    """A revision for each version of the labels, from no models; all upgraded."""
    older = alembic_project(repo)
    for number, spelled in enumerate(labels, 1):
        repo.write("models.py", MODELS.format(labels=spelled))
        newer = repo.commit(f"v{number}")
        new_revision(repo, older, newer, f"v{number}", "postgresql")
        older = newer
    run = alembic(repo, url, "upgrade", "head")
    assert run.returncode == 0, run.stderr


def execute(url: str, *statements: str) -> None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    engine.dispose()


def state(url: str) -> tuple[list[tuple[object, ...]], str | None, list[str]]:
    """The rows, the column's default and the type's labels."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        rows = [tuple(r) for r in connection.exec_driver_sql("SELECT * FROM person ORDER BY id")]
        default = connection.exec_driver_sql(
            "SELECT column_default FROM information_schema.columns"
            " WHERE table_name = 'person' AND column_name = 'mood'"
        ).scalar_one()
        labels = connection.exec_driver_sql("SELECT enum_range(NULL::mood)::text[]").scalar_one()
    engine.dispose()
    return rows, default, labels


CASES = {
    # label versions, the default set by hand, the step, what the database then holds
    "values added, downgraded": (
        (TWO, THREE),
        "sad",
        ("downgrade", "-1"),
        ([(1, "happy"), (2, "sad")], "'sad'::mood", ["happy", "sad"]),
    ),
    "values removed, upgraded": (
        (THREE, TWO),
        "happy",
        ("upgrade", "head"),
        ([(1, "happy"), (2, "happy")], "'happy'::mood", ["happy", "sad"]),
    ),
    "the default's value removed": (
        (TWO, THREE),
        "angry",
        ("downgrade", "-1"),
        None,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_default_the_models_do_not_declare_is_kept(repo: GitRepo, url: str, case: str) -> None:
    versions, default, step, expected = CASES[case]
    migrated(repo, url, *versions)
    if step[0] == "upgrade":  # back to the older labels, to set the default there
        assert alembic(repo, url, "downgrade", "-1").returncode == 0
    execute(url, f"ALTER TABLE person ALTER COLUMN mood SET DEFAULT '{default}'")
    rows = "(1, 'happy')" if default == "angry" else "(1, 'happy'), (2, DEFAULT)"
    execute(url, f"INSERT INTO person (id, mood) VALUES {rows}")

    before = state(url)

    run = alembic(repo, url, *step)

    if expected is None:  # the type has no "angry" to default to any more
        assert run.returncode == 1
        assert REFUSED in run.stderr.splitlines()
        expected = before
    else:
        assert run.returncode == 0, run.stderr
    assert state(url) == expected
