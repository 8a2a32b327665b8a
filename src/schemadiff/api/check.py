"""``schemadiff check``: a comparison judged by the rules (docs/check.md).

The rules themselves are pure (``schemadiff.rules``); this module gathers what they need from
git: the range (from pre-commit's environment for ``--hook``), the Alembic revisions the
change adds and their operations, the snapshot entry of the new head, and where the models
declare each table and column.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from schemadiff import config, gitrefs, revisions, snapshotfile
from schemadiff.api import comparison, fallback
from schemadiff.api.pipeline import Compared, Options, compared_range, range_spec
from schemadiff.api.session import Loaded, Session, session
from schemadiff.errors import ConfigError
from schemadiff.model import (
    Change,
    ChangeKind,
    DiffResult,
    Finding,
    Level,
    Location,
    Rule,
    Schema,
    Scope,
    Side,
    Source,
    Table,
    TableKey,
)
from schemadiff.revisions import operations
from schemadiff.rules import coverage, safety
from schemadiff.rules.upgrade import Upgrade
from schemadiff.snapshot import SnapshotFormatError, schema_from_json

Declared = Mapping[tuple[str, str, str | None], tuple[Location | None, tuple[str, ...]]]
"""(schema or "", table, column or None) -> where the models declare it, and what they allow."""


def hook_range(environ: Mapping[str, str]) -> gitrefs.RangeSpec:
    """What the pre-commit hook checks: the pushed range, or HEAD against the index."""
    to_ref = environ.get("PRE_COMMIT_TO_REF")
    if to_ref:
        return gitrefs.parse_range([environ.get("PRE_COMMIT_FROM_REF") or gitrefs.EMPTY, to_ref])
    pushed = environ.get("PRE_COMMIT_LOCAL_BRANCH")
    if pushed and environ.get("PRE_COMMIT_REMOTE_NAME"):  # a push of a whole history
        return gitrefs.parse_range([gitrefs.EMPTY, pushed])
    return gitrefs.parse_range((), staged=True)


@dataclass(frozen=True, slots=True)
class _Migrations:
    """What the change does about migrations."""

    added: tuple[str, ...] | None
    """The revisions the newer side has and the older lacks; None when that cannot be told."""
    operations: tuple[operations.Operation, ...]
    uncovered: tuple[int, ...]
    """The changes no new revision accounts for."""


def check(
    options: Options,
    revisions: Sequence[str] = (),
    staged: bool = False,
    hook: bool = False,
    environ: Mapping[str, str] | None = None,
) -> DiffResult:
    """``schemadiff check [RANGE]``: the comparison, with what the rules found. Its changes
    are those a migration sees: a type change that keeps the DDL is none."""
    environ = os.environ if environ is None else environ
    if hook and (revisions or staged):
        raise ConfigError("--hook takes its range from pre-commit: give no revision, nor --staged.")
    spec = hook_range(environ) if hook else range_spec(options, revisions, staged)
    return _checked(options, spec, ddl_only=True)


def report(options: Options, revisions: Sequence[str] = (), staged: bool = False) -> DiffResult:
    """``schemadiff diff --format markdown``: the comparison as ``diff`` shows it (``ignore-
    python-only`` decides), with what the rules found."""
    return _checked(options, range_spec(options, revisions, staged), ddl_only=False)


def _checked(options: Options, spec: gitrefs.RangeSpec, ddl_only: bool) -> DiffResult:
    with session(options.directory, options.use_cache) as work:
        done = compared_range(work, options, spec, quick=True, ddl_only=ddl_only)
        result = done.result
        if not result.changes:
            return replace(result, findings=())
        migrations = _migrations(work, done)
    newer = _newer_tables(done)
    findings = [*_unmigrated(done, migrations), *_safety(done, newer, migrations)]
    declared_new, declared_old = _declared(done.new, check_names=True), _declared(done.old)
    users = _enum_columns(newer)
    located = tuple(_at_declaration(f, declared_new, declared_old, users) for f in findings)
    advice = _advice(located, revision_command(spec, result.old))
    return replace(result, findings=located, advice=advice, related=_related(result, newer))


# --- migration-required ----------------------------------------------------------------------


def _migrations(work: Session, done: Compared) -> _Migrations:
    result, settings = done.result, done.settings
    new_files = _revision_files(work, result.new, settings)
    added = _added(work, result.old, settings, new_files)
    chosen = {p: s for p, s in new_files.items() if _revision_of(s) in (added or ())}
    found = tuple(op for source in _in_order(chosen) for op in operations.read(source))
    ddl = [i for i, c in enumerate(result.changes) if _needs_migration(c)]
    if added == ():
        return _Migrations(added, found, tuple(ddl))
    covered = _by_snapshot(work, done, added)
    if added is None:  # an older side from a snapshot or a database: only the snapshot can say
        return _Migrations(added, found, tuple(ddl) if covered is None else covered)
    if covered is not None:
        return _Migrations(added, found, covered)
    missing = set(coverage.uncovered(result.changes, found))
    return _Migrations(added, found, tuple(i for i in ddl if i in missing))


def _revision_files(work: Session, side: Side, settings: config.Settings) -> dict[str, bytes]:
    roots = [work.path(v) for v in settings.version_locations]
    if not roots or side.source in (Source.SNAPSHOT, Source.DATABASE):
        return {}
    return {p: s for p, s in work.repo.files(side, roots).items() if p.endswith(".py")}


def _added(
    work: Session, old: Side, settings: config.Settings, new_files: Mapping[str, bytes]
) -> tuple[str, ...] | None:
    new_graph = revisions.graph(new_files)
    if old.source in (Source.SNAPSHOT, Source.DATABASE):
        return None
    old_graph = work.graph(old, settings)
    return tuple(sorted(set(new_graph.parents) - set(old_graph.parents)))


def _in_order(files: Mapping[str, bytes]) -> list[bytes]:
    """The revision files each after its down revisions (then by path): the order ``alembic
    upgrade`` runs them in, which the data-dependent rule's reading of them depends on."""
    parents = revisions.graph(files).parents
    depths: dict[str, int] = {}

    def depth(revision: str, seen: frozenset[str] = frozenset()) -> int:
        if revision not in depths:
            above = [p for p in parents.get(revision, ()) if p in parents and p not in seen]
            depths[revision] = 1 + max((depth(p, seen | {revision}) for p in above), default=0)
        return depths[revision]

    ordered = sorted(files, key=lambda p: (depth(_revision_of(files[p]) or ""), p))
    return [files[p] for p in ordered]


