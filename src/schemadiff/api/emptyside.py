"""A side whose models declare no tables: an error when its migrations create some, a note
when they do not, never a silent "no changes".

A project that collects its models by importing them (env.py's ``import app.models.user``
for its side effect) has an empty MetaData until they are imported: compared as it is, every
commit would look unchanged, and ``check`` would pass one that adds a column.
"""

from __future__ import annotations

from collections.abc import Mapping

from schemadiff import config, discover
from schemadiff.errors import ModelLoadError
from schemadiff.escape import printable
from schemadiff.rules import operations

_NAMED = 3
"""Tables named in the message; the rest are counted."""


def declares_nothing(documents: Mapping[str, object]) -> bool:
    """Whether no MetaData of a side holds a table."""
    return all(not getattr(d, "tables", None) for d in documents.values())


def note(label: str) -> str:
    return f"the models at {label} declare no tables."


def created_tables(migrations: Mapping[str, bytes]) -> list[str]:
    """The tables the revision files create and do not drop, read statically, sorted."""
    created: set[str] = set()
    dropped: set[str] = set()
    for source in migrations.values():
        for op in operations.read(source):
            if op.table and op.name == "create_table":
                created.add(op.table)
            elif op.table and op.name == "drop_table":
                dropped.add(op.table)
    return sorted(created - dropped)


def failure(
    label: str, settings: config.Settings, tables: list[str], env: bytes | None
) -> ModelLoadError:
    """The exit-2 error: what the migrations create, what env.py imports, how to say it."""
    named = ", ".join(printable(t) for t in tables[:_NAMED])
    more = ", ..." if len(tables) > _NAMED else ""
    where = ", ".join(settings.version_locations)
    first = (
        f"The models at {label} declare no tables, but the migrations in {where} create "
        f"{len(tables)} ({named}{more})."
    )
    return ModelLoadError(f"{first}\n  {_advice(settings, env)}")


def _advice(settings: config.Settings, env: bytes | None) -> str:
    modules = [printable(m) for m in discover.env_modules(env or b"") if not _located(m, settings)]
    listed = modules[:2] or ["yourapp.models"]
    example = ", ".join(f'"{m}"' for m in listed) + (", ..." if len(modules) > 2 else "")
    if settings.imports:
        said = f"Imported first: {', '.join(printable(m) for m in settings.imports)}; still none"
    elif modules:
        said = f"env.py imports {', '.join(modules)}"
    else:
        said = "Import the modules that declare them first"
    return (
        f"{said}: set import = [{example}] under [tool.schemadiff], or run with --import MODULE; "
        "or point metadata at a function that returns the filled MetaData, e.g. metadata = "
        '"yourapp:create_app()".'
    )


def _located(module: str, settings: config.Settings) -> bool:
    """Whether env.py's import is the one of the MetaData itself (``from app.db import Base``):
    importing it again would not help."""
    return any(
        module == loc.partition(":")[0] or module.startswith(loc.partition(":")[0] + ".")
        for loc in settings.metadata
    )
