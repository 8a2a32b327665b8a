"""The older side when it does not come from git: a snapshot file's entry, or a database.

Explicitly (``--from-snapshot FILE``, ``--from-db URL``), or as the fallback for an older
side that git cannot produce: after the cache (consulted before any import), the snapshot
file found in either side's tree, then ``--fallback-db``.

Which snapshot entry stands for the older side (docs/snapshots.md explains it to users):

1. The older commit is here but its models do not import: the entry of the Alembic head at
   that commit.
2. Only the merge base is missing (the older ref's own commit is here, as after
   ``git clone --depth 1 --no-single-branch``): the newest revision of the newer side's
   lineage that the older ref also has, which is where the branch left it; the entry keyed
   to no revision when the older ref has none yet.
3. The older ref is missing: the newer side's head, unless the newer models already match
   that head's entry; then that revision is the change's own migration (written by
   ``schemadiff revision``), and its parent's entry is the base.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from schemadiff import alembicfiles, config, gitrefs, snapshotfile
from schemadiff.api import comparison
from schemadiff.api.session import Job, Loaded, Session
from schemadiff.errors import ConfigError, GitError, ModelLoadError
from schemadiff.model import Side, Source
from schemadiff.snapshot import Packed, SnapshotFormatError

WAYS_OUT = (
    "Fetch more history (git fetch --deepen=N, or --unshallow; fetch-depth: 0 with "
    "actions/checkout), commit a snapshot (schemadiff snapshot --write), or compare with a "
    "database (--from-db URL)."
)


@dataclass(frozen=True, slots=True)
class Found:
    entry: snapshotfile.Entry
    where: str
    """The file and the side it was read from."""
    why: str
    """How the entry was chosen."""


def from_snapshot_file(path: Path, settings: config.Settings) -> Loaded:
    """``--from-snapshot FILE``: its newest entry."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"Cannot read the snapshot {path}: {exc.strerror or exc}.") from None
    entries = snapshotfile.parse(data, str(path))
    if not entries:
        raise SnapshotFormatError(f"{path} has no entries. {snapshotfile.REGENERATE}")
    entry = entries[0]
    snapshotfile.check_names(entry, snapshotfile.names(settings.metadata), str(path))
    reason = f"the snapshot {path}{_of(entry.revision)}"
    return recorded(Side(str(path), None, Source.SNAPSHOT, reason), entry)


def recorded(side: Side, entry: snapshotfile.Entry) -> Loaded:
    """A snapshot entry as a loaded side."""
    return Loaded(side, {name: Packed.of(d) for name, d in entry.metadata.items()})


def database_job(
    session: Session, database: str, settings: config.Settings, label: str, reason: str
) -> Job:
    """The older side read from a database (``--from-db``, ``--fallback-db``): a job that
    reflects it, a relative SQLite path taken from the project directory."""
    side = Side(label, None, Source.DATABASE, reason)
    url = absolute_sqlite(database, session.project)
    return Job(side, settings, database_dialect(database), database=url)


def database_dialect(url: str) -> str:
    dialect = alembicfiles.dialect_from_url(url)
    if dialect is None:
        raise ConfigError(
            f"{masked(url)} is not a database URL. Write it as SQLAlchemy does, e.g. "
            "postgresql://user@host/db or sqlite:///path/to.db."
        )
    return dialect


def absolute_sqlite(url: str, directory: Path) -> str:
    """A SQLite URL whose relative path is taken from ``directory``, as the user meant it (the
    sandbox child runs elsewhere)."""
    scheme, sep, rest = url.partition(":///")
    if not sep or not scheme.startswith("sqlite") or rest.startswith(("/", ":memory:", "file:")):
        return url
    return f"{scheme}:///{directory / rest}" if rest else url


