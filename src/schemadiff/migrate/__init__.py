"""Migrations from a diff: Alembic operations built from the changes, rendered by Alembic.

Only this package, the model extractor and the sandbox child import SQLAlchemy or Alembic;
the CLI process imports it only when a migration is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from schemadiff.extract.sql import load_dialect
from schemadiff.migrate import render, script
from schemadiff.migrate.plan import Plan, build
from schemadiff.migrate.script import RevisionError, heads
from schemadiff.model import Change, RevisionTarget, Schema

__all__ = ["Migration", "RevisionError", "heads", "migration", "write_revision"]


@dataclass(frozen=True, slots=True)
class Migration:
    plan: Plan
    dialect: str
    batch: bool

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(self.plan.warnings)

    def python(self) -> render.Python:
        return render.python(self.plan, self.dialect, batch=self.batch)

    def sql(self) -> str:
        return render.sql(self.plan, self.dialect, batch=self.batch)


def migration(
    old: Schema, new: Schema, changes: Sequence[Change], *, batch: bool | None = None
) -> Migration:
    """The migration from ``old`` to ``new``; batch mode by default on SQLite."""
    dialect = load_dialect(new.dialect)
    use_batch = dialect.name == "sqlite" if batch is None else batch
    plan = build(old, new, changes, dialect, batch=use_batch)
    return Migration(plan, new.dialect, use_batch)


def write_revision(target: RevisionTarget, found: Migration) -> script.Written:
    """Write the revision file; its path, revision id and down revisions."""
    return script.write(target, found.python())
