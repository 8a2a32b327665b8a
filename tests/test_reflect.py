"""--from-db: a real database reflected into a Schema, and reflection's artifacts aligned.

A database made by ``create_all`` from the models must compare equal to those models, on a
real SQLite file and a real PostgreSQL 15; a database that really differs must say how.
"""

from __future__ import annotations

import importlib.util
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from schemadiff.diff import diff_schemas
from schemadiff.diff.align import align
from schemadiff.errors import ModelLoadError
from schemadiff.extract import schema_from_metadata
from schemadiff.extract.reflect import schema_from_database
from schemadiff.model import (
    CheckConstraint,
    Column,
    ColumnType,
    Computed,
    ForeignKey,
    Identity,
    Index,
    NamedEnum,
    PrimaryKey,
    Schema,
    Sequence,
    SequenceOptions,
    UniqueConstraint,
)

pytestmark = pytest.mark.filterwarnings(
    "ignore:Computed column author.double_rating is being created as 'STORED'"
)

SA = ("import sqlalchemy as sa",)
CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def rich_metadata(dialect: str, naming: bool = False) -> sa.MetaData:
    """Most of what models declare; PostgreSQL adds JSONB, a sequence and an identity."""
    pg = dialect == "postgresql"
    metadata = sa.MetaData(naming_convention=CONVENTION) if naming else sa.MetaData()
    author = sa.Table(
        "author",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False, server_default="anon", comment="who"),
        sa.Column("email", sa.String(120), unique=True),
        sa.Column("bio", sa.Text),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("score", sa.Numeric(10, 2), server_default="0"),
        sa.Column("rating", sa.Integer, server_default=sa.text("5")),
        sa.Column("rank", sa.Integer, server_default="0"),
        sa.Column("delta", sa.Integer, server_default=sa.text("-1")),
        sa.Column("joined", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("seen", sa.DateTime, server_default=sa.text("CURRENT_TIMESTAMP")),
        sa.Column("born", sa.Date),
        sa.Column("mood", sa.Enum("happy", "sad", name="mood")),
        sa.Column("settings", postgresql.JSONB if pg else sa.JSON),
        sa.Column("ratio", sa.Float),
        sa.Column("big", sa.BigInteger),
        sa.Column("kind", sa.String(10)),
        sa.Column("double_rating", sa.Integer, sa.Computed("rating * 2")),
        sa.UniqueConstraint("name", "born", name=None if naming else "uq_author_name_born"),
        sa.CheckConstraint("rating >= 0", name="rating_positive"),
        sa.CheckConstraint("length(name) > 0"),
        sa.CheckConstraint("kind IN ('a', 'b')", name="kind_in"),
        sa.CheckConstraint("(kind != 'c') OR rank BETWEEN -1 AND 5", name="kind_rank"),
        sa.Index("ix_author_name_bio", "name", "bio"),
        sa.Index("ix_author_big", "big", unique=True),
        comment="writers",
    )
    if pg:  # SQLAlchemy does not reflect SQLite's expression indexes
        sa.Index("ix_author_lower", sa.func.lower(author.c.name))
    sa.Table(
        "book",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "author_id",
            sa.ForeignKey("author.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("editor_id", sa.Integer),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("pages", sa.SmallInteger, sa.CheckConstraint("pages > 0")),
        sa.Column("price", sa.Numeric(10, 2), nullable=False, server_default=sa.text("9.99")),
        sa.ForeignKeyConstraint(
            ["editor_id"], ["author.id"], name="fk_book_editor", ondelete="SET NULL"
        ),
        sa.UniqueConstraint("title"),
        sa.Index(
            "ix_book_pages",
            "pages",
            postgresql_where=sa.text("pages > 10"),
            sqlite_where=sa.text("pages > 10"),
        ),
    )
    sa.Table(
        "tag",
        metadata,
        sa.Column("book_id", sa.Integer, sa.ForeignKey("book.id"), primary_key=True),
        sa.Column("label", sa.String(30), primary_key=True),
        sa.Column("weight", sa.Float, nullable=False, server_default="1.5"),
    )
    invoice = sa.Table(
        "invoice",
        metadata,
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("total", sa.Numeric(10, 2), server_default="-2.5"),
    )
    if pg:
        order = sa.Sequence("order_number", metadata=metadata, start=1000)
        sa.Sequence("plain_seq", metadata=metadata)
        invoice.append_column(sa.Column("number", sa.Integer, server_default=order.next_value()))
        invoice.append_column(sa.Column("data", postgresql.JSONB, server_default=sa.text("'{}'")))
        invoice.append_column(sa.Column("tags", postgresql.ARRAY(sa.String(20))))
        invoice.append_column(sa.Column("small", sa.Float(precision=10)))
        invoice.append_column(sa.Column("exact", sa.DECIMAL(8, 3)))
        invoice.append_column(sa.Column("letter", sa.CHAR()))
    return metadata


# --- databases ------------------------------------------------------------------------------


def execute(url: str, *statements: str) -> None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(sa.text(statement))
    engine.dispose()


def created(url: str, metadata: sa.MetaData, *statements: str) -> Schema:
    """The database made by create_all (then altered); the models' schema."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    metadata.create_all(engine)
    engine.dispose()
    execute(url, *statements)
    return schema_from_metadata([("m", metadata)], sa.make_url(url).get_backend_name())


def changes(url: str, models: Schema) -> list[tuple[object, ...]]:
    reflected = align(schema_from_database(url, 10), models)
    found = diff_schemas(reflected, models).changes
    return [(c.kind.value, c.table, c.name, c.old, c.new) for c in found]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'app.db'}"


@pytest.fixture
def pg_url(postgres_url: str) -> Iterator[str]:
    """A fresh database on the throwaway server, dropped afterwards."""
    name = f"reflect_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> tuple[str, str]:
    """(dialect, URL) of an empty database of each kind."""
    fixture = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return request.param, request.getfixturevalue(fixture)


# --- a database made from the models is the models ------------------------------------------


@pytest.mark.parametrize("naming", [False, True], ids=["plain", "naming_convention"])
def test_created_database_has_no_changes(database: tuple[str, str], naming: bool) -> None:
    dialect, url = database
    models = created(url, rich_metadata(dialect, naming))
    assert changes(url, models) == []


@pytest.mark.postgres
def test_postgresql_needs_the_alignment(pg_url: str) -> None:
    """Without align() the same database shows the artifacts: this test is why it exists."""
    models = created(pg_url, rich_metadata("postgresql"))
    raw = diff_schemas(schema_from_database(pg_url, 10), models).changes
    kinds = {c.kind.value for c in raw}
    assert kinds == {
        "modify_type",
        "modify_default",
        "modify_primary_key",
        "modify_identity",
        "modify_computed",
        "modify_sequence",
        "add_index",
        "remove_index",
        "add_constraint",
        "remove_constraint",
        "add_fk",
        "remove_fk",
    }


@pytest.mark.postgres
def test_tables_reached_through_foreign_keys(pg_url: str) -> None:
    """Re-adding a constraint moves author after book in PostgreSQL's catalog: reflection then
    reaches it through book's foreign keys first, and copies its own options onto it."""
    statements = (
        "ALTER TABLE author DROP CONSTRAINT rating_positive",
        "ALTER TABLE author ADD CONSTRAINT rating_positive CHECK (rating >= 0)",
    )
    models = created(pg_url, rich_metadata("postgresql"), *statements)
    reflected = schema_from_database(pg_url, 10)
    assert reflected.tables[0].options == (("postgresql_ignore_search_path", "False"),)
    assert changes(pg_url, models) == []


@pytest.mark.postgres
def test_postgresql_enums_and_sequences_are_reflected(pg_url: str) -> None:
    created(pg_url, rich_metadata("postgresql"), "CREATE TABLE alembic_version (v TEXT)")
    reflected = schema_from_database(pg_url, 10)
    assert reflected.enums == (NamedEnum(None, "mood", ("happy", "sad")),)
    # author_id_seq, book_id_seq (SERIAL) and invoice_id_seq (IDENTITY) belong to columns.
    assert [s.name for s in reflected.sequences] == ["order_number", "plain_seq"]
    assert reflected.sequences[0].options == SequenceOptions(
        start=1000, increment=1, minvalue=1, maxvalue=2**63 - 1, cycle=False, cache=1
    )
    assert [t.name for t in reflected.tables] == ["author", "book", "invoice", "tag"]


@pytest.mark.postgres
def test_named_schemas_are_reflected_when_included(pg_url: str) -> None:
    execute(pg_url, "CREATE SCHEMA extra")
    metadata = sa.MetaData(schema="extra")
    sa.Table(
        "thing",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("state", sa.Enum("on", "off", name="state", schema="extra")),
        sa.Column("code", sa.String(5), server_default="x"),
    )
    sa.Sequence("counter", metadata=metadata, increment=2)
    sa.Table(
        "plain", metadata, sa.Column("id", sa.Integer, primary_key=True), schema=sa.BLANK_SCHEMA
    )
    models = created(pg_url, metadata)
    reflected = schema_from_database(pg_url, 10, ["extra", "public", "", "extra"])
    assert diff_schemas(align(reflected, models), models).changes == ()
    assert reflected.enums == (NamedEnum("extra", "state", ("on", "off")),)
    assert [t.qualified_name for t in reflected.tables] == ["plain", "extra.thing"]
    assert [t.qualified_name for t in schema_from_database(pg_url, 10).tables] == ["plain"]


def test_alembic_version_is_left_out(sqlite_url: str) -> None:
    models = created(sqlite_url, rich_metadata("sqlite"), "CREATE TABLE alembic_version (v TEXT)")
    assert changes(sqlite_url, models) == []


# --- real differences are still reported ----------------------------------------------------


def column_type(python: str, ddl: str, imports: tuple[str, ...] = SA) -> ColumnType:
    return ColumnType(python, imports, ddl)


# A column dropped and one added in the database: the same on every dialect.
COLUMNS_CHANGED = (
    ["ALTER TABLE author DROP COLUMN ratio", "ALTER TABLE author ADD COLUMN extra INTEGER"],
    [
        (
            "remove_column",
            "author",
            "extra",
            Column("extra", column_type("sa.INTEGER()", "INTEGER"), True, None, None),
            None,
        ),
        (
            "add_column",
            "author",
            "ratio",
            None,
            Column("ratio", column_type("sa.Float()", "FLOAT"), True, None, None),
        ),
    ],
)


PG_DIFFERENCES = {
    "type": (
        ["ALTER TABLE book ALTER COLUMN title TYPE VARCHAR(300)"],
        [
            (
                "modify_type",
                "book",
                "title",
                column_type("sa.VARCHAR(length=300)", "VARCHAR(300)"),
                column_type("sa.String(length=200)", "VARCHAR(200)"),
            )
        ],
    ),
    "type_synonym": (  # FLOAT is DOUBLE PRECISION, not REAL
        ["ALTER TABLE author ALTER COLUMN ratio TYPE REAL"],
        [
            (
                "modify_type",
                "author",
                "ratio",
                column_type("sa.REAL()", "REAL"),
                column_type("sa.Float()", "FLOAT"),
            )
        ],
    ),
    "enum_values": (
        ["ALTER TYPE mood ADD VALUE 'meh'"],
        [("modify_enum", None, "mood", ("happy", "sad", "meh"), ("happy", "sad"))],
    ),
    "stray_enum": (
        ["CREATE TYPE stray AS ENUM ('x')"],
        [("remove_enum", None, "stray", NamedEnum(None, "stray", ("x",)), None)],
    ),
    "string_default": (
        ["ALTER TABLE author ALTER COLUMN name SET DEFAULT 'nobody'"],
        [("modify_default", "author", "name", "'nobody'::character varying", "'anon'")],
    ),
    "number_default": (
        ["ALTER TABLE author ALTER COLUMN rank SET DEFAULT 1"],
        [("modify_default", "author", "rank", "1", "'0'")],
    ),
    "serial_default": (
        ["ALTER TABLE book ALTER COLUMN id DROP DEFAULT"],
        [("modify_autoincrement", "book", "id", False, True)],
    ),
    "identity": (
        ["ALTER TABLE invoice ALTER COLUMN id SET INCREMENT BY 2"],
        [
            (
                "modify_identity",
                "invoice",
                "id",
                Identity(False, None, SequenceOptions(increment=2)),
                Identity(False, None, SequenceOptions()),
            )
        ],
    ),
    "sequence": (
        ["ALTER SEQUENCE plain_seq INCREMENT BY 5 CYCLE", "ALTER SEQUENCE order_number START 7"],
        [
            (
                "modify_sequence",
                None,
                "order_number",
                Sequence(None, "order_number", SequenceOptions(start=7)),
                Sequence(None, "order_number", SequenceOptions(start=1000)),
            ),
            (
                "modify_sequence",
                None,
                "plain_seq",
                Sequence(None, "plain_seq", SequenceOptions(increment=5, cycle=True)),
                Sequence(None, "plain_seq", SequenceOptions()),
            ),
        ],
    ),
    "named_constraint": (
        ["ALTER TABLE author RENAME CONSTRAINT uq_author_name_born TO uq_other"],
        [
            (
                "remove_constraint",
                "author",
                "uq_other",
                UniqueConstraint(
                    "uq_other",
                    ("name", "born"),
                    (("postgresql_include", "[]"), ("postgresql_nulls_not_distinct", "False")),
                ),
                None,
            ),
            (
                "add_constraint",
                "author",
                "uq_author_name_born",
                None,
                UniqueConstraint("uq_author_name_born", ("name", "born")),
            ),
        ],
    ),
    "unnamed_constraint": (
        ["ALTER TABLE book DROP CONSTRAINT book_title_key"],
        [("add_constraint", "book", None, None, UniqueConstraint(None, ("title",)))],
    ),
    "foreign_key": (
        [
            "ALTER TABLE book DROP CONSTRAINT book_author_id_fkey",
            "ALTER TABLE book ADD FOREIGN KEY (author_id) REFERENCES author (id)",
        ],
        [
            (
                "remove_fk",
                "book",
                "book_author_id_fkey",
                ForeignKey("book_author_id_fkey", ("author_id",), None, "author", ("id",)),
                None,
            ),
            (
                "add_fk",
                "book",
                None,
                None,
                ForeignKey(None, ("author_id",), None, "author", ("id",), ondelete="CASCADE"),
            ),
        ],
    ),
    "check": (
        [
            "ALTER TABLE author DROP CONSTRAINT kind_rank",
            "ALTER TABLE author ADD CONSTRAINT kind_rank CHECK ((kind <> 'c' OR rank >= -1) "
            "AND rank <= 5)",
        ],
        [
            (
                "remove_constraint",
                "author",
                "kind_rank",
                CheckConstraint(
                    "kind_rank", "(kind::text <> 'c'::text OR rank >= '-1'::integer) AND rank <= 5"
                ),
                None,
            ),
            (
                "add_constraint",
                "author",
                "kind_rank",
                None,
                CheckConstraint("kind_rank", "(kind != 'c') OR rank BETWEEN -1 AND 5"),
            ),
        ],
    ),
    "check_values": (
        [
            "ALTER TABLE author DROP CONSTRAINT kind_in",
            "ALTER TABLE author ADD CONSTRAINT kind_in CHECK (kind IN ('a', 'b', 'c'))",
        ],
        [
            (
                "remove_constraint",
                "author",
                "kind_in",
                CheckConstraint(
                    "kind_in",
                    "kind::text = ANY (ARRAY['a'::character varying, 'b'::character varying, "
                    "'c'::character varying]::text[])",
                ),
                None,
            ),
            (
                "add_constraint",
                "author",
                "kind_in",
                None,
                CheckConstraint("kind_in", "kind IN ('a', 'b')"),
            ),
        ],
    ),
    "index_options": (
        [
            "DROP INDEX ix_author_big",
            "CREATE UNIQUE INDEX ix_author_big ON author (big) INCLUDE (rating)",
        ],
        [
            (
                "remove_index",
                "author",
                "ix_author_big",
                Index("ix_author_big", ("big",), True, (("postgresql_include", "[rating]"),)),
                None,
            ),
            ("add_index", "author", "ix_author_big", None, Index("ix_author_big", ("big",), True)),
        ],
    ),
    "index_expression": (
        ["DROP INDEX ix_author_lower", "CREATE INDEX ix_author_lower ON author (upper(name))"],
        [
            (
                "remove_index",
                "author",
                "ix_author_lower",
                Index(
                    "ix_author_lower",
                    ("upper(name::text)",),
                    False,
                    (("postgresql_include", "[]"),),
                ),
                None,
            ),
            (
                "add_index",
                "author",
                "ix_author_lower",
                None,
                Index("ix_author_lower", ("lower(name)",), False),
            ),
        ],
    ),
    "missing_index": (
        ["DROP INDEX ix_author_name_bio"],
        [
            (
                "add_index",
                "author",
                "ix_author_name_bio",
                None,
                Index("ix_author_name_bio", ("name", "bio"), False),
            )
        ],
    ),
    "comments": (
        ["COMMENT ON COLUMN author.name IS 'whom'", "COMMENT ON TABLE author IS NULL"],
        [
            ("modify_table_comment", "author", "author", None, "writers"),
            ("modify_comment", "author", "name", "whom", "who"),
        ],
    ),
    "nullable": (
        ["ALTER TABLE author ALTER COLUMN bio SET NOT NULL"],
        [("modify_nullable", "author", "bio", False, True)],
    ),
    "columns": COLUMNS_CHANGED,
    "computed": (
        [
            "ALTER TABLE author DROP COLUMN double_rating",
            "ALTER TABLE author ADD COLUMN double_rating INTEGER GENERATED ALWAYS AS "
            "(rating * 3) STORED",
        ],
        [
            (
                "modify_computed",
                "author",
                "double_rating",
                Computed("(rating * 3)", True),
                Computed("rating * 2", None),
            )
        ],
    ),
    "partial_index": (
        ["DROP INDEX ix_book_pages", "CREATE INDEX ix_book_pages ON book (pages) WHERE pages > 20"],
        [
            (
                "remove_index",
                "book",
                "ix_book_pages",
                Index(
                    "ix_book_pages",
                    ("pages",),
                    False,
                    (("postgresql_include", "[]"), ("postgresql_where", "(pages > 20)")),
                ),
                None,
            ),
            (
                "add_index",
                "book",
                "ix_book_pages",
                None,
                Index("ix_book_pages", ("pages",), False, (("postgresql_where", "pages > 10"),)),
            ),
        ],
    ),
    "table_options": (
        ["ALTER TABLE tag SET (fillfactor = 70)"],
        [("modify_table_options", "tag", "tag", (("postgresql_with", "{fillfactor: 70}"),), ())],
    ),
    "nextval_default": (
        ["ALTER TABLE book ALTER COLUMN editor_id SET DEFAULT nextval('plain_seq')"],
        [("modify_default", "book", "editor_id", "nextval('plain_seq'::regclass)", None)],
    ),
    "primary_key": (
        ["ALTER TABLE tag DROP CONSTRAINT tag_pkey", "ALTER TABLE tag ADD PRIMARY KEY (book_id)"],
        [
            (
                "modify_primary_key",
                "tag",
                "tag",
                PrimaryKey("tag_pkey", ("book_id",)),
                PrimaryKey(None, ("book_id", "label")),
            )
        ],
    ),
}


@pytest.mark.postgres
@pytest.mark.parametrize("case", sorted(PG_DIFFERENCES))
def test_postgresql_real_differences_are_reported(pg_url: str, case: str) -> None:
    statements, expected = PG_DIFFERENCES[case]
    models = created(pg_url, rich_metadata("postgresql"), *statements)
    assert changes(pg_url, models) == expected


SQLITE_DIFFERENCES = {
    "columns": COLUMNS_CHANGED,
    "default_type_nullable": (
        [
            "ALTER TABLE tag DROP COLUMN weight",
            "ALTER TABLE tag ADD COLUMN weight REAL DEFAULT '2.5'",
        ],
        [
            (
                "modify_type",
                "tag",
                "weight",
                column_type("sa.REAL()", "REAL"),
                column_type("sa.Float()", "FLOAT"),
            ),
            ("modify_nullable", "tag", "weight", True, False),
            ("modify_default", "tag", "weight", "'2.5'", "'1.5'"),
        ],
    ),
    "index": (
        ["DROP INDEX ix_author_name_bio", "CREATE INDEX ix_extra ON author (kind)"],
        [
            ("remove_index", "author", "ix_extra", Index("ix_extra", ("kind",), False), None),
            (
                "add_index",
                "author",
                "ix_author_name_bio",
                None,
                Index("ix_author_name_bio", ("name", "bio"), False),
            ),
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(SQLITE_DIFFERENCES))
def test_sqlite_real_differences_are_reported(sqlite_url: str, case: str) -> None:
    statements, expected = SQLITE_DIFFERENCES[case]
    models = created(sqlite_url, rich_metadata("sqlite"), *statements)
    assert changes(sqlite_url, models) == expected


def test_sqlite_generated_column_stored_or_not(sqlite_url: str) -> None:
    """A model that leaves ``persisted`` unsaid means SQLite's default, VIRTUAL."""
    metadata = sa.MetaData()
    sa.Table(
        "g",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("twice", sa.Integer, sa.Computed("id * 2")),
    )
    models = schema_from_metadata([("m", metadata)], "sqlite")
    execute(
        sqlite_url,
        "CREATE TABLE g (id INTEGER NOT NULL PRIMARY KEY, "
        "twice INTEGER GENERATED ALWAYS AS (id * 2) STORED)",
    )
    assert changes(sqlite_url, models) == [
        ("modify_computed", "g", "twice", Computed("id * 2", True), Computed("id * 2", None))
    ]


# --- connection failures ----------------------------------------------------------------------


ADVICE_DRIVER = (
    "  Name a dialect SQLAlchemy knows and an installed driver, "
    "e.g. postgresql+psycopg2://... after pip install psycopg2-binary."
)


def failure(url: str, timeout: float = 10) -> str:
    with pytest.raises(ModelLoadError) as caught:
        schema_from_database(url, timeout)
    return str(caught.value)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_nothing_listening() -> None:
    port = closed_port()
    message = failure(f"postgresql+psycopg2://bob:s3cret@127.0.0.1:{port}/app")
    assert message == (
        f"Cannot connect to the database postgresql+psycopg2://bob:***@127.0.0.1:{port}/app: "
        f'connection to server at "127.0.0.1", port {port} failed: Connection refused\n'
        "  Check the URL, that the server is running and reachable, and the credentials."
    )


def test_a_server_that_never_answers_times_out() -> None:
    """The connect timeout applies: without it this would wait for the kernel's TCP timeout."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        found: list[str] = []
        worker = threading.Thread(
            target=lambda: found.append(
                failure(f"postgresql+psycopg2://u:pw@127.0.0.1:{port}/db", 1)
            ),
            daemon=True,
        )
        worker.start()
        worker.join(60)  # a generous bound: this checks it ends, not how fast
    assert not worker.is_alive()
    assert found == [
        f"Cannot connect to the database postgresql+psycopg2://u:***@127.0.0.1:{port}/db: "
        f'connection to server at "127.0.0.1", port {port} failed: timeout expired\n'
        "  Check the URL, that the server is running and reachable, and the credentials."
    ]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("user", "database", "error"),
    [
        ("postgres", "no_such_db", 'FATAL:  database "no_such_db" does not exist'),
        ("nobody", "postgres", 'FATAL:  role "nobody" does not exist'),
    ],
)
def test_postgresql_refuses(postgres_url: str, user: str, database: str, error: str) -> None:
    url = sa.make_url(postgres_url).set(username=user, password="pw", database=database)
    message = failure(url.render_as_string(hide_password=False))
    shown = url.render_as_string(hide_password=True)
    assert "pw@" not in message
    assert message == (
        f"Cannot connect to the database {shown}: connection to server at "
        f'"127.0.0.1", port {url.port} failed: {error}\n'
        "  Check the URL, that the server is running and reachable, and the credentials."
    )


def test_missing_sqlite_file_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    assert failure(f"sqlite:///{path}") == (
        f"Cannot connect to the database sqlite:///{path}: unable to open database file\n"
        "  Check the URL, that the server is running and reachable, and the credentials."
    )
    assert list(tmp_path.iterdir()) == []


def test_not_a_database_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not SQLite at all, but long enough to have a header. " * 4)
    assert failure(f"sqlite:///{path}") == (
        f"Cannot read the schema of sqlite:///{path}: file is not a database\n"
        "  Check that this user may read the tables and the catalog."
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "not a url",
            "Cannot parse the database URL 'not a url'.\n"
            "  Write it as dialect+driver://user:password@host:port/database.",
        ),
        (
            "postgresql://u:pw@host:port/db",
            "Cannot parse the database URL 'host:port/db'.\n"
            "  Write it as dialect+driver://user:password@host:port/database.",
        ),
        (
            "nosuch://u:pw@host/db",
            "Cannot use the database URL nosuch://u:***@host/db: Can't load plugin: "
            "sqlalchemy.dialects:nosuch.\n" + ADVICE_DRIVER,
        ),
        (
            "postgresql+nosuchdriver://u:pw@host/db",
            "Cannot use the database URL postgresql+nosuchdriver://u:***@host/db: Can't load "
            "plugin: sqlalchemy.dialects:postgresql.nosuchdriver.\n" + ADVICE_DRIVER,
        ),
    ],
)
def test_unusable_urls(url: str, expected: str) -> None:
    assert failure(url) == expected


def test_driver_not_installed() -> None:
    if importlib.util.find_spec("pymysql") is not None:
        pytest.skip("pymysql is installed here")
    assert failure("mysql+pymysql://u:pw@host/db") == (
        "Cannot use the database URL mysql+pymysql://u:***@host/db: No module named 'pymysql'.\n"
        + ADVICE_DRIVER
    )
