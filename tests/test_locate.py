"""Where the models are: env.py's side-effect imports, the ``import`` key, locators that call a
function, Flask app factories, and the side whose models declare no tables (issue 20)."""

from __future__ import annotations

import os
import sysconfig
from collections.abc import Callable
from pathlib import Path

import pytest

from schemadiff import config, discover
from tests.conftest import GitRepo, Run, schemadiff, started

ALEMBIC_INI = """
[alembic]
script_location = migrations
sqlalchemy.url = postgresql://nowhere.invalid/app
"""

ENV_SIDE_EFFECT = """
from alembic import context

from app.db import Base
import app.models.account  # noqa: F401
from app.models import post  # noqa: F401

target_metadata = Base.metadata
"""

ENV_NOTHING = """
from alembic import context

from app.db import Base

target_metadata = Base.metadata
"""

DB = """
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
"""

ACCOUNT = """
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class Account(Base):
    __tablename__ = "account"
    id: Mapped[int] = mapped_column(primary_key=True)
"""

POST = """
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class Post(Base):
    __tablename__ = "post"
    id: Mapped[int] = mapped_column(primary_key=True)
"""

INITIAL = """
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None


def upgrade():
    op.create_table("account", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_table("post", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("post")
    op.drop_table("account")
"""

EMAIL = "    email: Mapped[str | None] = mapped_column(sa.String(200))\n"


def side_effect_project(
    repo: GitRepo, env: str = ENV_SIDE_EFFECT, pyproject: str = "", package: str = ""
) -> None:
    """Two commits of a project whose env.py imports its model modules for their side
    effect; the second adds a column (and no migration for it)."""
    repo.write("alembic.ini", ALEMBIC_INI)
    repo.write("migrations/env.py", env)
    repo.write("migrations/versions/0001_initial.py", INITIAL)
    repo.write("app/__init__.py", "")
    repo.write("app/db.py", DB)
    repo.write("app/models/__init__.py", package)
    repo.write("app/models/account.py", ACCOUNT)
    repo.write("app/models/post.py", POST)
    if pyproject:
        repo.write("pyproject.toml", pyproject)
    repo.commit("initial")
    repo.write("app/models/account.py", ACCOUNT + EMAIL)
    repo.commit("add account.email")


def body(run: Run) -> list[str]:
    assert run.code == 0, run.err
    return run.out.splitlines()[2:]


ADDED_EMAIL = ["~ table account", "    + column email VARCHAR(200) NULL"]


# --- 1. env.py's side-effect imports, zero-config ----------------------------------------------


ENV_NAMES = """
from alembic import context

import app.models.post  # noqa: F401
from app.db import Base
from app.models.account import Account  # noqa: F401

target_metadata = Base.metadata
"""


@pytest.mark.parametrize("env", [ENV_SIDE_EFFECT, ENV_NAMES])
def test_side_effect_imports_of_env_py_are_imported_first(repo: GitRepo, env: str) -> None:
    side_effect_project(repo, env)

    run = schemadiff("HEAD~1..HEAD", cwd=repo.path)

    assert body(run) == ADDED_EMAIL


def test_check_fails_on_the_commit_adding_a_column(repo: GitRepo) -> None:
    side_effect_project(repo)

    run = schemadiff("check", "HEAD~1..HEAD", cwd=repo.path)

    assert run.code == 1, run.out + run.err
    assert (
        "app/models/account.py:10: error: account.email: column added, but no new migration in "
        "the change [migration-required]"
    ) in run.out.splitlines()


def test_log_lists_the_commit_adding_a_column(repo: GitRepo) -> None:
    side_effect_project(repo)

    run = schemadiff("log", cwd=repo.path)

    assert run.code == 0, run.err
    listed = [line.strip() for line in run.out.splitlines() if line.startswith("    ")]
    assert listed == [
        "add account.email",
        "~ table account",
        "+ column email VARCHAR(200) NULL",
        "initial",
        "+ table account",
        "+ column id INTEGER NOT NULL",
        "+ table post",
        "+ column id INTEGER NOT NULL",
    ]


