"""What the calls and names of a revision file mean to ``operations``' reader: Alembic's
signatures, the names ``alembic.op`` goes by, and the values a scope's names hold.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

PARAMETERS: Mapping[str, tuple[str, ...]] = {
    "add_column": ("table_name", "column"),
    "alter_column": ("table_name", "column_name"),
    "drop_column": ("table_name", "column_name"),
    "create_table": ("table_name",),
    "drop_table": ("table_name",),
    "rename_table": ("old_table_name", "new_table_name"),
    "create_index": ("index_name", "table_name", "columns"),
    "drop_index": ("index_name", "table_name"),
    "create_unique_constraint": ("constraint_name", "table_name", "columns"),
    "create_check_constraint": ("constraint_name", "table_name", "condition"),
    "create_exclude_constraint": ("constraint_name", "table_name"),
    "create_foreign_key": (
        "constraint_name",
        "source_table",
        "referent_table",
        "local_cols",
        "remote_cols",
    ),
    "create_primary_key": ("constraint_name", "table_name", "columns"),
    "drop_constraint": ("constraint_name", "table_name", "type_"),
    "create_table_comment": ("table_name", "comment"),
    "drop_table_comment": ("table_name",),
    "execute": ("sqltext",),
    "sync_enum_values": ("enum_schema", "enum_name"),  # alembic-postgresql-enum
}
"""Positional parameters, by name; a batch operation takes all but the table."""
BATCH_TABLE = ("table_name", "source_table")
TABLE = ("table_name", "source_table", "old_table_name")
SCHEMA = ("schema", "source_schema", "enum_schema")
TARGET = ("column_name", "index_name", "constraint_name", "new_table_name", "enum_name")
COLUMNS = ("columns", "local_cols")
NOT_OPERATIONS = frozenset(
    {
        "f",
        "get_bind",
        "get_context",
        "inline_literal",
        "batch_alter_table",
        "implementation_for",
        "register_operation",
        "invoke",
        "run_async",
    }
)
"""``op``'s methods that change nothing themselves."""
DDL_CONSTRUCTS = {
    "CreateSequence": "create",
    "DropSequence": "drop",
    "CreateEnumType": "create",
    "DropEnumType": "drop",
}
SQL_WRAPPERS = frozenset({"text", "DDL", "dedent"})
NAME_WRAPPERS = frozenset({"conv", "quoted_name"})
DEPTH = 20
"""How many names deep a value is followed (``A = B``, ``B = "t"``)."""


@dataclass(frozen=True, slots=True)
class Named:
    """An enum type or a sequence constructed in the file."""

    kind: str
    name: str
    schema: str | None


@dataclass(frozen=True, slots=True)
class Scope:
    """What a module's or a function's names hold: only names assigned once count."""

    stored: frozenset[str] = frozenset()
    values: Mapping[str, ast.expr] = field(default_factory=dict)

    @classmethod
    def of(cls, node: ast.AST) -> Scope:
        counts: dict[str, int] = {}
        values: dict[str, ast.expr] = {}
        for child in ast.walk(node):
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store | ast.Del):
                counts[child.id] = counts.get(child.id, 0) + 1
            elif isinstance(child, ast.arg):
                counts[child.arg] = 2  # a parameter: any value
            if isinstance(child, ast.Assign) and len(child.targets) == 1:
                target = child.targets[0]
                if isinstance(target, ast.Name):
                    values[target.id] = child.value
        once = {name: value for name, value in values.items() if counts.get(name) == 1}
        return cls(frozenset(counts), once)


def callee(node: ast.expr) -> str | None:
    """The name a call calls: ``sa.Column(...)`` -> ``Column``."""
    if not isinstance(node, ast.Call):
        return None
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def default_string(text: str | None) -> bool:
    """A ``server_default`` string fills the rows, but for ``"NULL"`` (read as the NULL it
    likely means)."""
    return text is not None and text.strip().upper() != "NULL"


def bind(call: ast.Call, parameters: Sequence[str]) -> dict[str, ast.expr]:
    """The call's arguments by parameter name, positional ones up to the first ``*args``."""
    bound = {k.arg: k.value for k in call.keywords if k.arg is not None}
    for name, node in zip(parameters, call.args, strict=False):
        if isinstance(node, ast.Starred):
            break
        bound.setdefault(name, node)
    return bound


def first(bound: Mapping[str, ast.expr], names: Iterable[str]) -> ast.expr | None:
    return next((bound[n] for n in names if n in bound), None)


def alembic_names(tree: ast.Module) -> tuple[frozenset[str], frozenset[str]]:
    """The names ``alembic.op`` is imported under (``op`` always), and those of ``alembic``."""
    ops, modules = {"op"}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "alembic":
            ops.update(a.asname or a.name for a in node.names if a.name == "op")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "alembic.op" and alias.asname:
                    ops.add(alias.asname)
                elif alias.name.split(".")[0] == "alembic" and not alias.asname:
                    modules.add("alembic")
                elif alias.name == "alembic" and alias.asname:
                    modules.add(alias.asname)
    return frozenset(ops), frozenset(modules)
