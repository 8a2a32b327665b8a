"""The repository of the ``real-shape`` benchmark (``benchmarks/suites/real_shape.py``): a
history shaped like a real SQLAlchemy + Alembic application's, written with
``git fast-import``.

``plan_history`` decides what each commit does (cheap: the targets need it before anything is
built); ``history_stream`` writes the commits; ``measured_shape`` counts, with git, what was
built. The root holds a frontend tree of FRONTEND_FILES ``.js``/``.css``/``.json`` files in
nested folders, ``app/models`` (a package of DOMAINS modules, TABLES tables, base.py and an
``__init__`` that imports them), ``app/api`` and ``app/services`` (non-model Python that imports
the models and the settings; the models import neither), ``app/settings.py``, ``migrations/``
(env.py, script.py.mako, one revision per model change) and a pyproject.toml whose
``[tool.schemadiff]`` names ``app.models:Base.metadata`` and leaves ``paths`` unset. Of the
other commits, PYTHON_SHARE edit or add non-model Python, MODEL_SHARE change the models (a
column, a table, or a new module the package imports) and the rest the frontend (modify, add,
delete). Until commit OLD_ERA x commits the models import LEGACY, which is not installed: a
long stretch of history whose models fail to import.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.generator.models import BASE_MODULE, Column, Table, generate_table
from benchmarks.generator.realplan import (
    AREAS,
    DOMAINS,
    FRONTEND_FILES,
    LANGUAGES,
    LEGACY,
    NEW_DOMAINS,
    PACKAGE,
    PARTS,
    SEED,
    TABLES,
    Plan,
    Step,
)
from benchmarks.generator.realtexts import (
    ALEMBIC_INI,
    ENV_PY,
    MIGRATION,
    MODELS_HEADER,
    PYPROJECT,
    SCRIPT_MAKO,
    frontend_text,
    python_text,
)
from benchmarks.harness import BenchError, python_env, run_imports
from benchmarks.repos import export, fast_import_commit, git
from testsupport.gitenv import clean_env

# ---------------------------------------------------------------------------------------
# The tree being written


@dataclass
class Tree:
    """The files of the tree being written, as the generator's state: texts are rendered from
    it, so a change is a new revision number or one more table."""

    tables: list[Table]
    modules: list[str]
    python: dict[str, int]
    frontend: dict[str, int]
    migrations: list[str] = field(default_factory=list)
    legacy: bool = True
    blame_table: Table | None = None
    files_made: int = 0


def initial_tree() -> Tree:
    rng = random.Random(SEED + 2)
    tables = [generate_table(rng, number) for number in range(TABLES)]
    per_domain = TABLES // len(DOMAINS)
    for table in tables:
        table.module = DOMAINS[min(table.number // per_domain, len(DOMAINS) - 1)]
    python = {f"app/api/{d}.py": 1 for d in DOMAINS} | {f"app/services/{d}.py": 1 for d in DOMAINS}
    for extra in range(10):
        python[f"app/services/helpers_{extra:02d}.py"] = 1
        python[f"app/api/views_{extra:02d}.py"] = 1
    python["app/settings.py"] = 1
    tree = Tree(tables, list(DOMAINS), python, {})
    for _ in range(FRONTEND_FILES):
        tree.frontend[new_frontend_path(tree, rng)] = 1
    return tree


def new_frontend_path(tree: Tree, rng: random.Random) -> str:
    tree.files_made += 1
    number, area = tree.files_made, rng.choice(AREAS)
    kind = rng.random()
    if kind < 0.55:
        return f"frontend/src/components/{area}/{rng.choice(PARTS)}/Component{number:04d}.js"
    if kind < 0.8:
        return f"frontend/src/styles/{area}/style-{number:04d}.css"
    return f"frontend/src/locales/{rng.choice(LANGUAGES)}/{area}-{number:04d}.json"


def models_init(tree: Tree) -> str:
    legacy = f"import {LEGACY}  # the old ORM glue: gone from today's environment\n\n"
    imports = "".join(f"from app.models import {module}\n" for module in tree.modules)
    head = legacy if tree.legacy else ""
    return f'"""The application\'s models."""\n\n{head}from app.models.base import Base\n{imports}'


def model_module(tree: Tree, module: str) -> str:
    members = [table for table in tree.tables if table.module == module]
    body = "\n\n\n".join(table.render() for table in members)
    return f"{MODELS_HEADER}\n\n{body}\n"


