"""Each side's schema documents: from the cache, or imported in a sandbox child.

A side's documents are decided by its settings (the locators, the sandbox env, the
dialect...), the versions of Python, SQLAlchemy, the installed packages and schemadiff (the
*base*), and what its files under the import roots hold; of those, only the files the
import reads (its ``closure``) matter. An import's answer is cached under the base, the
closure, and what the closure's paths hold at that side; the closures met so far are kept
by base (``_indexes``), so that another side is looked up under each of them: one whose
files in a closure are those of a cached side has that side's documents.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from schemadiff import (
    alembicfiles,
    cache,
    closure,
    config,
    confine,
    gitrefs,
    protocol,
    revisions,
    sandbox,
    view,
)
from schemadiff.api import cachekeys, emptyside, lfs
from schemadiff.errors import ModelLoadError
from schemadiff.escape import printable
from schemadiff.loadfailure import ModuleMissingError
from schemadiff.model import Side, Source
from schemadiff.sandbox import Load, Sandbox
from schemadiff.snapshot import JSONDict, Packed, load_packed, merged

_log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Told (done, total) as the sides of a long walk are loaded."""


@dataclass(frozen=True, slots=True)
class Loaded:
    """One side's schema documents by MetaData name, or None when its models do not exist."""

    side: Side
    documents: Mapping[str, Packed] | None
    missing: str | None = None
    note: str | None = None
    """Said with the result: the models declare no tables, say."""
    reads: closure.Reads | None = None
    """What the import read of its tree; None when unknown (reflected, or not imported)."""

    @property
    def document(self) -> Packed | None:
        """All the MetaData collections in one document."""
        return None if self.documents is None else merged(self.documents)

    def plain(self) -> dict[str, JSONDict]:
        """The documents decoded, as a snapshot file holds them."""
        return {name: d.document() for name, d in (self.documents or {}).items()}


@dataclass(frozen=True, slots=True)
class Job:
    side: Side
    settings: config.Settings
    dialect: str
    database: str | None = None
    """Reflect this database instead of importing the side's models."""


