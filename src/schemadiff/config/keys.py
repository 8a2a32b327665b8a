"""``[tool.schemadiff]``: each key declared once, with the check its value passes and, when
the command line can set it too, its ``Flag``; the command-line ``Overrides``, checked by the
same functions (``given``).
"""

from __future__ import annotations

import posixpath
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from schemadiff import confine
from schemadiff.alembicfiles import Reader
from schemadiff.config.settings import DEFAULT_TIMEOUT
from schemadiff.discover import check_import, check_locator
from schemadiff.errors import ConfigError
from schemadiff.model import Level, Rule

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

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
