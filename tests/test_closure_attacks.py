"""Histories where the closure rule (``schemadiff.closure``) deems two commits to have the
same schema when they do not.

Each test builds a real history, runs the real CLI, and compares what ``log``, a plain
``A..B`` or ``check --hook`` says with what the models at each commit truly declare (a plain
``--no-cache A..B`` imports both sides and is the truth). Each was a break found by
attacking the rule, fixed since: links on the way to a path (their targets, chains, a
temporary directory behind one), calls that look at a path without an audit event
(``os.access``, ``os.readlink``), a directory listed by descriptor, settings read from
files the import never opens, and models that declare no tables.
"""

from __future__ import annotations

import json
import os
import sysconfig
from pathlib import Path

from tests.conftest import GitRepo, Run, clean_env, schemadiff

MODELS = """
import json
import os
import pathlib

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


HERE = pathlib.Path(__file__).parent
{names}
thing = sa.Table(
    "thing",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    *[sa.Column(name, sa.Integer) for name in NAMES],
)
"""
"""app/models.py: a table whose extra columns are named by ``NAMES`` (the line given)."""

PYPROJECT = """
[tool.schemadiff]
metadata = "app.models:Base.metadata"
dialect = "postgresql"
"""

CREATED = ("one", ["add_table thing.thing"])
ADDED_B = ("two", ["add_column thing.b"])
TRUTH = [ADDED_B, CREATED]
"""The log of every two-commit history below: "two" adds column b to what "one" made."""

DIFF_B = "~ table thing\n    + column b INTEGER NULL\n"


def project(repo: GitRepo, names: str, pyproject: str = PYPROJECT) -> GitRepo:
    """pyproject.toml and the app package, its models' NAMES given by the line ``names``."""
    if pyproject:
        repo.write("pyproject.toml", pyproject)
    repo.write("app/__init__.py", "")
    repo.write("app/models.py", MODELS.format(names=names))
    return repo


def link(repo: GitRepo, path: str, target: str) -> None:
    """Make (or retarget) the symbolic link ``path`` -> ``target``."""
    place = repo.path / path
    place.parent.mkdir(parents=True, exist_ok=True)
    if place.is_symlink():
        place.unlink()
    os.symlink(target, place)


def run(repo: GitRepo, cache: Path, *args: str) -> Run:
    return schemadiff(*args, cwd=repo.path, env=clean_env(SCHEMADIFF_CACHE_DIR=str(cache)))


def logged(result: Run) -> list[tuple[str, list[str]]]:
    """Each entry's subject and its changes, as ``log --format json`` lists them."""
    assert result.code == 0, result.err
    entries = [json.loads(line) for line in result.out.splitlines()]
    return [
        (e["subject"], [f"{c['kind']} {c['table']}.{c.get('name')}" for c in e["changes"]])
        for e in entries
    ]


def truly(repo: GitRepo, cache: Path, old: str, new: str) -> str:
    """What the models of ``old`` and ``new`` declare apart: both imported, no cache."""
    result = run(repo, cache, "--no-cache", f"{old}..{new}")
    assert result.code == 0, result.err
    return result.out


def body(out: str) -> str:
    """A diff's text without its two header lines."""
    return "".join(out.splitlines(keepends=True)[2:])


# --- a directory link on the way to a read file ----------------------------------------------


def retargeted_directory(repo: GitRepo) -> GitRepo:
    """app/data -> v1, then -> v2: the models read app/data/names.json through the link."""
    project(repo, 'NAMES = json.loads((HERE / "data" / "names.json").read_text())')
    repo.write("app/v1/names.json", '["a"]')
    repo.write("app/v2/names.json", '["a", "b"]')
    link(repo, "app/data", "v1")
    repo.commit("one")
    link(repo, "app/data", "v2")
    repo.commit("two")
    return repo


def test_log_sees_a_retargeted_directory_link(repo: GitRepo, tmp_path: Path) -> None:
    retargeted_directory(repo)
    assert body(truly(repo, tmp_path / "c", "HEAD~1", "HEAD")) == DIFF_B
    assert logged(run(repo, tmp_path / "nocache", "--no-cache", "log", "--format", "json")) == TRUTH

    cached = run(repo, tmp_path / "cache", "log", "--format", "json")

    assert logged(cached) == TRUTH


