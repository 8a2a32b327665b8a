"""The exception family and the exit codes it maps to.

Every failure a user can cause is a ``SchemadiffError``: its message says what went wrong,
where, and what to do next. The CLI turns it into ``EXIT_USER`` in one place.
"""

from __future__ import annotations

EXIT_OK = 0
"""No differences, or differences without ``--exit-code``."""
EXIT_DIFFERENCES = 1
"""Differences found and ``--exit-code`` given (later: a failed check)."""
EXIT_USER = 2
"""The user's input, configuration, git state or models are at fault."""
EXIT_BUG = 3
"""A bug in schemadiff itself."""
EXIT_INTERRUPTED = 130
"""Stopped with Ctrl-C (SIGINT); SIGTERM makes it 143 (``stopping``: 128 + the signal)."""
EXIT_BROKEN_PIPE = 141
"""The reader of stdout went away (``schemadiff log | head``): 128 + SIGPIPE, as a shell
reports git stopped the same way. Nothing is said."""


class SchemadiffError(Exception):
    """An expected failure; ``str(error)`` is the whole message shown to the user."""

    detail: str = ""
    """More for ``--debug``: the user's whole traceback and what the child printed."""


class GitError(SchemadiffError):
    """git could not answer: not a repository, no commits, an unknown ref."""


class ConfigError(SchemadiffError):
    """pyproject.toml, alembic.ini or a command-line option is invalid."""


class ModelLoadError(SchemadiffError):
    """The models at one side could not be imported or are not usable."""

    file: str | None = None
    """The file the import failed in, relative to the sandbox tree, when the child named one."""
    reads: object = None
    """What the import read before it failed, as the child told it (``closure.Reads``'s
    JSON); None when it told nothing (it was stopped, or died)."""


class ModelTimeoutError(ModelLoadError):
    """Importing the models at one side took longer than the timeout."""
