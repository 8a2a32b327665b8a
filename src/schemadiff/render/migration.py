"""``--format alembic`` and ``--format sql``: the migration of a diff, printed.

Alembic (and so SQLAlchemy) is imported here only when one of these formats (or the operations
block of ``--format markdown``) is asked for.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

from schemadiff.escape import printable
from schemadiff.model import DiffResult

if TYPE_CHECKING:
    from schemadiff.migrate import Migration


def migration(result: DiffResult, quiet: bool = False) -> Migration:
    """The migration of a diff that has its schemas; its warnings go to stderr unless
    ``quiet`` (the migration's comments say them too)."""
    from schemadiff import migrate  # noqa: PLC0415  (SQLAlchemy only when asked for)

    assert result.schemas is not None
    found = migrate.migration(*result.schemas, result.changes, batch=result.render_as_batch)
    for warning in () if quiet else found.warnings:
        print(printable(f"warning: {warning}"), file=sys.stderr)
    return found


def render_alembic(result: DiffResult, stream: TextIO) -> None:
    stream.write(alembic(migration(result)))


def alembic(found: Migration) -> str:
    """The bodies of ``upgrade()`` and ``downgrade()``, with the imports they need."""
    code = found.python()
    imports = "".join(
        f"{line}\n" for line in ("from alembic import op", "import sqlalchemy as sa", *code.imports)
    )
    return (
        f"{imports}\n\ndef upgrade() -> None:\n    {code.upgrade}\n"
        f"\n\ndef downgrade() -> None:\n    {code.downgrade}\n"
    )


def render_sql(result: DiffResult, stream: TextIO) -> None:
    """The upgrade's DDL, as Alembic's offline mode writes it for the dialect."""
    stream.write(migration(result).sql())