def _revision_of(source: bytes) -> str | None:
    found = revisions.declared(source)
    return found[0] if found else None


def _by_snapshot(
    work: Session, done: Compared, added: Sequence[str] | None
) -> tuple[int, ...] | None:
    """The changes the snapshot entry of the new head leaves out; None without such an entry,
    or when the head is not one of the ``added`` revisions (None: which are is not known)."""
    side, settings = done.result.new, done.settings
    head = work.graph(side, settings).head
    data = work.read(side, settings.snapshot_path)
    if head is None or data is None or done.new.documents is None:
        return None
    if added is not None and head not in added:
        return None
    where = f"{settings.snapshot_path} at {side.label}"
    try:
        entry = snapshotfile.find(snapshotfile.parse(data, where), head)
    except SnapshotFormatError:
        return None  # the operations decide, as without a snapshot
    if entry is None:
        return None
    recorded = fallback.recorded(Side(None, None, Source.SNAPSHOT), entry)
    dialect = done.result.dialect
    schemas = comparison.schemas(recorded, done.new, settings, dialect)
    left = comparison.changes(*schemas, settings, ddl_only=True).changes
    return tuple(_index(done.result.changes, c) for c in left)


def _index(changes: Sequence[Change], change: Change) -> int:
    """The position of the change about the same thing in ``changes`` (-1: none)."""
    same = (change.kind, change.schema, change.table, change.name)
    found = (i for i, c in enumerate(changes) if (c.kind, c.schema, c.table, c.name) == same)
    return next(found, -1)


