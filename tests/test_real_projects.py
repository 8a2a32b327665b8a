"""Projects laid out the way real ones are: src layouts, settings read at import, SQLModel,
Flask-SQLAlchemy, moved modules, models that came later, editable installs, import side
effects and partial clones. Real repositories, the real CLI, no mocks."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

import schemadiff as schemadiff_package
from tests.conftest import GitRepo, Run, clean_env, git, model_source, models_repo, schemadiff


def changes(run: Run) -> list[str]:
    """The change lines of the text output, without the ``---``/``+++`` header."""
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    if not lines:
        return []
    assert lines[0].startswith("--- ") and lines[1].startswith("+++ "), run.out
    return lines[2:]


def pyproject(metadata: str, *extra: str) -> str:
    body = "\n".join(extra)
    return f'[tool.schemadiff]\nmetadata = "{metadata}"\ndialect = "postgresql"\n{body}\n'


# --- 1. src layout, settings read from the environment at import ----------------------------

SETTINGS = """
import os

DATABASE_URL = os.environ["DATABASE_URL"]
"""
SETTINGS_LINE = 3  # the line of os.environ[...] above, once dedented


def _src_layout_models(body: str) -> str:
    return "from myapp import settings  # noqa: F401\n" + model_source(body)


SRC_V1 = _src_layout_models(
    """
    class Account(Base):
        __tablename__ = "account"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(sa.String(50))
    """
)
SRC_V2 = _src_layout_models(
    """
    class Account(Base):
        __tablename__ = "account"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(sa.String(50))
        active: Mapped[bool] = mapped_column(server_default=sa.true())
    """
)


def _src_layout(repo: GitRepo, env_line: str) -> None:
    repo.write(
        "pyproject.toml",
        pyproject("myapp.models:Base.metadata", 'paths = ["src"]', env_line),
    )
    repo.write("src/myapp/__init__.py", "")
    repo.write("src/myapp/settings.py", SETTINGS)
    repo.write("src/myapp/models/__init__.py", SRC_V1)
    repo.commit("v1")
    repo.write("src/myapp/models/__init__.py", SRC_V2)
    repo.commit("v2")


def _env_without_database_url() -> dict[str, str]:
    env = clean_env()
    env.pop("DATABASE_URL", None)
    return env


def test_src_layout_with_env_from_pyproject(repo: GitRepo) -> None:
    _src_layout(repo, 'env = {DATABASE_URL = "sqlite://"}')
    assert (repo.path / "src/myapp/settings.py").read_text().splitlines()[SETTINGS_LINE - 1] == (
        'DATABASE_URL = os.environ["DATABASE_URL"]'
    )
    before = repo.state()

    run = schemadiff("HEAD~1..HEAD", cwd=repo.path, env=_env_without_database_url())

    assert changes(run) == [
        "~ table account",
        "    + column active BOOLEAN NOT NULL DEFAULT true",
    ]
    assert repo.state() == before


def test_src_layout_without_env_fails_with_the_users_line(repo: GitRepo) -> None:
    _src_layout(repo, "")
    before = repo.state()

    run = schemadiff("HEAD~1..HEAD", cwd=repo.path, env=_env_without_database_url())

    assert run.code == 2, (run.out, run.err)
    assert run.out == ""
    assert "KeyError" in run.err
    assert "'DATABASE_URL'" in run.err
    assert f"src/myapp/settings.py:{SETTINGS_LINE}" in run.err
    assert "[tool.schemadiff.env]" in run.err
    assert "Traceback" not in run.err
    assert repo.state() == before


# --- 2. models spread over several modules ---------------------------------------------------

PKG_BASE = """
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
"""
PKG_USER = """
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class User(Base):
    __tablename__ = "user"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(255), unique=True)
"""
PKG_ORDER = """
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class Order(Base):
    __tablename__ = "order"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
"""
PKG_INIT = """
from app.models.base import Base
from app.models.order import Order
from app.models.user import User

