"""The names a migration gives unnamed constraints are PostgreSQL's own: checked against the
names a real PostgreSQL chooses for the same tables, long and non-ASCII ones included."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from schemadiff.migrate import names

CASES = [
    ("book", ["author_id"]),
    ("book", ["tenant", "author_id"]),
    ("t" * 60, ["c" * 60]),
    ("short", ["a_rather_long_column_name_that_goes_on", "and_another_one_as_well_x"]),
    ("x" * 20, [f"column_{i}" for i in range(12)]),
    ("überlange_tabelle_" * 3, ["größe_" * 7]),
    ("名前" * 10, ["列"]),
]


@pytest.fixture
def engine(postgres_url: str) -> Iterator[sa.Engine]:
    name = f"names_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(postgres_url).set(database=name)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE "{name}"'))
    admin.dispose()


def _chosen(engine: sa.Engine, table: str, columns: list[str]) -> dict[str, str]:
    """The names PostgreSQL gives an unnamed foreign key and unique constraint on ``columns``."""
    metadata = sa.MetaData()
    sa.Table(
        "target",
        metadata,
        *(sa.Column(c, sa.Integer) for c in columns),
        sa.UniqueConstraint(*columns, name="target_key"),
    )
    sa.Table(
        table,
        metadata,
        *(sa.Column(c, sa.Integer) for c in columns),
        sa.ForeignKeyConstraint(columns, [f"target.{c}" for c in columns]),
        sa.UniqueConstraint(*columns),
    )
    metadata.create_all(engine)
    query = sa.text(
        "SELECT contype, conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass)"
    )
    with engine.connect() as connection:
        rows = connection.execute(query, {"t": f'"{table}"'}).all()
    return {kind: name for kind, name in rows}


@pytest.mark.parametrize(("table", "columns"), CASES, ids=range(len(CASES)))
def test_the_names_are_those_postgresql_chooses(
    engine: sa.Engine, table: str, columns: list[str]
) -> None:
    chosen = _chosen(engine, table, columns)
    assert chosen == {
        "f": names.postgresql(table, columns, "fkey"),
        "u": names.postgresql(table, columns, "key"),
    }
    assert all(len(name.encode()) <= 63 for name in chosen.values())