ENV_IN_A_FUNCTION = (
    ENV_NOTHING
    + """

def run_migrations_online():
    import app.models.account  # noqa: F401
    from app.models import post  # noqa: F401
"""
)
EMPTY = (
    "schemadiff: error: The models at {label} declare no tables, but the migrations in "
    "migrations/versions create 2 (account, post).\n"
)
ADVICE = (
    ": set import = [{example}] under [tool.schemadiff], or run with --import MODULE; or point "
    "metadata at a function that returns the filled MetaData, e.g. metadata = "
    '"yourapp:create_app()".\n'
)


@pytest.mark.parametrize(
    ("command", "label"),
    [
        (("HEAD~1..HEAD",), "HEAD"),
        (("check", "HEAD~1..HEAD"), "HEAD"),
        (("revision", "-m", "x", "HEAD~1..HEAD"), "HEAD"),
        (("snapshot", "HEAD"), "HEAD"),
        (("snapshot", "--write"), "the working tree"),
        (("blame", "account"), "{newest}"),
    ],
)
def test_an_empty_side_whose_migrations_create_tables_is_exit_2(
    repo: GitRepo, command: tuple[str, ...], label: str
) -> None:
    side_effect_project(repo, ENV_NOTHING)
    label = label.format(newest=repo.git("rev-parse", "--short=10", "HEAD"))

    run = schemadiff(*command, cwd=repo.path)

    assert run.code == 2, run.out + run.err
    assert not list(repo.path.glob("**/*snapshot.json"))
    assert [f.name for f in (repo.path / "migrations/versions").glob("*.py")] == ["0001_initial.py"]
    assert run.err == EMPTY.format(
        label=label
    ) + "  Import the modules that declare them first" + ADVICE.format(example='"yourapp.models"')
    assert run.out == ""


def test_the_empty_side_error_names_what_env_py_imports(repo: GitRepo) -> None:
    side_effect_project(repo, ENV_IN_A_FUNCTION)

    run = schemadiff("HEAD~1..HEAD", cwd=repo.path)

    assert run.code == 2
    assert run.err == EMPTY.format(
        label="HEAD"
    ) + "  env.py imports app.models.account, app.models.post" + (
        ADVICE.format(example='"app.models.account", "app.models.post"')
    )


def test_log_names_the_empty_side_instead_of_passing(repo: GitRepo) -> None:
    side_effect_project(repo, ENV_NOTHING)

    run = schemadiff("log", cwd=repo.path)

    assert run.code == 0, run.err
    assert "the models do not import at 2 commits, from " in run.out
    assert "): The models at " in run.out
    assert "declare no tables, but the migrations in migrations/versions create 2" in run.out


def empty_project(repo: GitRepo) -> str:
    """Two commits of models that declare no tables yet, and no migrations; the newest."""
    repo.write("pyproject.toml", '[tool.schemadiff]\nmetadata = "app.db:Base.metadata"\n')
    repo.write("app/__init__.py", "")
    repo.write("app/db.py", DB)
    repo.commit("one")
    repo.write("app/db.py", DB + "\n# nothing yet\n")
    return repo.commit("two")


RENAMED = """
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    op.rename_table("account", "user_account")
"""
DROPPED = """
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade():
    op.drop_table("user_account")
    op.drop_table("post")
"""


def dropped_project(repo: GitRepo) -> str:
    """Two commits of models that declare no tables any more, whose migrations created two,
    renamed one, then dropped both; the files are named against the revision order: it is
    the down_revision chain that says the rename comes before the drop. The newest."""
    repo.write("alembic.ini", ALEMBIC_INI)
    repo.write("migrations/env.py", ENV_NOTHING)
    repo.write("migrations/versions/c_initial.py", INITIAL)
    repo.write("migrations/versions/b_rename.py", RENAMED)
    repo.write("migrations/versions/a_drop.py", DROPPED)
    repo.write("app/__init__.py", "")
    repo.write("app/db.py", DB)
    repo.commit("one")
    repo.write("app/db.py", DB + "\n# no models left\n")
    return repo.commit("two")


