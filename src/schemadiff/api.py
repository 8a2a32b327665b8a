"""One function per command. They return values; they never print or exit."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from schemadiff import config, diff, gitrefs
from schemadiff.errors import ModelLoadError
from schemadiff.model import DiffResult, Schema, Side, Source
from schemadiff.sandbox import ModuleMissingError, Request, Sandbox


@dataclass(frozen=True, slots=True)
class Options:
    """What every command is told: where, and the command-line overrides."""

    directory: Path = field(default_factory=Path.cwd)
    overrides: config.Overrides = field(default_factory=config.Overrides)


@dataclass(frozen=True, slots=True)
class Loaded:
    """One side's schema, or None when its models do not exist there yet."""

    side: Side
    schema: Schema | None
    missing: str | None = None


def compare(options: Options, revisions: Sequence[str] = (), staged: bool = False) -> DiffResult:
    """``schemadiff [RANGE]``: the schema changes between two sides."""
    spec = gitrefs.parse_range(revisions, staged)
    with _session(options.directory, 2) as (repo, sandboxes):
        sides = repo.resolve(spec)
        settings = [_settings(repo, side, options.overrides) for side in sides]
        dialect = settings[1].dialect
        old, new = _load(repo, sandboxes, sides, settings, dialect)
    if old.schema is None and new.schema is None:
        raise ModelLoadError(f"{old.missing} {new.missing} Check the metadata locator.")
    notes = [f"{s.missing} Taken as an empty schema." for s in (old, new) if s.missing]
    old_schema, new_schema = (_filtered(s, settings[1], dialect) for s in (old, new))
    rules = diff.RenameRules(dict(settings[1].renames), guess=not settings[1].no_renames)
    found = diff.diff_schemas(old_schema, new_schema, rules)
    changes = found.changes
    if settings[1].ignore_python_only:
        changes = diff.without_python_only(changes)
    notes += found.notes
    return DiffResult(old.side, new.side, dialect, changes, tuple(notes))


def snapshot(options: Options, revision: str | None = None) -> Schema:
    """``schemadiff snapshot [REF]``: the schema document of one side (the working tree)."""
    with _session(options.directory, 1) as (repo, sandboxes):
        side = repo.side(revision or gitrefs.WORKTREE)
        settings = _settings(repo, side, options.overrides)
        (loaded,) = _load(repo, sandboxes, [side], [settings], settings.dialect)
    if loaded.schema is None:
        raise ModelLoadError(f"{loaded.missing} Check the metadata locator.")
    return _filtered(loaded, settings, settings.dialect)


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


def _filtered(loaded: Loaded, settings: config.Settings, dialect: str) -> Schema:
    schema = loaded.schema or Schema(dialect, ())
    return diff.filter_schema(schema, settings.include_schemas, settings.exclude_tables)


def _join(prefix: str, path: str) -> str:
    parts = [p for p in (prefix, path.strip("/")) if p and p != "."]
    return "/".join(parts) or "."
