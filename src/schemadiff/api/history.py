"""The schema along a git history: the walk that ``log`` and ``blame`` share.

A walk asks git two questions, each in one process: the commits (git log), and for each of
their edges, which files differ. Which commits have the same schema is then decided by what the
imports read (``closure``): an edge that changes no file a loaded import read, and no
settings file, joins its two commits; commits joined that way form a *class*, whose schema
is that of any member loaded. The walk loads lazily (``Walker.resolve``): only the classes
asked for, up to ``jobs`` imports at a time, from the cache when it can.

The classes are drawn with every closure met so far at once: as more are met, a class can
only split, never join two commits one closure would keep apart. So a class whose member
was loaded with a closure is decided, and a class with no loaded member is a guess that
tells which commits to import next.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field, replace

from schemadiff import closure, config, gitrefs
from schemadiff.api.pipeline import Options, result_of
from schemadiff.api.session import Job, Loaded, Progress, Session
from schemadiff.errors import ModelLoadError
from schemadiff.model import Change, Commit, Side, Source

Outcome = Loaded | ModelLoadError
Edge = tuple[str, str | None]
"""(commit, parent); a parent of None is the empty tree, before a root commit."""


@dataclass
class History:
    """The commits of a walk and what each of their edges changes."""

    commits: list[Commit]
    first_parent: bool
    changes: dict[Edge, tuple[closure.Change, ...]]
    shallow: frozenset[str]
    settings_files: set[str] = field(default_factory=set)
    """Top-relative paths of the files read to work out the settings: a change there is a
    change of everything. Grows as settings are worked out (``Session.consulted``)."""
    settings_globs: set[str] = field(default_factory=set)
    """Top-relative globs matched to work them out: a path that matches one counts too."""
    exists: Callable[[str, str], bool | None] = field(default=lambda commit, path: None)
    """Whether a path (top-relative) is there at a commit; None when git cannot tell."""

    def __post_init__(self) -> None:
        self.by_id = {c.id: c for c in self.commits}

    def parents(self, commit: str) -> tuple[str, ...]:
        """The parents the walk follows (the first alone with --first-parent); none past the
        walk's own commits."""
        known = self.by_id.get(commit)
        if known is None:
            return ()
        return known.parents[:1] if self.first_parent else known.parents

    def settles(self, path: str) -> bool:
        """Whether a change of ``path`` may change a side's settings."""
        return path in self.settings_files or any(
            gitrefs.glob_match(path, glob) for glob in self.settings_globs
        )

    def touched(self, edge: Edge, watch: closure.Watch, judged: Container[str] = ()) -> bool:
        """Whether the edge changes a settings file, or what an import with ``watch``'s
        closure reads; the changes of paths in ``judged`` are left to the caller."""
        changes = [c for c in self.changes.get(edge, ()) if c[1] not in judged]
        if any(self.settles(path) for _, path in changes):
            return True
        commit, parent = edge

        def exists(path: str) -> tuple[bool, bool]:
            before = False if parent is None else self.exists(parent, path)
            after = self.exists(commit, path)
            if before is None or after is None:
                return False, True  # cannot tell: taken as changed
            return before, after

        return watch.touches(changes, exists)


def walked(work: Session, walk: gitrefs.Walk, overrides: config.Overrides) -> History:
    commits = work.repo.log(walk)
    shallow = work.repo.shallow_commits()
    pairs: list[Edge] = []
    for commit in commits:
        parents = commit.parents[:1] if walk.first_parent else commit.parents
        pairs += [(commit.id, p) for p in parents]
        if not commit.parents and commit.id not in shallow:
            pairs.append((commit.id, None))
    if commits:
        _settings_at_each_pyproject(work, commits, overrides)
    # Every path: what an import reads decides, wherever the roots of each commit are.
    changes = dict(zip(pairs, work.repo.changes(pairs, ["."]), strict=True))
    return History(
        commits,
        walk.first_parent,
        changes,
        shallow,
        work.consulted,
        work.consulted_globs,
        work.repo.exists,
    )


