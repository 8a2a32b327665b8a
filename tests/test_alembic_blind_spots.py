"""Alembic's blind spots, side by side with schemadiff, on real databases (Alembic 1.20).

For each case a real database is created at the older models; Alembic's own
``compare_metadata`` (compare_type and compare_server_default on) is asked about the newer
models, and schemadiff about the same two commits. The assertions show what Alembic misses or
invents, and what schemadiff reports instead.
"""

from __future__ import annotations

import sys
import types
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tests.conftest import GitRepo, model_source, models_repo, schemadiff


def load(source: str) -> sa.MetaData:
    """The test's own import of a models source (the tests may import SQLAlchemy)."""
    module = types.ModuleType(f"models_{uuid.uuid4().hex}")
    sys.modules[module.__name__] = module  # where the ORM resolves Mapped[...] annotations
    exec(compile(source, module.__name__, "exec"), module.__dict__)
    metadata: sa.MetaData = module.Base.metadata
    return metadata


def alembic_kinds(engine: sa.Engine, old: str, new: str) -> list[str]:
    """What autogenerate reports between a database at ``old`` and the models ``new``."""
    old_metadata = load(old)
    old_metadata.create_all(engine)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": True}
            )
            diffs = compare_metadata(context, load(new))
    finally:
        old_metadata.drop_all(engine)  # named enum types too, on PostgreSQL
    return [_kind(d) for d in diffs]


def _kind(found: object) -> str:
    entry = found[0] if isinstance(found, list) else found
    return str(entry[0])  # type: ignore[index]


def schemadiff_kinds(repo: GitRepo, old: str, new: str, dialect: str) -> list[str]:
    models_repo(repo, old).commit("old")
    models_repo(repo, new).commit("new")
    run = schemadiff("HEAD~1..HEAD", "-f", "json", "--dialect", dialect, cwd=repo.path)
    assert run.code == 0, run.err
    return [c["kind"] for c in run.json()["changes"]]


@pytest.fixture
def pg(postgres_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(postgres_url)
    yield engine
    engine.dispose()


def table(body: str, args: str = "") -> str:
    """A model ``Thing`` with an ``id`` and the given column lines (one per line)."""
    lines = [
        "class Thing(Base):",
        '    __tablename__ = "thing"',
        f"    __table_args__ = ({args})",
        "    id: Mapped[int] = mapped_column(primary_key=True)",
        *(f"    {line.strip()}" for line in body.strip().splitlines()),
    ]
    return model_source("\n".join(lines) + "\n")


ENUM_OLD = table("    mood: Mapped[str] = mapped_column(sa.Enum('ok', 'meh', name='mood'))")
ENUM_NEW = table("    mood: Mapped[str] = mapped_column(sa.Enum('ok', 'meh', 'sad', name='mood'))")
CHECK_OLD = table("    qty: Mapped[int]", "sa.CheckConstraint('qty > 0', name='ck_qty'),")
CHECK_NEW = table("    qty: Mapped[int]", "sa.CheckConstraint('qty > 10', name='ck_qty'),")
COMPUTED = "    qty: Mapped[int]\n    twice: Mapped[int] = mapped_column(sa.Computed('qty * {}'))"
COMPUTED_OLD = table(COMPUTED.format(2))
COMPUTED_NEW = table(COMPUTED.format(3))
INDEX_OLD = table("    name: Mapped[str]", "sa.Index('ix_name', sa.text('lower(name)')),")
INDEX_NEW = table("    name: Mapped[str]", "sa.Index('ix_name', sa.text('upper(name)')),")
PK_OLD = table("    code: Mapped[str]")
PK_NEW = table(
    "    code: Mapped[str] = mapped_column(primary_key=True)",
)
RENAME_OLD = table("    email: Mapped[str] = mapped_column(sa.String(80))")
RENAME_NEW = table("    email_address: Mapped[str] = mapped_column(sa.String(80))")


@pytest.mark.parametrize(
    ("old", "new", "alembic_sees", "schemadiff_sees"),
    [
        pytest.param(ENUM_OLD, ENUM_NEW, [], ["modify_enum"], id="postgresql-enum-values-278"),
        pytest.param(CHECK_OLD, CHECK_NEW, [], ["remove_constraint", "add_constraint"], id="check"),
        pytest.param(COMPUTED_OLD, COMPUTED_NEW, [], ["modify_computed"], id="computed-1837"),
        pytest.param(PK_OLD, PK_NEW, [], ["modify_primary_key", "modify_autoincrement"], id="pk"),
        pytest.param(
            RENAME_OLD,
            RENAME_NEW,
            ["add_column", "remove_column"],
            ["rename_column"],
            id="column-rename",
        ),
    ],
)
def test_postgresql(
    repo: GitRepo,
    pg: sa.Engine,
    old: str,
    new: str,
    alembic_sees: list[str],
    schemadiff_sees: list[str],
) -> None:
    assert sorted(alembic_kinds(pg, old, new)) == sorted(alembic_sees)
    assert schemadiff_kinds(repo, old, new, "postgresql") == schemadiff_sees


def test_expression_index_change_1321(repo: GitRepo) -> None:
    """On SQLite, Alembic skips expression indexes (with a warning); schemadiff compares them.
    (Alembic 1.20 reflects them on PostgreSQL.)"""
    with pytest.warns(UserWarning, match="expression-based index"):
        assert alembic_kinds(sa.create_engine("sqlite://"), INDEX_OLD, INDEX_NEW) == []
    assert schemadiff_kinds(repo, INDEX_OLD, INDEX_NEW, "sqlite") == ["remove_index", "add_index"]


DEFAULTS = model_source(
    """
    import datetime


    class Event(Base):
        __tablename__ = "event"
        id: Mapped[int] = mapped_column(primary_key=True)
        at: Mapped[datetime.datetime] = mapped_column(server_default=sa.func.now())
        flag: Mapped[bool] = mapped_column(server_default=sa.false())
        label: Mapped[str] = mapped_column(sa.String(20), server_default="n/a")
        amount: Mapped[int] = mapped_column(server_default=sa.text("0"))
    """
)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "mysql", "mssql", "oracle"])
def test_no_false_default_changes_on_any_dialect(repo: GitRepo, dialect: str) -> None:
    """The same declared defaults never differ: schemadiff compares what was declared.

    The brief cites Alembic reporting spurious modify_default against SQLite; with Alembic
    1.20.1 none of these forms (nor now(), current_timestamp(), '0.00', -1, '{}', (1 + 1))
    reproduced that, so only schemadiff's side is asserted here.
    """
    changed = DEFAULTS.replace("class Event", "# an unrelated edit\nclass Event")
    assert schemadiff_kinds(repo, DEFAULTS, changed, dialect) == []
