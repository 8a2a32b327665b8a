"""The Settings one side resolves into, with the defaults; the import roots when nothing
sets ``paths`` (``default_paths``)."""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from schemadiff import confine
from schemadiff.alembicfiles import Finder
from schemadiff.discover import module_files
from schemadiff.escape import printable
from schemadiff.model import Level, Rule

DEFAULT_DIALECT = "postgresql"
DEFAULT_TIMEOUT = 60.0
DEFAULT_PATHS = (".", "src")
"""Where a project's code may be: at the top, or in a src layout (``default_paths``)."""
SNAPSHOT_NAME = "schemadiff.snapshot.json"
_log = logging.getLogger(__name__)
DEFAULT_LEVELS = {
    Rule.MIGRATION_REQUIRED: Level.ERROR,
    Rule.DESTRUCTIVE: Level.ERROR,
    Rule.DATA_DEPENDENT: Level.ERROR,
    Rule.BACKWARD_INCOMPATIBLE: Level.WARN,
    Rule.LOCKING: Level.WARN,
}


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything that decides how one side is loaded and compared."""

    metadata: tuple[str, ...]
    """Locators ``module:attr.path``, or ``module:function()`` to call."""
    imports: tuple[str, ...] = ()
    """Modules to import (or ``module:function()`` to call) before the locators are read:
    the models a project collects by importing them for their side effect."""
    paths: tuple[str, ...] = DEFAULT_PATHS
    """Import roots, relative to the project directory."""
    dialect: str = DEFAULT_DIALECT
    timeout: float = DEFAULT_TIMEOUT
    env: tuple[tuple[str, str], ...] = ()
    include_schemas: tuple[str, ...] = ()
    exclude_tables: tuple[str, ...] = ()
    renames: tuple[tuple[str, str], ...] = ()
    """``[tool.schemadiff.renames]``: old name -> new name (``table`` or ``table.column``)."""
    no_renames: bool = False
    ignore_python_only: bool = False
    user_module_prefix: str | None = None
    render_as_batch: bool | None = None
    """Batch mode (``op.batch_alter_table``) in migrations; None: only on SQLite."""
    snapshot: str | None = None
    """The snapshot file, relative to the project directory, as configured."""
    script_location: str | None = None
    """alembic.ini's script_location, relative to the project directory."""
    version_locations: tuple[str, ...] = ()
    """Where Alembic's revision files are, relative to the project directory."""
    check: tuple[tuple[str, str], ...] = ()
    """``[tool.schemadiff.check]``: rule name -> level, for the rules given a level."""
    sandbox: str = confine.DEFAULT_MODE
    """How the model import is confined: default, strict or off."""
    sandbox_read: tuple[str, ...] = ()
    """Paths (absolute, or relative to the project directory) the models may also read."""
    memory_limit: int = confine.DEFAULT_MEMORY_LIMIT
    """MiB of address space for one import."""
    cpu_limit: float = confine.DEFAULT_CPU_LIMIT
    """Seconds of CPU time for one import."""

    def level(self, rule: Rule) -> Level:
        given = dict(self.check).get(rule.value)
        return Level(given) if given else DEFAULT_LEVELS[rule]

    @property
    def alembic_files(self) -> tuple[str, ...]:
        """Alembic's files that decide the settings: alembic.ini at the project's top, and
        env.py and (Flask-Migrate's layout) alembic.ini in the script location."""
        inside = ("env.py", "alembic.ini") if self.script_location else ()
        return ("alembic.ini", *(f"{self.script_location}/{name}" for name in inside))

    @property
    def snapshot_path(self) -> str:
        """The snapshot file: as configured, else next to env.py, else at the project's top."""
        if self.snapshot:
            return self.snapshot
        if self.script_location:
            return posixpath.join(self.script_location, SNAPSHOT_NAME).removeprefix("./")
        return SNAPSHOT_NAME


def default_paths(locators: Sequence[str], find: Finder | None) -> tuple[str, ...]:
    """The import roots when nothing sets ``paths``: those of ``DEFAULT_PATHS`` (the top,
    ``src``) where the locators' modules are, so that an import is given the code it
    imports and not a whole repository; all of them when none is found there (a module
    installed, not in the tree) or the side's files cannot be listed. Told once under
    ``--debug``, with the reason."""
    modules = list(dict.fromkeys(text.partition(":")[0] for text in locators))
    found = _roots_of(modules, find) if find is not None else {}
    roots = tuple(r for r in DEFAULT_PATHS if r in found.values())
    if "." in roots:
        # The top holds every file anyway: ``src`` stays on the path, for a package at the
        # top that imports a module kept there.
        roots = DEFAULT_PATHS
    if roots:
        _tell(f"import roots: {', '.join(roots)} (where {_packages(found)})")
        return roots
    default = ", ".join(DEFAULT_PATHS)
    _tell(f"import roots: {default} (the default: {_packages(dict.fromkeys(modules, ''))})")
    return DEFAULT_PATHS


def _packages(found: dict[str, str]) -> str:
    """ "the locator's package app is", or "... is in neither . nor src" when not found."""
    names = list(dict.fromkeys(printable(m.split(".")[0]) for m in found))
    whose = "the locator's package" if len(names) == 1 else "the locators' packages"
    be = "is" if len(names) == 1 else "are"
    where = "" if all(found.values()) else f" in neither {' nor '.join(DEFAULT_PATHS)}"
    return f"{whose} {', '.join(names)} {be}{where}"


def _roots_of(modules: Sequence[str], find: Finder) -> dict[str, str]:
    """Each module's root among ``DEFAULT_PATHS``, by one listing: the first root holding
    the module's own file, else the first holding its top-level package (as Python's path
    search would find it, the roots being on ``sys.path`` in that order)."""
    names = {m: (m, m.split(".")[0]) for m in modules}
    globs = {
        f for n in names.values() for r in DEFAULT_PATHS for m in n for f in module_files(r, m)
    }
    listed = set(find(tuple(sorted(globs))))
    found = {}
    for module, candidates in names.items():
        for name in candidates:
            held = [r for r in DEFAULT_PATHS if listed.intersection(module_files(r, name))]
            if held:
                found[module] = held[0]
                break
    return found


_TOLD: set[str] = set()
"""Debug lines said in this run: settings are resolved for every side, a walk's many."""


def _tell(line: str) -> None:
    if line not in _TOLD:
        _TOLD.add(line)
        _log.debug("%s", line)