def test_a_warm_diff_sees_a_retargeted_directory_link(repo: GitRepo, tmp_path: Path) -> None:
    retargeted_directory(repo)
    cache = tmp_path / "cache"
    assert run(repo, cache, "HEAD~1").code == 0  # an earlier run on the older commit alone

    warm = run(repo, cache, "HEAD~1..HEAD")

    assert (warm.code, body(warm.out)) == (0, DIFF_B), warm.err


def test_check_hook_sees_a_staged_directory_link(repo: GitRepo, tmp_path: Path) -> None:
    retargeted_directory(repo)
    repo.git("reset", "-q", "--hard", "HEAD~1")
    cache = tmp_path / "cache"
    assert run(repo, cache, "HEAD").code == 0  # HEAD's schema is cached
    link(repo, "app/data", "v2")
    repo.git("add", "-A")
    assert run(repo, tmp_path / "nocache", "--no-cache", "check", "--hook").code == 1

    hooked = run(repo, cache, "check", "--hook")

    assert hooked.code == 1, hooked.err
    assert "thing.b: column added, but no new migration" in hooked.out


# --- links the closure does not follow -------------------------------------------------------


def test_log_sees_the_middle_of_a_link_chain(repo: GitRepo, tmp_path: Path) -> None:
    project(repo, 'NAMES = json.loads((HERE / "data.json").read_text())')
    repo.write("app/v/one.json", '["a"]')
    repo.write("app/v/two.json", '["a", "b"]')
    link(repo, "app/data.json", "v/current.json")
    link(repo, "app/v/current.json", "one.json")
    repo.commit("one")
    link(repo, "app/v/current.json", "two.json")
    repo.commit("two")
    assert body(truly(repo, tmp_path / "c", "HEAD~1", "HEAD")) == DIFF_B

    result = run(repo, tmp_path / "nocache", "--no-cache", "log", "--format", "json")

    assert logged(result) == TRUTH


def test_log_sees_a_listed_directory_link_retargeted(repo: GitRepo, tmp_path: Path) -> None:
    project(repo, 'NAMES = sorted(p.stem for p in (HERE / "columns").iterdir())')
    repo.write("app/set1/a.txt", "")
    repo.write("app/set2/a.txt", "")
    repo.write("app/set2/b.txt", "")
    link(repo, "app/columns", "set1")
    repo.commit("one")
    link(repo, "app/columns", "set2")
    repo.commit("two")
    assert body(truly(repo, tmp_path / "c", "HEAD~1", "HEAD")) == DIFF_B

    result = run(repo, tmp_path / "nocache", "--no-cache", "log", "--format", "json")

    assert logged(result) == TRUTH


def test_a_warm_diff_sees_a_listed_directory_link_retargeted(repo: GitRepo, tmp_path: Path) -> None:
    """The cache key holds the link itself: its old target still lists as it did."""
    project(repo, 'NAMES = sorted(p.stem for p in (HERE / "columns").iterdir())')
    repo.write("app/set1/a.txt", "")
    repo.write("app/set2/a.txt", "")
    repo.write("app/set2/b.txt", "")
    link(repo, "app/columns", "set1")
    repo.commit("one")
    link(repo, "app/columns", "set2")
    repo.commit("two")
    cache = tmp_path / "cache"
    assert run(repo, cache, "HEAD~1").code == 0  # an earlier run on the older commit alone

    warm = run(repo, cache, "HEAD~1..HEAD")

    assert (warm.code, body(warm.out)) == (0, DIFF_B), warm.err


# --- probes and listings the recorder does not hear ------------------------------------------


def test_log_sees_a_file_probed_with_os_access(repo: GitRepo, tmp_path: Path) -> None:
    project(repo, 'NAMES = ["a"] + (["b"] if os.access(HERE / "extra.flag", os.F_OK) else [])')
    repo.commit("one")
    repo.write("app/extra.flag", "")
    repo.commit("two")
    assert body(truly(repo, tmp_path / "c", "HEAD~1", "HEAD")) == DIFF_B

    result = run(repo, tmp_path / "nocache", "--no-cache", "log", "--format", "json")

    assert logged(result) == TRUTH


def listed_by_descriptor(repo: GitRepo) -> GitRepo:
    """The models list app/cols through a file descriptor (os.open, then os.listdir(fd));
    "two" adds a name to it."""
    project(repo, 'NAMES = sorted(os.listdir(os.open(HERE / "cols", os.O_RDONLY)))')
    repo.write("app/cols/a", "")
    repo.commit("one")
    repo.write("app/cols/b", "")
    repo.commit("two")
    return repo


