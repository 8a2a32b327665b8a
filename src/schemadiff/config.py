"""Settings: ``[tool.schemadiff]``, command-line overrides and what Alembic's files say.

For one side, every value comes from the first of: the command line; the ``[tool.schemadiff]``
of that side's tree (or the working tree's when that side has none); Alembic's own files
(``alembic.ini``'s ``sqlalchemy.url`` and ``prepend_sys_path``, ``env.py``'s
``target_metadata``, read with ``ast`` and never executed); the defaults.
"""

from __future__ import annotations

import ast
import configparser
import posixpath
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, cast

from schemadiff import confine, discover
from schemadiff.discover import Locator, check_import, check_locator
from schemadiff.errors import ConfigError
from schemadiff.model import Level, Rule

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

Reader = Callable[[str], "bytes | None"]
"""Reads a file of one side by its path relative to the project directory."""
Finder = Callable[["tuple[str, ...]"], "tuple[str, ...]"]
"""The paths of one side's files matching any of some globs (``*`` stays in one folder),
relative to the project directory."""

DEFAULT_DIALECT = "postgresql"
DEFAULT_TIMEOUT = 60.0
DEFAULT_PATHS = (".", "src")
SNAPSHOT_NAME = "schemadiff.snapshot.json"
DEFAULT_LEVELS = {
    Rule.MIGRATION_REQUIRED: Level.ERROR,
    Rule.DESTRUCTIVE: Level.ERROR,
    Rule.DATA_DEPENDENT: Level.ERROR,
    Rule.BACKWARD_INCOMPATIBLE: Level.WARN,
    Rule.LOCKING: Level.WARN,
}


@dataclass(frozen=True, slots=True)
class Overrides:
    """Values given on the command line; None (or empty) means "not given"."""

    metadata: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()
    """``--import MODULE``: modules imported (or ``module:function()`` called) first."""
    paths: tuple[str, ...] = ()
    dialect: str | None = None
    timeout: float | None = None
    include_schemas: tuple[str, ...] = ()
    exclude_tables: tuple[str, ...] = ()
    no_renames: bool | None = None
    ignore_python_only: bool | None = None
    user_module_prefix: str | None = None
    render_as_batch: bool | None = None
    sandbox: str | None = None
    sandbox_read: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    """``--rule RULE=LEVEL``: each overrides that rule's level in ``[tool.schemadiff.check]``."""


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


_KEYS: dict[str, Callable[[object, str], object]] = {}

_LOOSENING = ("sandbox_read", "memory_limit", "cpu_limit")
"""Keys that loosen the confinement: under strict, the files of the code under review (which
may be a stranger's) cannot set them; only the command line can."""


def _key(name: str) -> Callable[[Callable[[object, str], object]], Callable[[object, str], object]]:
    def register(check: Callable[[object, str], object]) -> Callable[[object, str], object]:
        _KEYS[name] = check
        return check

    return register


@_key("metadata")
def _check_metadata(value: object, where: str) -> tuple[str, ...]:
    locators = (value,) if isinstance(value, str) else _string_list(value, "metadata", where)
    for locator in locators:
        check_locator(locator, where)
    return tuple(dict.fromkeys(locators))


@_key("import")
def _check_imports(value: object, where: str) -> tuple[str, ...]:
    modules = _string_list(value, "import", where)
    for module in modules:
        check_import(module, where)
    return tuple(dict.fromkeys(modules))


@_key("paths")
def _check_paths(value: object, where: str) -> tuple[str, ...]:
    paths = _string_list(value, "paths", where)
    for path in paths:
        _inside(path, "paths", where)
    return paths


