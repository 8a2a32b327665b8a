"""``schemadiff revision``: the Alembic revision file for the changes, written, and the
snapshot file refreshed with the new revision's schema: both, or neither."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from schemadiff import lock, snapshotfile
from schemadiff import revisions as revisions_module
from schemadiff.api.pipeline import Options, compared_range, range_spec
from schemadiff.api.session import Session, session
from schemadiff.api.snapshots import entries_at, write_snapshot
from schemadiff.model import DiffResult, RevisionTarget
from schemadiff.snapshot import JSONDict, dumps


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


def revision(
    options: Options, target: RevisionTarget, revisions: Sequence[str] = (), staged: bool = False
) -> Revision:
    """``schemadiff revision [RANGE]``: the Alembic revision file for the changes, written,
    and the snapshot file refreshed with the new revision's schema: both, or neither."""
    revisions_module.check_rev_id(target.rev_id)  # before the models are imported
    with session(options.directory, options.use_cache) as work:
        spec = range_spec(options, revisions, staged)
        done = compared_range(work, options, spec, ddl_only=True)  # as the migration sees them
        located, git_dir = _located(work, options, target, done.settings.script_location)
    result = done.result
    if not result.changes:
        return Revision(result, None, ())
    snapshot_path = done.project / done.settings.snapshot_path
    from schemadiff import migrate  # noqa: PLC0415  (SQLAlchemy only when asked for)

    assert result.schemas is not None
    found = migrate.migration(*result.schemas, result.changes, batch=result.render_as_batch)
    # From reading the Alembic head to the refreshed snapshot, one run at a time: a second
    # run follows the first's revision instead of writing a sibling of it.
    with lock.held(git_dir / LOCK_NAME, "writing a revision"):
        previous = entries_at(snapshot_path)  # a snapshot we cannot update stops us before writing
        already = _already(
            previous,
            done.new.plain(),
            target.head or revisions_module.head_of(migrate.heads(located)),
        )
        if already is not None:
            return Revision(result, None, (), already=already)
        written, refreshed = None, None
        try:
            written = migrate.write_revision(located, found)
            if done.new.documents is not None:
                entry = snapshotfile.Entry(written.revision, written.parents, done.new.plain())
                write_snapshot(snapshot_path, previous, entry)
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


LOCK_NAME = "schemadiff.lock"
"""The lock file in the git directory (``.git/schemadiff.lock``)."""


def _unwrite(path: Path) -> None:
    """Remove a revision file we wrote, and the bytecode Alembic's loading of it left."""
    path.unlink(missing_ok=True)
    Path(importlib.util.cache_from_source(str(path))).unlink(missing_ok=True)


def _located(
    work: Session, options: Options, target: RevisionTarget, script_location: str | None
) -> tuple[RevisionTarget, Path]:
    """The Alembic configuration (as given, from the directory; else the project's
    alembic.ini; else the one in the script location, Flask-Migrate's layout), and the git
    directory."""
    project, git_dir = work.project, work.repo.common_dir
    if target.config is not None:
        return replace(target, config=options.directory / target.config), git_dir
    config_path = project / "alembic.ini"
    inside = project / (script_location or ".") / "alembic.ini"
    if not config_path.is_file() and inside.is_file():
        config_path = inside
    return replace(target, config=config_path), git_dir
