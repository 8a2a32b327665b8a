"""Two sides resolved, loaded and compared: what ``diff``, ``revision`` and ``check`` share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from schemadiff import config, gitrefs
from schemadiff.api import comparison, fallback
from schemadiff.api.session import Job, Loaded, Session, session
from schemadiff.errors import ConfigError, ModelLoadError
from schemadiff.model import DiffResult, Side, Source


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
class Compared:
    """A comparison, with what the commands that go on from it need."""

    result: DiffResult
    old: Loaded
    new: Loaded
    settings: config.Settings
    """The newer side's."""
    project: Path


def compare(options: Options, revisions: Sequence[str] = (), staged: bool = False) -> DiffResult:
    """``schemadiff [RANGE]``: the schema changes between two sides."""
    with session(options.directory, options.use_cache) as work:
        return compared_range(work, options, range_spec(options, revisions, staged)).result


def compared_range(
    work: Session,
    options: Options,
    spec: gitrefs.RangeSpec,
    quick: bool = False,
    ddl_only: bool = False,
) -> Compared:
    """The two sides of ``spec`` loaded and compared, in the command's session. ``quick``:
    when no file that decides the schema differs, import nothing and report no change (the
    models are not even checked). ``ddl_only``: the changes as a migration sees them (the
    commands that check or write migrations), whatever ``ignore-python-only`` says."""
    if options.from_db and options.from_snapshot:
        raise ConfigError(
            "Give --from-db or --from-snapshot, not both: each replaces the older side."
        )
    old, new = _resolved(work, spec, options)
    settings = work.settings(new, options.overrides)
    dialect = fallback.database_dialect(options.from_db) if options.from_db else settings.dialect
    if quick and isinstance(old, Side) and work.unchanged(old, new, options.overrides):
        nothing = DiffResult(old, new, dialect, ())  # no file that decides it changed
        return Compared(nothing, Loaded(old, None), Loaded(new, None), settings, work.project)
    old_loaded, new_loaded = _load(work, options, old, Job(new, settings, dialect))
    notes = tuple(work.cache.notes)
    result = result_of(old_loaded, new_loaded, settings, dialect, notes, ddl_only=ddl_only)
    return Compared(result, old_loaded, new_loaded, settings, work.project)


def _resolved(
    work: Session, spec: gitrefs.RangeSpec, options: Options
) -> tuple[Side | gitrefs.Missing | None, Side]:
    """The two sides; the older is None when an explicit source replaces it."""
    if options.from_db or options.from_snapshot:
        return None, work.repo.side(spec.new)
    return work.repo.resolve(spec)


def range_spec(options: Options, revisions: Sequence[str], staged: bool) -> gitrefs.RangeSpec:
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
        new_loaded = required(loaded)
        failure: ModelLoadError | None = None
    else:
        old_job = Job(old, work.settings(old, options.overrides), new.dialect)
        old_outcome, loaded = work.load([old_job, new])
        new_loaded = required(loaded)
        if isinstance(old_outcome, Loaded):
            return old_outcome, new_loaded
        failure = old_outcome
    fallen = fallback.older_side(
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
        return fallback.from_snapshot_file(path, new.settings), required(loaded)
    assert options.from_db is not None
    label = fallback.masked(options.from_db)
    reason = f"the database {label}, reflected"
    database = fallback.database_job(work, options.from_db, new.settings, label, reason)
    old_outcome, loaded = work.load([database, new])
    return required(old_outcome), required(loaded)


def required(outcome: Loaded | ModelLoadError) -> Loaded:
    if isinstance(outcome, ModelLoadError):
        raise outcome
    return outcome


def result_of(
    old: Loaded,
    new: Loaded,
    settings: config.Settings,
    dialect: str,
    notes: tuple[str, ...],
    *,
    ddl_only: bool = False,
) -> DiffResult:
    """The comparison of two loaded sides; ``ddl_only`` as in ``compared_range`` (a side
    reflected from a database is always compared so: its types are what the DDL made)."""
    if old.documents is None and new.documents is None:
        said = " ".join(m for m in (old.missing, new.missing) if m)
        raise ModelLoadError(f"{said} Check the metadata locator.")
    missing = [f"{s.missing} Taken as an empty schema." for s in (old, new) if s.missing]
    missing += [s.note for s in (old, new) if s.note]
    schemas = comparison.schemas(old, new, settings, dialect)
    reflected = old.side.source is Source.DATABASE
    found = comparison.changes(*schemas, settings, ddl_only=ddl_only or reflected)
    return DiffResult(
        old.side,
        new.side,
        dialect,
        found.changes,
        (*notes, *missing, *found.notes),
        schemas,
        settings.render_as_batch,
    )
