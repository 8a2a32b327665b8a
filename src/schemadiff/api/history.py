"""The schema along a git history: the walk that ``log`` and ``blame`` share.

A walk asks git three questions, each in one process: the commits (git log), which of their
edges change a file that decides the schema (git diff-tree over every file under the import
roots, pyproject.toml, alembic.ini and env.py), and which pyproject.toml each commit
has. Commits joined by an edge that changes none of those files have the same schema: they
form one class, and a class is loaded once, from the cache or in a sandbox, with up to
``jobs`` imports at a time.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from schemadiff import config, gitrefs
from schemadiff.api.comparing import Options, result_of
from schemadiff.api.sides import Job, Loaded, Progress, Session
from schemadiff.errors import ModelLoadError
from schemadiff.model import Change, Commit, Side, Source

Outcome = Loaded | ModelLoadError


@dataclass
class History:
    """The commits of a walk, which edges change the schema's files, and their classes."""

    commits: list[Commit]
    first_parent: bool
    changed: dict[tuple[str, str | None], bool]
    shallow: frozenset[str]
    _leaders: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {c.id: c for c in self.commits}
        for (commit, parent), changed in self.changed.items():
            if parent is not None and not changed:
                self._join(commit, parent)

    def parents(self, commit: str) -> tuple[str, ...]:
        """The parents the walk follows (the first alone with --first-parent); none past the
        walk's own commits."""
        known = self.by_id.get(commit)
        if known is None:
            return ()
        return known.parents[:1] if self.first_parent else known.parents

    def leader(self, commit: str) -> str:
        """The class of ``commit``: one commit standing for all with the same schema files."""
        path = [commit]
        while (up := self._leaders.get(path[-1], path[-1])) != path[-1]:
            path.append(up)
        for member in path:
            self._leaders[member] = path[-1]
        return path[-1]

    def _join(self, one: str, other: str) -> None:
        first, second = self.leader(one), self.leader(other)
        if first != second:
            self._leaders[second] = first

    def edge_changed(self, commit: Commit) -> bool:
        """Whether ``commit`` changed a schema file against its first parent (the empty tree
        for a root commit; never for the first commit of a shallow clone, whose parent is
        not here)."""
        if commit.parents:
            return self.changed[(commit.id, commit.parents[0])]
        return commit.id not in self.shallow and self.changed[(commit.id, None)]


def walked(work: Session, walk: gitrefs.Walk, overrides: config.Overrides) -> History:
    commits = work.repo.log(walk)
    shallow = work.repo.shallow_commits()
    pairs: list[tuple[str, str | None]] = []
    for commit in commits:
        parents = commit.parents[:1] if walk.first_parent else commit.parents
        pairs += [(commit.id, p) for p in parents]
        if not commit.parents and commit.id not in shallow:
            pairs.append((commit.id, None))
    globs = _globs(work, commits, overrides) if commits else []
    changed = dict(zip(pairs, work.repo.changed(pairs, globs), strict=True))
    return History(commits, walk.first_parent, changed, shallow)


def _globs(work: Session, commits: Sequence[Commit], overrides: config.Overrides) -> list[str]:
    """The files that decide the schema, under every configuration the walk meets."""
    pyproject = work.path("pyproject.toml")
    versions = work.repo.blobs([c.id for c in commits], pyproject)
    first_with = {blob: commit for commit, blob in reversed(versions.items())}
    globs = {pyproject, work.path("alembic.ini")}
    for commit in first_with.values():
        settings = work.settings(commit_side(commit), overrides)
        for root in settings.paths:
            path = work.path(root)
            # Every file, not only *.py: models may read data files under the roots.
            globs.add("**" if path == "." else f"{path}/**")
        globs.update(work.path(name) for name in settings.alembic_files)
    return sorted(globs)


def commit_side(commit: str) -> Side:
    return Side(commit[:10], commit, Source.GIT)


@dataclass(frozen=True, slots=True)
class Loads:
    """Each class's documents (or why it has none), and the settings it was read under."""

    outcomes: Mapping[str, Outcome]
    settings: Mapping[str, config.Settings]


def load(
    work: Session,
    history: History,
    commits: Iterable[str],
    options: Options,
    *,
    jobs: int | None,
    progress: Progress | None,
) -> Loads:
    """The classes of ``commits``, loaded: from the cache, or up to ``jobs`` imports at a time
    (default: one per CPU). A class is read at its leader, whichever commit of it is asked
    for, so that every walk finds it under the same cache key."""
    named: dict[str, Side] = {}  # the first of ``commits`` in each class names it in errors
    for commit in commits:
        leader = history.leader(commit)
        named.setdefault(leader, Side(commit[:10], leader, Source.GIT))
    if not named:
        return Loads({}, {})
    settings = {c: work.settings(commit_side(c), options.overrides) for c in named}
    load_jobs = [Job(named[c], settings[c], settings[c].dialect) for c in named]
    outcomes = work.load(load_jobs, jobs or os.cpu_count() or 1, progress)
    return Loads(dict(zip(named, outcomes, strict=True)), settings)


def compared(history: History, loads: Loads, old: str | None, new: str) -> tuple[Change, ...]:
    """The schema changes from commit ``old`` (None: the empty tree) to commit ``new``, both
    loaded; type changes that keep the DDL are left out, as a migration sees them."""
    new_leader = history.leader(new)
    newer = loads.outcomes[new_leader]
    older = _empty(new) if old is None else loads.outcomes[history.leader(old)]
    assert isinstance(newer, Loaded) and isinstance(older, Loaded)
    settings = replace(loads.settings[new_leader], ignore_python_only=True)
    try:
        result = result_of(older, newer, settings, settings.dialect, ())
    except ModelLoadError:  # neither side has the models' module yet: nothing to compare
        return ()
    return result.changes


def _empty(commit: str) -> Loaded:
    return Loaded(Side(commit[:10], None, Source.GIT, "the empty tree"), None)