def masked(url: str) -> str:
    """The URL with its password hidden, for messages."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


def older_side(
    session: Session,
    old: Side | gitrefs.Missing,
    failure: ModelLoadError | None,
    new: Loaded,
    settings: config.Settings,
    *,
    dialect: str,
    database: str | None,
) -> Loaded:
    """The older side from a snapshot, else the fallback database; else the error."""
    cause = _cause(old, failure)
    found = _snapshot_entry(session, old, new, settings)
    if found is not None:
        snapshotfile.check_names(found.entry, snapshotfile.names(settings.metadata), found.where)
        reason = f"{cause}; taken from {found.why} ({found.where})"
        return recorded(Side(old.label, None, Source.SNAPSHOT, reason), found.entry)
    if database is not None:
        theirs = database_dialect(database)
        if theirs != dialect:
            raise ConfigError(
                f"The fallback database {masked(database)} is {theirs}, but the models are "
                f"compared as {dialect}. Pass --dialect {theirs}."
            )
        reason = f"{cause}; taken from the database {masked(database)}"
        (loaded,) = session.load([database_job(session, database, settings, old.label, reason)])
        if isinstance(loaded, ModelLoadError):
            raise loaded
        return loaded
    if failure is not None:
        raise failure
    raise GitError(f"{cause}, and no snapshot stands in for it.\n  {WAYS_OUT}")


def _cause(old: Side | gitrefs.Missing, failure: ModelLoadError | None) -> str:
    if isinstance(old, gitrefs.Missing):
        return old.reason
    first = str(failure).splitlines()[0] if failure else "they could not be read"
    return f"the models at {old.label} could not be used ({first.rstrip('.')})"


def _snapshot_entry(
    session: Session, old: Side | gitrefs.Missing, new: Loaded, settings: config.Settings
) -> Found | None:
    if isinstance(old, Side):
        return _at_head(session, old, new.side, settings)
    if old.tip is not None:
        return _where_branched(session, Side(old.ref, old.tip, Source.GIT), new, settings)
    return _before_change(session, new, settings)


def _at_head(session: Session, old: Side, new: Side, settings: config.Settings) -> Found | None:
    """Rule 1: the entry of the older commit's own Alembic head."""
    graph = session.graph(old, settings)
    if graph.forked:
        return None
    revision = graph.head
    return _lookup(session, [old, new], settings, revision, f"the snapshot{_of(revision)}")


def _where_branched(
    session: Session, tip: Side, new: Loaded, settings: config.Settings
) -> Found | None:
    """Rule 2: the newest revision of the newer side's lineage that the older ref has (none
    when the older ref has no revision yet)."""
    graph = session.graph(new.side, settings)
    if graph.forked:
        return None
    theirs = session.graph(tip, settings).parents
    lineage = graph.lineage(graph.head) if graph.head else iter(())
    shared = next((r for r in lineage if r in theirs), None)
    if shared is None and theirs:
        return None  # the two lines of revisions have nothing in common
    # An older ref without revisions (no Alembic, or none written yet) was left before any:
    # the entry keyed to no revision (``snapshot --write`` then) is where the branch began.
    why = (
        f"the snapshot{_of(shared)}, the last revision {tip.label} shares with {new.side.label}"
        if shared
        else f"the snapshot of no revision, as {tip.label} has none yet"
    )
    return _lookup(session, [tip, new.side], settings, shared, why)


def _before_change(session: Session, new: Loaded, settings: config.Settings) -> Found | None:
    """Rule 3: the newer side's head, or its parent when the head's entry is the change
    (no tables when the head is the first revision)."""
    head = session.graph(new.side, settings).head
    own = _lookup(session, [new.side], settings, head, f"the snapshot{_of(head)}")
    if own is None or head is None or not _matches(own.entry, new, settings):
        return own  # without Alembic, no revision can be the change's own
    if len(own.entry.parents) > 1:
        return None
    taken = (
        f"{new.side.label}'s models match revision {(head or '')[:12]}, taken as the change's "
        "own migration"
    )
    if not own.entry.parents:  # the change adds the first revision: before it, no tables
        empty = {name: _EMPTY | {"dialect": _dialect(own.entry)} for name in own.entry.metadata}
        first = snapshotfile.Entry(None, (), empty)
        return Found(first, own.where, f"no revision: {taken}")
    (parent,) = own.entry.parents
    return _lookup(session, [new.side], settings, parent, f"the snapshot{_of(parent)}: {taken}")


def _matches(entry: snapshotfile.Entry, new: Loaded, settings: config.Settings) -> bool:
    old = recorded(Side(None, None, Source.SNAPSHOT), entry)
    return new.document is not None and comparison.same(old, new, settings, _dialect(entry))


_EMPTY: dict[str, object] = {"tables": [], "enums": [], "sequences": []}


def _dialect(entry: snapshotfile.Entry) -> str:
    return str(next(iter(entry.metadata.values()), {}).get("dialect", ""))


def _lookup(
    session: Session,
    sides: list[Side],
    settings: config.Settings,
    revision: str | None,
    why: str,
) -> Found | None:
    """The entry for ``revision`` in the snapshot file of the first side that has one."""
    for side in sides:
        data = session.read(side, settings.snapshot_path)
        if data is None:
            continue
        where = f"{settings.snapshot_path} at {side.label}"
        entry = snapshotfile.find(snapshotfile.parse(data, where), revision)
        if entry is not None:
            return Found(entry, where, why)
    return None


def _of(revision: str | None) -> str:
    return f" of revision {revision[:12]}" if revision else ""