@_key("snapshot")
def _check_snapshot(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip("/."):
        raise ConfigError(f'{where}: snapshot must be a file path, e.g. "schema.snapshot.json".')
    return _inside(value, "snapshot", where).strip("/")


def _inside(path: str, key: str, where: str) -> str:
    if path.startswith("/") or ".." in path.split("/"):
        raise ConfigError(f"{where}: {key} must stay inside the repository, not {path!r}.")
    return path


@_key("dialect")
def _check_dialect(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.isidentifier():
        raise ConfigError(f'{where}: dialect must be a name such as "postgresql", not {value!r}.')
    return value


MAX_TIMEOUT = 86400.0
"""A day: longer is a mistake, and ``inf``, ``nan`` or ``1e18`` would break the waits."""


@_key("timeout")
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


@_key("sandbox")
def _check_sandbox(value: object, where: str) -> str:
    if value not in confine.MODES:
        raise ConfigError(
            f"{where}: sandbox must be one of {', '.join(confine.MODES)}, not {value!r}."
        )
    return str(value)


@_key("sandbox-read")
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


@_key("include-schemas")
def _check_include(value: object, where: str) -> tuple[str, ...]:
    return _string_list(value, "include-schemas", where)


@_key("exclude-tables")
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


@_key("check")
def _check_levels(value: object, where: str) -> tuple[tuple[str, str], ...]:
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


def _rule_options(given: tuple[str, ...]) -> dict[str, str]:
    """``--rule RULE=LEVEL`` options as a table like ``[tool.schemadiff.check]``."""
    table = {}
    for option in given:
        rule, sep, level = option.partition("=")
        if not sep:
            raise ConfigError(f"--rule {option!r}: write it as RULE=LEVEL, e.g. locking=off.")
        table[rule.strip()] = level.strip()
    return table


@_key("no-renames")
def _check_no_renames(value: object, where: str) -> bool:
    return _boolean(value, "no-renames", where)


@_key("ignore-python-only")
def _check_ignore_python_only(value: object, where: str) -> bool:
    return _boolean(value, "ignore-python-only", where)


@_key("render-as-batch")
def _check_render_as_batch(value: object, where: str) -> bool:
    return _boolean(value, "render-as-batch", where)


@_key("user-module-prefix")
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
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r} in [tool.schemadiff]. "
            f"Known keys: {', '.join(sorted(_KEYS))}."
        )
    return {_field(k): _KEYS[k](v, where) for k, v in table.items()}


def _field(key: str) -> str:
    """The Settings field of a key: its name in Python (``import`` is a keyword there)."""
    return "imports" if key == "import" else key.replace("-", "_")


@dataclass(frozen=True, slots=True)
class AlembicHints:
    """What Alembic's own files say about the models, each None when they say nothing."""

    metadata: tuple[str, ...] | None = None
    dialect: str | None = None
    paths: tuple[str, ...] | None = None
    problem: str | None = None
    """Why env.py's target_metadata could not be used, when it could not."""
    script_location: str | None = None
    version_locations: tuple[str, ...] | None = None
    imports: tuple[str, ...] | None = None
    """The modules env.py imports for their side effect."""
    render_as_batch: bool | None = None
    """What env.py's ``context.configure(render_as_batch=...)`` says; True in Flask-Migrate's
    layout, whose ``Migrate(render_as_batch=True)`` default reaches env.py's configure."""


FLASK_MIGRATE_FOLDER = "migrations"
"""Flask-Migrate's default ``directory``: the one chosen when several folders qualify."""
_ALEMBIC_FILES = ("alembic.ini", "env.py", "script.py.mako")
"""What ``flask db init`` (any template) and ``alembic init`` put in the migrations folder."""


def read_alembic(read: Reader, label: str, find: Finder | None = None) -> AlembicHints:
    """What Alembic's files say: the project's alembic.ini and the script location it names;
    without one that names it, Flask-Migrate's layout (see ``migrations_folder``)."""
    ini, here = read("alembic.ini"), "."
    section = _alembic_section(ini, "alembic.ini", label) if ini is not None else None
    if (section is None or not section.get("script_location")) and find is not None:
        folder = migrations_folder(find)
        if folder is not None:
            where = f"{folder}/alembic.ini"
            section, here = _alembic_section(read(where) or b"", where, label), folder
    if section is None:
        return AlembicHints()
    dialect = dialect_from_url(section.get("sqlalchemy.url", ""))
    separator = section.get("path_separator")
    paths = _split_sys_path(section.get("prepend_sys_path"), separator, here)
    raw_location = here if here != "." else (section.get("script_location") or "").strip()
    location = _relative(raw_location, here)
    if not raw_location or ":" in location:
        return AlembicHints(dialect=dialect, paths=paths)
    versions = _split_sys_path(section.get("version_locations"), separator, here)
    versions = tuple(_relative(v, here) for v in versions or (f"{location}/versions",))
    found = AlembicHints(dialect=dialect, paths=paths, script_location=location)
    found = replace(found, version_locations=versions, render_as_batch=here != "." or None)
    return _from_env(found, read(f"{location}/env.py"), f"{location}/env.py at {label}")


def _from_env(found: AlembicHints, env: bytes | None, where: str) -> AlembicHints:
    if env is None:
        return found
    metadata, problem = locators_from_env(env, where)
    batch = batch_from_env(env)
    batch = found.render_as_batch if batch is None else batch
    return replace(found, metadata=metadata, problem=problem, render_as_batch=batch)