@pytest.mark.parametrize("project", [empty_project, dropped_project])
def test_two_empty_sides_that_migrations_leave_empty_are_said_to_be_empty(
    repo: GitRepo, project: Callable[[GitRepo], str]
) -> None:
    project(repo)

    run = schemadiff("HEAD~1..HEAD", cwd=repo.path)

    assert run.code == 0, run.err
    assert run.err.splitlines() == [
        "note: the models at HEAD~1 declare no tables.",
        "note: the models at HEAD declare no tables.",
        "No schema changes between HEAD~1 and HEAD.",
    ]


# --- the import key and --import ----------------------------------------------------------------

IMPORT_KEY = """
[tool.schemadiff]
import = ["app.models.account", "app.models:post"]
"""


def test_the_import_key_imports_modules_first(repo: GitRepo) -> None:
    side_effect_project(
        repo, ENV_NOTHING, IMPORT_KEY.replace('"app.models:post"', '"app.models.post"')
    )

    assert body(schemadiff("HEAD~1..HEAD", cwd=repo.path)) == ADDED_EMAIL


def test_the_import_option_imports_modules_first(repo: GitRepo) -> None:
    side_effect_project(repo, ENV_NOTHING)

    run = schemadiff(
        "--import",
        "app.models.account",
        "--import",
        "app.models.post",
        "HEAD~1..HEAD",
        cwd=repo.path,
    )

    assert body(run) == ADDED_EMAIL


def test_an_import_that_is_not_a_module_is_exit_2(repo: GitRepo) -> None:
    side_effect_project(repo, ENV_NOTHING, IMPORT_KEY)

    run = schemadiff("HEAD~1..HEAD", cwd=repo.path)

    assert run.code == 2
    assert run.err.strip() == (
        "schemadiff: error: pyproject.toml at HEAD: import 'app.models:post' is not a module. "
        'Write it as "package.module", or "package.module:function()" to call a function first.'
    )


# --- 2. setup code before the locator -------------------------------------------------------

COLLECTING = """
import importlib
import pkgutil

from app.db import Base


def import_all_models():
    for found in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{found.name}")
    return Base.metadata
"""


@pytest.mark.parametrize(
    "pyproject",
    [
        '[tool.schemadiff]\nmetadata = "app.models:import_all_models()"\n',
        '[tool.schemadiff]\nmetadata = "app.db:Base.metadata"\n'
        'import = ["app.models:import_all_models()"]\n',
    ],
)
def test_a_function_that_collects_the_models(repo: GitRepo, pyproject: str) -> None:
    side_effect_project(repo, ENV_NOTHING, pyproject, COLLECTING)

    assert body(schemadiff("HEAD~1..HEAD", cwd=repo.path)) == ADDED_EMAIL


FLASK_APP = """
from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
migrate = Migrate()


def {factory}():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    db.init_app(app)
    migrate.init_app(app, db)
    from {package} import models  # noqa: F401  (the models are collected by the factory)

    return app
"""
FLASK_MODELS = """
from {package} import db


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
"""
FLASK_INITIAL = INITIAL.replace(
    '    op.create_table("post", sa.Column("id", sa.Integer(), primary_key=True))\n', ""
).replace('"account"', '"user"')


def flask_project(repo: GitRepo, package: str = "app", factory: str = "create_app") -> None:
    """A Flask-Migrate project: its own env.py template, an app factory that imports the
    models; the second commit adds a column."""
    template = Path(sysconfig.get_paths()["purelib"]) / "flask_migrate/templates/flask/env.py"
    repo.write("alembic.ini", ALEMBIC_INI)
    repo.write("migrations/env.py", template.read_text())
    repo.write("migrations/versions/0001_initial.py", FLASK_INITIAL)
    repo.write(f"{package}/__init__.py", FLASK_APP.format(package=package, factory=factory))
    repo.write(f"{package}/models.py", FLASK_MODELS.format(package=package))
    repo.commit("initial")
    column = "    name = db.Column(db.String(80))\n"
    repo.write(f"{package}/models.py", FLASK_MODELS.format(package=package) + column)
    repo.commit("add user.name")