__all__ = ["Base", "Order", "User"]
"""


def test_models_spread_over_modules(repo: GitRepo) -> None:
    repo.write("pyproject.toml", pyproject("app.models:Base.metadata"))
    repo.write("app/__init__.py", "")
    repo.write("app/models/__init__.py", PKG_INIT)
    repo.write("app/models/base.py", PKG_BASE)
    repo.write("app/models/user.py", PKG_USER)
    repo.write("app/models/order.py", PKG_ORDER)
    repo.commit("v1")
    repo.write(
        "app/models/order.py",
        PKG_ORDER + "    note: Mapped[str | None] = mapped_column(sa.String(200))\n",
    )
    repo.commit("order gets a note")
    before = repo.state()

    run = schemadiff("HEAD~1..HEAD", cwd=repo.path)

    assert changes(run) == [
        "~ table order",
        "    + column note VARCHAR(200) NULL",
    ]
    assert repo.state() == before


# --- 3. SQLModel -----------------------------------------------------------------------------

SQLMODEL_V1 = """
from typing import Optional

from sqlmodel import Field, SQLModel


class Hero(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
"""
SQLMODEL_V2 = SQLMODEL_V1 + "    age: Optional[int] = None\n"


@pytest.mark.parametrize("locator", ["app.models:SQLModel.metadata", "app.models:SQLModel"])
def test_sqlmodel_field_added(repo: GitRepo, locator: str) -> None:
    models_repo(repo, SQLMODEL_V1, locator).commit("v1")
    models_repo(repo, SQLMODEL_V2, locator).commit("v2")

    run = schemadiff("HEAD~1..HEAD", cwd=repo.path)

    assert changes(run) == [
        "~ table hero",
        "    + column age INTEGER NULL",
    ]


# --- 4. Flask-SQLAlchemy ---------------------------------------------------------------------

FLASK_V1 = """
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80), unique=True, nullable=False)


def create_app():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql://nowhere.invalid/app"
    db.init_app(app)
    raise AssertionError("schemadiff must not create an application")
"""
FLASK_V2 = (
    FLASK_V1
    + """

