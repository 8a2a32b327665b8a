"""What extraction records depends on what the dialect would really create."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from schemadiff.extract import schema_from_metadata


def metadata() -> sa.MetaData:
    md = sa.MetaData()
    sa.Sequence("counter", metadata=md)
    sa.Table(
        "t",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("flag", sa.Boolean(create_constraint=True, name="ck_flag")),
        sa.Column("kind", sa.Enum("a", "b", name="kind", create_constraint=True)),
        sa.Column("during", postgresql.TSRANGE),
        postgresql.ExcludeConstraint(("during", "&&"), name="ex_t_during"),
        sa.Index("ix_t_flag", "flag", postgresql_using="hash", sqlite_where=sa.text("flag")),
        mysql_engine="InnoDB",
    )
    return md


def test_postgresql_creates_no_check_for_native_types_but_has_sequences_and_excludes() -> None:
    schema = schema_from_metadata([("m", metadata())], "postgresql")
    (table,) = schema.tables
    assert table.check_constraints == ()
    assert [e.name for e in table.exclude_constraints] == ["ex_t_during"]
    assert [s.name for s in schema.sequences] == ["counter"]
    assert [e.name for e in schema.enums] == ["kind"]
    assert table.indexes[0].options == (("postgresql_using", "hash"),)
    assert table.options == ()


def test_sqlite_checks_the_values_itself_and_has_no_sequences_or_excludes() -> None:
    schema = schema_from_metadata([("m", metadata())], "sqlite")
    (table,) = schema.tables
    assert sorted(c.sqltext for c in table.check_constraints) == [
        "flag IN (0, 1)",
        "kind IN ('a', 'b')",
    ]
    assert table.exclude_constraints == ()
    assert schema.sequences == ()
    assert schema.enums == ()
    assert table.indexes[0].options == (("sqlite_where", "flag"),)


def test_mysql_keeps_its_own_table_options() -> None:
    (table,) = schema_from_metadata([("m", metadata())], "mysql").tables
    assert table.options == (("mysql_engine", "InnoDB"),)
