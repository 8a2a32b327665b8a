"""``schemadiff log``: the commits that changed the schema, newest first, with their changes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from schemadiff import gitrefs
from schemadiff.api.comparing import Options
from schemadiff.api.history import History, Loads, compared, load, walked
from schemadiff.api.sides import Loaded, Progress, session
from schemadiff.errors import ConfigError, ModelLoadError
from schemadiff.model import Change, ChangeKind, Commit, LogEntry


@dataclass(frozen=True, slots=True)
class LogQuery:
    walk: gitrefs.Walk = field(default_factory=gitrefs.Walk)
    table: str | None = None
    """Only changes of this table (``name`` or ``schema.name``)."""
    column: str | None = None
    """Only changes of this column (``table.column``, or ``schema.table.column``)."""
    jobs: int | None = None
    """Imports at a time; default: one per CPU."""


@dataclass(frozen=True, slots=True)
class Logged:
    entries: list[LogEntry]
    notes: tuple[str, ...] = ()
    """Said on stderr: the models of some commits declare no tables, say."""


def log(options: Options, query: LogQuery, progress: Progress | None = None) -> Logged:
    """The commits of the walk that changed the schema (merges only with --first-parent, as
    ``git log -p`` shows them), newest first; ``-n`` counts the commits listed, the way
    ``git log -n`` counts those that touch its paths."""
    matches = _filter(query)
    wanted = query.walk.max_count
    entries: list[LogEntry] = []
    with session(options.directory, options.use_cache) as work:
        history = walked(work, replace(query.walk, max_count=None), options.overrides)
        candidates = [c for c in history.commits if _listed(history, c)]
        loads = Loads({}, {})
        while candidates and (wanted is None or len(entries) < wanted):
            batch = candidates[: len(candidates) if wanted is None else wanted - len(entries)]
            del candidates[: len(batch)]
            needed = [c.id for c in batch] + [c.parents[0] for c in batch if c.parents]
            while needed:  # again for the ancestors that stand in for parents that fail
                more = load(work, history, needed, options, jobs=query.jobs, progress=progress)
                loads = Loads(
                    {**loads.outcomes, **more.outcomes}, {**loads.settings, **more.settings}
                )
                needed = [a for c in batch if (a := _unloaded_base(history, loads, c))]
            kept = (_kept(_entry(history, loads, c), matches) for c in batch)
            entries += [e for e in kept if e is not None]
    return Logged(entries, () if entries else _empty_note(loads))


def _empty_note(loads: Loads) -> tuple[str, ...]:
    """That the models of some commits read declare no tables: else an empty log would look
    like a history without schema changes (the models were not all imported, say)."""
    empty = [o.side.label for o in loads.outcomes.values() if isinstance(o, Loaded) and o.note]
    if not empty:
        return ()
    counted = f"{len(empty)} of the {len(loads.outcomes)} commits read"
    return (f"the models declare no tables at {counted}, such as {empty[0]}.",)


def _listed(history: History, commit: Commit) -> bool:
    return (history.first_parent or len(commit.parents) < 2) and history.edge_changed(commit)


def _entry(history: History, loads: Loads, commit: Commit) -> LogEntry:
    own = loads.outcomes[history.leader(commit.id)]
    if not isinstance(own, Loaded):
        return LogEntry(commit, None, failure=str(own))
    if not commit.parents:
        return LogEntry(commit, None, compared(history, loads, None, commit.id))
    base = _base(history, loads, commit.parents[0])
    if base is None:
        alone = f"not compared: no ancestor of {commit.short} in this walk has models that import"
        return LogEntry(commit, None, note=alone)
    note = None
    if base != commit.parents[0]:
        note = f"compared with {base[:10]}: the models at {commit.parents[0][:10]} do not import"
    return LogEntry(commit, base, compared(history, loads, base, commit.id), note=note)


def _unloaded_base(history: History, loads: Loads, commit: Commit) -> str | None:
    """The commit to load next for ``commit``'s base, when its stand-in is not loaded yet."""
    found = _stand_in(history, loads, commit.parents[0]) if commit.parents else None
    return found if found is not None and history.leader(found) not in loads.outcomes else None


def _base(history: History, loads: Loads, parent: str) -> str | None:
    """The nearest commit from ``parent`` down the first-parent line whose models loaded."""
    found = _stand_in(history, loads, parent)
    return (
        found if found and isinstance(loads.outcomes.get(history.leader(found)), Loaded) else None
    )


def _stand_in(history: History, loads: Loads, parent: str) -> str | None:
    """The first commit from ``parent`` down the first-parent line not known to fail: loaded,
    or not loaded yet. None when the walk's commits end first."""
    current: str | None = parent
    while current is not None:
        if not isinstance(loads.outcomes.get(history.leader(current)), ModelLoadError):
            return current
        known = history.by_id.get(current)
        current = known.parents[0] if known and known.parents else None
    return None


Matcher = tuple[str | None, str | None, str | None]
"""schema, table, column: None matches anything."""


def _filter(query: LogQuery) -> Matcher | None:
    if query.table and query.column:
        raise ConfigError("Give --table or --column, not both: --column names its table.")
    if query.column:
        where, dot, column = query.column.rpartition(".")
        if not dot or not where or not column:
            raise ConfigError(f"--column {query.column!r}: write it as TABLE.COLUMN.")
        schema, _, table = where.rpartition(".")
        return (schema or None, table, column)
    if query.table:
        schema, _, table = query.table.rpartition(".")
        return (schema or None, table, None)
    return None


def _kept(entry: LogEntry, matches: Matcher | None) -> LogEntry | None:
    """The entry with only the changes asked for; None when none is left (failures stay)."""
    if matches is None or entry.failure:
        return entry if entry.changes or entry.failure or entry.note else None
    changes = tuple(c for c in entry.changes if _matches(c, matches))
    return LogEntry(entry.commit, entry.base, changes, None, entry.note) if changes else None


_WHOLE_TABLE = {ChangeKind.ADD_TABLE, ChangeKind.REMOVE_TABLE, ChangeKind.RENAME_TABLE}
_OF_COLUMN = {
    ChangeKind.ADD_COLUMN,
    ChangeKind.REMOVE_COLUMN,
    ChangeKind.RENAME_COLUMN,
    ChangeKind.MODIFY_TYPE,
    ChangeKind.MODIFY_NULLABLE,
    ChangeKind.MODIFY_DEFAULT,
    ChangeKind.MODIFY_COMMENT,
    ChangeKind.MODIFY_COMPUTED,
    ChangeKind.MODIFY_IDENTITY,
    ChangeKind.MODIFY_AUTOINCREMENT,
}


def _matches(change: Change, matches: Matcher) -> bool:
    schema, table, column = matches
    if change.table != table or (schema is not None and (change.schema or "") != schema):
        return False
    if column is None or change.kind in _WHOLE_TABLE:
        return True
    if change.kind is ChangeKind.RENAME_COLUMN and change.renamed_from == column:
        return True
    return change.kind in _OF_COLUMN and change.name == column