def migration(tree: Tree, message: str, upgrade: str) -> tuple[str, str]:
    """A new revision file after the last: its path and text."""
    down = tree.migrations[-1] if tree.migrations else None
    revision = f"{len(tree.migrations) + 1:04d}abcdef{len(tree.migrations) * 7919 % 10**6:06d}"
    tree.migrations.append(revision)
    text = MIGRATION.format(
        message=message, revision=revision, down=down, down_repr=repr(down), upgrade=upgrade
    )
    return f"migrations/versions/{revision}.py", text


def root_files(tree: Tree) -> dict[str, str]:
    files = {
        "pyproject.toml": PYPROJECT,
        "alembic.ini": ALEMBIC_INI,
        "README.md": "# shop\n\nThe shop application: API, services, models and frontend.\n",
        "app/__init__.py": '"""The shop application."""\n',
        "app/api/__init__.py": '"""HTTP handlers."""\n',
        "app/services/__init__.py": '"""Business rules."""\n',
        "app/models/__init__.py": models_init(tree),
        "app/models/base.py": BASE_MODULE,
        "migrations/env.py": ENV_PY,
        "migrations/script.py.mako": SCRIPT_MAKO,
        "frontend/package.json": '{"name": "shop-frontend", "private": true}\n',
        "frontend/src/lib/render.js": "export function h(tag, props, text) { return text; }\n",
    }
    files |= {f"app/models/{module}.py": model_module(tree, module) for module in tree.modules}
    files |= {path: python_text(path, rev) for path, rev in tree.python.items()}
    files |= {path: frontend_text(path, rev) for path, rev in tree.frontend.items()}
    path, text = migration(tree, "initial schema", "pass  # the tables as they were")
    return files | {path: text}


# ---------------------------------------------------------------------------------------
# One commit per step


Change = tuple[str, dict[str, str], list[str]]
"""A commit's message, the files it writes and the paths it deletes."""


def frontend_change(tree: Tree, rng: random.Random) -> Change:
    """Modify one to three files (70%), add one (17%) or delete one (13%)."""
    draw = rng.random()
    if draw < 0.70:
        paths = rng.sample(sorted(tree.frontend), k=rng.randint(1, 3))
        for path in paths:
            tree.frontend[path] += 1
        files = {path: frontend_text(path, tree.frontend[path]) for path in paths}
        return f"frontend: update {Path(paths[0]).name}", files, []
    if draw < 0.87:
        path = new_frontend_path(tree, rng)
        tree.frontend[path] = 1
        return f"frontend: add {Path(path).name}", {path: frontend_text(path, 1)}, []
    path = rng.choice(sorted(tree.frontend))
    del tree.frontend[path]
    return f"frontend: remove {Path(path).name}", {}, [path]


def python_change(tree: Tree, rng: random.Random) -> Change:
    """Edit an api or services module or the settings, or (one in seven) add a module."""
    if rng.random() < 1 / 7:
        package = rng.choice(("api", "services"))
        path = f"app/{package}/feature_{len(tree.python):03d}.py"
        tree.python[path] = 1
        return f"{package}: add {Path(path).stem}", {path: python_text(path, 1)}, []
    path = "app/settings.py" if rng.random() < 0.1 else rng.choice(sorted(tree.python))
    tree.python[path] += 1
    return f"backend: update {path}", {path: python_text(path, tree.python[path])}, []


def add_column(tree: Tree, table: Table, step: int) -> Change:
    name = f"extra_{step:04d}"
    table.columns.append(Column(name, "str", ["sa.String(64)"], True))
    upgrade = f'op.add_column("{table.name}", sa.Column("{name}", sa.String(64)))'
    path, text = migration(tree, f"add {table.name}.{name}", upgrade)
    module = f"app/models/{table.module}.py"
    files = {module: model_module(tree, table.module), path: text}
    return f"models: add {table.name}.{name}", files, []


def add_table(tree: Tree, rng: random.Random, module: str) -> tuple[Table, dict[str, str]]:
    table = generate_table(rng, max(t.number for t in tree.tables) + 1)
    table.module = module
    tree.tables.append(table)
    path, text = migration(tree, f"create {table.name}", f'op.create_table("{table.name}")')
    return table, {f"app/models/{module}.py": model_module(tree, module), path: text}


def model_change(tree: Tree, rng: random.Random, step: Step, number: int) -> Change:
    if step.detail == "blame-column" and tree.blame_table is not None:
        return add_column(tree, tree.blame_table, number)
    if step.detail == "column":
        candidates = [t for t in tree.tables if t is not tree.blame_table]
        return add_column(tree, rng.choice(candidates), number)
    if step.detail == "module" and len(tree.modules) < len(DOMAINS) + len(NEW_DOMAINS):
        module = NEW_DOMAINS[len(tree.modules) - len(DOMAINS)]
        tree.modules.append(module)
        table, files = add_table(tree, rng, module)
        files["app/models/__init__.py"] = models_init(tree)
        return f"models: new module {module} ({table.name})", files, []
    table, files = add_table(tree, rng, rng.choice(tree.modules))
    if step.detail == "blame-table":
        tree.blame_table = table
    return f"models: add table {table.name}", files, []