class Session:
    """The repository, the cache, and a sandbox for each side that is not cached."""

    def __init__(self, directory: Path, use_cache: bool, stack: contextlib.ExitStack) -> None:
        self.repo = gitrefs.Repository(directory)
        stack.callback(self.repo.close)
        self.cache = cache.Cache.open(use_cache)
        self._stack = stack
        self.consulted: set[str] = set()
        """Top-relative paths read to work out the settings of any side (``settings``)."""
        self.consulted_globs: set[str] = set()
        """Top-relative globs matched to work them out: a file that comes to match one may
        change them too."""
        self._indexes: dict[str, cachekeys.Index] = {}
        """What imports met, by base key: from the cache's index, and learned this run."""
        self._settings: dict[tuple[Side, config.Overrides], config.Settings] = {}

    @property
    def project(self) -> Path:
        return self.repo.top / self.repo.prefix

    def path(self, relative: str) -> str:
        """A project-relative path as a path relative to the repository's top."""
        return _join(self.repo.prefix, relative)

    def settings(self, side: Side, overrides: config.Overrides) -> config.Settings:
        """The side's settings, worked out once per session. Each file (and glob) read to
        work them out is kept in ``consulted``: a change there may change them, whatever
        the import reads."""
        asked = (side, overrides)
        if asked not in self._settings:
            self._settings[asked] = self._worked_out(side, overrides)
        return self._settings[asked]

    def _worked_out(self, side: Side, overrides: config.Overrides) -> config.Settings:

        def read(path: str) -> bytes | None:
            self.consulted.add(self.path(path))
            return self.repo.read(side, self.path(path))

        def read_worktree(path: str) -> bytes | None:
            return self.repo.read(Side(None, None, Source.WORKTREE), self.path(path))

        fallback = None if side.source is Source.WORKTREE else read_worktree
        worktree = Side(None, None, Source.WORKTREE)
        finders = (self._finder(side), None if fallback is None else self._finder(worktree))
        return config.resolve(read, fallback, overrides, side.label, finders)

    def _finder(self, side: Side) -> alembicfiles.Finder:
        """Finds ``side``'s files by project-relative globs, for ``config``."""

        def find(globs: tuple[str, ...]) -> tuple[str, ...]:
            paths = [self.path(g) for g in globs]
            if side.source is not Source.WORKTREE:
                self.consulted_globs.update(paths)
            found = self.repo.matching(side, paths)
            return tuple(_relative_to(self.repo.prefix, p) for p in found)

        return find

    def read(self, side: Side, relative: str) -> bytes | None:
        return self.repo.read(side, self.path(relative))

    def graph(self, side: Side, settings: config.Settings) -> revisions.Graph:
        """The Alembic revisions at ``side``, read statically."""
        roots = [self.path(v) for v in settings.version_locations]
        return revisions.graph(self.repo.files(side, roots) if roots else {})

    def unchanged(self, old: Side, new: Side, overrides: config.Overrides) -> bool:
        """Whether no file that decides the schema differs between two sides held in git
        objects (commits, the index): then nothing needs importing. Such files are every file
        under the import roots (the import sees them all: models may read data files there),
        pyproject.toml, alembic.ini, env.py and every other file the settings were read
        from."""
        if Source.WORKTREE in (old.source, new.source) or gitrefs.empty(old):
            return False
        settings = [self.settings(s, overrides) for s in (old, new)]  # both, then consulted
        prints = [
            self._fingerprint(s, found) for s, found in zip((old, new), settings, strict=True)
        ]
        return prints[0] == prints[1]

    def _fingerprint(self, side: Side, settings: config.Settings) -> frozenset[tuple[str, str]]:
        """The files that decide ``side``'s schema, by mode and blob id (no content is read)."""
        roots = [self.path(p) for p in settings.paths]
        materialized = self.repo.entries(side, roots)  # what the import would be given
        names = [self.path(n) for n in ("pyproject.toml", *settings.alembic_files)]
        # And every file the settings were read from (.flaskenv naming the app, say).
        deciding = self.repo.entries(side, sorted({*names, *self.consulted}))
        globbed = self.repo.matching(side, sorted(self.consulted_globs))
        return frozenset(
            (*((e.path, f"{e.mode}:{e.blob}") for e in (*materialized, *deciding)),
             *((path, "matched") for path in globbed))
        )  # fmt: skip

    def load(
        self, jobs: Sequence[Job], workers: int | None = None, progress: Progress | None = None
    ) -> list[Loaded | ModelLoadError]:
        """Each job's documents, from the cache or imported; up to ``workers`` imports run at
        a time (all at once by default). Jobs with the same key are imported once.
        ``progress(done, total)`` hears of each job done."""
        results: dict[int, Loaded | ModelLoadError] = {}
        pending: dict[str, list[int]] = {}
        waiting: dict[str, _Waiting] = {}
        for i, job in enumerate(jobs):
            found = self._cached(job)
            if isinstance(found, Loaded):
                results[i] = found
            else:
                group = found.group if found is not None else f"#{i}"
                pending.setdefault(group, []).append(i)
                waiting.setdefault(group, found or _Waiting(group, None, []))
        if not pending:
            sandbox.stop()  # no side needs importing: the server's CPU is ours again
        done = len(results)
        imported = self._imported(jobs, pending, waiting, workers or len(pending))
        for key, outcome in imported:
            for i in pending[key]:
                results[i] = (
                    outcome
                    if isinstance(outcome, ModelLoadError)
                    else replace(outcome, side=jobs[i].side)
                )
                done += 1
            if progress is not None:
                progress(done, len(jobs))
        return [self._declaring(jobs[i], results[i]) for i in range(len(jobs))]

    def _declaring(self, job: Job, outcome: Loaded | ModelLoadError) -> Loaded | ModelLoadError:
        """A side whose models declare no table: an error when its migrations create some
        (the models were not all imported), else a note (``emptyside``)."""
        if (
            job.database
            or not isinstance(outcome, Loaded)
            or outcome.documents is None
            or not emptyside.declares_nothing(outcome.documents)
        ):
            return outcome
        roots = [self.path(v) for v in job.settings.version_locations]
        tables = emptyside.created_tables(self.repo.files(job.side, roots) if roots else {})
        if not tables:
            return replace(outcome, note=emptyside.note(job.side.label))
        location = job.settings.script_location
        env = self.read(job.side, f"{location}/env.py") if location else None
        return emptyside.failure(job.side.label, job.settings, tables, env)

    def _imported(
        self,
        jobs: Sequence[Job],
        pending: Mapping[str, list[int]],
        waiting: Mapping[str, _Waiting],
        workers: int,
    ) -> Iterator[tuple[str, Loaded | ModelLoadError]]:
        """Each pending group's outcome as it comes, with ``workers`` sandboxes busy at most.
        An import that read a file its view left out is run again with it (``_retried``)."""
        queue = list(pending)
        running: list[tuple[str, Sandbox, Load, _Given]] = []
        tries: dict[str, int] = {}
        while queue or running:
            while queue and len(running) < workers:
                key = queue.pop(0)
                running.append((key, *self._started(jobs[pending[key][0]], waiting[key], tries)))
            finished = sandbox.ready([r[1] for r in running], [r[2] for r in running])
            for position, answer in sorted(finished, reverse=True):
                key, box, _, given = running.pop(position)
                side = jobs[pending[key][0]].side
                told = lfs.pointer_named(answer, box.tree, side)  # before the tree goes
                box.close()
                if self._retried(side, waiting[key], given, _reads(told)):
                    tries[key] = tries.get(key, 0) + 1
                    queue.insert(0, key)
                    continue
                yield key, self._finished(side, told, waiting[key] if given.complete else None)

    def _retried(
        self, side: Side, waiting: _Waiting, given: _Given, reads: closure.Reads | None
    ) -> bool:
        """Whether the import read what its view left out: then the paths are remembered for
        the project (the next import gets them at once) and it is run again."""
        if reads is None or waiting.tree is None or waiting.base is None or given.whole:
            return False
        missing = waiting.tree.omitted(reads, given.written)
        if not missing:
            return False
        index = self._index(waiting.base)
        index.also.update(missing)
        self._save(waiting.base)
        _log.debug(
            "%s: the import read %s, which its view left out: importing it again with that",
            side.label,
            printable(", ".join(sorted(missing))),
        )
        return True

    def _cached(self, job: Job) -> Loaded | _Waiting | None:
        """The job's documents when it needs no import; else what its import needs to be
        grouped with the same files' and cached (None: not cached, as a database is not)."""
        if job.database:
            return None
        if gitrefs.empty(job.side):
            return Loaded(job.side, None)  # nothing to import: no tables, and nothing to say
        base = self.base(job)
        entries = self._entries(job)
        tree = closure.Tree(entries)
        for reads in self.closures(base):
            documents = cachekeys.documents(
                self.cache.get(self._key(base, reads, tree)), job.settings
            )
            if documents is not None:
                return Loaded(job.side, documents, reads=reads)
        files = [(e.path, e.mode, self._digest(e)) for e in entries]
        return _Waiting(cache.key({"base": base, "files": files}), base, entries, tree)

    def closures(self, base: str) -> list[closure.Reads]:
        """The closures met under ``base``, newest first."""
        return self._index(base).closures

    def _index(self, base: str) -> cachekeys.Index:
        if base not in self._indexes:
            self._indexes[base] = cachekeys.Index.decoded(self.cache.get(cachekeys.index_key(base)))
        return self._indexes[base]

    def _learned(self, base: str, reads: closure.Reads) -> None:
        known = self.closures(base)
        if reads in known:
            return
        known.insert(0, reads)
        del known[cachekeys.CLOSURES_KEPT :]
        self._save(base)

    def _save(self, base: str) -> None:
        self.cache.put(cachekeys.index_key(base), self._index(base).encoded())

    def _entries(self, job: Job) -> list[gitrefs.Entry]:
        return self.repo.entries(job.side, [self.path(p) for p in job.settings.paths])

    def _started(
        self, job: Job, waiting: _Waiting, tries: Mapping[str, int]
    ) -> tuple[Sandbox, Load, _Given]:
        """A sandbox importing the job: given its view (``view.view``: its code, the files
        beside it, and what imports of the project read before), or every file once a view
        fell short ``_TRIES`` times."""
        box = self._sandbox()
        if job.database:
            load = _database_load(job, box.directory)
            box.send(load.request)
            return box, load, _Given(False, True, frozenset())
        entries = waiting.entries
        whole = waiting.base is None or tries.get(waiting.group, 0) >= _TRIES
        also = () if whole or waiting.base is None else self._index(waiting.base).also
        migrations = [self.path(v) for v in job.settings.version_locations]
        files, folders = (entries, []) if whole else view.view(entries, also, migrations)
        skipped = box.fill(lambda tree: self.repo.materialize(job.side, files, tree, folders))
        load = self._load(job, box.directory, tuple(skipped))
        box.send(load.request)
        return box, load, _Given(not skipped, whole, frozenset(e.path for e in files))

    def _finished(
        self, side: Side, answer: bytes | ModelLoadError, cached: _Waiting | None
    ) -> Loaded | ModelLoadError:
        told = _reads(answer)
        if isinstance(answer, ModuleMissingError):
            return Loaded(side, None, str(answer), reads=told)
        if isinstance(answer, ModelLoadError):
            return answer
        if cached is not None and cached.base is not None and told is not None:
            assert cached.tree is not None
            self.cache.put(self._key(cached.base, told, cached.tree), answer)
            self._learned(cached.base, told)
        return Loaded(side, load_packed(answer), reads=told)

    def _sandbox(self) -> Sandbox:
        return self._stack.enter_context(Sandbox.start())

    def _load(self, job: Job, directory: Path, skipped: tuple[str, ...]) -> Load:
        request = protocol.Request(
            directory=directory,
            repository=self.repo.top,
            prefix=self.repo.prefix,
            roots=job.settings.paths,
            locators=job.settings.metadata,
            imports=job.settings.imports,
            dialect=job.dialect,
            timeout=job.settings.timeout,
            env=job.settings.env,
            user_module_prefix=job.settings.user_module_prefix,
            confinement=self._confinement(job.settings),
        )
        return Load(request, job.side.label, skipped)

    def _confinement(self, settings: config.Settings) -> confine.Confinement:
        """How the import is confined; the note, once, when the kernel cannot do it."""
        note = confine.no_landlock(settings.sandbox)
        if settings.sandbox != "off" and not confine.available():
            if settings.sandbox == "strict":
                raise ModelLoadError(note)
            if note not in self.cache.notes:
                self.cache.notes.append(note)
        read = tuple(str(self.project / os.path.expanduser(p)) for p in settings.sandbox_read)
        return confine.Confinement(
            settings.sandbox, read, settings.memory_limit, settings.cpu_limit
        )

    def base(self, job: Job) -> str:
        """The key of all that decides the job's documents but its files."""
        return cache.key(
            {
                "prefix": self.repo.prefix,
                "roots": job.settings.paths,
                "locators": job.settings.metadata,
                **({"imports": job.settings.imports} if job.settings.imports else {}),
                "env": job.settings.env,
                "dialect": job.dialect,
                "user_module_prefix": job.settings.user_module_prefix,
                **({"sandbox": "strict"} if job.settings.sandbox == "strict" else {}),
                **cachekeys.environment(),
            }
        )

    def _key(self, base: str, reads: closure.Reads, tree: closure.Tree) -> str:
        """The cache key of a side's documents: the base, a closure, and what it holds."""
        held = tree.state(reads, self._digest)
        return cache.key({"base": base, "reads": reads.to_json(), "held": held})

    def _digest(self, entry: closure.Listed) -> str:
        if entry.blob is not None:
            return entry.blob
        try:
            return hashlib.sha256(self.repo.content(entry)).hexdigest()  # type: ignore[arg-type]
        except OSError:
            return "unreadable"


