"""The Alembic operations a revision file's ``upgrade()`` calls, read with ``ast``: never run.

Read: ``op.X(...)``, with ``op`` imported from alembic under any name or spelled ``alembic.op``;
``batch_op.X(...)`` inside ``with op.batch_alter_table("t", schema=...) as batch_op`` (the
table is the ``with``'s); calls anywhere in ``upgrade()`` (in ``if``, ``for``, ``with``,
``try``...), in the module's functions it calls by name, and in the ``upgrade_<engine>()``
functions of Alembic's multidb template; SQL run through the connection
(``op.get_bind().execute(...)``, also through a name assigned ``op.get_bind()``); enum types and
sequences created or dropped by their own ``create``/``drop`` (``sa.Enum(..., name="e")
.create(bind)``) or by ``op.execute(CreateSequence(sa.Sequence("s")))``, read as the
operations ``create_enum``, ``drop_enum``, ``create_sequence`` and ``drop_sequence``.

A value is read only when it is written as a literal: a string; ``op.f("...")``; a name the
module or the function assigns a string to once; ``sa.text("...")`` for SQL. Anything else
(a variable, an f-string with values, a call) leaves the field None: never guessed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from schemadiff.revisions import calls, writes
from schemadiff.revisions.writes import Write

__all__ = ["Operation", "read"]


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation ``upgrade()`` calls, as far as its arguments are literals."""

    name: str
    """The method called: ``add_column``, ``alter_column``, ``execute``...; ``create_enum``,
    ``drop_enum``, ``create_sequence``, ``drop_sequence`` for those types' own calls."""
    table: str | None
    """The table: ``rename_table``'s old name, ``create_foreign_key``'s source table."""
    schema: str | None
    target: str | None
    """The column, index or constraint named (``op.f`` unwrapped); ``rename_table``'s new name;
    the enum type's or sequence's name."""
    keywords: tuple[str, ...] = ()
    """The keyword arguments given, sorted: ``type_``, ``nullable``, ``existing_type``..."""
    text: str | None = None
    """``execute``'s SQL."""
    line: int = 0
    columns: tuple[str, ...] | None = None
    """``create_table``'s column names; the column list of ``create_index``,
    ``create_unique_constraint``, ``create_primary_key`` and (local) ``create_foreign_key``."""
    new_name: str | None = None
    """``alter_column``'s ``new_column_name``."""
    constraint_type: str | None = None
    """``drop_constraint``'s ``type_``: ``unique``, ``check``, ``foreignkey``, ``primary``."""
    enums: tuple[str, ...] = ()
    """The named enum types ``create_table`` creates with its columns (not those given
    ``create_type=False``, which some other operation creates)."""
    nullable: bool | None = None
    """``add_column``'s column: its ``nullable`` (True when not given, unless a primary key);
    ``alter_column``'s ``nullable``. None when not a literal (or not given to ``alter_column``)."""
    fills: bool = False
    """``add_column``'s column fills the rows it is added to: a ``server_default`` that cannot
    be NULL (a string, ``sa.text``/``sa.literal_column`` of a non-NULL literal, a ``sa.func``
    call such as ``now()``), an ``Identity`` or a ``Computed``; an unread default does not."""
    writes: tuple[Write, ...] = ()
    """``execute``'s ``UPDATE`` and ``DELETE`` statements: its SQL's, or those of an
    ``sa.table(...).update()`` / ``sa.delete(...)`` construct (see ``writes``)."""
    conditional: bool = False
    """Called under an ``if``, a loop, a ``try``, a nested function or a lambda: it may not
    run, or run more than once."""


def read(source: bytes) -> tuple[Operation, ...]:
    """The operations of ``upgrade()`` in the order they are read; () when the file does not
    parse or has no ``upgrade()``."""
    try:
        tree = ast.parse(source)
        return tuple(_Reader(tree).upgrade())
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ()