FLASK_CHANGE = ["~ table user", "    + column name VARCHAR(80) NULL"]


def test_flask_migrate_env_py_finds_the_app_factory(repo: GitRepo) -> None:
    flask_project(repo)

    assert body(schemadiff("HEAD~1..HEAD", cwd=repo.path)) == FLASK_CHANGE


def test_flask_app_named_by_flaskenv(repo: GitRepo) -> None:
    repo.write(".flaskenv", "FLASK_APP=service:build()\n")
    flask_project(repo, "service", "build")

    assert body(schemadiff("HEAD~1..HEAD", cwd=repo.path)) == FLASK_CHANGE


def test_flask_app_that_cannot_be_found_is_exit_2_with_the_advice(repo: GitRepo) -> None:
    flask_project(repo, "service", "build")

    run = schemadiff("HEAD~1..HEAD", cwd=repo.path)

    assert run.code == 2
    assert run.err == NO_APP.format(why=discover.NO_FLASK_APP)
    assert discover.NO_FLASK_APP == (
        "no app was found: no FLASK_APP in .flaskenv or .env, no app or create_app() in wsgi.py, "
        "app.py or app/"
    )


FLASK_APP_FOUND = [
    "FLASK_APP=\nFLASK_DEBUG=1\n",
    "FLASK_APP=app/__init__.py\n",
    "FLASK_APP = 'app/__init__.py'  # the package\n",
    "FLASK_APP=run.py\n",
    "FLASK_APP=elsewhere\n",
]


@pytest.mark.parametrize("flaskenv", FLASK_APP_FOUND)
def test_flask_app_is_read_as_flask_reads_it(repo: GitRepo, flaskenv: str) -> None:
    repo.write(".flaskenv", flaskenv)
    repo.write(".env", "FLASK_APP=app\n" if "elsewhere" in flaskenv else "")  # .env wins
    repo.write("run.py", "from app import create_app  # noqa: F401\n")
    flask_project(repo)

    assert body(schemadiff("HEAD~1..HEAD", cwd=repo.path)) == FLASK_CHANGE


NO_APP = (
    "schemadiff: error: No MetaData to compare at HEAD (migrations/env.py takes the models "
    'from the Flask app, and {why}). Set metadata = "yourapp:create_app()" under '
    "[tool.schemadiff] in pyproject.toml, or pass --metadata.\n"
)


@pytest.mark.parametrize(
    ("flaskenv", "why"),
    [
        (
            "FLASK_APP=\"app:create_app('dev')\"\n",
            "FLASK_APP in .flaskenv, \"app:create_app('dev')\", calls the app factory with "
            "arguments; a locator calls it with none",
        ),
        (
            "FLASK_APP=web.main\n",
            "FLASK_APP in .flaskenv names the module web.main, which is not in the tree (., src)",
        ),
        (
            "FLASK_APP=app.models\n",
            "FLASK_APP in .flaskenv names the module app.models, which defines no app, "
            "application, create_app() or make_app()",
        ),
    ],
)
def test_a_flask_app_setting_that_cannot_be_used_says_why(
    repo: GitRepo, flaskenv: str, why: str
) -> None:
    repo.write(".flaskenv", flaskenv)
    flask_project(repo)

    run = schemadiff("HEAD~1..HEAD", cwd=repo.path)

    assert run.code == 2, run.out + run.err
    assert run.err == NO_APP.format(why=why)


def test_flask_app_factory_as_the_locator(repo: GitRepo) -> None:
    repo.write("pyproject.toml", '[tool.schemadiff]\nmetadata = "service:build()"\n')
    flask_project(repo, "service", "build")

    assert body(schemadiff("HEAD~1..HEAD", cwd=repo.path)) == FLASK_CHANGE