def _alembic_section(ini: bytes, where: str, label: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(defaults={"here": "."}, interpolation=None)
    try:
        parser.read_string(ini.decode("utf-8", "replace"))
    except configparser.Error as exc:
        raise ConfigError(f"{where} at {label} cannot be read: {exc}") from None
    return parser["alembic"] if parser.has_section("alembic") else parser[parser.default_section]


def migrations_folder(find: Finder) -> str | None:
    """The folder, one or two levels below the project directory, holding alembic.ini,
    env.py and script.py.mako: what ``flask db init [-d DIR]`` makes, its alembic.ini naming
    no script location (Flask-Migrate passes the folder itself). When several qualify,
    ``migrations`` (Flask-Migrate's default), else none: a guess would be unpredictable."""
    globs = tuple(f"{depth}{name}" for depth in ("*/", "*/*/") for name in _ALEMBIC_FILES)
    found = find(globs)
    folders = sorted(
        folder
        for folder in {posixpath.dirname(p) for p in found}
        if all(f"{folder}/{name}" in found for name in _ALEMBIC_FILES)
    )
    if len(folders) == 1:
        return folders[0]
    return FLASK_MIGRATE_FOLDER if FLASK_MIGRATE_FOLDER in folders else None


def batch_from_env(source: bytes) -> bool | None:
    """``render_as_batch`` as env.py's ``context.configure(...)`` calls give it (a literal),
    read with ``ast``: True when a call says True (Alembic's template configures the offline
    and the online run apart, and one may be left plain), False when one says False."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    said = {
        keyword.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "configure"
        for keyword in node.keywords
        if keyword.arg == "render_as_batch"
        and isinstance(keyword.value, ast.Constant)
        and isinstance(keyword.value.value, bool)
    }
    return True if True in said else (False if said else None)


def _relative(path: str, here: str = ".") -> str:
    """An alembic.ini path as a path relative to the project: ``%(here)s`` is the folder of
    alembic.ini, a relative path is taken from the project (where Alembic and Flask run)."""
    return posixpath.normpath(path.replace("%(here)s", here).strip().strip("/") or ".")


def dialect_from_url(url: str) -> str | None:
    scheme = url.strip().partition("://")[0].partition("+")[0]
    if not scheme or not scheme.isidentifier() or scheme == "driver":  # alembic init's placeholder
        return None
    return "postgresql" if scheme == "postgres" else scheme


def _split_sys_path(
    value: str | None, separator: str | None, here: str = "."
) -> tuple[str, ...] | None:
    if not value:
        return None
    sep = {"space": " ", "newline": "\n", "os": ":", "colon": ":", ";": ";", None: None}.get(
        separator, separator
    )
    parts = value.split(sep) if sep else value.replace(",", " ").split()
    found = tuple(p.strip().replace("%(here)s", here) for p in parts if p.strip())
    return found or None


def locators_from_env(source: bytes, where: str) -> tuple[tuple[str, ...] | None, str | None]:
    """Read ``target_metadata = ...`` from env.py without running it."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return None, f"{where}:{exc.lineno} has a SyntaxError"
    imports = _import_bindings(tree)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "target_metadata" for t in node.targets
        ):
            return _locators_from_value(node.value, imports, f"{where}:{node.lineno}")
    return None, f"{where} assigns no target_metadata"


def _import_bindings(tree: ast.Module) -> dict[str, tuple[str, str]]:
    """Local name -> (module, attribute path) for the module-level imports of env.py."""
    bindings: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                bindings[alias.asname or alias.name] = (node.module, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bindings[alias.asname] = (alias.name, "")
                else:
                    top = alias.name.split(".")[0]
                    bindings[top] = (top, "")
    return bindings


def _locators_from_value(
    value: ast.expr, imports: Mapping[str, tuple[str, str]], where: str
) -> tuple[tuple[str, ...] | None, str | None]:
    items = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
    locators = []
    for item in items:
        chain = _attribute_chain(item)
        if chain is None or chain[0] not in imports:
            return None, f"{where}: target_metadata is not taken from an imported module"
        module, attribute = imports[chain[0]]
        path = ".".join(p for p in (attribute, *chain[1:]) if p)
        if not path:
            return None, f"{where}: target_metadata names a module, not a MetaData"
        locators.append(f"{module}:{path}")
    return tuple(locators), None


def _attribute_chain(node: ast.expr) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *parts]