def test_log_sees_a_directory_listed_by_descriptor(repo: GitRepo, tmp_path: Path) -> None:
    listed_by_descriptor(repo)
    assert logged(run(repo, tmp_path / "nocache", "--no-cache", "log", "--format", "json")) == TRUTH

    cached = run(repo, tmp_path / "cache", "log", "--format", "json")

    assert logged(cached) == TRUTH


def test_a_warm_diff_sees_a_directory_listed_by_descriptor(repo: GitRepo, tmp_path: Path) -> None:
    listed_by_descriptor(repo)
    cache = tmp_path / "cache"
    assert run(repo, cache, "HEAD~1").code == 0

    warm = run(repo, cache, "HEAD~1..HEAD")

    assert (warm.code, body(warm.out)) == (0, DIFF_B), warm.err


# --- settings read by the parent, outside the settings files the walk watches ---------------

FLASK_PACKAGE = """
from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
migrate = Migrate()


def build():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    db.init_app(app)
    migrate.init_app(app, db)
    from service import models  # noqa: F401

    return app


def build_admin():
    app = build()
    from service import audit  # noqa: F401  (the admin app keeps an audit log)

    return app
"""

FLASK_TABLE = """
from service import db


class {name}(db.Model):
    id = db.Column(db.Integer, primary_key=True)
"""

ALEMBIC_INI = """
[alembic]
script_location = {location}
sqlalchemy.url = postgresql://nowhere.invalid/app
{more}
"""


def test_log_sees_flask_app_changed_in_flaskenv(repo: GitRepo, tmp_path: Path) -> None:
    template = Path(sysconfig.get_paths()["purelib"]) / "flask_migrate/templates/flask/env.py"
    repo.write("alembic.ini", ALEMBIC_INI.format(location="migrations", more=""))
    repo.write("migrations/env.py", template.read_text())
    repo.write("service/__init__.py", FLASK_PACKAGE)
    repo.write("service/models.py", FLASK_TABLE.format(name="User"))
    repo.write("service/audit.py", FLASK_TABLE.format(name="Audit"))
    repo.write(".flaskenv", "FLASK_APP=service:build()\n")
    repo.commit("one")
    repo.write(".flaskenv", "FLASK_APP=service:build_admin()\n")
    repo.commit("two")
    assert "+ table audit" in truly(repo, tmp_path / "c", "HEAD~1", "HEAD")

    result = run(repo, tmp_path / "nocache", "--no-cache", "log", "--format", "json")

    assert logged(result) == [
        ("two", ["add_table audit.audit"]),
        ("one", ["add_table user.user"]),
    ]


ENV_PY = """
from alembic import context

from app.models import Base
{more}
target_metadata = Base.metadata
"""

EXTRA = """
import sqlalchemy as sa

from app.models import Base

extra = sa.Table("extra", Base.metadata, sa.Column("id", sa.Integer, primary_key=True))
"""


def test_log_sees_an_env_py_edit_before_its_folder_was_renamed(
    repo: GitRepo, tmp_path: Path
) -> None:
    project(repo, 'NAMES = ["a"]', pyproject="")
    repo.write("app/extra.py", EXTRA)
    repo.write("alembic.ini", ALEMBIC_INI.format(location="alembic", more=""))
    repo.write("alembic/env.py", ENV_PY.format(more=""))
    repo.commit("one")
    repo.write("alembic/env.py", ENV_PY.format(more="import app.extra  # noqa: F401\n"))
    repo.commit("two")
    repo.git("mv", "alembic", "migrations")
    repo.write("alembic.ini", ALEMBIC_INI.format(location="migrations", more=""))
    repo.commit("rename")
    assert "+ table extra" in truly(repo, tmp_path / "c", "HEAD~2", "HEAD~1")

    result = run(repo, tmp_path / "nocache", "--no-cache", "log", "--format", "json")

    assert logged(result) == [
        ("two", ["add_table extra.extra"]),
        ("one", ["add_table thing.thing"]),
    ]


