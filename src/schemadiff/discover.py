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
    found = [
        m for name, m in _imported_modules(tree.body) if name not in used and _may_be_models(m)
    ]
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
    found = [m for _, m in _imported_modules(ast.walk(tree)) if _may_be_models(m)]
    return tuple(dict.fromkeys(found))


def _may_be_models(module: str) -> bool:
    return module.partition(".")[0] not in _NOT_MODELS


def _imported_modules(nodes: Iterable[ast.AST]) -> list[tuple[str, str]]:
    """(Name bound, module) for each import among ``nodes``; ``from pkg import name`` as the
    module ``pkg.name`` (the child imports it as ``from`` would)."""
    found = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found += [(a.asname or a.name, f"{node.module}.{a.name}") for a in node.names]
        elif isinstance(node, ast.Import):
            found += [(a.asname or a.name.partition(".")[0], a.name) for a in node.names]
    return [(name, module) for name, module in found if not module.endswith(".*")]


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
_APP_NAMES = ("app", "application")
_FACTORY_NAMES = ("create_app", "make_app")
_FLASK_APP = re.compile(rb"^\s*(?:export\s+)?FLASK_APP\s*=\s*['\"]?([^'\"#\s]+)", re.MULTILINE)


def flask_app(read: Reader, roots: Sequence[str]) -> str | None:
    """The locator of the project's Flask app (``module:app`` or ``module:create_app()``):
    FLASK_APP from .flaskenv or .env, else wsgi.py, app.py or the package ``app``, each
    holding an ``app``/``application`` or a ``create_app``/``make_app`` factory."""
    for name in FLASK_ENV_FILES:
        found = _FLASK_APP.search(read(name) or b"")
        if found:
            return _app_in(read, roots, found.group(1).decode("utf-8", "replace"))
    for name in FLASK_FILES:
        if (locator := _app_in(read, roots, name.removesuffix(".py"))) is not None:
            return locator
    return None


def _app_in(read: Reader, roots: Sequence[str], given: str) -> str | None:
    """FLASK_APP's ``module``, ``module:name`` or ``module:factory()`` as a locator; a name
    called with arguments, or a module without an app, is None."""
    module, _, name = given.partition(":")
    module = module.removesuffix(".py").replace("/", ".")
    if name:
        return f"{module}:{name}" if re.fullmatch(r"[\w.]+(\(\))?", name) else None
    source = _module_source(read, roots, module)
    tree = _parsed(source) if source is not None else None
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