# --- 8. a multi-line exception: the line that says what is wrong ------------------------------

SETTINGS = """
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    database_url: str


settings = Settings()
"""


def test_pydantic_missing_field_is_quoted(repo: GitRepo) -> None:
    repo.write("pyproject.toml", '[tool.schemadiff]\nmetadata = "app.db:Base.metadata"\n')
    repo.write("app/__init__.py", "")
    repo.write("app/settings.py", SETTINGS)
    repo.write("app/db.py", "from app.settings import settings\n" + DB)
    repo.commit("one")

    run = schemadiff("HEAD", cwd=repo.path)

    assert run.code == 2
    assert run.err == (
        "schemadiff: error: Importing the models at the working tree failed (app/settings.py:8): "
        "pydantic ValidationError for Settings: database_url: Field required\n"
        "  Set what it needs under [tool.schemadiff.env], or run with --debug.\n"
    )


# --- hostile locators -----------------------------------------------------------------------

HOSTILE = """
import os
import sys
from pathlib import Path

from app.db import Base


def raises():
    raise ValueError("no models today")


def leaves():
    sys.exit(3)


def answers():
    return 42


def marks():
    Path(os.environ["RAN_AT"]).write_text(str(os.getpid()))
    return Base.metadata


def needs(config_name):
    return Base.metadata


def mistyped():
    return len(42)
"""


FAILED = "Importing the models at the working tree failed"


def hostile_project(repo: GitRepo, function: str) -> None:
    """One commit whose locator calls ``function`` of HOSTILE."""
    repo.write("pyproject.toml", f'[tool.schemadiff]\nmetadata = "app.hostile:{function}()"\n')
    repo.write("app/__init__.py", "")
    repo.write("app/db.py", DB)
    repo.write("app/hostile.py", HOSTILE)
    repo.commit("one")


@pytest.mark.parametrize(
    ("function", "said"),
    [
        (
            "raises",
            f"{FAILED} (app/hostile.py:9): ValueError: no models today",
        ),
        (
            "leaves",
            f"{FAILED} (app/hostile.py:13): SystemExit: 3",
        ),
        (
            "answers",
            f"{FAILED} (app/hostile.py:16): app.hostile:answers() returned a value of type int, "
            "not a sqlalchemy MetaData. Point the locator at one, e.g. "
            '"app.models:Base.metadata", or at a function that returns one.',
        ),
    ],
)
def test_a_hostile_locator_function_is_exit_2_with_file_and_line(
    repo: GitRepo, function: str, said: str
) -> None:
    hostile_project(repo, function)

    run = schemadiff("HEAD", cwd=repo.path)

    assert run.code == 2, run.err
    assert run.err.splitlines()[0] == f"schemadiff: error: {said}"
    assert "Traceback" not in run.err


TAKES_ARGUMENTS = (
    "schemadiff: error: {called!r} takes arguments ({where}); a locator calls it with none: "
    "point at a function that takes none, e.g. a wrapper\n"
)


def test_a_locator_function_that_takes_arguments_is_exit_2_naming_its_def(repo: GitRepo) -> None:
    hostile_project(repo, "needs")

    run = schemadiff("HEAD", cwd=repo.path)

    assert run.code == 2, run.err
    assert run.err == TAKES_ARGUMENTS.format(called="app.hostile:needs", where="app/hostile.py:25")


def test_a_flask_app_factory_that_takes_arguments_is_exit_2_naming_its_def(repo: GitRepo) -> None:
    flask_project(repo)
    source = (repo.path / "app/__init__.py").read_text()
    repo.write("app/__init__.py", source.replace("def create_app():", "def create_app(config):"))
    repo.commit("a factory that takes its configuration")

    run = schemadiff("HEAD", cwd=repo.path)

    assert run.code == 2, run.err
    assert run.err == TAKES_ARGUMENTS.format(called="app:create_app", where="app/__init__.py:9")