def test_log_sees_model_edits_made_before_the_project_moved(repo: GitRepo, tmp_path: Path) -> None:
    project(repo, 'NAMES = ["a"]', pyproject="")
    repo.write(
        "alembic.ini", ALEMBIC_INI.format(location="migrations", more="prepend_sys_path = .")
    )
    repo.write("migrations/env.py", ENV_PY.format(more=""))
    repo.commit("one")
    repo.write("app/models.py", MODELS.format(names='NAMES = ["a", "b"]'))
    repo.commit("two")
    (repo.path / "backend").mkdir()
    repo.git("mv", "app", "backend/app")
    more = "prepend_sys_path = backend"
    repo.write("alembic.ini", ALEMBIC_INI.format(location="migrations", more=more))
    repo.commit("move")
    assert body(truly(repo, tmp_path / "c", "HEAD~2", "HEAD~1")) == DIFF_B

    result = run(repo, tmp_path / "nocache", "--no-cache", "log", "--format", "json")

    assert logged(result)[-2:] == TRUTH


def test_log_sees_a_link_read_with_os_readlink(repo: GitRepo, tmp_path: Path) -> None:
    project(repo, 'NAMES = ["a"] + (["b"] if os.readlink(HERE / "current") == "v2" else [])')
    repo.write("app/v1/README", "")
    repo.write("app/v2/README", "")
    link(repo, "app/current", "v1")
    repo.commit("one")
    link(repo, "app/current", "v2")
    repo.commit("two")
    assert body(truly(repo, tmp_path / "c", "HEAD~1", "HEAD")) == DIFF_B

    result = run(repo, tmp_path / "nocache", "--no-cache", "log", "--format", "json")

    assert logged(result) == TRUTH


def test_blame_of_a_column_read_through_a_link_chain(repo: GitRepo, tmp_path: Path) -> None:
    project(repo, 'NAMES = json.loads((HERE / "data.json").read_text())')
    repo.write("app/v/one.json", '["a"]')
    repo.write("app/v/two.json", '["a", "b"]')
    link(repo, "app/data.json", "v/current.json")
    link(repo, "app/v/current.json", "one.json")
    one = repo.commit("one")
    link(repo, "app/v/current.json", "two.json")
    two = repo.commit("two")

    result = run(repo, tmp_path / "nocache", "--no-cache", "blame", "thing", "--format", "json")

    assert result.code == 0, result.err
    lines = json.loads(result.out)["lines"]
    assert {line["column"]: line["commit"]["commit"] for line in lines} == {
        "id": one,
        "a": one,
        "b": two,
    }


EMPTY_MODELS = """
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
"""

CREATES_ACCOUNT = """
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None


def upgrade():
    op.create_table("account", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("account")
"""

NOT_ALL_IMPORTED = "declare no tables, but the migrations in migrations/versions create 1 (account)"


def test_log_sees_migrations_that_create_what_empty_models_lack(
    repo: GitRepo, tmp_path: Path
) -> None:
    repo.write("alembic.ini", ALEMBIC_INI.format(location="migrations", more=""))
    repo.write("migrations/env.py", ENV_PY.format(more=""))
    repo.write("migrations/versions/.keep", "")
    repo.write("app/__init__.py", "")
    repo.write("app/models.py", EMPTY_MODELS)
    repo.commit("one")
    repo.write("migrations/versions/0001_initial.py", CREATES_ACCOUNT)
    repo.commit("two")
    repo.remove("migrations/versions/0001_initial.py")
    repo.commit("three")
    truth = run(repo, tmp_path / "c", "--no-cache", "HEAD~2..HEAD~1")
    assert truth.code == 2 and NOT_ALL_IMPORTED in truth.err, truth.err

    result = run(repo, tmp_path / "nocache", "--no-cache", "log")

    assert result.code == 0, result.err
    assert NOT_ALL_IMPORTED in result.out, result.out + result.err


def test_log_sees_the_target_of_a_link_when_tmpdir_is_a_link(repo: GitRepo, tmp_path: Path) -> None:
    project(repo, 'NAMES = json.loads((HERE / "data.json").read_text())')
    repo.write("app/v/names.json", '["a"]')
    link(repo, "app/data.json", "v/names.json")
    repo.commit("one")
    repo.write("app/v/names.json", '["a", "b"]')
    repo.commit("two")
    (tmp_path / "real-tmp").mkdir()
    (tmp_path / "tmp").symlink_to(tmp_path / "real-tmp")
    env = clean_env(SCHEMADIFF_CACHE_DIR=str(tmp_path / "cache"), TMPDIR=str(tmp_path / "tmp"))
    plain = run(repo, tmp_path / "nocache", "--no-cache", "log", "--format", "json")
    assert logged(plain) == TRUTH  # with TMPDIR as it is

    result = schemadiff("--no-cache", "log", "--format", "json", cwd=repo.path, env=env)

    assert logged(result) == TRUTH
