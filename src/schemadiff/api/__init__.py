"""One function per command. They return values; they never print or exit."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from schemadiff import config, gitrefs, lock, snapshotfile
from schemadiff import revisions as revisions_module
from schemadiff.api import older
from schemadiff.api.blame import blame
from schemadiff.api.check import check
from schemadiff.api.comparing import (
    Compared,
    Options,
    compare,
    compared_range,
    range_spec,
    required,
    result_of,
)
from schemadiff.api.log import LogQuery, log
from schemadiff.api.planned import planned
from schemadiff.api.sides import Job, Session, session
from schemadiff.errors import ConfigError, ModelLoadError
from schemadiff.model import DiffResult, RevisionTarget, Side, Source
from schemadiff.snapshot import JSONDict, SnapshotFormatError, dumps, write_document

__all__ = [
    "Compared",
    "LogQuery",
    "Options",
    "Revision",
    "SnapshotCheck",
    "blame",
    "check",
    "compare",
    "compared_range",
    "log",
    "planned",
    "range_spec",
    "revision",
    "snapshot",
    "snapshot_check",
    "snapshot_write",
]


@dataclass(frozen=True, slots=True)
class Revision:
    result: DiffResult
    path: Path | None
    """The file written; None when there was nothing to write."""
    warnings: tuple[str, ...]
    snapshot: Path | None = None
    """The snapshot file refreshed with the new revision."""
    already: str | None = None
    """The revision that already has the changes (another run wrote it); nothing written."""


@dataclass(frozen=True, slots=True)
class SnapshotCheck:
    result: DiffResult | None
    """The snapshot's entry for the head against the models; None when it has no entry."""
    revision: str | None
    path: Path


def revision(
    options: Options, target: RevisionTarget, revisions: Sequence[str] = (), staged: bool = False
) -> Revision:
    """``schemadiff revision [RANGE]``: the Alembic revision file for the changes, written,
    and the snapshot file refreshed with the new revision's schema: both, or neither."""
    revisions_module.check_rev_id(target.rev_id)  # before the models are imported
    done = compared_range(options, range_spec(options, revisions, staged))
    result = done.result
    if not result.changes:
        return Revision(result, None, ())
    snapshot_path = done.project / done.settings.snapshot_path
    from schemadiff import migrate  # noqa: PLC0415  (SQLAlchemy only when asked for)

    assert result.schemas is not None
    found = migrate.migration(*result.schemas, result.changes, batch=result.render_as_batch)
    located, git_dir = _located(options, target, done.settings.script_location)
    # From reading the Alembic head to the refreshed snapshot, one run at a time: a second
    # run follows the first's revision instead of writing a sibling of it.
    with lock.held(git_dir / LOCK_NAME, "writing a revision"):
        previous = _entries(snapshot_path)  # a snapshot we cannot update stops us before writing
        already = _already(previous, done.new.plain(), target.head or _one(migrate.heads(located)))
        if already is not None:
            return Revision(result, None, (), already=already)
        written, refreshed = None, None
        try:
            written = migrate.write_revision(located, found)
            if done.new.documents is not None:
                entry = snapshotfile.Entry(written.revision, written.parents, done.new.plain())
                _write_snapshot(snapshot_path, previous, entry)
                refreshed = snapshot_path
        except BaseException:
            if written is not None:  # the revision goes with its snapshot, or not at all
                _unwrite(written.path)
            raise
    return Revision(result, written.path, found.warnings, refreshed)


def _already(entries: Sequence[snapshotfile.Entry], new: JSONDict, head: str | None) -> str | None:
    """``head`` when the snapshot holds exactly the newer side for it: a run that held the
    lock before us (or an earlier run) wrote these changes' revision already."""
    entry = snapshotfile.find(entries, head) if head is not None else None
    if entry is None or dumps(dict(entry.metadata)) != dumps(new):
        return None
    return head


def _one(heads: Sequence[str]) -> str | None:
    return heads[0] if len(heads) == 1 else None


LOCK_NAME = "schemadiff.lock"
"""The lock file in the git directory (``.git/schemadiff.lock``)."""


def _unwrite(path: Path) -> None:
    """Remove a revision file we wrote, and the bytecode Alembic's loading of it left."""
    path.unlink(missing_ok=True)
    Path(importlib.util.cache_from_source(str(path))).unlink(missing_ok=True)


def _located(
    options: Options, target: RevisionTarget, script_location: str | None
) -> tuple[RevisionTarget, Path]:
    """The Alembic configuration (as given, from the directory; else the project's
    alembic.ini; else the one in the script location, Flask-Migrate's layout), and the git
    directory."""
    repo = gitrefs.Repository(options.directory)
    try:
        project, git_dir = repo.top / repo.prefix, repo.common_dir
    finally:
        repo.close()
    if target.config is not None:
        return replace(target, config=options.directory / target.config), git_dir
    config_path = project / "alembic.ini"
    inside = project / (script_location or ".") / "alembic.ini"
    if not config_path.is_file() and inside.is_file():
        config_path = inside
    return replace(target, config=config_path), git_dir


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
    models = required(loaded)
    settings = replace(settings, ignore_python_only=True)
    result = result_of(snapshot_side, models, settings, settings.dialect, notes)
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
    side_loaded = required(loaded)
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