@dataclass(frozen=True, slots=True)
class _Waiting:
    """A job to import: its group (jobs with the same files import once), its base key
    (None: never cached), its files, and those made ready for ``closure``."""

    group: str
    base: str | None
    entries: list[gitrefs.Entry]
    tree: closure.Tree | None = None


@dataclass(frozen=True, slots=True)
class _Given:
    """What an import was given: all its files present (else not cached), every file (no
    view), and the paths written."""

    complete: bool
    whole: bool
    written: frozenset[str]


_TRIES = 3
"""Imports run again with what the view left out, before one is given every file."""


def _reads(answer: bytes | ModelLoadError) -> closure.Reads | None:
    """What the child said the import read, from its answer (or failure)."""
    if isinstance(answer, ModelLoadError):
        return closure.Reads.from_json(answer.reads)
    try:
        return closure.Reads.from_json(protocol.Answer.from_bytes(answer).reads)
    except ValueError:
        return None


def _database_load(job: Job, directory: Path) -> Load:
    assert job.database is not None
    request = protocol.Request(
        directory=directory,
        repository=Path(),
        prefix="",
        roots=(),
        locators=(),
        dialect=job.dialect,
        timeout=job.settings.timeout,
        database=job.database,
        include_schemas=job.settings.include_schemas,
    )
    return Load(request, job.side.label)


def _join(prefix: str, path: str) -> str:
    parts = [p for p in (prefix, path.strip("/")) if p and p != "."]
    return "/".join(parts) or "."


@contextlib.contextmanager
def session(directory: Path, use_cache: bool) -> Iterator[Session]:
    with contextlib.ExitStack() as stack:
        stack.callback(sandbox.finish)  # run last: once every sandbox of the session is closed
        yield Session(directory, use_cache, stack)


def _relative_to(prefix: str, path: str) -> str:
    """A path relative to the repository's top as one relative to the project directory."""
    return path.removeprefix(f"{prefix}/") if prefix and prefix != "." else path
