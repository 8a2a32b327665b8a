"""``schemadiff blame``: for each column of a table, or each attribute of one column, the
commit that last changed it, the way ``git blame`` follows lines.

From the tip, a value is followed into a parent that has it too (the first such, so a
merge's value goes back along the branch it came from), through column and table renames;
the commit where no parent has it is the one that set it. Commits whose models do not
import are passed through: their parents stand in for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from schemadiff import closure, gitrefs
from schemadiff.api import spans
from schemadiff.api.history import History, Walker, commit_side, compared, walked
from schemadiff.api.pipeline import Options
from schemadiff.api.session import Loaded, Progress, session
from schemadiff.errors import ConfigError, ModelLoadError
from schemadiff.model import (
    COLUMN_ATTRIBUTES,
    Blame,
    BlameLine,
    Change,
    ChangeKind,
    Column,
    Commit,
    Scope,
    Table,
    TableKey,
)
from schemadiff.snapshot import schema_from_json

K = ChangeKind
ATTRIBUTES = {attribute.name: attribute for attribute in COLUMN_ATTRIBUTES}
"""The attributes of a column that ``blame TABLE.COLUMN`` follows, by name."""


@dataclass(frozen=True, slots=True)
class Place:
    """Where a value is followed: a commit, and the names it had there."""

    commit: str
    table: TableKey
    column: str


def blame(
    options: Options,
    target: str,
    revision: str | None = None,
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
    since: str | None = None,
) -> Blame:
    """``schemadiff blame TABLE[.COLUMN] [REV]``: loads only what following each line back
    needs, and stops when every line has its commit."""
    walk = gitrefs.Walk((revision or "HEAD",), since=since)
    with session(options.directory, options.use_cache) as work:
        history = walked(work, walk, options.overrides)
        if not history.commits:
            raise ConfigError(
                f"{revision or 'HEAD'} selects no commit"
                + (f" since {since}" if since else "")
                + ". Give one commit to start from, such as HEAD."
            )
        walker = Walker(work, history, options, jobs=jobs, progress=progress)
        tip = history.commits[0]
        table, column = _target(walker, tip, target)
        follow = _Follower(history, walker)
        if column is not None:
            lines = [
                BlameLine(column, name, follow.origin(tip.id, table, column.name, name))
                for name in ATTRIBUTES
            ]
        else:
            lines = [
                BlameLine(c, None, follow.origin(tip.id, table, c.name, None))
                for c in table.columns
            ]
    return Blame(table, tip, tuple(lines), since)


def _target(walker: Walker, tip: Commit, target: str) -> tuple[Table, Column | None]:
    walker.resolve([tip.id])
    outcome = walker.outcome(tip.id)
    if isinstance(outcome, ModelLoadError):
        raise outcome
    assert outcome is not None
    tables = schema_from_json(outcome.document.document()).tables if outcome.document else ()
    for table in tables:
        for name in (table.qualified_name, table.name):
            if target == name:
                return table, None
            if target.startswith(name + "."):
                return table, _column(table, target[len(name) + 1 :], tip)
    raise ConfigError(
        f"There is no table {target.partition('.')[0]!r} in the models at {tip.short}. "
        "Name a table of that commit (schemadiff snapshot shows them)."
    )


def _column(table: Table, name: str, tip: Commit) -> Column:
    for column in table.columns:
        if column.name == name:
            return column
    raise ConfigError(
        f"The table {table.name!r} has no column {name!r} at {tip.short}. "
        f"Its columns: {', '.join(c.name for c in table.columns)}."
    )


class _Follower:
    def __init__(self, history: History, walker: Walker) -> None:
        self.history, self.walker = history, walker
        self._changes: dict[TableKey, tuple[Change, ...]] = {}
        self._texts: dict[tuple[str, TableKey], spans.Text | None] = {}
        self._parts: dict[tuple[str, frozenset[str], bytes | None], bytes] = {}
        self._stretches: dict[tuple[str, TableKey], list[str]] = {}

    def origin(self, tip: str, table: Table, column: str, attribute: str | None) -> Commit | None:
        """The commit that set the value; None when it is older than the walk."""
        place = Place(tip, (table.schema or "", table.name), column)
        while True:
            if place.commit not in self.history.by_id:
                return None  # a parent from before the walk (--since) still has it
            place, past = self._leap(place, attribute)
            if past:
                continue
            parents = self._parents(place.commit)
            if not parents:
                return self._root(place.commit)
            older = next(
                (p for p in (self._into(place, parent, attribute) for parent in parents) if p),
                None,
            )
            if older is None:
                return self.history.by_id[place.commit]
            place = older

    def _leap(self, place: Place, attribute: str | None) -> tuple[Place, bool]:
        """Down the stretch where the table's text stays the same (``spans``): the place in
        the parent past its end when the value is still there, else the place at its end
        (the imports show which), and whether it went past."""
        stretch = self._stretch(place)
        if len(stretch) == 1:
            return place, False
        end = stretch[-1]
        past = next((p for p in self.history.parents(end)[:1] if p in self.history.by_id), None)
        self.walker.resolve([c for c in (past, end) if c is not None])  # one import each
        if past is not None:
            went = self._held(place, past, attribute)
            if went is not None:
                return went, True
        held = self._held(place, end, attribute)
        if held is not None:
            return held, False
        # The text missed what changed the value: halve the stretch, importing.
        found, newer, older = place, 0, len(stretch) - 1
        while newer + 1 < older:
            probe = (newer + older) // 2
            held = self._held(place, stretch[probe], attribute)
            if held is not None:
                found, newer = held, probe
            else:
                older = probe
        return found, False

    def _stretch(self, place: Place) -> list[str]:
        """The commits from the place's down their first parents whose table text and
        settings files are the same, newest first."""
        key = (place.commit, place.table)
        if key not in self._stretches:
            self._stretches[key] = self._stretched(place)
        return self._stretches[key]

    def _stretched(self, place: Place) -> list[str]:
        text = self._text(place)
        found = [place.commit]
        if text is None:
            return found
        parts = {path: self._part(text, place.commit, path) for path in text.files}
        start = dict(parts)
        watch = closure.Watch(text.reads)
        while True:
            commit = found[-1]
            parents = self.history.parents(commit)
            if not parents or parents[0] not in self.history.by_id:
                return found
            edge = (commit, parents[0])
            changed = self.history.changes.get(edge, ())
            # What the closure says of the paths outside the text (a settings file, a
            # module looked for, a folder listed), and the settings of a module that comes
            # or goes (the default import roots are where the locators' modules are).
            if self.history.touched(edge, watch, judged=text.files) or any(
                path in text.files and status in ("A", "D") and self.history.settles(path)
                for status, path in changed
            ):
                return found
            for _, path in changed:
                if path in text.files:
                    parts[path] = self._part(text, parents[0], path)
            if parts != start:
                return found
            found.append(parents[0])

    def _held(self, place: Place, commit: str, attribute: str | None) -> Place | None:
        """The value's place at ``commit``, an older commit, when the imports show it has
        it unchanged; None when they show it does not, or ``commit`` does not import."""
        if self.walker.same(commit, place.commit):
            return Place(commit, place.table, place.column)
        self.walker.resolve([commit])
        if not isinstance(self.walker.outcome(commit), Loaded):
            return None
        return _unchanged(self._between(commit, place.commit), place, commit, attribute)

    def _text(self, place: Place) -> spans.Text | None:
        key = (place.commit, place.table)
        if key not in self._texts:
            outcome = self.walker.outcome(place.commit)
            text = None
            if isinstance(outcome, Loaded) and outcome.document and outcome.reads:
                read = self._reader(place.commit)
                files = sorted(outcome.reads.files)
                sources = {path: read(path) for path in files if path.endswith(".py")}
                text = spans.text_of(place.table, outcome.document, outcome.reads, sources)
            self._texts[key] = text
        return self._texts[key]

    def _part(self, text: spans.Text, commit: str, path: str) -> bytes:
        source = self._reader(commit)(path)
        key = (path, text.left_out.get(path, frozenset()), source)
        if key not in self._parts:
            self._parts[key] = text.part(path, source)
        return self._parts[key]

    def _reader(self, commit: str) -> Callable[[str], bytes | None]:
        side = commit_side(commit)
        return lambda path: self.walker.work.repo.read(side, path)

    def _root(self, commit: str) -> Commit | None:
        """A root commit set everything it has; the first commit of a shallow clone did not."""
        return None if commit in self.history.shallow else self.history.by_id[commit]

    def _parents(self, commit: str) -> list[str]:
        """The parents to compare with: those whose models import, or theirs in their stead."""
        found: list[str] = []
        waiting, seen = list(reversed(self.history.parents(commit))), set()
        while waiting:  # depth first, in parent order: a long stretch that fails is no stack
            parent = waiting.pop()
            if parent in seen:
                continue
            seen.add(parent)
            if self._loaded(parent):
                found.append(parent)
            elif parent in self.history.by_id:
                waiting += reversed(self.history.parents(parent))
        return found

    def _loaded(self, commit: str) -> bool:
        """Whether the commit's models import; loads its class (and the next ones down the
        walk, one per core) when it is not decided yet."""
        self.walker.need([commit])
        return isinstance(self.walker.outcome(commit), Loaded)

    def _into(self, place: Place, parent: str, attribute: str | None) -> Place | None:
        """The value's place in ``parent`` when the parent has it unchanged, else None."""
        if self.walker.same(parent, place.commit):
            return Place(parent, place.table, place.column)
        return _unchanged(self._between(parent, place.commit), place, parent, attribute)

    def _between(self, old: str, new: str) -> tuple[Change, ...]:
        key = (old, new)
        if key not in self._changes:
            self._changes[key] = compared(self.walker, old, new)
        return self._changes[key]


def _unchanged(
    changes: tuple[Change, ...], place: Place, parent: str, attribute: str | None
) -> Place | None:
    """Where the value was in the parent, when ``changes`` (parent to child) leave it as it
    was; None when they set it."""
    table, column = place.table, place.column
    for change in changes:
        if change.kind is K.RENAME_TABLE and change.table_key == place.table:
            table = (table[0], change.renamed_from)
    names = {place.table, table}
    for change in changes:
        if change.table is None or change.table_key not in names:
            continue
        if change.kind is K.ADD_TABLE:
            return None
        if change.name != place.column or change.scope is not Scope.COLUMN:
            continue
        if change.kind is K.ADD_COLUMN:
            return None
        if change.kind is K.RENAME_COLUMN and attribute not in (None, "name"):
            column = change.renamed_from
        elif attribute is None or change.kind in ATTRIBUTES[attribute].kinds:
            return None
    return Place(parent, table, column)