def _needs_migration(change: Change) -> bool:
    return not (change.kind is ChangeKind.MODIFY_TYPE and change.ddl_change is False)


def _unmigrated(done: Compared, migrations: _Migrations) -> list[Finding]:
    result, level = done.result, done.settings.level(Rule.MIGRATION_REQUIRED)
    if level is Level.OFF:
        return []
    why = "no new migration in the change" if migrations.added == () else "no migration does it"
    findings = []
    for i in migrations.uncovered:
        change = result.changes[i] if i >= 0 else None
        subject = _subject(change) if change is not None else (None, None, None)
        what = _what(change) if change is not None else "a change"
        message = f"{what}, but {why}"
        findings.append(Finding(Rule.MIGRATION_REQUIRED, level, *subject, message, _at(i)))
    return findings


def _at(index: int) -> int | None:
    return index if index >= 0 else None


_NOUNS = {
    "fk": "foreign key",
    "primary_key": "primary key",
    "table_comment": "table comment",
    "table_options": "table options",
    "default": "server default",
    "nullable": "nullability",
}
_VERBS = {"add": "added", "remove": "dropped", "modify": "changed", "rename": "renamed"}


def _what(change: Change) -> str:
    """ "column added", "foreign key dropped", "nullability changed"."""
    verb, _, noun = change.kind.value.partition("_")
    return f"{_NOUNS.get(noun, noun.replace('_', ' '))} {_VERBS[verb]}"


# --- the other rules --------------------------------------------------------------------------


def _safety(done: Compared, newer: Sequence[Table], migrations: _Migrations) -> list[Finding]:
    result = done.result
    concurrent = {
        op.target
        for op in migrations.operations
        if op.name == "create_index" and "postgresql_concurrently" in op.keywords and op.target
    }
    upgrade = Upgrade(migrations.operations)
    newer_schema = Schema(result.dialect, tuple(newer))
    context = safety.Context(result.changes, newer_schema, concurrent, upgrade)
    findings = []
    for i, change in enumerate(result.changes):
        for rule, message in safety.problems(change, context, result.dialect):
            level = done.settings.level(rule)
            if level is not Level.OFF:
                findings.append(Finding(rule, level, *_subject(change), message, i))
    return findings


def _subject(change: Change) -> tuple[str | None, str | None, str | None]:
    """(schema, table, column) of a change; a table-level change has no column."""
    scope = change.scope
    if scope is Scope.STANDALONE:
        return change.schema, None, change.name
    if scope is Scope.MEMBER:
        return change.schema, change.table, _only_column(change.new or change.old)
    return change.schema, change.table, None if scope is Scope.TABLE else change.name


def _only_column(member: object) -> str | None:
    """The column an index, constraint or foreign key is on, when it is on one column."""
    columns = list(getattr(member, "columns", None) or getattr(member, "expressions", None) or [])
    return str(columns[0]) if len(columns) == 1 else None


# --- the newer side's tables: enum users and the diagram's neighbours ---------------------------


def _newer_tables(done: Compared) -> list[Table]:
    """The newer side's tables that matter here: the changed ones, those a foreign key links to
    them, and those using a changed enum (read from the packed document; the rest stays bytes)."""
    document, result = done.new.document, done.result
    if document is None:
        return []
    names = {c.table for c in result.changes if c.table is not None}
    enums = {c.name for c in result.changes if c.table is None and c.name is not None}
    changed = {(c.schema or "", c.table) for c in result.changes if c.table is not None}
    if result.schemas is not None:  # and what the changed tables refer to
        changed |= {
            (fk.referred_schema or "", fk.referred_table)
            for table in result.schemas[1].tables
            for fk in table.foreign_keys
        }
    keys = {k for k in document.tables if k in changed} | set(document.naming(names, enums))
    decoded = document.document(sorted(keys))
    return list(schema_from_json(decoded, f"the schema of {result.new.label}").tables)