def _settings_at_each_pyproject(
    work: Session, commits: Sequence[Commit], overrides: config.Overrides
) -> None:
    """Work out the settings at the first commit with each pyproject.toml of the walk, so
    that the files they read are watched from the start (``Session.consulted``); the
    settings of each commit loaded add theirs."""
    pyproject = work.path("pyproject.toml")
    work.consulted.update((pyproject, work.path("alembic.ini")))
    versions = work.repo.blobs([c.id for c in commits], pyproject)
    first_with = {blob: commit for commit, blob in reversed(versions.items())}
    for commit in first_with.values():
        work.settings(commit_side(commit), overrides)


def commit_side(commit: str) -> Side:
    return Side(commit[:10], commit, Source.GIT)


AHEAD = 200
"""How far down the walk the next imports are chosen from, one per core (``Walker.need``)."""


class Walker:
    """The schema of the walk's commits, loaded as they are asked for (``resolve``)."""

    def __init__(
        self,
        work: Session,
        history: History,
        options: Options,
        *,
        jobs: int | None,
        progress: Progress | None,
    ) -> None:
        self.work, self.history, self.options = work, history, options
        self.jobs = jobs or os.cpu_count() or 1
        self.progress = progress
        self.outcomes: dict[str, Outcome] = {}
        """By commit: those loaded, and those a loaded member of their class stands for."""
        self.settings: dict[str, config.Settings] = {}
        self._sources: dict[str, str] = {}  # a class's loaded member, by its leader
        self._reads = closure.Reads()
        self._leaders: dict[str, str] = {}
        self._bases: set[str] = set()
        self._drawn = self._decided = False
        self._order = {c.id: i for i, c in enumerate(history.commits)}

    def outcome(self, commit: str) -> Outcome | None:
        """The commit's documents (or failure) once decided, else None."""
        if commit not in self.outcomes:
            self._draw()
            source = self._sources.get(self._leader(commit))
            if source is None:
                return None
            self.outcomes[commit] = _named(self.outcomes[source], source, commit)
        return self.outcomes[commit]

    def same(self, one: str, other: str) -> bool:
        """Whether two commits are known to have the same schema: one decided class."""
        self._draw()
        leader = self._leader(one)
        return leader == self._leader(other) and leader in self._sources

    def resolve(self, wanted: Iterable[str]) -> None:
        """Decide each of ``wanted``: load, ``jobs`` at a time, one member of each class
        they are in (the first of ``wanted`` in it), until each class is decided."""
        wanted = list(dict.fromkeys(wanted))
        while True:
            waiting: dict[str, str] = {}
            for commit in wanted:
                if self.outcome(commit) is None:
                    waiting.setdefault(self._leader(commit), commit)
            if not waiting:
                return
            self._load(list(waiting.values())[: self.jobs])

    def need(self, commits: Sequence[str]) -> None:
        """Decide ``commits``, loading with them the classes the walk meets next after the
        first of them (``AHEAD`` commits down), so that every core imports."""
        undecided = self.unsure(commits)
        if not undecided:
            return
        start = self._order.get(undecided[0], len(self.history.commits))
        ahead = self.unsure(c.id for c in self.history.commits[start : start + AHEAD])
        self.resolve([*undecided, *(c for c in ahead if c not in undecided)][: self.jobs])
        self.resolve(undecided)

    def unsure(self, commits: Iterable[str]) -> list[str]:
        """Of ``commits``, one in each class not decided yet, in order."""
        self._draw()
        found: dict[str, str] = {}
        for commit in commits:
            if commit not in self.outcomes and self._leader(commit) not in self._sources:
                found.setdefault(self._leader(commit), commit)
        return list(found.values())

    def _load(self, commits: Sequence[str]) -> None:
        consulted = len(self.history.settings_files) + len(self.history.settings_globs)
        fresh = [c for c in commits if c not in self.settings]
        for commit in fresh:
            self.settings[commit] = self.work.settings(commit_side(commit), self.options.overrides)
        if len(self.history.settings_files) + len(self.history.settings_globs) != consulted:
            self._drawn = False  # the settings read a file none read before: watch it too
        jobs = [Job(commit_side(c), self.settings[c], self.settings[c].dialect) for c in commits]
        self._learn_cached(jobs)
        outcomes = self.work.load(jobs, self.jobs)
        for commit, outcome in zip(commits, outcomes, strict=True):
            self.outcomes[commit] = outcome
            self._met(_reads_of(outcome))
        self._decided = False  # the loaded members decide their classes
        if self.progress is not None:
            self.progress(len(self.outcomes), len(self.history.commits))

    def _learn_cached(self, jobs: Sequence[Job]) -> None:
        """Draw the classes with the closures the cache has met for these settings too:
        then the classes a warm cache holds are found at once."""
        for job in jobs:
            base = self.work.base(job)
            if base not in self._bases:
                self._bases.add(base)
                for reads in self.work.closures(base):
                    self._met(reads)

    def _met(self, reads: closure.Reads | None) -> None:
        """A closure met: the classes are drawn anew when it reads more than those before."""
        if reads is not None and not reads <= self._reads:
            self._reads = self._reads | reads
            self._drawn = False

    def _draw(self) -> None:
        """The classes under every closure met so far; a loaded member with a closure
        decides its class."""
        if not self._drawn:
            self._drawn, self._decided = True, False
            self._leaders = {}
            watch = closure.Watch(self._reads)
            for edge in self.history.changes:
                commit, parent = edge
                if parent is not None and not self.history.touched(edge, watch):
                    self._join(commit, parent)
        if self._decided:
            return
        self._decided = True
        self._sources = {}
        for commit, outcome in self.outcomes.items():
            if _stands_for_its_class(outcome):
                self._sources.setdefault(self._leader(commit), commit)

    def _leader(self, commit: str) -> str:
        path = [commit]
        while (up := self._leaders.get(path[-1], path[-1])) != path[-1]:
            path.append(up)
        for member in path:
            self._leaders[member] = path[-1]
        return path[-1]

    def _join(self, one: str, other: str) -> None:
        first, second = self._leader(one), self._leader(other)
        if first != second:
            self._leaders[second] = first

    def settings_of(self, commit: str) -> config.Settings:
        """The settings a decided commit was read under (its class's loaded member's)."""
        self._draw()
        source = self._sources.get(self._leader(commit), commit)
        if source not in self.settings:
            self.settings[source] = self.work.settings(commit_side(source), self.options.overrides)
        return self.settings[source]