def resolve(
    read: Reader,
    fallback: Reader | None,
    overrides: Overrides,
    label: str,
    finders: tuple[Finder | None, Finder | None] = (None, None),
) -> Settings:
    """The settings of one side; ``fallback`` reads the working tree when the side is not it;
    ``finders`` look for files on the side and on the working tree."""
    file_values = _file_values(read, fallback, label)
    hints = read_alembic(read, label, finders[0])
    if hints.metadata is None and fallback is not None:
        hints = _merge_hints(hints, read_alembic(fallback, "the working tree", finders[1]))
    values: dict[str, Any] = {}
    hints = _env_extras(hints, read, fallback)
    for key in ("metadata", "dialect", "paths", "script_location", "version_locations", "imports"):
        if getattr(hints, key):
            values[key] = getattr(hints, key)
    if hints.render_as_batch is not None:
        values["render_as_batch"] = hints.render_as_batch
    given = _given(overrides)
    if given.get("sandbox", file_values.get("sandbox")) == "strict":
        file_values = {k: v for k, v in file_values.items() if k not in _LOOSENING}
    values.update(file_values)
    values.update(given)
    if overrides.rules:
        levels: dict[str, str] = dict(values.get("check", ()))
        rules = _rule_options(overrides.rules)
        _check_levels(rules, "--rule")
        levels.update(rules)
        values["check"] = tuple(sorted(levels.items()))
    if not values.get("metadata"):
        raise ConfigError(_no_metadata_message(hints, label))
    return Settings(**values)


def _env_extras(hints: AlembicHints, read: Reader, fallback: Reader | None) -> AlembicHints:
    """The hints, with what env.py (the side's, else the working tree's) does besides
    naming target_metadata: the modules it imports for their side effect (the side's own
    env.py only: another's may name modules this side does not have); and, when it takes the
    models from the Flask app, that app, found the way ``flask`` finds it."""
    path = f"{hints.script_location}/env.py"
    readers = [r for r in (read, fallback) if r is not None and hints.script_location]
    for reader in readers:
        source = reader(path)
        if source is None:
            continue
        if reader is read:
            hints = replace(hints, imports=discover.imports_from_env(source) or None)
        if hints.metadata is None and discover.takes_flask_app(source):
            app = discover.flask_app(reader, hints.paths or DEFAULT_PATHS)
            found = (app,) if app and Locator.parse(app) else None
            problem = None if found else f"{path} {FLASK_APP_PROBLEM}"
            hints = replace(hints, metadata=found, problem=problem)
        break
    return hints


FLASK_APP_PROBLEM = (
    "takes the models from the Flask app, and no app was found: no FLASK_APP in .flaskenv or "
    ".env, no app or create_app() in wsgi.py, app.py or app/"
)


def _file_values(read: Reader, fallback: Reader | None, label: str) -> dict[str, object]:
    """The side's own [tool.schemadiff], else the working tree's, else nothing."""
    for reader, where in ((read, label), (fallback, "the working tree")):
        data = reader("pyproject.toml") if reader else None
        if data is not None:
            table = parse_pyproject(data, f"pyproject.toml at {where}")
            if table is not None:
                return table
    return {}


def _merge_hints(own: AlembicHints, other: AlembicHints) -> AlembicHints:
    return AlembicHints(
        metadata=other.metadata,
        dialect=own.dialect or other.dialect,
        paths=own.paths or other.paths,
        problem=own.problem or other.problem,
        script_location=own.script_location or other.script_location,
        version_locations=own.version_locations or other.version_locations,
        render_as_batch=_first_said(own.render_as_batch, other.render_as_batch),
    )


def _first_said(own: bool | None, other: bool | None) -> bool | None:
    return other if own is None else own


def _given(overrides: Overrides) -> dict[str, object]:
    """The command-line values, checked like the same keys in pyproject.toml."""
    given: dict[str, object] = {
        "metadata": list(overrides.metadata),
        "import": list(overrides.imports),
        "paths": list(overrides.paths),
        "dialect": overrides.dialect,
        "timeout": overrides.timeout,
        "include-schemas": list(overrides.include_schemas),
        "exclude-tables": list(overrides.exclude_tables),
        "no-renames": overrides.no_renames,
        "ignore-python-only": overrides.ignore_python_only,
        "user-module-prefix": overrides.user_module_prefix,
        "render-as-batch": overrides.render_as_batch,
        "sandbox": overrides.sandbox,
        "sandbox-read": list(overrides.sandbox_read),
    }
    return {
        _field(key): _KEYS[key](value, f"--{key}".replace("paths", "path"))
        for key, value in given.items()
        if value is not None and value != []
    }


def _no_metadata_message(hints: AlembicHints, label: str) -> str:
    why = f" ({hints.problem})" if hints.problem else ""
    example = (
        "yourapp:create_app()"
        if hints.problem and hints.problem.endswith(FLASK_APP_PROBLEM)
        else "package.module:Base.metadata"
    )
    return (
        f'No MetaData to compare at {label}{why}. Set metadata = "{example}" '
        "under [tool.schemadiff] in pyproject.toml, or pass --metadata."
    )
