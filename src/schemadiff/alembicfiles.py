"""What Alembic's own files say, read as text and with ``ast``, never run: ``alembic.ini``'s
``sqlalchemy.url``, ``prepend_sys_path``, ``script_location`` and ``version_locations``; where
Flask-Migrate's layout keeps them when no alembic.ini names a script location; and env.py's
``target_metadata`` and ``render_as_batch``.

``config`` decides what wins; this module only reads.
"""

from __future__ import annotations

import ast
import configparser
import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from schemadiff import discover
from schemadiff.errors import ConfigError

Reader = Callable[[str], "bytes | None"]
"""Reads a file of one side by its path relative to the project directory."""
Finder = Callable[["tuple[str, ...]"], "tuple[str, ...]"]
"""The paths of one side's files matching any of some globs (``*`` stays in one folder),
relative to the project directory."""


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
    imports = {i.name: (i.module, i.attribute) for i in discover.imports(tree.body)}
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "target_metadata" for t in node.targets
        ):
            return _locators_from_value(node.value, imports, f"{where}:{node.lineno}")
    return None, f"{where} assigns no target_metadata"


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
