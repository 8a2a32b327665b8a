"""``--format alembic`` and ``--format sql``: the migration of a diff, printed as the api
planned it (``DiffResult.migration``)."""

from __future__ import annotations

from typing import TextIO

from schemadiff.model import DiffResult, PlannedMigration


def render_alembic(result: DiffResult, stream: TextIO) -> None:
    stream.write(alembic(_planned(result)))


def alembic(found: PlannedMigration) -> str:
    """The bodies of ``upgrade()`` and ``downgrade()``, with the imports they need."""
    imports = "".join(
        f"{line}\n"
        for line in ("from alembic import op", "import sqlalchemy as sa", *found.imports)
    )
    return (
        f"{imports}\n\ndef upgrade() -> None:\n    {found.upgrade}\n"
        f"\n\ndef downgrade() -> None:\n    {found.downgrade}\n"
    )


def render_sql(result: DiffResult, stream: TextIO) -> None:
    """The upgrade's DDL, as Alembic's offline mode writes it for the dialect."""
    found = _planned(result)
    assert found.sql is not None, "the api plans the DDL for --format sql"
    stream.write(found.sql)


def _planned(result: DiffResult) -> PlannedMigration:
    assert result.migration is not None, "the api plans the migration of these formats"
    return result.migration