class _Reader(ast.NodeVisitor):
    """Walks ``upgrade()`` and what it calls, collecting the operations."""

    def __init__(self, tree: ast.Module) -> None:
        self.functions = {
            n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        self.classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
        self.op_names, self.alembic_names = calls.alembic_names(tree)
        self.module = calls.Scope.of(tree)
        self.local = calls.Scope()
        self.batches: dict[str, tuple[str | None, str | None]] = {}
        self.active: list[str] = []
        self.found: list[Operation] = []
        self.conditional = 0
        """How many ``if``s, loops, ``try``s and nested functions the walk is inside."""

    def upgrade(self) -> Iterator[Operation]:
        names = ["upgrade", *sorted(n for n in self.functions if n.startswith("upgrade_"))]
        for name in names:
            if name in self.functions and name not in self.active:
                self.function(self.functions[name])
        return iter(self.found)

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        saved = self.local, self.batches
        self.local, self.batches = calls.Scope.of(node), {}
        self.active.append(node.name)
        for statement in node.body:
            self.visit(statement)
        self.active.pop()
        self.local, self.batches = saved

    # --- walking ---

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        batches = dict(self.batches)
        for item in node.items:
            table = self._batch_table(item.context_expr)
            if table is not None and isinstance(item.optional_vars, ast.Name):
                batches[item.optional_vars.id] = table
            else:
                self.visit(item.context_expr)
        saved, self.batches = self.batches, batches
        for statement in node.body:
            self.visit(statement)
        self.batches = saved

    visit_AsyncWith = visit_With

    def _maybe(self, node: ast.AST) -> None:
        """What may not run, or may run many times."""
        self.conditional += 1
        self.generic_visit(node)
        self.conditional -= 1

    visit_If = visit_For = visit_AsyncFor = visit_While = visit_Match = _maybe
    visit_Try = visit_TryStar = visit_IfExp = visit_BoolOp = visit_Lambda = _maybe
    visit_FunctionDef = visit_AsyncFunctionDef = _maybe
    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _maybe

    def visit_Call(self, node: ast.Call) -> None:
        operation = self._operation(node)
        if operation is not None:
            self.found.append(operation)
        elif isinstance(node.func, ast.Name) and node.func.id not in self.active:
            helper = self.functions.get(node.func.id)
            if helper is not None:
                self.function(helper)
        self.generic_visit(node)

    # --- what a call is ---

    def _operation(self, node: ast.Call) -> Operation | None:
        if not isinstance(node.func, ast.Attribute):
            return None
        method, owner = node.func.attr, node.func.value
        if self._is_op(owner) or self._batch_of(owner) is not None:
            if method in calls.NOT_OPERATIONS:
                return None
            return self._build(method, node, self._batch_of(owner))
        if method in ("execute", "exec_driver_sql") and self._is_connection(owner):
            return self._build("execute", node, None)
        if method in ("create", "drop"):
            named = self._named(owner)
            if named is not None:
                return _standalone(method, named, node)
        return None

    def _build(
        self, method: str, node: ast.Call, batch: tuple[str | None, str | None] | None
    ) -> Operation:
        parameters = calls.PARAMETERS.get(method, ())
        if batch is not None:
            parameters = tuple(p for p in parameters if p not in calls.BATCH_TABLE)
        bound = calls.bind(node, parameters)
        if method == "execute":
            construct = self._ddl_construct(bound.get("sqltext"), node)
            if construct is not None:
                return construct
        table, schema = batch or (
            self._string(calls.first(bound, calls.TABLE)),
            self._string(calls.first(bound, calls.SCHEMA)),
        )
        return Operation(
            method,
            table,
            schema,
            self._target(method, bound),
            tuple(sorted({k.arg for k in node.keywords if k.arg is not None})),
            self._sql(bound.get("sqltext")) if method == "execute" else None,
            node.lineno,
            self._columns(method, node, bound, batch is not None),
            self._string(bound.get("new_column_name")) if method == "alter_column" else None,
            self._string(bound.get("type_")) if method == "drop_constraint" else None,
            self._created_enums(node) if method == "create_table" else (),
            nullable=self._nullable(method, bound),
            fills=method == "add_column" and self._fills(bound.get("column")),
            writes=self._writes(bound.get("sqltext")) if method == "execute" else (),
            conditional=self.conditional > 0,
        )

    def _nullable(self, method: str, bound: Mapping[str, ast.expr]) -> bool | None:
        if method == "alter_column":
            return self._bool(bound.get("nullable"))
        column = bound.get("column")
        if method != "add_column" or not isinstance(column, ast.Call):
            return None
        given = {k.arg: k.value for k in column.keywords}
        if None in given:  # **kwargs
            return None
        if "nullable" in given:
            return self._bool(given["nullable"])
        primary = self._bool(given["primary_key"]) if "primary_key" in given else False
        return None if primary is None else not primary

    def _fills(self, column: ast.expr | None) -> bool:
        if not isinstance(column, ast.Call) or calls.callee(column) != "Column":
            return False
        if any(calls.callee(a) in ("Identity", "Computed") for a in column.args):
            return True
        default = next((k.value for k in column.keywords if k.arg == "server_default"), None)
        return default is not None and not self._is_none(default) and self._non_null(default)

    def _non_null(self, default: ast.expr) -> bool:
        """A ``server_default`` that cannot be NULL; one not read is taken as NULL."""
        if self._string(default) is not None:  # a string: Alembic quotes it
            return calls.default_string(self._string(default))
        if calls.callee(default) in ("Identity", "Computed"):
            return True
        if calls.callee(default) in ("text", "literal_column") and isinstance(default, ast.Call):
            text = self._sql(default.args[0]) if len(default.args) == 1 else None
            return text is not None and writes.non_null(text)
        return writes.func_name(default) in writes.NON_NULL_FUNCTIONS

    def _writes(self, node: ast.expr | None) -> tuple[Write, ...]:
        text = self._sql(node)
        if text is not None:
            return writes.parse(text)
        built = writes.construct(node, self._string, self._value)
        return () if built is None else (built,)

    def _target(self, method: str, bound: Mapping[str, ast.expr]) -> str | None:
        if method == "add_column":
            return self._column_name(bound.get("column"))
        return self._string(calls.first(bound, calls.TARGET))

    def _columns(
        self, method: str, node: ast.Call, bound: Mapping[str, ast.expr], batch: bool
    ) -> tuple[str, ...] | None:
        if method == "create_table":
            columns = (self._column_name(a) for a in node.args[0 if batch else 1 :])
            return tuple(c for c in columns if c is not None)
        return self._names(calls.first(bound, calls.COLUMNS))

    def _created_enums(self, node: ast.Call) -> tuple[str, ...]:
        found = []
        for child in ast.walk(node):
            if isinstance(child, ast.Call) and calls.callee(child) in ("Enum", "ENUM"):
                named = self._named(child)
                no_type = any(
                    k.arg == "create_type"
                    and isinstance(k.value, ast.Constant)
                    and k.value.value is False
                    for k in child.keywords
                )
                if named is not None and not no_type:
                    found.append(named.name)
        return tuple(found)

    def _ddl_construct(self, node: ast.expr | None, call: ast.Call) -> Operation | None:
        """``op.execute(CreateSequence(sa.Sequence("s")))`` and the like."""
        verb = calls.DDL_CONSTRUCTS.get(calls.callee(node) or "") if node is not None else None
        if verb is None or not isinstance(node, ast.Call) or not node.args:
            return None
        named = self._named(node.args[0])
        return None if named is None else _standalone(verb, named, call)

    # --- names ---

    def _is_op(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.op_names
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "op"
            and isinstance(node.value, ast.Name)
            and node.value.id in self.alembic_names
        )

    def _batch_of(self, node: ast.expr) -> tuple[str | None, str | None] | None:
        return self.batches.get(node.id) if isinstance(node, ast.Name) else None

    def _batch_table(self, node: ast.expr) -> tuple[str | None, str | None] | None:
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "batch_alter_table"
            and self._is_op(node.func.value)
        ):
            return None
        bound = calls.bind(node, ("table_name", "schema"))
        return self._string(bound.get("table_name")), self._string(bound.get("schema"))

    def _is_connection(self, node: ast.expr, depth: int = 0) -> bool:
        """``op.get_bind()``, ``op.get_context().bind``, or a name assigned one of them."""
        if isinstance(node, ast.Name):
            value = self._value(node.id)
            return (
                value is not None and depth < calls.DEPTH and self._is_connection(value, depth + 1)
            )
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            return node.func.attr == "get_bind" and self._is_op(node.func.value)
        if isinstance(node, ast.Attribute) and node.attr in ("bind", "connection"):
            inner = node.value
            return (
                isinstance(inner, ast.Call)
                and isinstance(inner.func, ast.Attribute)
                and inner.func.attr == "get_context"
                and self._is_op(inner.func.value)
            )
        return False

    def _value(self, name: str) -> ast.expr | None:
        """What a name was assigned, when it was assigned once (locals before the module's)."""
        if name in self.local.stored:
            return self.local.values.get(name)
        return self.module.values.get(name)

    def _named(self, node: ast.expr, depth: int = 0) -> calls.Named | None:
        """The enum type or sequence a constructor (or a name assigned one) makes."""
        if isinstance(node, ast.Name):
            value = self._value(node.id)
            return None if value is None or depth >= calls.DEPTH else self._named(value, depth + 1)
        callee = calls.callee(node)
        if not isinstance(node, ast.Call) or callee not in ("Enum", "ENUM", "Sequence"):
            return None
        keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
        schema = self._string(keywords.get("schema"))
        if callee == "Sequence":
            name = self._string(calls.bind(node, ("name",)).get("name"))
            return None if name is None else calls.Named("sequence", name, schema)
        if "name" in keywords:
            name = self._string(keywords["name"])
        else:  # SQLAlchemy names the type of a Python enum class after it, lowercased
            first = node.args[0] if node.args else None
            is_class = isinstance(first, ast.Name) and first.id in self.classes
            name = first.id.lower() if is_class and isinstance(first, ast.Name) else None
        return None if name is None else calls.Named("enum", name, schema)

    def _bool(self, node: ast.expr | None) -> bool | None:
        """``True`` or ``False`` written as a literal, or as a name assigned one."""
        value = self._value(node.id) if isinstance(node, ast.Name) else node
        if isinstance(value, ast.Constant) and isinstance(value.value, bool):
            return value.value
        return None

    def _is_none(self, node: ast.expr) -> bool:
        value = self._value(node.id) if isinstance(node, ast.Name) else node
        return isinstance(value, ast.Constant) and value.value is None

    def _string(self, node: ast.expr | None, depth: int = 0) -> str | None:
        """A string written as a literal, or as a name, a sum or a wrapper of ones."""
        if node is None or depth >= calls.DEPTH:
            return None
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, ast.Name):
            return self._string(self._value(node.id), depth + 1)
        if isinstance(node, ast.Call) and node.args and self._is_name_wrapper(node):
            return self._string(node.args[0], depth + 1)
        parts: list[ast.expr] = []
        if isinstance(node, ast.JoinedStr):  # an f-string: only without values
            parts = node.values
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            parts = [node.left, node.right]
        strings = [self._string(p, depth + 1) for p in parts]
        return "".join(s or "" for s in strings) if parts and None not in strings else None

    def _is_name_wrapper(self, node: ast.Call) -> bool:
        """``op.f("ix_a")``, ``batch_op.f(...)``, ``conv(...)``, ``quoted_name(...)``."""
        if isinstance(node.func, ast.Attribute) and node.func.attr == "f":
            owner = node.func.value
            return self._is_op(owner) or self._batch_of(owner) is not None
        return calls.callee(node) in calls.NAME_WRAPPERS

    def _sql(self, node: ast.expr | None, depth: int = 0) -> str | None:
        """SQL text: a string, or one passed through ``sa.text``, ``DDL``, ``dedent``,
        ``.strip()``."""
        text = self._string(node)
        if text is not None or not isinstance(node, ast.Call) or depth >= calls.DEPTH:
            return text
        callee = calls.callee(node)
        if callee in calls.SQL_WRAPPERS and node.args:
            return self._sql(node.args[0], depth + 1)
        if callee in ("strip", "lstrip", "rstrip") and isinstance(node.func, ast.Attribute):
            inner = self._sql(node.func.value, depth + 1)
            return None if inner is None or node.args else getattr(inner, callee)()
        return None

    def _column_name(self, node: ast.expr | None) -> str | None:
        """The name of ``sa.Column("name", ...)``."""
        if not isinstance(node, ast.Call) or calls.callee(node) != "Column":
            return None
        return self._string(calls.bind(node, ("name",)).get("name"))

    def _names(self, node: ast.expr | None) -> tuple[str, ...] | None:
        """A literal list of column names (or of ``sa.text``/``literal_column`` SQL)."""
        if not isinstance(node, ast.List | ast.Tuple):
            return None
        names = []
        for element in node.elts:
            name = self._string(element)
            if name is None and calls.callee(element) in ("text", "literal_column", "column"):
                assert isinstance(element, ast.Call)
                name = self._string(element.args[0]) if element.args else None
            if name is None:
                return None
            names.append(name)
        return tuple(names)


def _standalone(verb: str, named: calls.Named, node: ast.Call) -> Operation:
    keywords = tuple(sorted({k.arg for k in node.keywords if k.arg is not None}))
    return Operation(
        f"{verb}_{named.kind}", None, named.schema, named.name, keywords, None, node.lineno
    )
