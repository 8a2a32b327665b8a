"""Keys drawn from an explicit ``Sequence``, on a real PostgreSQL with real Alembic.

A column ``sa.Column("id", sa.Integer, sa.Sequence("account_id_seq"), primary_key=True)`` is
no SERIAL: ``create_all`` makes the sequence and a plain INTEGER column, and SQLAlchemy asks the
sequence for each new key. The revision schemadiff writes must build the same thing (not a
SERIAL with a second sequence of its own), and ``--from-db`` on a database built either way
must find nothing to report, for many such tables at once, next to IDENTITY and SERIAL keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import GitRepo, schemadiff
from tests.test_oracle import (
    ALEMBIC_INI,
    ENV_PY,
    GITIGNORE,
    MAKO,
    PYPROJECT,
    Database,
    fresh_postgresql_database,
    load_models,
    new_revision,
    run_alembic,
)

MODELS = '''\
"""Eight tables keyed by their own sequence, one in a schema of its own with a BIGINT key and
a start and increment, one whose sequence is also its server default; an optional sequence,
IDENTITY and SERIAL."""

import sqlalchemy as sa

metadata = sa.MetaData()

for name in ("account", "person", "item", "basket", "shelf", "store", "label"):
    sa.Table(
        name,
        metadata,
        # account_id_seq is also the name a SERIAL key of account would give its sequence.
        sa.Column("id", sa.Integer, sa.Sequence(f"{name}_id_seq"), primary_key=True),
        sa.Column("title", sa.String(40)),
    )

sa.Table(
    "invoice",
    metadata,
    sa.Column(
        "id",
        sa.BigInteger,
        sa.Sequence("invoice_number", schema="billing", start=1000, increment=5),
        primary_key=True,
    ),
    sa.Column("title", sa.String(40)),
    schema="billing",
)

ticket = sa.Sequence("ticket_number", metadata=metadata, start=7)
sa.Table(
    "ticket",
    metadata,
    sa.Column("id", sa.Integer, ticket, server_default=ticket.next_value(), primary_key=True),
    sa.Column("title", sa.String(40)),
)

sa.Table(
    "badge",
    metadata,
    sa.Column("id", sa.Integer, sa.Identity(start=50), primary_key=True),
    sa.Column("title", sa.String(40)),
)

sa.Table(
    "gauge",
    metadata,
    # optional: PostgreSQL makes the key SERIAL, and creates no optional_seq.
    sa.Column("id", sa.Integer, sa.Sequence("optional_seq", optional=True), primary_key=True),
    sa.Column("title", sa.String(40)),
)

sa.Table(
    "note",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(40)),
)
'''

MODEL_SEQUENCES = {
    "public.account_id_seq": (1, 1),
    "public.person_id_seq": (1, 1),
    "public.item_id_seq": (1, 1),
    "public.basket_id_seq": (1, 1),
    "public.shelf_id_seq": (1, 1),
    "public.store_id_seq": (1, 1),
    "public.label_id_seq": (1, 1),
    "billing.invoice_number": (1000, 5),
    "public.ticket_number": (7, 1),
}
FIRST_KEYS = {
    "account": 1,
    "billing.invoice": 1000,
    "ticket": 7,
    "badge": 50,
    "gauge": 1,
    "note": 1,
}


@pytest.fixture
def database(postgres_url: str) -> Iterator[Database]:
    with fresh_postgresql_database(postgres_url) as url:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        yield Database("postgresql", url, engine)
        engine.dispose()


def alembic_project(repo: GitRepo) -> str:
    """The oracle's Alembic project (``models:metadata``, the URL from the environment) with
    no models yet, committed: the root commit."""
    for relpath, text in (
        ("pyproject.toml", PYPROJECT),
        ("alembic.ini", ALEMBIC_INI),
        (".gitignore", GITIGNORE),
        ("migrations/env.py", ENV_PY),
        ("migrations/script.py.mako", MAKO.read_text()),
    ):
        repo.write(relpath, text)
    root = repo.commit("the Alembic project, no models yet")
    (repo.path / "migrations" / "versions").mkdir()
    return root


def project(repo: GitRepo) -> tuple[list[str], sa.MetaData]:
    """The Alembic project, then MODELS committed."""
    root = alembic_project(repo)
    repo.write("models.py", MODELS)
    return [root, repo.commit("sequence keys")], load_models(MODELS)


COLUMNS = """
    SELECT table_schema || '.' || table_name || '.' || column_name, data_type, column_default,
           is_identity, identity_start, identity_increment
    FROM information_schema.columns
    WHERE table_schema IN ('public', 'billing') AND table_name != 'alembic_version'
