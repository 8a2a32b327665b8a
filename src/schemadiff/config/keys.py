"""``[tool.schemadiff]``: its keys, each checked as it is read; the command-line overrides,
checked the same way; the Settings they resolve into; the import roots when none is set.
"""

from __future__ import annotations

import logging
import posixpath
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from schemadiff import confine
from schemadiff.alembicfiles import Finder, Reader
from schemadiff.discover import check_import, check_locator, module_files
from schemadiff.errors import ConfigError
from schemadiff.escape import printable
from schemadiff.model import Level, Rule

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

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


EVERY_COMMAND = ("diff", "check", "revision", "snapshot", "log", "blame")
COMPARING = ("diff", "check", "revision")
"""The commands that compare two sides, and so take the options that decide a comparison."""


@dataclass(frozen=True, slots=True)
class Flag:
    """A key's command-line option: the same value, checked by the same function."""

    help: str
    takes: type = str
    """What it is given: ``str``, ``float``, ``bool`` (a flag) or ``list`` (repeatable)."""
    commands: tuple[str, ...] = EVERY_COMMAND
    name: str | None = None
    """The option's name when it is not ``--KEY``."""
    metavar: str | None = None
    negatable: bool = False
    """A ``bool`` with its ``--no-`` form, so the command line can say either."""
    parse: Callable[[list[str]], object] | None = None
    """Turns the repeated values into what the key takes in pyproject.toml."""


@dataclass(frozen=True, slots=True)
class Key:
    """One ``[tool.schemadiff]`` key: its check, and its option when it has one."""

    name: str
    check: Callable[[object, str], object]
    flag: Flag | None = None

    @property
    def field(self) -> str:
        """Its Settings field: its name in Python (``import`` is a keyword there)."""
        return "imports" if self.name == "import" else self.name.replace("-", "_")

    @property
    def option(self) -> str:
        """How the command line spells it."""
        return (self.flag.name if self.flag else None) or f"--{self.name}"


KEYS: dict[str, Key] = {}
"""Every key, by name, in the order declared below."""

LOOSENING = ("sandbox_read", "memory_limit", "cpu_limit")
"""Keys that loosen the confinement: under strict, the files of the code under review (which
may be a stranger's) cannot set them; only the command line can."""

_Check = Callable[[object, str], object]


def _key(name: str, flag: Flag | None = None) -> Callable[[_Check], _Check]:
    def register(check: _Check) -> _Check:
        KEYS[name] = Key(name, check, flag)
        return check

    return register


@_key("metadata", Flag("MetaData locator module:attr (repeatable).", list))
def _check_metadata(value: object, where: str) -> tuple[str, ...]:
    locators = (value,) if isinstance(value, str) else _string_list(value, "metadata", where)
    for locator in locators:
        check_locator(locator, where)
    return tuple(dict.fromkeys(locators))


@_key(
    "import",
    Flag(
        "Import this module (or call module:function()) before the locators (repeatable).",
        list,
        metavar="MODULE",
    ),
)
def _check_imports(value: object, where: str) -> tuple[str, ...]:
    modules = _string_list(value, "import", where)
    for module in modules:
        check_import(module, where)
    return tuple(dict.fromkeys(modules))


@_key("paths", Flag("Import root inside the project (repeatable).", list, name="--path"))
def _check_paths(value: object, where: str) -> tuple[str, ...]:
    """The roots as git names folders: ``./src`` and ``src/.`` are ``src``."""
    paths = _string_list(value, "paths", where)
    return tuple(posixpath.normpath(_inside(path, "paths", where) or ".") for path in paths)