def test_a_type_error_inside_a_locator_function_keeps_its_own_line(repo: GitRepo) -> None:
    hostile_project(repo, "mistyped")

    run = schemadiff("HEAD", cwd=repo.path)

    assert run.code == 2, run.err
    assert run.err == (
        f"schemadiff: error: {FAILED} (app/hostile.py:30): TypeError: object of type 'int' has "
        "no len()\n  Set what it needs under [tool.schemadiff.env], or run with --debug.\n"
    )


def test_a_locator_function_runs_only_in_the_sandbox_child(repo: GitRepo, tmp_path: Path) -> None:
    ran = tmp_path / "ran"
    hostile_project(repo, "marks")
    repo.write(
        "pyproject.toml",
        '[tool.schemadiff]\nmetadata = "app.hostile:marks()"\nsandbox = "off"\n\n'
        f'[tool.schemadiff.env]\nRAN_AT = "{ran}"\n',
    )
    repo.commit("say where to write the pid")
    before = repo.state()

    process = started("HEAD", cwd=repo.path)
    _, err = process.communicate(timeout=120)

    assert process.returncode == 0, err
    assert "note: the models at HEAD declare no tables." in err
    assert int(ran.read_text()) not in (process.pid, os.getpid())  # called, in another process
    assert repo.state() == before


# --- env.py and the Flask app, read statically --------------------------------------------------


def flask_migrate_template() -> bytes:
    return (
        Path(sysconfig.get_paths()["purelib"]) / "flask_migrate/templates/flask/env.py"
    ).read_bytes()


def test_the_side_effect_imports_of_env_py() -> None:
    assert discover.imports_from_env(ENV_SIDE_EFFECT.encode()) == (
        "app.models.account",
        "app.models.post",
    )
    assert discover.imports_from_env(ENV_NOTHING.encode()) == ()
    assert discover.imports_from_env(flask_migrate_template()) == ()


def test_flask_migrate_env_py_takes_the_models_from_the_app() -> None:
    assert discover.takes_flask_app(flask_migrate_template())
    assert not discover.takes_flask_app(ENV_SIDE_EFFECT.encode())


@pytest.mark.parametrize(
    ("files", "found"),
    [
        (
            {".flaskenv": b"FLASK_APP=shop.factory:make_app()\n", "shop/factory.py": b""},
            "shop.factory:make_app()",
        ),
        ({".env": b"export FLASK_APP='shop'\n", "src/shop/__init__.py": b"app = 1\n"}, "shop:app"),
        (
            {"wsgi.py": b"from shop import create_app\napplication = create_app()\n"},
            "wsgi:application",
        ),
        ({"app.py": b"def make_app():\n    pass\n"}, "app:make_app()"),
        ({"app/__init__.py": b"def create_app():\n    pass\n"}, "app:create_app()"),
        ({".flaskenv": b"FLASK_APP=shop:create_app('dev')\n"}, None),
        ({"app.py": b"print('no app here')\n"}, None),
        (
            {".env": b"FLASK_APP=src/shop/__init__.py\n", "src/shop/__init__.py": b"app = 1\n"},
            "shop:app",
        ),
        (
            {".flaskenv": b"FLASK_APP=shop/web.py\n", "shop/__init__.py": b"", "shop/web.py": b""},
            None,
        ),
        (
            {
                ".flaskenv": b"FLASK_APP=shop/web.py:app\n",
                "shop/__init__.py": b"",
                "shop/web.py": b"",
            },
            "shop.web:app",
        ),
    ],
)
def test_the_flask_app_is_found_as_flask_finds_it(files: dict[str, bytes], found: str) -> None:
    assert discover.flask_app(files.get, (".", "src"))[0] == found


def test_an_import_function_that_raises_is_reported_with_file_and_line(repo: GitRepo) -> None:
    hostile_project(repo, "marks")
    repo.write(
        "pyproject.toml",
        '[tool.schemadiff]\nmetadata = "app.db:Base.metadata"\nimport = ["app.hostile:raises()"]\n',
    )

    run = schemadiff("HEAD", cwd=repo.path)

    assert run.code == 2
    assert run.err.splitlines()[0] == (
        f"schemadiff: error: {FAILED} (app/hostile.py:9): ValueError: no models today"
    )


