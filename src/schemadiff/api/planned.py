"""The migration of a diff, planned for the outputs that print one (``--format alembic``,
``sql``, and the Markdown report's operations): the renderers get it ready-made.

SQLAlchemy and Alembic are imported only when one is planned.
"""

from __future__ import annotations

from dataclasses import replace

from schemadiff.model import DiffResult, PlannedMigration


def planned(result: DiffResult, *, sql: bool = False, if_needed: bool = False) -> DiffResult:
    """``result`` with its migration (the DDL too when ``sql``); as it was when it has no
    schemas to plan from, or (``if_needed``: the report) no change that needs one."""
    if result.schemas is None or (if_needed and all(c.python_only for c in result.changes)):
        return result
    from schemadiff import migrate  # noqa: PLC0415  (SQLAlchemy only when asked for)

    found = migrate.migration(*result.schemas, result.changes, batch=result.render_as_batch)
    code = found.python()
    migration = PlannedMigration(
        code.imports, code.upgrade, code.downgrade, found.sql() if sql else None, found.warnings
    )
    return replace(result, migration=migration)
