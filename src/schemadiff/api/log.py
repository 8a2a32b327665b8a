"""``schemadiff log``: the commits that changed the schema, newest first, with their changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from schemadiff import gitrefs
from schemadiff.api.history import History, Walker, compared, walked
from schemadiff.api.pipeline import Options
from schemadiff.api.session import Loaded, Progress, session
from schemadiff.errors import ConfigError, ModelLoadError
from schemadiff.model import Change, ChangeKind, Commit, LogEntry, Scope


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
    ``git log -p`` shows them), newest first; ``-n`` counts the entries listed, the way
    ``git log -n`` counts the commits that touch its paths. The walk goes newest first and
    loads only what the entries it lists need (``Walker``)."""
    matches = _filter(query)
    wanted = query.walk.max_count
    entries: list[LogEntry] = []
    with session(options.directory, options.use_cache) as work:
        history = walked(work, replace(query.walk, max_count=None), options.overrides)
        walker = Walker(work, history, options, jobs=query.jobs, progress=progress)
        listed = [c for c in history.commits if history.first_parent or len(c.parents) < 2]
        position = 0
        while position < len(listed) and (wanted is None or len(entries) < wanted):
            if _unsure(walker, listed, position):
                continue
            entry, position = _next_entry(walker, history, listed, position)
            kept = _kept(entry, matches) if entry is not None else None
            if kept is not None:
                entries.append(kept)
        notes = () if entries else _empty_note(walker)
    return Logged(entries, notes)


def _unsure(walker: Walker, listed: Sequence[Commit], position: int) -> bool:
    """Load what the commit at ``position`` needs when it is not decided yet (with the
    classes after it that will be needed next); True when something was loaded (ask
    again)."""
    commit = listed[position]
    if commit.parents and walker.same(commit.id, commit.parents[0]):
        return False
    own = [commit.id, *commit.parents[:1]]
    if not walker.unsure(own):
        return False
    walker.need(own)
    return True


def _next_entry(
    walker: Walker, history: History, listed: Sequence[Commit], position: int
) -> tuple[LogEntry | None, int]:
    """The entry of the commit at ``position`` (None when it changed nothing), and the
    position after it: after the whole stretch, for one whose models do not import."""
    commit = listed[position]
    own = walker.outcome(commit.id)
    if isinstance(own, ModelLoadError):
        # Listed at the commit where it began, with its error then: it stands for the
        # stretch of commits after it that do not import either.
        *later, first = _failing(walker, listed, position)
        failure = walker.outcome(first.id)
        entry = LogEntry(first, None, failure=str(failure), failing=tuple(later))
        return entry, position + len(later) + 1
    if not commit.parents:
        return LogEntry(commit, None, compared(walker, None, commit.id)), position + 1
    if walker.same(commit.id, commit.parents[0]):
        return None, position + 1
    base = _base(walker, history, commit.parents[0])
    if base is None:
        alone = f"not compared: no ancestor of {commit.short} in this walk has models that import"
        return LogEntry(commit, None, note=alone), position + 1
    note = None
    if base != commit.parents[0]:
        note = f"compared with {base[:10]}: the models at {commit.parents[0][:10]} do not import"
    changes = compared(walker, base, commit.id)
    return LogEntry(commit, base, changes, note=note), position + 1


def _failing(walker: Walker, listed: Sequence[Commit], position: int) -> list[Commit]:
    """The commits from ``position`` on whose models do not import, up to the first that
    does: each of their classes is loaded once (a failed import stands for every commit
    whose files it read are the same)."""
    stretch: list[Commit] = []
    for commit in listed[position:]:
        walker.need([commit.id])
        if not isinstance(walker.outcome(commit.id), ModelLoadError):
            break
        stretch.append(commit)
    return stretch


def _empty_note(walker: Walker) -> tuple[str, ...]:
    """That the models of some commits read declare no tables: else an empty log would look
    like a history without schema changes (the models were not all imported, say)."""
    outcomes = walker.outcomes.values()
    empty = [o.side.label for o in outcomes if isinstance(o, Loaded) and o.note]
    if not empty:
        return ()
    counted = f"{len(set(empty))} of the {len(walker.outcomes)} commits read"
    return (f"the models declare no tables at {counted}, such as {empty[0]}.",)


def _base(walker: Walker, history: History, parent: str) -> str | None:
    """The nearest commit from ``parent`` down the first-parent line whose models loaded;
    None when the walk's commits end first."""
    current: str | None = parent
    while current is not None:
        walker.need([current])
        if isinstance(walker.outcome(current), Loaded):
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
    return replace(entry, changes=changes) if changes else None


_WHOLE_TABLE = {ChangeKind.ADD_TABLE, ChangeKind.REMOVE_TABLE, ChangeKind.RENAME_TABLE}


def _matches(change: Change, matches: Matcher) -> bool:
    schema, table, column = matches
    if change.table != table or (schema is not None and (change.schema or "") != schema):
        return False
    if column is None or change.kind in _WHOLE_TABLE:
        return True
    if change.kind is ChangeKind.RENAME_COLUMN and change.renamed_from == column:
        return True
    return change.scope is Scope.COLUMN and change.name == column