def _named(outcome: Outcome, source: str, commit: str) -> Outcome:
    """The outcome of ``source`` told of ``commit``, which has the same."""
    side = commit_side(commit)
    if isinstance(outcome, Loaded):
        return replace(outcome, side=side)
    told = type(outcome)(str(outcome).replace(commit_side(source).label, side.label))
    told.detail, told.file, told.reads = outcome.detail, outcome.file, outcome.reads
    return told


def _stands_for_its_class(outcome: Outcome) -> bool:
    """Whether an outcome is that of every commit whose files in its closure are the same:
    not when it has no closure, nor for models that declare no tables (what is said of them
    depends on the migrations, which the import does not read: ``emptyside``)."""
    if isinstance(outcome, Loaded) and outcome.note is not None:
        return False
    return _reads_of(outcome) is not None


def _reads_of(outcome: Outcome) -> closure.Reads | None:
    if isinstance(outcome, Loaded):
        return outcome.reads
    return closure.Reads.from_json(outcome.reads)


def compared(walker: Walker, old: str | None, new: str) -> tuple[Change, ...]:
    """The schema changes from commit ``old`` (None: the empty tree) to commit ``new``, both
    decided; type changes that keep the DDL are left out, as a migration sees them."""
    if old is not None and walker.same(old, new):
        return ()
    newer = walker.outcome(new)
    older = _empty(new) if old is None else walker.outcome(old)
    assert isinstance(newer, Loaded) and isinstance(older, Loaded)
    settings = walker.settings_of(new)
    try:
        result = result_of(older, newer, settings, settings.dialect, (), ddl_only=True)
    except ModelLoadError:  # neither side has the models' module yet: nothing to compare
        return ()
    return result.changes


def _empty(commit: str) -> Loaded:
    return Loaded(Side(commit[:10], None, Source.GIT, "the empty tree"), None)
