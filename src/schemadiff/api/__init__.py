"""One function per command. They return values; they never print or exit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from schemadiff import config, gitrefs, snapshotfile
from schemadiff.api import compared, older
from schemadiff.api.sides import Job, Loaded, Session, session
from schemadiff.errors import ConfigError, ModelLoadError
from schemadiff.model import DiffResult, RevisionTarget, Side, Source
from schemadiff.snapshot import JSONDict, SnapshotFormatError, write_document


@dataclass(frozen=True, slots=True)
class Options:
    """What every command is told: where, the command-line overrides, and the sources."""

    directory: Path = field(default_factory=Path.cwd)
    overrides: config.Overrides = field(default_factory=config.Overrides)
    use_cache: bool = True
    from_snapshot: Path | None = None
    """Take the older side from this snapshot file's newest entry."""
    from_db: str | None = None
    """Take the older side from this database, reflected."""
    fallback_db: str | None = None
    """Reflect this database when the older side cannot be had otherwise."""


@dataclass(frozen=True, slots=True)
class Revision:
    result: DiffResult
    path: Path | None
    """The file written; None when there was nothing to write."""
    warnings: tuple[str, ...]
    snapshot: Path | None = None
    """The snapshot file refreshed with the new revision."""


@dataclass(frozen=True, slots=True)
class SnapshotCheck:
    result: DiffResult | None
    """The snapshot's entry for the head against the models; None when it has no entry."""
    revision: str | None
    path: Path


@dataclass(frozen=True, slots=True)
class _Compared:
    result: DiffResult
    new: Loaded
    settings: config.Settings
    project: Path


def compare(options: Options, revisions: Sequence[str] = (), staged: bool = False) -> DiffResult:
    """``schemadiff [RANGE]``: the schema changes between two sides."""
    return _compare(options, revisions, staged).result


def _compare(options: Options, revisions: Sequence[str], staged: bool) -> _Compared:
    if options.from_db and options.from_snapshot:
        raise ConfigError(
            "Give --from-db or --from-snapshot, not both: each replaces the older side."
        )
    spec = _range(options, revisions, staged)
    with session(options.directory, options.use_cache) as work:
        old, new = _resolved(work, spec, options)
        settings = work.settings(new, options.overrides)
        dialect = older.database_dialect(options.from_db) if options.from_db else settings.dialect
        old_loaded, new_loaded = _load(work, options, old, Job(new, settings, dialect))
        notes = tuple(work.cache.notes)
        project = work.project
    return _Compared(
        _result(old_loaded, new_loaded, settings, dialect, notes), new_loaded, settings, project
    )


def _resolved(
    work: Session, spec: gitrefs.RangeSpec, options: Options
) -> tuple[Side | gitrefs.Missing | None, Side]:
    """The two sides; the older is None when an explicit source replaces it."""
    if options.from_db or options.from_snapshot:
        return None, work.repo.side(spec.new)
    return work.repo.resolve(spec)


def _range(options: Options, revisions: Sequence[str], staged: bool) -> gitrefs.RangeSpec:
    """The range; with an explicit older side, one revision at most, naming the newer side."""
    if not (options.from_db or options.from_snapshot):
        return gitrefs.parse_range(revisions, staged)
    if len(revisions) > 1 or any(".." in r for r in revisions):
        raise ConfigError(
            "--from-db and --from-snapshot replace the older side: give at most one revision, "
            "the newer side (default: the working tree)."
        )
    spec = gitrefs.parse_range((), staged)
    return replace(spec, new=revisions[0]) if revisions else spec


def _load(
    work: Session, options: Options, old: Side | gitrefs.Missing | None, new: Job
) -> tuple[Loaded, Loaded]:
    if old is None:
        return _explicit(work, options, new)
    if isinstance(old, gitrefs.Missing):
        (loaded,) = work.load([new])
        new_loaded = _required(loaded)
        failure: ModelLoadError | None = None
    else:
        old_job = Job(old, work.settings(old, options.overrides), new.dialect)
        old_outcome, loaded = work.load([old_job, new])
        new_loaded = _required(loaded)
        if isinstance(old_outcome, Loaded):
            return old_outcome, new_loaded
        failure = old_outcome
    fallen = older.fallback(
        work,
        old,
        failure,
        new_loaded,
        new.settings,
        dialect=new.dialect,
        database=options.fallback_db,
    )
    return fallen, new_loaded


def _explicit(work: Session, options: Options, new: Job) -> tuple[Loaded, Loaded]:
    if options.from_snapshot is not None:
        path = options.directory / options.from_snapshot
        (loaded,) = work.load([new])
        return older.from_snapshot_file(path, new.settings), _required(loaded)
    assert options.from_db is not None
    label = older.masked(options.from_db)
    side = Side(label, None, Source.DATABASE, f"the database {label}, reflected")
    url = older.absolute_sqlite(options.from_db, work.project)
    database = Job(side, new.settings, new.dialect, database=url)
    old_outcome, loaded = work.load([database, new])
    return _required(old_outcome), _required(loaded)


def _required(outcome: Loaded | ModelLoadError) -> Loaded:
    if isinstance(outcome, ModelLoadError):
        raise outcome
    return outcome