class OrderItem(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
"""
)


@pytest.mark.parametrize("locator", ["app.models:db.metadata", "app.models:db"])
def test_flask_sqlalchemy_without_application_context(repo: GitRepo, locator: str) -> None:
    models_repo(repo, FLASK_V1, locator).commit("v1")
    models_repo(repo, FLASK_V2, locator).commit("v2")
    before = repo.state()

    run = schemadiff("HEAD~1..HEAD", cwd=repo.path)

    assert changes(run) == [
        "+ table order_item",
        "    + column id INTEGER NOT NULL",
        "    + column user_id INTEGER NOT NULL",
        "    + foreign key (unnamed) (user_id) -> user (id)",
    ]
    assert "application context" not in run.err
    assert repo.state() == before


# --- 5. a model module that moved ------------------------------------------------------------

MOVED_V1 = model_source(
    """
    class Product(Base):
        __tablename__ = "product"
        id: Mapped[int] = mapped_column(primary_key=True)
        title: Mapped[str] = mapped_column(sa.String(120))
    """
)
MOVED_V2 = model_source(
    """
    class Product(Base):
        __tablename__ = "product"
        id: Mapped[int] = mapped_column(primary_key=True)
        title: Mapped[str] = mapped_column(sa.String(120))
        sku: Mapped[str | None] = mapped_column(sa.String(32))
    """
)


@pytest.mark.parametrize("schema_changed", [True, False], ids=["with-change", "pure-move"])
def test_model_module_moved_with_its_locator(repo: GitRepo, schema_changed: bool) -> None:
    repo.write("pyproject.toml", pyproject("app.models:Base.metadata"))
    repo.write("app/__init__.py", "")
    repo.write("app/models.py", MOVED_V1)
    repo.commit("models in app/models.py")
    repo.remove("app/models.py")
    repo.write("pyproject.toml", pyproject("app.db.models:Base.metadata"))
    repo.write("app/db/__init__.py", "")
    repo.write("app/db/models.py", MOVED_V2 if schema_changed else MOVED_V1)
    repo.commit("models moved to app/db/models.py")
    before = repo.state()

    run = schemadiff("HEAD~1..HEAD", cwd=repo.path)

    if schema_changed:
        assert changes(run) == [
            "~ table product",
            "    + column sku VARCHAR(32) NULL",
        ]
    else:
        assert changes(run) == []
        assert "No schema changes between HEAD~1 and HEAD." in run.err
    assert "note:" not in run.err  # neither side was taken as empty
    assert repo.state() == before


# --- 6. models that came later ---------------------------------------------------------------

LATER = model_source(
    """
    class User(Base):
        __tablename__ = "user"
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str] = mapped_column(sa.String(255))
    """
)


def test_models_came_later_old_side_is_empty(repo: GitRepo) -> None:
    repo.write("pyproject.toml", pyproject("app.models:Base.metadata"))
    repo.write("README.md", "# a project that has no models yet\n")
    repo.commit("start")
    models_repo(repo, LATER).commit("models")
    before = repo.state()

    run = schemadiff("HEAD~1..HEAD", cwd=repo.path)

    assert changes(run) == [
        "+ table user",
        "    + column id INTEGER NOT NULL",
        "    + column email VARCHAR(255) NOT NULL",
    ]
    assert "There is no module 'app.models' at HEAD~1. Taken as an empty schema." in run.err
    assert repo.state() == before


def test_locator_module_missing_on_both_sides(repo: GitRepo) -> None:
    repo.write("pyproject.toml", pyproject("app.nowhere:Base.metadata"))
    repo.write("app/__init__.py", "")
    repo.commit("one")
    repo.write("README.md", "still nothing\n")
    repo.commit("two")

    run = schemadiff("HEAD~1..HEAD", cwd=repo.path)

    assert run.code == 2, (run.out, run.err)
    assert run.out == ""
    assert "There is no module 'app.nowhere' at HEAD~1." in run.err
    assert "There is no module 'app.nowhere' at HEAD." in run.err
    assert "Check the metadata locator." in run.err
    assert "Traceback" not in run.err


# --- 7. a real editable install (pip install -e) ---------------------------------------------

EDITABLE_V1 = model_source(
    """
    class Invoice(Base):
        __tablename__ = "invoice"
        id: Mapped[int] = mapped_column(primary_key=True)
        total: Mapped[int]
    """
)
EDITABLE_V2 = model_source(
    """
    class Invoice(Base):
        __tablename__ = "invoice"
        id: Mapped[int] = mapped_column(primary_key=True)
        total: Mapped[int]
        currency: Mapped[str] = mapped_column(sa.String(3))
    """
)
EDITABLE_WORKTREE = model_source(
    """
    class Invoice(Base):
        __tablename__ = "invoice"
        id: Mapped[int] = mapped_column(primary_key=True)
        total: Mapped[str] = mapped_column(sa.Text)
        leaked_from_worktree: Mapped[int]


    class LeakedFromWorktree(Base):
        __tablename__ = "leaked_from_worktree"
        id: Mapped[int] = mapped_column(primary_key=True)
    """
)


def venv_site_packages(python: Path) -> Path:
    out = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
        env=clean_env(),
    ).stdout.strip()
    return Path(out)


def make_venv(where: Path) -> Path:
    """A new venv that sees this test environment's packages through a .pth file."""
    venv = where / "venv"
    base = getattr(sys, "_base_executable", None) or str(Path(sys.executable).resolve())
    subprocess.run(
        [base, "-m", "venv", "--without-pip", str(venv)],
        check=True,
        capture_output=True,
        env=clean_env(),
    )
    python = venv / "bin" / "python"
    ours = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    schemadiff_root = str(Path(schemadiff_package.__file__).resolve().parents[1])
    lines = [*dict.fromkeys([*ours, schemadiff_root])]
    (venv_site_packages(python) / "zz_test_environment.pth").write_text("\n".join(lines) + "\n")
    return python


def pip_install_editable(python: Path, project: Path) -> None:
    result = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--disable-pip-version-check",
            "-q",
            "-e",
            str(project),
        ],
        check=False,
        capture_output=True,
        text=True,
        env=clean_env(PIP_NO_INPUT="1"),
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def run_with(python: Path, *args: str, cwd: Path, env: dict[str, str] | None = None) -> Run:
    """schemadiff run by another interpreter, the way a user of that venv would run it."""
    result = subprocess.run(
        [str(python), "-m", "schemadiff", *args],
        check=False,
        cwd=cwd,
        env=env or clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    return Run(result.returncode, result.stdout, result.stderr)


def imported_from(python: Path, module: str, cwd: Path) -> Path:
    """Where ``python`` imports ``module`` from, run outside the project directory."""
    result = subprocess.run(
        [str(python), "-c", f"import {module} as m; print(m.__file__)"],
        check=False,
        cwd=cwd,
        capture_output=True,
        text=True,
        env=clean_env(),
    )
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip()).resolve()