def _related(result: DiffResult, newer: Sequence[Table]) -> tuple[Table, ...]:
    changed = {(c.schema or "", c.table) for c in result.changes if c.table is not None}
    tables = [t for t in newer if t.key not in changed]
    targets: set[TableKey] = set()
    if result.schemas is not None:
        targets = {
            (fk.referred_schema or "", fk.referred_table)
            for t in result.schemas[1].tables
            for fk in t.foreign_keys
        }
    return tuple(
        t
        for t in tables
        if t.key in targets
        or any((fk.referred_schema or "", fk.referred_table) in changed for fk in t.foreign_keys)
    )


# --- where, and what the models allow ---------------------------------------------------------


def _declared(loaded: Loaded, check_names: bool = False) -> Declared:
    """What the side's models declared where, by subject; ``check_names`` refuses an
    acknowledgement of no rule (a typo would silently allow nothing)."""
    found: dict[tuple[str, str, str | None], tuple[Location | None, tuple[str, ...]]] = {}
    if loaded.documents is None:
        return found
    for document in loaded.documents.values():
        for schema, table, column, file, line, allow in document.declarations():
            place = Location(file, line) if file else None
            if check_names:
                _check_allowed(allow, place, f"{table}.{column}" if column else table)
            found[(schema or "", table, column)] = (place, tuple(allow))
    return found


def _check_allowed(names: Sequence[str], place: Location | None, subject: str) -> None:
    known = [r.value for r in Rule]
    for name in names:
        if name not in known:
            where = f"{place.file}:{place.line}: " if place else ""
            raise ConfigError(
                f'{where}{subject}: info["schemadiff"]["allow"] names no rule {name!r}. '
                f"Rules: {', '.join(known)}."
            )


def _enum_columns(tables: Sequence[Table]) -> dict[tuple[str, str], tuple[str, str, str]]:
    """Each named enum's first column, by the enum's (schema, name)."""
    found: dict[tuple[str, str], tuple[str, str, str]] = {}
    for table in tables:
        for column in table.columns:
            enum = column.type.enum
            if enum is not None and enum.named and enum.name:
                found.setdefault((enum.schema or "", enum.name), (*table.key, column.name))
    return found


def _at_declaration(
    finding: Finding,
    new: Declared,
    old: Declared,
    enums: Mapping[tuple[str, str], tuple[str, str, str]],
) -> Finding:
    """The finding with where the models declare its subject, and whether they allow it: the
    newer side says, and for what it no longer has (a dropped table or column), the older.
    A named enum is placed at the first column using it."""
    if finding.table is None:
        user = enums.get((finding.schema or "", finding.column or ""))
        place = new.get(user, (None, ()))[0] if user else None
        return replace(finding, location=place)
    table = (finding.schema or "", finding.table, None)
    column = (*table[:2], finding.column) if finding.column else None
    keys = [k for k in (column, table) if k is not None]
    gone = any(k not in new for k in keys)
    sides = (new, old) if gone else (new,)
    place = next((new[k][0] for k in keys if k in new and new[k][0]), None)  # today's lines
    allowed = any(finding.rule.value in d[k][1] for d in sides for k in keys if k in d)
    return replace(finding, location=place, allowed=allowed)


def _advice(findings: Sequence[Finding], command: str) -> tuple[tuple[Rule, str], ...]:
    rules = [r for r in Rule if any(f.rule is r and not f.allowed for f in findings)]
    texts = {
        Rule.MIGRATION_REQUIRED: f'Write the migration with `{command} -m "..."`, then commit it '
        "with the snapshot file it refreshes.",
        **safety.ADVICE,
    }
    return tuple((r, texts[r]) for r in rules)


def revision_command(spec: gitrefs.RangeSpec, old: Side) -> str:
    """The ``schemadiff revision`` command that writes the migration for this range: on top
    of the newer side, from the older."""
    if spec.new == gitrefs.INDEX:
        return "schemadiff revision --staged"
    if spec.new == gitrefs.WORKTREE:
        return "schemadiff revision" if spec.old == "HEAD" else f"schemadiff revision {spec.old}"
    older = old.commit if gitrefs.empty(old) and old.commit else spec.old
    return f"schemadiff revision {older}{'...' if spec.merge_base else '..'}{spec.new}"
