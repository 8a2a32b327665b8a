"""Two loaded sides turned into schemas and compared: the pure part of every command."""

from __future__ import annotations

from schemadiff import config, diff
from schemadiff.api.session import Loaded
from schemadiff.model import Schema, Source
from schemadiff.snapshot import (
    JSONDict,
    Packed,
    schema_from_json,
    schema_to_json,
    without_common_tables,
)


def schemas(
    old: Loaded, new: Loaded, settings: config.Settings, dialect: str
) -> tuple[Schema, Schema]:
    """Both sides' schemas, filtered under the newer side's settings."""
    old_document, new_document = without_common_tables(
        _document(old, dialect), _document(new, dialect)
    )
    old_schema = _filtered(_decoded(old_document, old), settings)
    new_schema = _filtered(_decoded(new_document, new), settings)
    if old.side.source is Source.DATABASE:
        old_schema = diff.align(old_schema, new_schema)
    return old_schema, new_schema


def changes(old: Schema, new: Schema, settings: config.Settings, ddl_only: bool) -> diff.Diff:
    rules = diff.RenameRules(dict(settings.renames), guess=not settings.no_renames)
    found = diff.diff_schemas(old, new, rules)
    if settings.ignore_python_only or ddl_only:
        return diff.Diff(diff.without_python_only(found.changes), found.notes)
    return found


def same(old: Loaded, new: Loaded, settings: config.Settings, dialect: str) -> bool:
    """Whether two sides declare the same schema, as a migration would see it."""
    old_schema, new_schema = schemas(old, new, settings, dialect)
    return not changes(old_schema, new_schema, settings, ddl_only=True).changes


def filtered(document: JSONDict, where: str, settings: config.Settings) -> Schema:
    return _filtered(schema_from_json(document, where), settings)


def _document(loaded: Loaded, dialect: str) -> Packed:
    """The side's document; the empty schema for a side whose models do not exist yet."""
    return loaded.document or Packed.of(schema_to_json(Schema(dialect, ())))


def _decoded(document: JSONDict, loaded: Loaded) -> Schema:
    return schema_from_json(document, f"the schema of {loaded.side.label}")


def _filtered(schema: Schema, settings: config.Settings) -> Schema:
    return diff.filter_schema(schema, settings.include_schemas, settings.exclude_tables)