def test_a_locator_calling_with_arguments_is_refused(repo: GitRepo) -> None:
    hostile_project(repo, "marks")

    run = schemadiff("--metadata", "app:create_app('dev')", "HEAD", cwd=repo.path)

    assert run.code == 2
    assert run.err == (
        "schemadiff: error: --metadata: \"app:create_app('dev')\" is not a locator. Write it as "
        '"package.module:attribute", e.g. "app.models:Base.metadata", or "app:create_app()" to '
        "call a function.\n"
    )


def test_an_empty_log_says_the_models_declare_no_tables(repo: GitRepo) -> None:
    newest = empty_project(repo)

    run = schemadiff("log", cwd=repo.path)

    assert run.code == 0, run.err
    assert run.err.splitlines() == [
        f"note: the models declare no tables at 2 of the 2 commits read, such as {newest[:10]}.",
        "No commit in this walk changed the schema.",
    ]


def alembic_files(env: str, pyproject: str = "") -> dict[str, bytes]:
    files = {"alembic.ini": ALEMBIC_INI.encode(), "migrations/env.py": env.encode()}
    return {**files, "pyproject.toml": pyproject.encode()} if pyproject else files


def test_settings_take_the_side_effect_imports_of_the_sides_own_env_py() -> None:
    side = alembic_files(ENV_SIDE_EFFECT)
    own = config.resolve(side.get, None, config.Overrides(), "HEAD")
    keyed = alembic_files(ENV_SIDE_EFFECT, '[tool.schemadiff]\nimport = ["app.all"]\n')
    given = config.Overrides(imports=("app.cli",))
    older = {"pyproject.toml": b'[tool.schemadiff]\nmetadata = "app.db:Base.metadata"\n'}

    assert own.imports == ("app.models.account", "app.models.post")
    assert config.resolve(keyed.get, None, config.Overrides(), "HEAD").imports == ("app.all",)
    assert config.resolve(keyed.get, None, given, "HEAD").imports == ("app.cli",)
    assert config.resolve(older.get, side.get, config.Overrides(), "HEAD~9").imports == ()


def test_an_import_naming_no_module_on_one_side_is_exit_2(repo: GitRepo) -> None:
    side_effect_project(repo, ENV_NOTHING)
    repo.write("app/newmod.py", ACCOUNT.replace("Account", "Other").replace('"account"', '"other"'))
    repo.commit("add newmod")

    run = schemadiff("check", "HEAD~1..HEAD", "--import", "app.newmod", cwd=repo.path)

    assert run.code == 2, run.out + run.err
    assert run.out == ""
    assert run.err.splitlines() == [
        "schemadiff: error: import 'app.newmod' names no module at HEAD~1.",
        "  Import a module every compared commit has, or compare from a commit that has it.",
    ]


ENV_TELEMETRY = ENV_SIDE_EFFECT.replace(
    "from app.db import Base\n", "from app.db import Base\nimport app.telemetry  # noqa: F401\n"
)


@pytest.mark.parametrize("where", ["pyproject", "option"])
def test_env_py_imports_are_not_taken_when_metadata_is_set(repo: GitRepo, where: str) -> None:
    pyproject = '[tool.schemadiff]\nmetadata = "app.models:collect()"\n'
    repo.write("app/telemetry.py", 'import os\n\nENDPOINT = os.environ["OTEL_ENDPOINT"]\n')
    collect = (
        "def collect():\n    from app.db import Base\n    from app.models import account, post"
        "  # noqa: F401\n\n    return Base.metadata\n"
    )
    side_effect_project(repo, ENV_TELEMETRY, pyproject if where == "pyproject" else "", collect)
    option = ("--metadata", "app.models:collect()") if where == "option" else ()

    run = schemadiff(*option, "HEAD~1..HEAD", cwd=repo.path)

    assert body(run) == ADDED_EMAIL
