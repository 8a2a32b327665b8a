"""A side whose models declare no tables: an error when its migrations create some, a note
when they do not, never a silent "no changes".

A project that collects its models by importing them (env.py's ``import app.models.user``
for its side effect) has an empty MetaData until they are imported: compared as it is, every
commit would look unchanged, and ``check`` would pass one that adds a column.
"""

from __future__ import annotations

from collections.abc import Mapping

from schemadiff import config, discover, revisions
from schemadiff.errors import ModelLoadError
from schemadiff.escape import printable
from schemadiff.revisions import operations

_NAMED = 3
"""Tables named in the message; the rest are counted."""


def declares_nothing(documents: Mapping[str, object]) -> bool:
    """Whether no MetaData of a side holds a table."""
    return all(not getattr(d, "tables", None) for d in documents.values())


def note(label: str) -> str:
    return f"the models at {label} declare no tables."


def created_tables(migrations: Mapping[str, bytes]) -> list[str]:
    """The tables the revision files leave created, read statically, sorted: each revision
    after its down revisions, its ``create_table``, ``rename_table`` and ``drop_table`` in
    turn (a project that renamed a table, then dropped it with its last model, has none)."""
    tables: set[str] = set()
    for source in _in_revision_order(migrations):
        for op in operations.read(source):
            if op.table and op.name == "create_table":
                tables.add(op.table)
            elif op.table and op.name == "drop_table":
                tables.discard(op.table)
            elif op.table in tables and op.name == "rename_table" and op.target:
                tables.discard(op.table)
                tables.add(op.target)
    return sorted(tables)


def _in_revision_order(migrations: Mapping[str, bytes]) -> list[bytes]:
    """The files, each revision after its down revisions (the ``down_revision`` chain; the
    bases by path); then, by path, those that declare no revision or sit in a cycle."""
    declared = {path: revisions.declared(source) for path, source in sorted(migrations.items())}
    path_of = {found[0]: path for path, found in declared.items() if found is not None}
    waiting = {
        rev: {p for p in parents if p in path_of}
        for rev, parents in filter(None, declared.values())
    }
    children: dict[str, list[str]] = {}
    for rev, parents in waiting.items():
        for parent in parents:
            children.setdefault(parent, []).append(rev)
    ready = sorted((r for r, parents in waiting.items() if not parents), reverse=True)
    ordered: list[str] = []
    while ready:
        rev = ready.pop()
        ordered.append(path_of[rev])
        for child in children.get(rev, ()):
            waiting[child].discard(rev)
            if not waiting[child]:
                ready.append(child)
    placed = set(ordered)
    return [migrations[p] for p in [*ordered, *(p for p in declared if p not in placed)]]


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
    located = [discover.Locator.parse(loc) for loc in settings.metadata]
    return any(
        module == found.module or module.startswith(f"{found.module}.")
        for found in located
        if found is not None
    )