def _result(
    old: Loaded, new: Loaded, settings: config.Settings, dialect: str, notes: tuple[str, ...]
) -> DiffResult:
    if old.documents is None and new.documents is None:
        raise ModelLoadError(f"{old.missing} {new.missing} Check the metadata locator.")
    missing = [f"{s.missing} Taken as an empty schema." for s in (old, new) if s.missing]
    schemas = compared.schemas(old, new, settings, dialect)
    reflected = old.side.source is Source.DATABASE
    found = compared.changes(*schemas, settings, ddl_only=reflected)
    return DiffResult(
        old.side,
        new.side,
        dialect,
        found.changes,
        (*notes, *missing, *found.notes),
        schemas,
        settings.render_as_batch,
    )


def revision(
    options: Options, target: RevisionTarget, revisions: Sequence[str] = (), staged: bool = False
) -> Revision:
    """``schemadiff revision [RANGE]``: the Alembic revision file for the changes, written,
    and the snapshot file refreshed with the new revision's schema."""
    done = _compare(options, revisions, staged)
    result = done.result
    if not result.changes:
        return Revision(result, None, ())
    snapshot_path = done.project / done.settings.snapshot_path
    previous = _entries(snapshot_path)  # a snapshot we cannot update stops us before writing
    from schemadiff import migrate  # noqa: PLC0415  (SQLAlchemy only when asked for)

    assert result.schemas is not None
    found = migrate.migration(*result.schemas, result.changes, batch=result.render_as_batch)
    written = migrate.write_revision(_located(options, target), found)
    refreshed = None
    if done.new.documents is not None:
        entry = snapshotfile.Entry(written.revision, written.parents, done.new.plain())
        _write_snapshot(snapshot_path, previous, entry)
        refreshed = snapshot_path
    return Revision(result, written.path, found.warnings, refreshed)


def _located(options: Options, target: RevisionTarget) -> RevisionTarget:
    """The Alembic configuration: as given (from the directory), or the project's alembic.ini."""
    if target.config is not None:
        return replace(target, config=options.directory / target.config)
    repo = gitrefs.Repository(options.directory)
    try:
        project = repo.top / repo.prefix
    finally:
        repo.close()
    return replace(target, config=project / "alembic.ini")


def _entries(path: Path) -> tuple[snapshotfile.Entry, ...]:
    """The entries of the snapshot file at ``path``; none when there is no file yet."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ()
    except OSError as exc:
        raise ConfigError(f"Cannot read the snapshot {path}: {exc.strerror or exc}.") from None
    return snapshotfile.parse(data, str(path))


def _write_snapshot(
    path: Path, previous: Sequence[snapshotfile.Entry], entry: snapshotfile.Entry
) -> None:
    write_document(path, snapshotfile.to_json(snapshotfile.updated(previous, entry)))


def snapshot(options: Options, revision: str | None = None) -> JSONDict:
    """``schemadiff snapshot [REF]``: the snapshot document of one side (the working tree),
    keyed to the Alembic head there."""
    return snapshotfile.to_json([_current(options, revision)[0]])


def snapshot_write(options: Options) -> tuple[Path, str | None]:
    """``schemadiff snapshot --write``: the working tree's models, keyed to the Alembic head,
    into the snapshot file; the file and the revision."""
    entry, path = _current(options, None)
    try:
        previous = _entries(path)
    except SnapshotFormatError:
        previous = ()  # ours but unreadable (another version): --write regenerates it
    _write_snapshot(path, previous, entry)
    return path, entry.revision


def snapshot_check(options: Options) -> SnapshotCheck:
    """``schemadiff snapshot --check``: the snapshot's entry for the head against the models."""
    with session(options.directory, options.use_cache) as work:
        side = work.repo.side(gitrefs.WORKTREE)
        settings = work.settings(side, options.overrides)
        path = work.project / settings.snapshot_path
        head = _head(work, side, settings)
        (loaded,) = work.load([Job(side, settings, settings.dialect)])
        notes = tuple(work.cache.notes)
    if not path.exists():
        raise ConfigError(
            f"There is no snapshot at {path}. Write it with `schemadiff snapshot --write`."
        )
    entry = snapshotfile.find(_entries(path), head)
    if entry is None:
        return SnapshotCheck(None, head, path)
    snapshotfile.check_names(entry, snapshotfile.names(settings.metadata), str(path))
    reason = f"the snapshot{' of revision ' + head if head else ''} ({path.name})"
    snapshot_side = older.recorded(Side(None, None, Source.SNAPSHOT, reason), entry)
    models = _required(loaded)
    settings = replace(settings, ignore_python_only=True)
    result = _result(snapshot_side, models, settings, settings.dialect, notes)
    return SnapshotCheck(result, head, path)


def _current(options: Options, revision: str | None) -> tuple[snapshotfile.Entry, Path]:
    """One side's snapshot entry, and where the project's snapshot file is."""
    with session(options.directory, options.use_cache) as work:
        side = work.repo.side(revision or gitrefs.WORKTREE)
        settings = work.settings(side, options.overrides)
        head = _head(work, side, settings)
        parents = work.graph(side, settings).parents.get(head, ()) if head else ()
        (loaded,) = work.load([Job(side, settings, settings.dialect)])
        project = work.project
    side_loaded = _required(loaded)
    if side_loaded.documents is None:
        raise ModelLoadError(f"{side_loaded.missing} Check the metadata locator.")
    entry = snapshotfile.Entry(head, parents, side_loaded.plain())
    return entry, project / settings.snapshot_path


def _head(work: Session, side: Side, settings: config.Settings) -> str | None:
    heads = work.graph(side, settings).heads
    if len(heads) > 1:
        raise ConfigError(
            f"The Alembic revisions at {side.label} have several heads ({', '.join(heads)}): a "
            "snapshot is kept for one. Merge them first (alembic merge heads)."
        )
    return heads[0] if heads else None
