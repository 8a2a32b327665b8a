"""Flask-Migrate's layout, made by the real ``flask db init`` and ``flask db migrate``.

Its alembic.ini sits in the migrations folder and names no script location; the folder is
``migrations`` unless ``Migrate(directory=...)`` and ``flask db init -d`` say otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import GitRepo, Run, new_repo, run_module, schemadiff

APP = """
from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
migrate = Migrate()


def create_app():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///app.db"
    db.init_app(app)
    migrate.init_app(app, db, directory="{directory}")
    from app import models  # noqa: F401
    return app
"""

USER = """
from app import db


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(50), nullable=False)
"""
WITH_EMAIL = USER + "    email = db.Column(db.String(120))\n"


def flask(repo: GitRepo, *args: str) -> str:
    """``flask --app app:create_app ARGS`` in the repository, as a Flask user runs it."""
    done = run_module(repo.path, "flask", "--app", "app:create_app", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def flask_project(path: Path, directory: str = "migrations") -> GitRepo:
    """A Flask app whose first migration ``flask db migrate`` wrote, applied; committed."""
    repo = new_repo(path)
    repo.write("app/__init__.py", APP.format(directory=directory))
    repo.write("app/models.py", USER)
    repo.write(
        "pyproject.toml",
        '[tool.schemadiff]\nmetadata = "app.models:db.metadata"\ndialect = "sqlite"\n',
    )
    repo.write(".gitignore", "instance/\n__pycache__/\n")
    flask(repo, "db", "init", "-d", directory)
    migrate(repo, "create user")
    repo.commit("flask app")
    return repo


def migrate(repo: GitRepo, message: str) -> Path:
    """``flask db migrate`` then ``flask db upgrade``: the revision file it wrote."""
    directory = (repo.path / "app" / "__init__.py").read_text().split('directory="')[1]
    versions = repo.path / directory.split('"')[0] / "versions"
    before = set(versions.glob("*.py"))
    flask(repo, "db", "migrate", "-m", message)
    flask(repo, "db", "upgrade")
    (written,) = set(versions.glob("*.py")) - before
    return written


def revision_id(path: Path) -> str:
    return path.read_text().split("revision = '")[1].split("'")[0]


@pytest.fixture
def app(tmp_path: Path) -> GitRepo:
    return flask_project(tmp_path / "repo")


def test_check_flags_a_column_without_its_migration_and_passes_it_with_one(app: GitRepo) -> None:
    app.write("app/models.py", WITH_EMAIL)
    app.commit("email, no migration")
    migrate(app, "add email")
    app.commit("its migration")

    unmigrated = schemadiff("check", "HEAD~2..HEAD~1", cwd=app.path)
    migrated = schemadiff("check", "HEAD~2..HEAD", cwd=app.path)

    assert unmigrated.code == 1, unmigrated.err
    assert "column added, but no new migration in the change" in unmigrated.out
    assert migrated.code == 0, migrated.out + migrated.err


def test_revision_writes_into_the_migrations_folder_and_flask_upgrades_it(app: GitRepo) -> None:
    (first,) = (app.path / "migrations" / "versions").glob("*.py")
    app.write("app/models.py", WITH_EMAIL)

    run = schemadiff("revision", "-m", "add email", "--rev-id", "e1", cwd=app.path)

    assert run.code == 0, run.err
    path = Path(run.out.strip())
    assert path == app.path / "migrations" / "versions" / "e1_add_email.py"
    assert f"Revises: {revision_id(first)}" in path.read_text()
    assert "with op.batch_alter_table('user'" in path.read_text()  # Flask-Migrate's default
    flask(app, "db", "upgrade")
    assert "e1 (head)" in flask(app, "db", "current")


def test_batch_mode_is_flask_migrates_default_on_any_dialect(app: GitRepo) -> None:
    """``Migrate(render_as_batch=True)`` is Flask-Migrate's default, and its env.py passes it
    to ``context.configure``."""
    app.write("app/models.py", WITH_EMAIL)
    app.commit("email")

    run = schemadiff("HEAD~1..HEAD", "--format", "alembic", "--dialect", "postgresql", cwd=app.path)

    assert run.code == 0, run.err
    assert "with op.batch_alter_table('user', schema=None) as batch_op:" in run.out


def test_the_multidb_template_needs_the_app_and_says_so(tmp_path: Path) -> None:
    """flask-multidb's script.py.mako asks the running app for its binds; schemadiff renders
    the template without the app (it never runs the project's code outside the sandbox)."""
    repo = new_repo(tmp_path / "repo")
    repo.write("app/__init__.py", APP.format(directory="migrations"))
    repo.write("app/models.py", USER)
    repo.write("pyproject.toml", '[tool.schemadiff]\nmetadata = "app.models:db.metadata"\n')
    flask(repo, "db", "init", "--multidb")
    repo.commit("multidb")
    repo.write("app/models.py", WITH_EMAIL)

    run = schemadiff("revision", "-m", "add email", cwd=repo.path)

    template = repo.path / "migrations" / "script.py.mako"
    assert run.code == 2
    assert run.err.splitlines() == [
        f"schemadiff: error: Alembic's template {template} failed to render: RuntimeError: "
        "Working outside of application context."
    ]
    assert list((repo.path / "migrations" / "versions").iterdir()) == []


def test_a_past_commit_is_read_in_its_own_directory(tmp_path: Path) -> None:
    repo = flask_project(tmp_path / "repo", directory="db_migrations")
    repo.write("app/models.py", WITH_EMAIL)
    migrate(repo, "add email")
    repo.commit("email with its migration")
    repo.git("mv", "db_migrations", "migrations")
    repo.write("app/__init__.py", APP.format(directory="migrations"))
    repo.commit("the default directory")

    run = schemadiff("check", "HEAD~2..HEAD~1", cwd=repo.path)

    assert run.code == 0, run.out + run.err
    assert not (repo.path / "db_migrations").exists()


def hooked(app: GitRepo, hooks: str) -> tuple[Run, Path]:
    """``revision`` with ``hooks`` as migrations/alembic.ini's [post_write_hooks]: what it
    did, and the file it was to write."""
    ini = app.path / "migrations" / "alembic.ini"
    ini.write_text(f"{ini.read_text()}\n[post_write_hooks]\n{hooks}")
    app.write("app/models.py", WITH_EMAIL)
    run = schemadiff("revision", "-m", "add email", "--rev-id", "e1", cwd=app.path)
    return run, app.path / "migrations" / "versions" / "e1_add_email.py"


def test_a_failing_post_write_hook_keeps_the_file_and_says_so(app: GitRepo) -> None:
    app.write(
        "hooks/refuse.py",
        """
        import sys
        print("refuse: reformatting", file=sys.stderr)
        print(f"refuse: cannot format {sys.argv[1]}", file=sys.stderr)
        sys.exit(1)
        """,
    )
    script = app.path / "hooks" / "refuse.py"

    run, path = hooked(
        app,
        f"hooks = refuse\nrefuse.type = exec\nrefuse.executable = {sys.executable}\n"
        f"refuse.options = {script} REVISION_SCRIPT_FILENAME\n",
    )

    assert run.code == 2
    assert run.err.splitlines()[-1] == (
        f"schemadiff: error: the revision was written to {path}; the post-write hook 'refuse' "
        f"failed: refuse: cannot format {path}"
    )
    assert "refuse: reformatting" in run.err  # the hook's own output still shows
    assert "def upgrade" in path.read_text()


def test_a_hook_alembic_cannot_find_keeps_the_file(app: GitRepo) -> None:
    hooks = "hooks = black\nblack.type = console_scripts\nblack.entrypoint = no-such-formatter\n"

    run, path = hooked(app, hooks)

    assert run.code == 2
    assert run.err.splitlines()[-1] == (
        f"schemadiff: error: the revision was written to {path}; the post-write hook 'black' "
        "failed: Could not find entrypoint console_scripts.no-such-formatter"
    )
    assert path.is_file()


def test_a_hook_whose_executable_is_missing_keeps_the_file(app: GitRepo) -> None:
    hooks = "hooks = ruff\nruff.type = exec\nruff.executable = /nonexistent/ruff\n"

    run, path = hooked(app, hooks)

    assert run.code == 2
    assert run.err.splitlines()[-1] == (
        f"schemadiff: error: the revision was written to {path}; the post-write hook 'ruff' "
        "failed: cannot run /nonexistent/ruff: No such file or directory"
    )
    assert path.is_file()


def test_revision_files_are_read_not_run(app: GitRepo) -> None:
    """A revision that needs ``[tool.schemadiff.env]`` to import: ``revision`` never imports
    it in its own process (that would run the project's code outside the sandbox)."""
    (first,) = (app.path / "migrations" / "versions").glob("*.py")
    first.write_text(
        "import os, pathlib\n"
        "pathlib.Path(__file__).with_suffix('.ran').write_text('ran')\n"
        "if os.environ.get('APP_SECRET') != 's3':\n"
        "    raise RuntimeError('APP_SECRET is not set')\n" + first.read_text()
    )
    with (app.path / "pyproject.toml").open("a") as pyproject:
        pyproject.write('\n[tool.schemadiff.env]\nAPP_SECRET = "s3"\n')
    app.write("app/models.py", WITH_EMAIL)

    run = schemadiff("revision", "-m", "add email", "--rev-id", "e1", cwd=app.path)

    assert run.code == 0, run.err
    assert f"Revises: {revision_id(first)}" in Path(run.out.strip()).read_text()
    assert not first.with_suffix(".ran").exists()


def test_zero_config_finds_the_app_its_models_and_its_migrations(tmp_path: Path) -> None:
    """No [tool.schemadiff] and no alembic.ini at the top: env.py (Flask-Migrate's template)
    takes the models from the app, found the way ``flask`` finds it (``app/`` with
    ``create_app``), and the revisions from ``migrations/``."""
    repo = flask_project(tmp_path / "repo")
    (repo.path / "pyproject.toml").unlink()
    repo.commit("no schemadiff settings")
    repo.write("app/models.py", WITH_EMAIL)
    repo.commit("email, no migration")
    migrate(repo, "add email")
    repo.commit("its migration")

    diff = schemadiff("HEAD~2..HEAD~1", cwd=repo.path)
    unmigrated = schemadiff("check", "HEAD~2..HEAD~1", cwd=repo.path)
    migrated = schemadiff("check", "HEAD~2..HEAD", cwd=repo.path)

    assert diff.code == 0, diff.err
    assert diff.out.splitlines()[2:] == ["~ table user", "    + column email VARCHAR(120) NULL"]
    assert unmigrated.code == 1, unmigrated.err
    assert "column added, but no new migration in the change" in unmigrated.out
    assert migrated.code == 0, migrated.out + migrated.err
