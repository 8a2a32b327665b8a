"""One function per command. They return values; they never print or exit."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from schemadiff import config, diff, gitrefs
from schemadiff.errors import ModelLoadError
from schemadiff.model import DiffResult, RevisionTarget, Schema, Side, Source
from schemadiff.sandbox import ModuleMissingError, Request, Sandbox
from schemadiff.snapshot import JSONDict, schema_from_json, schema_to_json, without_common_tables


@dataclass(frozen=True, slots=True)
class Options:
    """What every command is told: where, and the command-line overrides."""

    directory: Path = field(default_factory=Path.cwd)
    overrides: config.Overrides = field(default_factory=config.Overrides)


@dataclass(frozen=True, slots=True)
class Revision:
    result: DiffResult
    path: Path | None
    """The file written; None when there was nothing to write."""
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Loaded:
    """One side's schema, or None when its models do not exist there yet."""

    side: Side
    document: JSONDict | None
    """The schema document as the child wrote it; decoded only where needed."""
    missing: str | None = None


def compare(options: Options, revisions: Sequence[str] = (), staged: bool = False) -> DiffResult:
    """``schemadiff [RANGE]``: the schema changes between two sides."""
    spec = gitrefs.parse_range(revisions, staged)
    with _session(options.directory, 2) as (repo, sandboxes):
        sides = repo.resolve(spec)
        settings = [_settings(repo, side, options.overrides) for side in sides]
        dialect = settings[1].dialect
        old, new = _load(repo, sandboxes, sides, settings, dialect)
    if old.document is None and new.document is None:
        raise ModelLoadError(f"{old.missing} {new.missing} Check the metadata locator.")
    notes = [f"{s.missing} Taken as an empty schema." for s in (old, new) if s.missing]
    schemas = _schemas(old, new, settings[1], dialect)
    found = _changes(*schemas, settings[1])
    return DiffResult(
        old.side,
        new.side,
        dialect,
        found.changes,
        (*notes, *found.notes),
        schemas,
        settings[1].render_as_batch,
    )


def revision(
    options: Options, target: RevisionTarget, revisions: Sequence[str] = (), staged: bool = False
) -> Revision:
    """``schemadiff revision [RANGE]``: the Alembic revision file for the changes, written."""
    result = compare(options, revisions, staged)
    if not result.changes:
        return Revision(result, None, ())
    from schemadiff import migrate  # noqa: PLC0415  (SQLAlchemy only when asked for)

    assert result.schemas is not None
    found = migrate.migration(*result.schemas, result.changes, batch=result.render_as_batch)
    path = migrate.write_revision(_located(options, target), found)
    return Revision(result, path, found.warnings)


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


def _schemas(
    old: Loaded, new: Loaded, settings: config.Settings, dialect: str
) -> tuple[Schema, Schema]:
    """Both sides' schemas, filtered under the newer side's settings."""
    old_document, new_document = without_common_tables(
        _document(old, dialect), _document(new, dialect)
    )
    old_schema = _filtered(_decoded(old_document, old), settings)
    new_schema = _filtered(_decoded(new_document, new), settings)
    return old_schema, new_schema


def _changes(old: Schema, new: Schema, settings: config.Settings) -> diff.Diff:
    rules = diff.RenameRules(dict(settings.renames), guess=not settings.no_renames)
    found = diff.diff_schemas(old, new, rules)
    if settings.ignore_python_only:
        return diff.Diff(diff.without_python_only(found.changes), found.notes)
    return found


def snapshot(options: Options, revision: str | None = None) -> Schema:
    """``schemadiff snapshot [REF]``: the schema document of one side (the working tree)."""
    with _session(options.directory, 1) as (repo, sandboxes):
        side = repo.side(revision or gitrefs.WORKTREE)
        settings = _settings(repo, side, options.overrides)
        (loaded,) = _load(repo, sandboxes, [side], [settings], settings.dialect)
    if loaded.document is None:
        raise ModelLoadError(f"{loaded.missing} Check the metadata locator.")
    return _filtered(_decoded(loaded.document, loaded), settings)


@contextlib.contextmanager
def _session(directory: Path, count: int) -> Iterator[tuple[gitrefs.Repository, list[Sandbox]]]:
    """The repository and ``count`` sandboxes, started first so their imports overlap git."""
    with contextlib.ExitStack() as stack:
        sandboxes = [stack.enter_context(Sandbox.start()) for _ in range(count)]
        repo = gitrefs.Repository(directory)
        stack.callback(repo.close)
        yield repo, sandboxes


def _settings(repo: gitrefs.Repository, side: Side, overrides: config.Overrides) -> config.Settings:
    def read(path: str) -> bytes | None:
        return repo.read(side, _join(repo.prefix, path))

    def read_worktree(path: str) -> bytes | None:
        return repo.read(Side(None, None, Source.WORKTREE), _join(repo.prefix, path))

    fallback = None if side.source is Source.WORKTREE else read_worktree
    return config.resolve(read, fallback, overrides, side.label)


def _load(
    repo: gitrefs.Repository,
    sandboxes: Sequence[Sandbox],
    sides: Sequence[Side],
    settings: Sequence[config.Settings],
    dialect: str,
) -> list[Loaded]:
    requests = []
    for sandbox, side, side_settings in zip(sandboxes, sides, settings, strict=True):
        roots = [_join(repo.prefix, p) for p in side_settings.paths]
        skipped = repo.materialize(side, repo.entries(side, roots), sandbox.tree)
        request = Request(
            label=side.label,
            repository=repo.top,
            prefix=repo.prefix,
            roots=side_settings.paths,
            locators=side_settings.metadata,
            dialect=dialect,
            timeout=side_settings.timeout,
            env=side_settings.env,
            user_module_prefix=side_settings.user_module_prefix,
            skipped=tuple(skipped),
        )
        sandbox.send(request)
        requests.append(request)
    return [_wait(*pair) for pair in zip(sandboxes, requests, sides, strict=True)]


def _wait(sandbox: Sandbox, request: Request, side: Side) -> Loaded:
    try:
        return Loaded(side, sandbox.wait(request))
    except ModuleMissingError as missing:
        return Loaded(side, None, str(missing))


def _document(loaded: Loaded, dialect: str) -> JSONDict:
    """The side's document; the empty schema for a side whose models do not exist yet."""
    return loaded.document or schema_to_json(Schema(dialect, ()))


def _decoded(document: JSONDict, loaded: Loaded) -> Schema:
    return schema_from_json(document, f"the schema of {loaded.side.label}")


def _filtered(schema: Schema, settings: config.Settings) -> Schema:
    return diff.filter_schema(schema, settings.include_schemas, settings.exclude_tables)


def _join(prefix: str, path: str) -> str:
    parts = [p for p in (prefix, path.strip("/")) if p and p != "."]
    return "/".join(parts) or "."