LAYOUTS = {
    # name: (package directory, pyproject lines for setuptools, the mechanism setuptools picks)
    "src": ("src/edsrc", ["[tool.setuptools.packages.find]", 'where = ["src"]'], "path-pth"),
    "flat": ("edflat", ["[tool.setuptools.packages.find]", 'include = ["edflat*"]'], "finder"),
}


@dataclass
class Editable:
    """A project installed with ``pip install -e`` into its own venv; its history is
    HEAD~3: no package, HEAD~2: the package without models, HEAD~1: EDITABLE_V1,
    HEAD: EDITABLE_V2, and the working tree holds an uncommitted EDITABLE_WORKTREE."""

    repo: GitRepo
    python: Path
    module: str
    ours_before: dict[str, list[str]]
    """``our_environment()`` before this install, for ``test_environment_is_not_polluted``."""


def our_environment() -> dict[str, list[str]]:
    """What an install into this test environment would change: the names in the directory
    that holds the schemadiff package (an ``.egg-info`` would appear there) and in each of
    our site-packages (an ``__editable__`` finder or .pth would), without ``__pycache__``."""
    places = [Path(schemadiff_package.__file__).resolve().parents[1]]
    places += [Path(p) for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    return {
        str(place): sorted(n for n in os.listdir(place) if n != "__pycache__")
        for place in dict.fromkeys(places)
    }


def _editable_pyproject(package: str, layout: str) -> str:
    setuptools_lines = LAYOUTS[layout][1]
    paths = 'paths = ["src"]' if layout == "src" else 'paths = ["."]'
    return "\n".join(
        [
            "[build-system]",
            'requires = ["setuptools>=64"]',
            'build-backend = "setuptools.build_meta"',
            "",
            "[project]",
            f'name = "{package}"',
            'version = "0.1"',
            "",
            *setuptools_lines,
            "",
            "[tool.schemadiff]",
            f'metadata = "{package}.models:Base.metadata"',
            'dialect = "postgresql"',
            paths,
            "",
        ]
    )


def _check_mechanism(python: Path, layout: str, repo: GitRepo) -> None:
    """The editable install is the kind this test means it to be (seen in site-packages)."""
    site = venv_site_packages(python)
    names = sorted(p.name for p in site.iterdir())
    editable = [n for n in names if n.startswith("__editable__")]
    pth = [n for n in editable if n.endswith(".pth")]
    finders = [n for n in editable if n.endswith("_finder.py")]
    assert len(pth) == 1, names
    if LAYOUTS[layout][2] == "path-pth":
        assert finders == [], names
        assert Path((site / pth[0]).read_text().strip()).resolve() == (repo.path / "src").resolve()
    else:
        assert len(finders) == 1, names
        assert "install()" in (site / pth[0]).read_text()
        assert str(repo.path / LAYOUTS[layout][0]) in (site / finders[0]).read_text()


@pytest.fixture(scope="module", params=sorted(LAYOUTS))
def editable(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Editable:
    layout: str = request.param
    where = tmp_path_factory.mktemp(f"editable-{layout}")
    repo = GitRepo(where / "repo")
    repo.path.mkdir()
    git(repo.path, "init", "-q", "-b", "main")
    directory = LAYOUTS[layout][0]
    package = directory.rsplit("/", 1)[-1]
    repo.write("pyproject.toml", _editable_pyproject(package, layout))
    repo.write(".gitignore", "*.egg-info/\nbuild/\n")
    repo.commit("no package yet")
    repo.write(f"{directory}/__init__.py", "")
    repo.commit("the package, no models yet")
    repo.write(f"{directory}/models.py", EDITABLE_V1)
    repo.commit("v1")
    repo.write(f"{directory}/models.py", EDITABLE_V2)
    repo.commit("v2")
    repo.write(f"{directory}/models.py", EDITABLE_WORKTREE)  # uncommitted third version

    ours_before = our_environment()
    python = make_venv(where)
    pip_install_editable(python, repo.path)
    _check_mechanism(python, layout, repo)
    module = f"{package}.models"
    # The install is live: outside the project, this venv imports the working tree's module.
    assert imported_from(python, module, where) == (repo.path / directory / "models.py").resolve()
    return Editable(repo, python, module, ours_before)


def test_editable_install_does_not_leak_the_working_tree(editable: Editable) -> None:
    repo = editable.repo
    before = repo.state()

    run = run_with(editable.python, "HEAD~1..HEAD", cwd=repo.path)

    assert changes(run) == [
        "~ table invoice",
        "    + column currency VARCHAR(3) NOT NULL",
    ]
    assert "leaked" not in run.out + run.err
    assert repo.state() == before
    # The same answer as this test environment's own schemadiff, which has no editable install.
    assert changes(schemadiff("HEAD~1..HEAD", cwd=repo.path)) == changes(run)


@pytest.mark.parametrize(
    ("missing", "old"), [("module", "HEAD~2"), ("package", "HEAD~3")], ids=["module", "package"]
)
def test_editable_install_does_not_fill_in_models_that_came_later(
    editable: Editable, missing: str, old: str
) -> None:
    repo = editable.repo
    before = repo.state()

    run = run_with(editable.python, f"{old}..HEAD~1", cwd=repo.path)

    assert changes(run) == [
        "+ table invoice",
        "    + column id INTEGER NOT NULL",
        "    + column total INTEGER NOT NULL",
    ]
    assert f"There is no module '{editable.module}' at {old}. Taken as an empty schema." in run.err
    assert "leaked" not in run.out + run.err
    assert repo.state() == before


# --- 8. import side effects stay in the sandbox ----------------------------------------------

SIDE_EFFECTS = """
import os
from pathlib import Path

with open("secret.key", "w") as key:
    key.write("generated at import")
data = Path.home() / ".app" / "data"
data.mkdir(parents=True, exist_ok=True)
(data / "x").write_text("cache")
PREFIX = ""
if os.path.exists(".env"):
    for line in open(".env"):
        name, _, value = line.strip().partition("=")
        if name == "TABLE_PREFIX":
            PREFIX = value
"""


def _side_effect_models(body: str) -> str:
    return model_source(textwrap.dedent(SIDE_EFFECTS) + "\n\n" + textwrap.dedent(body))


SIDE_V1 = _side_effect_models(
    """
    class Note(Base):
        __tablename__ = PREFIX + "note"
        id: Mapped[int] = mapped_column(primary_key=True)
    """
)
SIDE_V2 = _side_effect_models(
    """
    class Note(Base):
        __tablename__ = PREFIX + "note"
        id: Mapped[int] = mapped_column(primary_key=True)
        body: Mapped[str] = mapped_column(sa.Text)
    """
)


def _pycache_dirs(root: Path) -> list[Path]:
    return [p for p in root.rglob("__pycache__") if ".git" not in p.relative_to(root).parts]


def test_import_side_effects_are_contained(repo: GitRepo, tmp_path: Path) -> None:
    repo.write(".gitignore", ".env\nsecret.key\n")
    models_repo(repo, SIDE_V1).commit("v1")
    models_repo(repo, SIDE_V2).commit("v2")
    repo.write(".env", "TABLE_PREFIX=leaked_\n")  # the user's own, ignored by git
    home = tmp_path / "home"
    home.mkdir()
    real_app_dir = Path.home() / ".app"
    real_existed = real_app_dir.exists()
    env = clean_env(HOME=str(home))
    before = repo.state()
    files_before = sorted(p.relative_to(repo.path) for p in repo.path.rglob("*"))

    runs = [
        schemadiff("HEAD~1..HEAD", cwd=repo.path, env=env),
        schemadiff("HEAD", cwd=repo.path, env=env),  # HEAD against the working tree
    ]

    assert changes(runs[0]) == [
        "~ table note",
        "    + column body TEXT NOT NULL",
    ]
    assert changes(runs[1]) == []
    assert repo.state() == before
    assert sorted(p.relative_to(repo.path) for p in repo.path.rglob("*")) == files_before
    assert not (repo.path / "secret.key").exists()
    assert not (repo.path / "app" / "secret.key").exists()
    assert _pycache_dirs(repo.path) == []
    assert not (home / ".app").exists()
    assert list(home.iterdir()) == []
    assert real_existed or not real_app_dir.exists()


# --- 9. a partial clone whose old non-Python blob is absent ----------------------------------


def blobless_clone(tmp_path: Path) -> GitRepo:
    """An origin with two commits (models and a data file change) and a --filter=blob:none
    clone of it, whose remote is still reachable."""
    origin = GitRepo(tmp_path / "origin")
    origin.path.mkdir()
    git(origin.path, "init", "-q", "-b", "main")
    models_repo(origin, MOVED_V1)
    origin.write("app/data/seed.csv", "id,title\n1,first\n")
    origin.commit("v1")
    models_repo(origin, MOVED_V2)
    origin.write("app/data/seed.csv", "id,title\n1,first\n2,second\n")
    origin.commit("v2")
    git(origin.path, "config", "uploadpack.allowFilter", "true")
    git(origin.path, "config", "uploadpack.allowAnySHA1InWant", "true")
    git(tmp_path, "clone", "-q", "--filter=blob:none", f"file://{origin.path}", "part")
    return GitRepo(tmp_path / "part")


def test_partial_clone_with_an_absent_data_blob(tmp_path: Path) -> None:
    part = blobless_clone(tmp_path)
    # The old models are fetched once, while the remote is still there; then it goes away.
    git(part.path, "cat-file", "-p", "HEAD~1:app/models.py")
    git(part.path, "remote", "set-url", "origin", str(tmp_path / "nonexistent"))

    old_seed = git(part.path, "rev-parse", "HEAD~1:app/data/seed.csv")
    listing = git(part.path, "rev-list", "--objects", "--missing=print", "HEAD~1^{tree}")
    absent = [line[1:] for line in listing.splitlines() if line.startswith("?")]
    assert absent == [old_seed], listing
    before = part.state()

    run = schemadiff("HEAD~1..HEAD", cwd=part.path)

    assert changes(run) == [
        "~ table product",
        "    + column sku VARCHAR(32) NULL",
    ]
    assert part.state() == before
    still = git(part.path, "rev-list", "--objects", "--missing=print", "HEAD~1^{tree}")
    assert [line[1:] for line in still.splitlines() if line.startswith("?")] == [old_seed]


def test_environment_is_not_polluted(editable: Editable) -> None:
    """The editable install (made for this test by its fixture, whatever ran before) went into
    its own venv, never into ours: our site-packages and the schemadiff package's directory
    hold the same names as before it."""
    assert our_environment() == editable.ours_before


def own_cache(tmp_path: Path) -> dict[str, str]:
    """The environment of a run whose cache holds nothing yet."""
    return clean_env(SCHEMADIFF_CACHE_DIR=str(tmp_path / "cache"))


def test_partial_clone_with_an_absent_models_blob_says_so(tmp_path: Path) -> None:
    """An absent model file is the clone's gap, not "the models came later"."""
    part = blobless_clone(tmp_path)
    git(part.path, "remote", "set-url", "origin", str(tmp_path / "nonexistent"))
    listing = git(part.path, "rev-list", "--objects", "--missing=print", "HEAD~1^{tree}")
    assert git(part.path, "rev-parse", "HEAD~1:app/models.py") in listing.replace("?", "")

    # A cache of its own: a schema cached for that blob by another test would be an answer.
    run = schemadiff("HEAD~1..HEAD", cwd=part.path, env=own_cache(tmp_path))

    assert run.code == 2
    assert "absent from this partial clone and could not be fetched, such as app/models.py" in (
        run.err
    )
    assert "Traceback" not in run.err


def test_partial_clone_fetches_absent_models_from_a_reachable_remote(tmp_path: Path) -> None:
    """A blob-less CI clone: the old side's model files are fetched as git would, nothing else."""
    part = blobless_clone(tmp_path)
    old_models = git(part.path, "rev-parse", "HEAD~1:app/models.py")
    old_seed = git(part.path, "rev-parse", "HEAD~1:app/data/seed.csv")
    before = part.state()

    run = schemadiff("HEAD~1..HEAD", cwd=part.path, env=own_cache(tmp_path))

    assert changes(run) == ["~ table product", "    + column sku VARCHAR(32) NULL"]
    assert part.state() == before
    listing = git(part.path, "rev-list", "--objects", "--missing=print", "HEAD~1^{tree}")
    assert f"?{old_models}" not in listing
    assert f"?{old_seed}" in listing