@_key("snapshot")
def _check_snapshot(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip("/."):
        raise ConfigError(f'{where}: snapshot must be a file path, e.g. "schema.snapshot.json".')
    return _inside(value, "snapshot", where).strip("/")


def _inside(path: str, key: str, where: str) -> str:
    if path.startswith("/") or ".." in path.split("/"):
        raise ConfigError(f"{where}: {key} must stay inside the repository, not {path!r}.")
    return path


@_key("dialect", Flag("Dialect for DDL and comparison."))
def _check_dialect(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.isidentifier():
        raise ConfigError(f'{where}: dialect must be a name such as "postgresql", not {value!r}.')
    return value


MAX_TIMEOUT = 86400.0
"""A day: longer is a mistake, and ``inf``, ``nan`` or ``1e18`` would break the waits."""


@_key("timeout", Flag(f"Seconds allowed to import one side [{DEFAULT_TIMEOUT:g}].", float))
def _check_timeout(value: object, where: str) -> float:
    # `not 0 < value <= MAX` also refuses nan, which every comparison calls false.
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 < value <= MAX_TIMEOUT
    ):
        raise ConfigError(
            f"{where}: timeout must be a positive number of seconds, at most {MAX_TIMEOUT:g} "
            f"(a day), not {value!r}."
        )
    return float(value)


@_key("env")
def _check_env(value: object, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ConfigError(f'{where}: env must be a table of strings, e.g. env = {{ DEBUG = "0" }}.')
    return tuple(sorted(value.items()))


@_key(
    "sandbox",
    Flag(
        "Confine the model import: Landlock and limits [default]; strict for untrusted code.",
        metavar="|".join(confine.MODES),
    ),
)
def _check_sandbox(value: object, where: str) -> str:
    if value not in confine.MODES:
        raise ConfigError(
            f"{where}: sandbox must be one of {', '.join(confine.MODES)}, not {value!r}."
        )
    return str(value)


@_key("sandbox-read", Flag("A path the models may also read (repeatable).", list))
def _check_sandbox_read(value: object, where: str) -> tuple[str, ...]:
    return _string_list(value, "sandbox-read", where)


@_key("memory-limit")
def _check_memory_limit(value: object, where: str) -> int:
    words = "a whole number of MiB, at least 64"
    return int(_bounded(value, where, "memory-limit", words, kinds=int, between=(63, 1 << 40)))


@_key("cpu-limit")
def _check_cpu_limit(value: object, where: str) -> float:
    words = "a positive number of seconds"
    return _bounded(value, where, "cpu-limit", words, kinds=int | float, between=(0, 1e6))


def _bounded(
    value: object, where: str, key: str, words: str, *, kinds: Any, between: tuple[float, float]
) -> float:
    """``value`` when it is a number of ``kinds`` strictly ``between`` the two bounds (a TOML
    boolean is no number); else the error saying what ``key`` takes."""
    numeric = isinstance(value, kinds) and not isinstance(value, bool)
    number = float(cast(float, value)) if numeric else None
    if number is None or not between[0] < number < between[1]:
        raise ConfigError(f"{where}: {key} must be {words}, not {value!r}.")
    return number


@_key("include-schemas", Flag("Schema glob to keep (repeatable).", list))
def _check_include(value: object, where: str) -> tuple[str, ...]:
    return _string_list(value, "include-schemas", where)


@_key("exclude-tables", Flag("Table glob to drop (repeatable).", list))
def _check_exclude(value: object, where: str) -> tuple[str, ...]:
    return _string_list(value, "exclude-tables", where)


@_key("renames")
def _check_renames(value: object, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ConfigError(
            f"{where}: renames must be a table of names, e.g. "
            '[tool.schemadiff.renames] "user.email" = "user.email_address".'
        )
    for old, new in value.items():
        if old.count(".") != new.count(".") or old.count(".") > 1:
            raise ConfigError(
                f'{where}: renames {old!r} = {new!r}: write a table as "old" = "new" and a '
                'column as "table.old" = "table.new".'
            )
    return tuple(sorted(value.items()))


def rule_options(given: tuple[str, ...]) -> dict[str, str]:
    """``--rule RULE=LEVEL`` options as a table like ``[tool.schemadiff.check]``."""
    table = {}
    for option in given:
        rule, sep, level = option.partition("=")
        if not sep:
            raise ConfigError(f"--rule {option!r}: write it as RULE=LEVEL, e.g. locking=off.")
        table[rule.strip()] = level.strip()
    return table


@_key(
    "check",
    Flag(
        "error, warn or off (repeatable).",
        list,
        ("check",),
        name="--rule",
        metavar="RULE=LEVEL",
        parse=lambda given: rule_options(tuple(given)),
    ),
)
def check_levels(value: object, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise ConfigError(
            f'{where}: [tool.schemadiff.check] must be a table of rule = "error", "warn" or '
            '"off", e.g. destructive = "warn".'
        )
    for rule, level in value.items():
        if rule not in {r.value for r in Rule}:
            known = ", ".join(r.value for r in Rule)
            raise ConfigError(f"{where}: there is no rule {rule!r}. Rules: {known}.")
        if level not in {lv.value for lv in Level}:
            raise ConfigError(
                f'{where}: the level of {rule} must be "error", "warn" or "off", not {level!r}.'
            )
    return tuple(sorted(value.items()))


@_key("no-renames", Flag("Do not guess renames (declared ones stay).", bool, COMPARING))
def _check_no_renames(value: object, where: str) -> bool:
    return _boolean(value, "no-renames", where)


@_key("ignore-python-only", Flag("Drop type changes that keep the same DDL.", bool, ("diff",)))
def _check_ignore_python_only(value: object, where: str) -> bool:
    return _boolean(value, "ignore-python-only", where)


@_key(
    "render-as-batch",
    Flag(
        "Migrations in batch mode (op.batch_alter_table) [on SQLite only].",
        bool,
        COMPARING,
        negatable=True,
    ),
)
def _check_render_as_batch(value: object, where: str) -> bool:
    return _boolean(value, "render-as-batch", where)


@_key("user-module-prefix", Flag('Prefix for your own types, e.g. "mytypes.".'))
def _check_user_module_prefix(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.endswith("."):
        raise ConfigError(f'{where}: user-module-prefix must end with ".", e.g. "mytypes.".')
    return value


def _boolean(value: object, key: str, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: {key} must be true or false, not {value!r}.")
    return value


def _string_list(value: object, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {key} must be a list of strings, not {value!r}.")
    return tuple(value)


def parse_pyproject(data: bytes, where: str) -> dict[str, object] | None:
    """The checked ``[tool.schemadiff]`` table, with Python key names; None when absent."""
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{where} is not valid TOML: {exc}. Fix the file and run again."
        ) from None
    table = document.get("tool", {}).get("schemadiff")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [tool.schemadiff] must be a table.")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r} in [tool.schemadiff]. "
            f"Known keys: {', '.join(sorted(KEYS))}."
        )
    return {KEYS[k].field: KEYS[k].check(v, where) for k, v in table.items()}


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


def file_values(read: Reader, fallback: Reader | None, label: str) -> dict[str, object]:
    """The side's own [tool.schemadiff], else the working tree's, else nothing."""
    for reader, where in ((read, label), (fallback, "the working tree")):
        data = reader("pyproject.toml") if reader else None
        if data is not None:
            table = parse_pyproject(data, f"pyproject.toml at {where}")
            if table is not None:
                return table
    return {}


class Overrides:
    """The command line's values by Settings field, as given: each is checked like its key in
    pyproject.toml when a side's settings are resolved (``given``). A value left off (None,
    or empty) is not given, so the files still decide."""

    __slots__ = ("values",)

    def __init__(self, **values: object) -> None:
        unknown = set(values) - set(_BY_FIELD)
        if unknown:
            raise TypeError(f"no command-line option sets {', '.join(sorted(unknown))}")
        taken = ((f, tuple(v) if isinstance(v, list) else v) for f, v in values.items())
        self.values: tuple[tuple[str, object], ...] = tuple(
            sorted((f, v) for f, v in taken if v is not None and v != ())
        )

    def but(self, **values: object) -> Overrides:
        """These with ``values`` given too."""
        return Overrides(**{**dict(self.values), **values})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Overrides) and self.values == other.values

    def __hash__(self) -> int:
        return hash(self.values)

    def __repr__(self) -> str:
        return f"Overrides({', '.join(f'{f}={v!r}' for f, v in self.values)})"


def given(overrides: Overrides) -> dict[str, object]:
    """The command-line values, checked like the same keys in pyproject.toml."""
    checked = {}
    for field, value in overrides.values:
        key = _BY_FIELD[field]
        toml = list(value) if isinstance(value, tuple) else value
        if key.flag is not None and key.flag.parse is not None:
            toml = key.flag.parse(cast(list[str], toml))
        checked[field] = key.check(toml, key.option)
    return checked


_BY_FIELD = {key.field: key for key in KEYS.values()}
