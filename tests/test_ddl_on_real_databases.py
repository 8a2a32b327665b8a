"""The DDL a snapshot records is the DDL the dialect emits: real databases accept it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tests.conftest import GitRepo, model_source, models_repo, schemadiff

MODELS = model_source(
    """
    import datetime
    import enum
    import uuid

    from sqlalchemy.dialects import postgresql


    class Color(enum.Enum):
        red = "red"
        blue = "blue"


    class Thing(Base):
        __tablename__ = "thing"
        __table_args__ = {"comment": "things"}
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(sa.String(80), server_default="it's")
        price: Mapped[float] = mapped_column(sa.Numeric(10, 2), server_default="0")
        active: Mapped[bool] = mapped_column(server_default=sa.true())
        created: Mapped[datetime.datetime] = mapped_column(server_default=sa.func.now())
        day: Mapped[datetime.date | None]
        body: Mapped[str | None] = mapped_column(sa.Text, comment="free text")
        ref: Mapped[uuid.UUID | None]
        blob: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
        big: Mapped[int] = mapped_column(sa.BigInteger, server_default=sa.text("42"))
        ratio: Mapped[float | None] = mapped_column(sa.Float)
    """
)
PG_ONLY = """
    tags: Mapped[list[str] | None] = mapped_column(postgresql.ARRAY(sa.String(20)))
    data: Mapped[dict | None] = mapped_column(postgresql.JSONB, server_default=sa.text("'{}'"))
"""


def schema_document(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The one schema document of a printed snapshot file (one MetaData, one entry)."""
    assert (snapshot["format"], snapshot["version"]) == ("schemadiff-snapshot", 3)
    (entry,) = snapshot["entries"]
    assert list(entry["metadata"]) == ["default"]
    document: dict[str, Any] = entry["metadata"]["default"]
    return document


def create_statement(table: dict[str, object]) -> str:
    parts = []
    for column in table["columns"]:  # type: ignore[attr-defined]
        text = f'"{column["name"]}" {column["type"]["ddl"]}'
        text += "" if column["nullable"] else " NOT NULL"
        if column["server_default"] is not None:
            text += f" DEFAULT {column['server_default']}"
        parts.append(text)
    return f'CREATE TABLE "{table["name"]}" ({", ".join(parts)})'


def check_on(engine: sa.Engine, document: dict[str, object]) -> list[str]:
    created = []
    with engine.begin() as connection:
        for table in document["tables"]:  # type: ignore[attr-defined]
            connection.execute(sa.text(create_statement(table)))
            created.append(table["name"])
    columns = sa.inspect(engine).get_columns("thing")
    with engine.begin() as connection:
        for name in created:
            connection.execute(sa.text(f'DROP TABLE "{name}"'))
    return [c["name"] for c in columns]


def test_postgresql_accepts_the_recorded_ddl(repo: GitRepo, postgres_url: str) -> None:
    models_repo(repo, MODELS + PG_ONLY).commit("models")
    run = schemadiff("snapshot", "HEAD", "--dialect", "postgresql", cwd=repo.path)
    assert run.code == 0, run.err
    document = schema_document(run.json())
    tags = next(c for c in document["tables"][0]["columns"] if c["name"] == "tags")
    assert tags["type"] == {
        "ddl": "VARCHAR(20)[]",
        "enum": None,
        "imports": ["from sqlalchemy.dialects import postgresql", "import sqlalchemy as sa"],
        "python": "postgresql.ARRAY(sa.String(length=20))",
    }
    engine = sa.create_engine(postgres_url)
    try:
        assert check_on(engine, document)[-2:] == ["tags", "data"]
    finally:
        engine.dispose()


def test_sqlite_accepts_the_recorded_ddl(repo: GitRepo) -> None:
    models_repo(repo, MODELS).commit("models")
    run = schemadiff("snapshot", "--dialect", "sqlite", cwd=repo.path)
    assert run.code == 0, run.err
    document = schema_document(run.json())
    assert document["dialect"] == "sqlite"
    engine = sa.create_engine("sqlite://")
    assert check_on(engine, document)[0] == "id"


def test_python_rendering_is_code_that_gives_the_same_ddl(repo: GitRepo) -> None:
    """What a migration would write (python + imports) evaluates to a type with the same DDL."""
    models_repo(repo, MODELS + PG_ONLY).commit("models")
    run = schemadiff("snapshot", "--dialect", "postgresql", cwd=repo.path)
    document = schema_document(run.json())
    dialect = sa.create_engine("postgresql+psycopg2://").dialect
    for column in document["tables"][0]["columns"]:
        namespace: dict[str, object] = {}
        exec("\n".join(column["type"]["imports"]), namespace)
        rebuilt = eval(column["type"]["python"], namespace)
        assert rebuilt.compile(dialect=dialect) == column["type"]["ddl"], column["name"]
