"""``schemadiff snapshot``: one side's snapshot document, the project's snapshot file written
(``--write``) or checked against the models (``--check``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from schemadiff import config, gitrefs, snapshotfile
from schemadiff.api import fallback
from schemadiff.api.pipeline import Options, required, result_of
from schemadiff.api.session import Job, Session, session
from schemadiff.errors import ConfigError, ModelLoadError
from schemadiff.model import DiffResult, Side, Source
from schemadiff.snapshot import JSONDict, SnapshotFormatError, write_document


@dataclass(frozen=True, slots=True)
class SnapshotCheck:
    result: DiffResult | None
    """The snapshot's entry for the head against the models; None when it has no entry."""
    revision: str | None
    path: Path


def entries_at(path: Path) -> tuple[snapshotfile.Entry, ...]:
    """The entries of the snapshot file at ``path``; none when there is no file yet."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ()
    except OSError as exc:
        raise ConfigError(f"Cannot read the snapshot {path}: {exc.strerror or exc}.") from None
    return snapshotfile.parse(data, str(path))


def write_snapshot(
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
        previous = entries_at(path)
    except SnapshotFormatError:
        previous = ()  # ours but unreadable (another version): --write regenerates it
    write_snapshot(path, previous, entry)
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
    entry = snapshotfile.find(entries_at(path), head)
    if entry is None:
        return SnapshotCheck(None, head, path)
    snapshotfile.check_names(entry, snapshotfile.names(settings.metadata), str(path))
    reason = f"the snapshot{' of revision ' + head if head else ''} ({path.name})"
    snapshot_side = fallback.recorded(Side(None, None, Source.SNAPSHOT, reason), entry)
    models = required(loaded)
    result = result_of(snapshot_side, models, settings, settings.dialect, notes, ddl_only=True)
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
    graph = work.graph(side, settings)
    if graph.forked:
        raise ConfigError(
            f"The Alembic revisions at {side.label} have several heads "
            f"({', '.join(graph.heads)}): a snapshot is kept for one. Merge them first "
            "(alembic merge heads)."
        )
    return graph.head
