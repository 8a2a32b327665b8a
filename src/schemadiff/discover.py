"""Where the models are: how a locator is spelled, and what a project's own files say about
it, read as text or with ``ast`` and never run: the modules env.py imports for their side
effect, and the Flask app that a Flask-Migrate env.py takes its models from (found the way
``flask`` finds it)."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from schemadiff.errors import ConfigError
from schemadiff.escape import printable

Reader = Callable[[str], "bytes | None"]
"""Reads a file of one side by its path relative to the project directory."""


@dataclass(frozen=True, slots=True)
class Locator:
    """``module:attr.path``, or ``module:attr.path()``: a value found, or a function called.

    The parent only checks the spelling; the child alone imports and calls (``_child``)."""

    module: str
    attributes: tuple[str, ...]
    call: bool

    @classmethod
    def parse(cls, text: str) -> Locator | None:
        """The locator ``text`` spells; None when it is not one."""
        module, _, attrs = text.partition(":")
        call = attrs.endswith("()")
        attributes = tuple(attrs.removesuffix("()").split(".")) if attrs else ()
        parts = [*module.split("."), *attributes]
        if not attributes or not all(p.isidentifier() for p in parts):
            return None
        return cls(module, attributes, call)


def check_locator(locator: str, where: str) -> None:
    if Locator.parse(locator) is None:
        raise ConfigError(
            f'{where}: {locator!r} is not a locator. Write it as "package.module:attribute", '
            'e.g. "app.models:Base.metadata", or "app:create_app()" to call a function.'
        )


def check_import(module: str, where: str) -> None:
    """An ``import`` entry: a module name, or ``module:function()``."""
    found = Locator.parse(module)
    plain = all(p.isidentifier() for p in module.split("."))
    if not plain and (found is None or not found.call):
        raise ConfigError(
            f'{where}: import {module!r} is not a module. Write it as "package.module", or '
            '"package.module:function()" to call a function first.'
        )


def imports_from_env(source: bytes) -> tuple[str, ...]:
    """The modules env.py imports for their side effect (the models of a project that
    collects them by import): module-level imports whose names env.py never uses, outside
    the standard library, Alembic and SQLAlchemy."""
    tree = _parsed(source)
    if tree is None:
        return ()
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    found = [i.imported for i in imports(tree.body) if i.name not in used]
    found = [m for m in found if _may_be_models(m)]
    return tuple(dict.fromkeys(found))


_NOT_MODELS = frozenset(
    {*sys.stdlib_module_names, "alembic", "sqlalchemy", "flask", "flask_migrate", "__future__"}
)


def env_modules(source: bytes) -> tuple[str, ...]:
    """Every module env.py imports, anywhere in it, outside the standard library, Alembic,
    SQLAlchemy and Flask: what to name when its models are not found."""
    tree = _parsed(source)
    if tree is None:
        return ()
    found = [i.imported for i in imports(ast.walk(tree)) if _may_be_models(i.imported)]
    return tuple(dict.fromkeys(found))


def _may_be_models(module: str) -> bool:
    return module.partition(".")[0] not in _NOT_MODELS


@dataclass(frozen=True, slots=True)
class Import:
    """One name an import statement binds, read with ``ast``."""

    name: str
    """The name bound: ``a`` for ``import a.b``, ``x`` for ``import a.b as x``."""
    module: str
    """The module the name is (``import``) or is taken from (``from``): ``a`` for
    ``import a.b``, ``a.b`` for ``import a.b as x``, ``pkg`` for ``from pkg import name``."""
    attribute: str
    """The name ``from`` takes from the module; empty for ``import``."""
    imported: str
    """The module the statement imports, as the child imports it: ``a.b`` for ``import a.b``,
    ``pkg.name`` for ``from pkg import name`` (a submodule, or a name defined in ``pkg``)."""


def imports(nodes: Iterable[ast.AST]) -> list[Import]:
    """The names the absolute imports among ``nodes`` bind (``from pkg import *`` binds none
    that can be told)."""
    found = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found += [
                Import(a.asname or a.name, node.module, a.name, f"{node.module}.{a.name}")
                for a in node.names
                if a.name != "*"
            ]
        elif isinstance(node, ast.Import):
            found += [_plain_import(a) for a in node.names]
    return found


def _plain_import(alias: ast.alias) -> Import:
    """``import a.b`` binds ``a``, the package; ``import a.b as x`` binds ``x``, the module."""
    bound = alias.name if alias.asname else alias.name.partition(".")[0]
    return Import(alias.asname or bound, bound, "", alias.name)


def takes_flask_app(source: bytes) -> bool:
    """Whether env.py takes its models from Flask's ``current_app`` (Flask-Migrate's
    template: ``current_app.extensions['migrate'].db``)."""
    tree = _parsed(source)
    return tree is not None and any(
        isinstance(node, ast.ImportFrom)
        and node.module == "flask"
        and any(a.name == "current_app" for a in node.names)
        for node in tree.body
    )


FLASK_FILES = ("wsgi.py", "app.py")
"""Where ``flask`` looks for the app when FLASK_APP is not set (``app`` may be a package)."""
FLASK_ENV_FILES = (".flaskenv", ".env")
"""Where FLASK_APP may be set, the later winning (``flask``'s ``load_dotenv`` merges them so)."""
NO_FLASK_APP = (
    "no app was found: no FLASK_APP in .flaskenv or .env, no app or create_app() in wsgi.py, "
    "app.py or app/"
)
_APP_NAMES = ("app", "application")
_FACTORY_NAMES = ("create_app", "make_app")
_FLASK_APP = re.compile(
    rb"""^[ \t]*(?:export[ \t]+)?FLASK_APP[ \t]*=[ \t]*("[^"\r\n]*"|'[^'\r\n]*'|[^\r\n#]*)""",
    re.MULTILINE,
)


def flask_app(read: Reader, roots: Sequence[str]) -> tuple[str | None, str]:
    """The locator of the project's Flask app (``module:app`` or ``module:create_app()``), or
    None and why: FLASK_APP from .flaskenv or .env, else wsgi.py, app.py or the package
    ``app``, each holding an ``app``/``application`` or a ``create_app``/``make_app`` factory."""
    setting = _flask_app_setting(read)
    if setting is not None:
        return _app_named(read, roots, *setting)
    for name in FLASK_FILES:
        module = name.removesuffix(".py")
        source = _module_source(read, roots, module)
        if source is not None and (locator := _app_in(module, source)) is not None:
            return locator, ""
    return None, NO_FLASK_APP


def _flask_app_setting(read: Reader) -> tuple[str, str] | None:
    """(file, value) of FLASK_APP as ``flask`` reads it: .env over .flaskenv, a file's last
    assignment over its earlier ones, quotes removed; an empty value is unset."""
    setting = None
    for name in FLASK_ENV_FILES:
        found = _FLASK_APP.findall(read(name) or b"")
        if found:
            value = found[-1].decode("utf-8", "replace").strip()
            if len(value) > 1 and value[0] in "'\"" and value[-1] == value[0]:
                value = value[1:-1].strip()
            setting = (name, value) if value else None
    return setting


def _app_named(read: Reader, roots: Sequence[str], file: str, value: str) -> tuple[str | None, str]:
    """FLASK_APP's ``module``, ``module:name`` or ``module:factory()`` as a locator, or why
    it cannot be one."""
    said = f"FLASK_APP in {file}"
    path, _, name = value.partition(":")
    module = _flask_module(read, path)
    if Locator.parse(f"{module}:{name or 'app'}") is None:
        if "(" in name:
            return None, (
                f'{said}, "{printable(value)}", calls the app factory with arguments; a locator '
                "calls it with none"
            )
        return None, f'{said}, "{printable(value)}", is not a module or module:name'
    source = _module_source(read, roots, module)
    if source is None:
        where = ", ".join(roots)
        return (
            None,
            f"{said} names the module {printable(module)}, which is not in the tree ({where})",
        )
    locator = f"{module}:{name}" if name else _app_in(module, source)
    if locator is None:
        return None, (
            f"{said} names the module {printable(module)}, which defines no app, application, "
            "create_app() or make_app()"
        )
    return locator, ""


def _flask_module(read: Reader, path: str) -> str:
    """The module a FLASK_APP path or module name means: a file's ``.py`` and a package's
    ``/__init__`` dropped, then the folders that are packages joined with dots (a folder that
    is none is where ``flask`` imports from)."""
    parts = path.strip().removesuffix(".py").split("/")
    if len(parts) > 1 and parts[-1] == "__init__":
        parts.pop()
    start = len(parts) - 1
    while start > 0 and read("/".join([*parts[:start], "__init__.py"])) is not None:
        start -= 1
    return ".".join(parts[start:])


def _app_in(module: str, source: bytes) -> str | None:
    """The locator of the app or app factory ``module`` defines, None when none."""
    tree = _parsed(source)
    if tree is None:
        return None
    defined = _top_level_names(tree)
    for attr in _APP_NAMES:
        if attr in defined:
            return f"{module}:{attr}"
    for factory in _FACTORY_NAMES:
        if factory in defined:
            return f"{module}:{factory}()"
    return None


def _module_source(read: Reader, roots: Sequence[str], module: str) -> bytes | None:
    for root in roots:
        for candidate in module_files(root, module):
            if (source := read(candidate)) is not None:
                return source
    return None


def module_files(root: str, module: str) -> tuple[str, str]:
    """Where ``module`` is below the import root ``root``: ``a/b.py`` or ``a/b/__init__.py``."""
    prefix = "" if root in ("", ".") else f"{root.strip('/')}/"
    path = module.replace(".", "/")
    return f"{prefix}{path}.py", f"{prefix}{path}/__init__.py"


def _top_level_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.ImportFrom):
            names.update(a.asname or a.name for a in node.names)
    return names


def _parsed(source: bytes) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None
