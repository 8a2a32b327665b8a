"""Batch mode on SQLite, which keeps no name for an unnamed constraint: the migration drops
one by the name its batch's naming_convention gives it, names what it adds, and restates the
unnamed CHECK constraints a table keeps (Alembic cannot reflect them, so the copy of the
table would lose them). Each revision runs in real Alembic on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tests.conftest import GitRepo, committed, model_source, schemadiff
from tests.test_golden import _alembic, _alembic_project, _models

BEFORE = model_source(
    """
    class Author(Base):
        __tablename__ = "author"
        id: Mapped[int] = mapped_column(primary_key=True)


    class Book(Base):
        __tablename__ = "book"
        __table_args__ = (
            sa.UniqueConstraint("title", "author_id"),
            sa.CheckConstraint("pages > 0"),
        )
        id: Mapped[int] = mapped_column(primary_key=True)
        title: Mapped[str]
        pages: Mapped[int]
        author_id: Mapped[int] = mapped_column(sa.ForeignKey("author.id"))
    """
)
AFTER = (
    BEFORE.replace('sa.UniqueConstraint("title", "author_id"),', 'sa.UniqueConstraint("title"),')
    .replace('sa.ForeignKey("author.id")', 'sa.ForeignKey("author.id", ondelete="CASCADE")')
    .replace("pages: Mapped[int]", "pages: Mapped[int]\n    isbn: Mapped[str | None]")
)


def _state(engine: sa.Engine) -> dict[str, object]:
    found = sa.inspect(engine)
    return {
        "unique": sorted(tuple(u["column_names"]) for u in found.get_unique_constraints("book")),
        "check": [c["sqltext"] for c in found.get_check_constraints("book")],
        "fk": [(f["constrained_columns"], f["options"]) for f in found.get_foreign_keys("book")],
        "columns": [c["name"] for c in found.get_columns("book")],
    }


def test_a_batch_drops_unnamed_constraints_and_keeps_unnamed_checks(
    repo: GitRepo, tmp_path: Path
) -> None:
    committed(repo, BEFORE, AFTER)
    run = schemadiff("HEAD~1..HEAD", "--format", "alembic", "--dialect", "sqlite", cwd=repo.path)
    assert run.code == 0, run.err
    assert "TODO" not in run.out
    assert "drop_constraint(None" not in run.out
    convention = "naming_convention={'fk': '%(table_name)s_%(column_0_N_name)s_fkey', 'uq': "
    assert convention in run.out
    assert "table_args=(sa.CheckConstraint('pages > 0'), )" in run.out
    assert "batch_op.drop_constraint('book_title_author_id_key', type_='unique')" in run.out
    assert "batch_op.create_unique_constraint('book_title_key', ['title'])" in run.out

    url = f"sqlite:///{tmp_path / 'batch.db'}"
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    (tmp_path / "before.py").write_text(BEFORE)
    _models(tmp_path / "before.py").create_all(engine)  # the older models, as create_all makes them
    before = _state(engine)
    project = _alembic_project(tmp_path / "alembic", run.out)

    _alembic(project, repo, url, "upgrade", "head")
    assert _state(engine) == {
        "unique": [("title",)],
        "check": ["pages > 0"],
        "fk": [(["author_id"], {"ondelete": "CASCADE"})],
        "columns": ["id", "title", "pages", "author_id", "isbn"],
    }
    _alembic(project, repo, url, "downgrade", "base")
    assert _state(engine) == before
    assert before["unique"] == [("title", "author_id")]
    assert before["check"] == ["pages > 0"]
    engine.dispose()