def end_legacy(tree: Tree) -> Change:
    tree.legacy = False
    files = {"app/models/__init__.py": models_init(tree)}
    return f"models: drop {LEGACY}, port to SQLAlchemy 2", files, []


def change(tree: Tree, rng: random.Random, step: Step, number: int) -> Change:
    if step.kind == "frontend":
        return frontend_change(tree, rng)
    if step.kind == "python":
        return python_change(tree, rng)
    if step.kind == "legacy-end":
        return end_legacy(tree)
    return model_change(tree, rng, step, number)


def history_stream(plan: Plan) -> tuple[bytes, str]:
    """The fast-import stream of ``plan``, and the name of the blamed table."""
    rng = random.Random(SEED + 3)
    tree = initial_tree()
    stream = [fast_import_commit(1, "shop: the application as imported", root_files(tree))]
    for number, step in enumerate(plan.steps, start=2):
        message, files, deleted = change(tree, rng, step, number)
        stream.append(fast_import_commit(number, message, files, deleted))
    if tree.blame_table is None:
        raise BenchError("the plan added no table to blame")
    return b"".join(stream), tree.blame_table.name


def build_real_repository(repo: Path, plan: Plan) -> str:
    """The repository of ``plan`` with HEAD checked out; returns the blamed table's name."""
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    git(repo, "symbolic-ref", "HEAD", "refs/heads/main")
    data, blamed = history_stream(plan)
    result = subprocess.run(
        ["git", "fast-import", "--quiet"],
        cwd=repo,
        env=clean_env(),
        input=data,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"git fast-import failed:\n{result.stderr.decode()}")
    git(repo, "reset", "-q", "--hard")
    return blamed


# ---------------------------------------------------------------------------------------
# The shape, measured on the repository itself


def commit_kind(paths: Sequence[str]) -> str:
    """models when it touches app/models, python when other app/ Python, frontend when only
    frontend/, else other."""
    if any(p.startswith("app/models/") for p in paths):
        return "models"
    if any(p.startswith("app/") and p.endswith(".py") for p in paths):
        return "python"
    if paths and all(p.startswith("frontend/") for p in paths):
        return "frontend"
    return "other"


def measured_shape(repo: Path) -> list[str]:
    """Commits by kind (from git log) and files at HEAD (from git ls-files), as note lines."""
    log = git(repo, "log", "--format=%x00", "--name-only", "--no-renames", "HEAD").decode()
    commits = [chunk.split() for chunk in log.split("\x00")[1:]]
    kinds = Counter(commit_kind(paths) for paths in commits)
    files = git(repo, "ls-files").decode().splitlines()
    python = [f for f in files if f.endswith(".py")]
    frontend = [f for f in files if f.startswith("frontend/")]
    share = ", ".join(
        f"{kind} {count} ({100 * count / len(commits):.1f}%)" for kind, count in kinds.most_common()
    )
    return [
        f"{len(commits)} commits: {share}",
        f"HEAD has {len(files)} files: {len(frontend)} under frontend/, "
        f"{len(python)} Python ({sum(f.startswith('app/models/') for f in python)} in app/models, "
        f"{sum(f.startswith('migrations/versions/') for f in python)} migrations)",
    ]


def old_era_fails(repo: Path, plan: Plan) -> str:
    """The root's models must not import today, the era's end's must: a note line saying so."""
    root = git(repo, "rev-list", "--max-parents=0", "HEAD").decode().split()[0]
    skip = str(plan.commits - plan.legacy_end)
    end = git(repo, "rev-list", "-n", "1", f"--skip={skip}", "HEAD").decode().strip()
    with tempfile.TemporaryDirectory(prefix="schemadiff-bench-era-") as scratch:
        old = export(repo, root, Path(scratch) / "old")
        argv = [sys.executable, "-c", f"import {PACKAGE}"]
        failed = subprocess.run(argv, cwd=old, env=python_env(), capture_output=True, check=False)
        if failed.returncode == 0 or LEGACY.encode() not in failed.stderr:
            raise BenchError(f"the old era's models import at {root} in {repo}")
        run_imports([export(repo, end, Path(scratch) / "end")], PACKAGE)
    return (
        f"commits 1..{plan.legacy_end - 1} do not import ({LEGACY} is missing); "
        f"commit {plan.legacy_end} ({end[:10]}) ends that era"
    )