"""
SEQUENCES = """
    SELECT s.schemaname || '.' || s.sequencename, s.data_type::text, s.start_value,
           s.increment_by, d.refobjid::regclass::text
    FROM pg_sequences AS s
    JOIN pg_class AS c ON c.relname = s.sequencename
    JOIN pg_namespace AS n ON n.oid = c.relnamespace AND n.nspname = s.schemaname
    LEFT JOIN pg_depend AS d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass
         AND d.refclassid = 'pg_class'::regclass
"""
"""Every sequence, and the table of the column that owns it (SERIAL, IDENTITY) if any."""


def catalogue(engine: sa.Engine) -> dict[str, dict[str, tuple[object, ...]]]:
    """What the database holds of the columns and sequences, by qualified name."""
    with engine.connect() as connection:
        return {
            what: {row[0]: tuple(row[1:]) for row in connection.exec_driver_sql(query)}
            for what, query in (("columns", COLUMNS), ("sequences", SEQUENCES))
        }


def created(url: str, metadata: sa.MetaData) -> sa.Engine:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE SCHEMA billing")
        metadata.create_all(connection)
    return engine


def first_keys(database: Database, metadata: sa.MetaData) -> dict[str, int]:
    """The key each table gives its first row inserted through the models."""
    with database.engine.begin() as connection:
        return {
            key: connection.execute(table.insert().values(title="x")).inserted_primary_key[0]
            for key, table in metadata.tables.items()
            if key in FIRST_KEYS
        }


def from_db(repo: GitRepo, database: Database) -> tuple[int, str, str]:
    schemas = ("--include-schemas", "", "--include-schemas", "billing")
    run = schemadiff("--from-db", database.url, "HEAD", *schemas, cwd=repo.path)
    return run.code, run.out, run.err


NO_CHANGES = "No schema changes between {url} and HEAD.\n"


@pytest.mark.postgres
def test_the_revision_builds_what_create_all_builds(
    repo: GitRepo, database: Database, postgres_url: str
) -> None:
    (root, head), metadata = project(repo)

    new_revision(repo, root, head, "sequence keys", "postgresql")
    run_alembic(repo, database, "upgrade", "head")

    built = catalogue(database.engine)
    with fresh_postgresql_database(postgres_url) as url:
        engine = created(url, metadata)
        assert built == catalogue(engine)
        engine.dispose()
    standalone = {k: v[1:3] for k, v in built["sequences"].items() if v[3] is None}
    assert standalone == MODEL_SEQUENCES
    owned = {k: v[3] for k, v in built["sequences"].items() if v[3] is not None}
    assert owned == {
        "public.note_id_seq": "note",
        "public.gauge_id_seq": "gauge",
        "public.badge_id_seq": "badge",
    }
    assert built["columns"]["public.account.id"] == ("integer", None, "NO", None, None)
    assert built["columns"]["billing.invoice.id"] == ("bigint", None, "NO", None, None)
    assert first_keys(database, metadata) == FIRST_KEYS
    assert from_db(repo, database) == (0, "", NO_CHANGES.format(url=database.url))

    run_alembic(repo, database, "downgrade", "base")

    assert catalogue(database.engine) == {"columns": {}, "sequences": {}}


@pytest.mark.postgres
def test_a_database_made_by_create_all_is_the_models(repo: GitRepo, database: Database) -> None:
    _, metadata = project(repo)
    created(database.url, metadata).dispose()

    assert from_db(repo, database) == (0, "", NO_CHANGES.format(url=database.url))


SQLITE_MODELS = """\
import sqlalchemy as sa

metadata = sa.MetaData()
key = sa.Column("id", sa.Integer, sa.Sequence("account_id_seq"), primary_key=True)
sa.Table("account", metadata, key)
"""


def test_on_sqlite_a_sequence_key_is_the_rowid(repo: GitRepo, tmp_path: Path) -> None:
    """SQLite has no sequences: the key is its autoincrement column there, as reflected."""
    repo.write("pyproject.toml", PYPROJECT + 'dialect = "sqlite"\n')
    repo.write("models.py", SQLITE_MODELS)
    repo.commit("models")
    url = f"sqlite:///{tmp_path / 'app.db'}"
    created_sqlite = sa.create_engine(url, poolclass=sa.pool.NullPool)
    load_models(SQLITE_MODELS).create_all(created_sqlite)
    with created_sqlite.begin() as connection:
        assert connection.exec_driver_sql("INSERT INTO account DEFAULT VALUES").lastrowid == 1
    created_sqlite.dispose()

    run = schemadiff("--from-db", url, "HEAD", cwd=repo.path)

    assert (run.code, run.out, run.err) == (0, "", NO_CHANGES.format(url=url))
