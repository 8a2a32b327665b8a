"""The import's closure decides which commits have the same schema (``schemadiff.closure``).

Each test builds a real history and runs the real CLI with ``--debug``, which logs one line
per import ("<side>: imported in ..."): the imports are counted from it, and the answers
are checked against what each commit's models say.
"""

from __future__ import annotations

import json
import sysconfig
from pathlib import Path

import pytest

from schemadiff.closure import Reads, Tree, Watch
from schemadiff.gitrefs import Entry
from tests.conftest import GitRepo, Run, clean_env, schemadiff
from tests.test_locate import ALEMBIC_INI, FLASK_APP, FLASK_INITIAL, FLASK_MODELS, flask_project

PACKAGE = """
import importlib
import json
import sysconfig
import pathlib
import pkgutil

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

from app import sizes


class Base(DeclarativeBase):
    pass


NAMES = json.loads((pathlib.Path(__file__).parent.parent / "data" / "names.json").read_text())
thing = sa.Table(
    "thing",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("label", sa.String(sizes.LABEL)),
    *[sa.Column(name, sa.Integer) for name in NAMES],
)
for found in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{found.name}")
"""
"""The models: a column list read from a data file, a size from a module imported through
another (app.sizes -> app.units), and every module of the package imported by a scan."""


@pytest.fixture
def project(repo: GitRepo) -> GitRepo:
    repo.write(
        "pyproject.toml",
        """
        [tool.schemadiff]
        metadata = "app.models:Base.metadata"
        dialect = "postgresql"
        """,
    )
    repo.write("app/__init__.py", "")
    repo.write("app/models/__init__.py", PACKAGE)
    repo.write("app/data/names.json", '["a"]')
    repo.write("app/data/other.json", '["z"]')
    repo.write("app/sizes.py", "from app.units import CHARS\nLABEL = CHARS * 2\n")
    repo.write("app/units.py", "CHARS = 20\n")
    repo.write("app/api.py", "VERSION = 1\n")
    repo.write("app/static/notes.json", "{}")
    repo.write("frontend/src/index.js", "export {}\n")
    repo.commit("models")
    return repo


def run(repo: GitRepo, tmp_path: Path, *args: str) -> Run:
    env = clean_env(SCHEMADIFF_CACHE_DIR=str(tmp_path / "cache"))
    return schemadiff("--debug", *args, cwd=repo.path, env=env)


def imports(result: Run) -> int:
    return result.err.count(": imported in ")


RERUN = "the import read app/data/names.json, which its view left out: importing it again with that"
"""The project's first import is given its code and the files beside it (``view``): its data
folder is not, and once read it is given from then on. That costs one import more, once."""


def logged(result: Run) -> list[tuple[str, list[str]]]:
    """Each entry's subject and its changes, as ``log --format json`` lists them."""
    entries = [json.loads(line) for line in result.out.splitlines()]
    return [
        (e["subject"], [f"{c['kind']} {c['table']}.{c.get('name')}" for c in e["changes"]])
        for e in entries
    ]


def test_files_the_import_never_read_cost_no_import(project: GitRepo, tmp_path: Path) -> None:
    for number in range(2, 6):
        project.write("app/api.py", f"VERSION = {number}\n")  # Python the models never import
        project.commit(f"api {number}")
        project.write(f"frontend/src/page{number}.js", "export {}\n")
        project.write("app/static/notes.json", f'{{"n": {number}}}')
        project.commit(f"frontend {number}")

    result = run(project, tmp_path, "log", "--format", "json")

    assert result.code == 0, result.err
    assert [subject for subject, _ in logged(result)] == ["models"]
    assert result.err.count(RERUN) == 1
    assert imports(result) == 2  # nine commits after the first, all with its schema


def test_a_changed_data_file_is_a_schema_change(project: GitRepo, tmp_path: Path) -> None:
    project.write("app/data/other.json", '["y"]')  # beside it, never read
    project.commit("other")
    project.write("app/data/names.json", '["a", "b"]')
    project.commit("names")

    result = run(project, tmp_path, "log", "--format", "json")

    assert result.code == 0, result.err
    assert logged(result)[0] == ("names", ["add_column thing.b"])
    assert imports(result) == 3  # names (again with app/data), other; models is as other


def test_a_new_module_a_package_scan_finds_is_a_change(project: GitRepo, tmp_path: Path) -> None:
    project.write(
        "app/models/extra.py",
        """
        import sqlalchemy as sa
        from app.models import Base
        extra = sa.Table("extra", Base.metadata, sa.Column("id", sa.Integer, primary_key=True))
        """,
    )
    project.commit("extra")

    result = run(project, tmp_path, "log", "--format", "json")

    assert result.code == 0, result.err
    assert logged(result)[0] == ("extra", ["add_table extra.extra"])


def test_a_module_imported_only_indirectly_is_followed(project: GitRepo, tmp_path: Path) -> None:
    project.write("app/units.py", "CHARS = 30\n")  # app.models -> app.sizes -> app.units
    project.commit("wider")

    result = run(project, tmp_path, "log", "--format", "json")

    assert result.code == 0, result.err
    assert logged(result)[0] == ("wider", ["modify_type thing.label"])


def test_a_warm_cache_decides_a_whole_walk_without_an_import(
    project: GitRepo, tmp_path: Path
) -> None:
    project.write("app/data/names.json", '["a", "b"]')
    project.commit("names")
    project.write("app/api.py", "VERSION = 2\n")
    project.commit("api")
    cold = run(project, tmp_path, "log", "--format", "json")
    project.write("app/api.py", "VERSION = 3\n")
    project.commit("api again")  # a commit no run has seen, with a closure one has

    warm = run(project, tmp_path, "log", "--format", "json")

    assert (cold.code, warm.code) == (0, 0), warm.err
    assert logged(warm) == logged(cold)
    assert imports(warm) == 0


def test_check_of_a_commit_outside_the_closure_imports_nothing(
    project: GitRepo, tmp_path: Path
) -> None:
    assert run(project, tmp_path, "HEAD").code == 0  # HEAD's schema is cached
    project.write("app/api.py", "VERSION = 2\n")
    project.git("add", "app/api.py")

    result = run(project, tmp_path, "check", "--hook")

    assert result.code == 0, result.err
    assert imports(result) == 0


def test_blame_reads_only_the_classes_it_follows(project: GitRepo, tmp_path: Path) -> None:
    created = project.git("rev-parse", "HEAD")
    project.write("app/data/names.json", '["a", "b"]')
    added = project.commit("names")
    for number in range(2, 8):
        project.write("app/api.py", f"VERSION = {number}\n")
        project.commit(f"api {number}")

    result = run(project, tmp_path, "blame", "thing", "--format", "json")

    assert result.code == 0, result.err
    origins = {line["column"]: line["commit"]["commit"] for line in json.loads(result.out)["lines"]}
    assert origins == {"id": created, "label": created, "a": created, "b": added}
    assert imports(result) == 3  # the tip (again with app/data), and the commit before names


# --- the rule itself, on git's view of two sides ---------------------------------------------


def entries(*paths: str, blob: str = "1") -> list[Entry]:
    return [Entry(p, 0o100644, blob) for p in paths]


def never(path: str) -> tuple[bool, bool]:
    raise AssertionError(f"asked whether {path} exists")


def test_a_new_file_in_a_listed_directory_is_a_change() -> None:
    watch = Watch(Reads(listed=frozenset({"app/models"})))

    assert watch.touches([("A", "app/models/notes.txt")], never)
    assert not watch.touches([("M", "app/models/other.txt")], never)


def test_a_module_lookup_is_answered_by_its_files_and_directory_only() -> None:
    watch = Watch(Reads(modules=frozenset({"settings", "app/models/user"})))

    assert watch.touches([("A", "settings.py")], never)  # a lookup that failed is answered
    assert watch.touches([("D", "app/models/user.py")], never)
    assert not watch.touches([("A", "README.md")], never)
    assert not watch.touches([("A", "app/models/post.py")], never)  # nobody asked for it
    # A package directory that comes with its first file (a namespace package), or not.
    assert watch.touches([("A", "settings/x.json")], lambda path: (False, True))
    assert not watch.touches([("A", "settings/x.json")], lambda path: (True, True))
    assert watch.touches([("A", "settings/__init__.py")], lambda path: (True, True))


def test_a_probed_path_that_becomes_a_directory_is_a_change() -> None:
    watch = Watch(Reads(files=frozenset({"app/data"})))

    assert watch.touches([("A", "app/data/x.json")], lambda path: (False, True))
    assert not watch.touches([("A", "app/data/y.json")], lambda path: (True, True))
    assert not watch.touches([("M", "app/data/x.json")], never)


def test_a_change_above_a_read_file_is_a_change() -> None:
    watch = Watch(Reads(files=frozenset({"app/link/x.json"})))

    assert watch.touches([("M", "app/link")], never)  # the link the file was read through


def test_what_a_closure_holds_is_read_from_the_side() -> None:
    reads = Reads(
        files=frozenset({"app/x.json", "app/gone.json", "app"}),
        listed=frozenset({"app"}),
        modules=frozenset({"top", "app/sub", "gone"}),
    )
    tree = Tree(entries("app/x.json", "app/sub/__init__.py", "README.md", "top.py"))

    held = tree.state(reads, lambda entry: str(entry.blob))

    assert held == {
        "files": {"app": "dir", "app/gone.json": "-", "app/x.json": "100644:1"},
        "listed": {"app": ["sub/", "x.json"]},
        "modules": {"app/sub": ["sub/", "__init__.py"], "gone": [], "top": ["top.py"]},
        "metadata": {},
        "links": {},
    }


LEGACY = """
import legacy_dependency_v1  # gone from today's environment
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


thing = sa.Table("thing", Base.metadata, sa.Column("id", sa.Integer, primary_key=True){more})
"""


def test_a_stretch_that_does_not_import_is_one_entry_one_import_per_closure(
    repo: GitRepo, tmp_path: Path
) -> None:
    repo.write("pyproject.toml", '[tool.schemadiff]\nmetadata = "app.models:Base.metadata"\n')
    repo.write("app/__init__.py", "")
    repo.write("app/models/__init__.py", LEGACY.format(more=""))
    first = repo.commit("old era")
    repo.write("app/api.py", "VERSION = 2\n")
    repo.commit("api")
    repo.write("frontend/index.js", "export {}\n")
    repo.commit("frontend")
    repo.write("app/models/__init__.py", LEGACY.format(more=', sa.Column("n", sa.Integer)'))
    last = repo.commit("model change, still failing")
    repo.write("app/models/__init__.py", LEGACY.format(more="").replace("import legacy", "# "))
    repo.commit("new era")

    result = run(repo, tmp_path, "log")

    assert result.code == 0, result.err
    failing = [line.strip() for line in result.out.splitlines() if "do not import" in line]
    assert failing == [
        f"the models do not import at 4 commits, from {dated(repo, first)} ({first[:10]}) to "
        f"{dated(repo, last)} ({last[:10]}): Importing the models at {first[:10]} failed "
        "(app/models/__init__.py:1): ModuleNotFoundError: No module named "
        "'legacy_dependency_v1'"
    ]
    assert imports(result) == 3  # the new era, and each of the two failing closures once


def dated(repo: GitRepo, commit: str) -> str:
    return repo.git("show", "-s", "--format=%aI", commit)[:10]


PROBING = """
import glob
import os

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


HERE = os.path.dirname(__file__)
columns = [sa.Column("id", sa.Integer, primary_key=True)]
if os.path.exists(os.path.join(HERE, "audited.flag")):  # probed, never opened
    columns.append(sa.Column("audited_at", sa.DateTime))
for sql in sorted(glob.glob(os.path.join(HERE, "views", "*.sql"))):  # a listing
    columns.append(sa.Column(os.path.basename(sql)[:-4], sa.Integer))
thing = sa.Table("thing", Base.metadata, *columns)
"""


@pytest.mark.parametrize(
    ("added", "change"),
    [
        ("app/audited.flag", "add_column thing.audited_at"),
        ("app/views/total.sql", "add_column thing.total"),
    ],
)
def test_a_path_only_probed_or_listed_is_in_the_closure(
    repo: GitRepo, tmp_path: Path, added: str, change: str
) -> None:
    repo.write("pyproject.toml", '[tool.schemadiff]\nmetadata = "app.models:Base.metadata"\n')
    repo.write("app/__init__.py", "")
    repo.write("app/models.py", PROBING)
    repo.write("app/views/README", "views\n")
    repo.commit("models")
    repo.write(added, "")
    repo.commit("added")

    result = run(repo, tmp_path, "log", "--format", "json")

    assert result.code == 0, result.err
    assert logged(result)[0] == ("added", [change])


def test_a_data_folder_read_once_is_given_to_every_later_import(
    project: GitRepo, tmp_path: Path
) -> None:
    first = run(project, tmp_path, "HEAD")
    project.write("app/models/__init__.py", PACKAGE + "\n# a change the import reads\n")
    project.commit("touch models")

    later = run(project, tmp_path, "HEAD~1..HEAD")

    assert (first.code, later.code) == (0, 0), later.err
    assert first.err.count(RERUN) == 2  # HEAD and the working tree, at once
    assert (imports(later), later.err.count("left out")) == (1, 0)
    assert later.err.count("No schema changes") == 1


def test_a_file_the_settings_are_read_from_is_watched_too(repo: GitRepo, tmp_path: Path) -> None:
    """.flaskenv names the app: the import never reads it, the settings do."""
    repo.write(".flaskenv", "FLASK_APP=service:build()\n")
    flask_project(repo, "service", "build")
    repo.write("other/__init__.py", FLASK_APP.format(package="other", factory="build"))
    repo.write("other/models.py", FLASK_MODELS.format(package="other").replace("User", "Account"))
    repo.commit("another app")
    repo.write(".flaskenv", "FLASK_APP=other:build()\n")
    repo.commit("switch the app")

    result = run(repo, tmp_path, "log", "--format", "json")

    assert result.code == 0, result.err
    assert logged(result)[0] == (
        "switch the app",
        ["add_table account.account", "remove_table user.user"],
    )


def test_check_takes_no_fast_path_past_a_settings_file_outside_the_roots(
    repo: GitRepo, tmp_path: Path
) -> None:
    """A src layout (the roots: src) whose .flaskenv, at the top, switches the app."""
    template = Path(sysconfig.get_paths()["purelib"]) / "flask_migrate/templates/flask/env.py"
    repo.write("alembic.ini", ALEMBIC_INI)
    repo.write("migrations/env.py", template.read_text())
    repo.write("migrations/versions/0001_initial.py", FLASK_INITIAL)
    for package, model in (("service", "User"), ("other", "Account")):
        repo.write(f"src/{package}/__init__.py", FLASK_APP.format(package=package, factory="build"))
        models = FLASK_MODELS.format(package=package).replace("User", model)
        repo.write(f"src/{package}/models.py", models)
    repo.write(".flaskenv", "FLASK_APP=service:build()\n")
    repo.commit("two apps")
    repo.write(".flaskenv", "FLASK_APP=other:build()\n")
    repo.git("add", ".flaskenv")

    result = run(repo, tmp_path, "check", "--hook")

    assert result.code == 1, result.err
    assert "~ table: renamed from user (guessed)" in result.out


def test_a_metadata_scan_counts_distributions_only() -> None:
    watch = Watch(Reads(metadata=frozenset({"."})))

    assert not watch.touches([("A", "CHANGELOG.md")], never)
    assert not watch.touches([("A", "docs/index.md")], lambda path: (False, True))
    assert watch.touches([("A", "tool-1.0.dist-info/METADATA")], lambda path: (False, True))


NAMED = """
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

from migrations.versions.naming import PREFIX


class Base(DeclarativeBase):
    pass


thing = sa.Table(f"{PREFIX}_thing", Base.metadata, sa.Column("id", sa.Integer, primary_key=True))
"""


def test_the_revision_files_are_not_given_unless_the_models_import_one(
    repo: GitRepo, tmp_path: Path
) -> None:
    """schemadiff reads migrations/versions itself; a model that imports from it (a naming
    convention kept there, say) gets it at its second try."""
    repo.write("pyproject.toml", '[tool.schemadiff]\nmetadata = "app.models:Base.metadata"\n')
    repo.write("alembic.ini", "[alembic]\nscript_location = migrations\n")
    repo.write("migrations/env.py", "")
    repo.write("migrations/versions/naming.py", 'PREFIX = "ix"\n')
    repo.write("migrations/versions/0001_initial.py", '"""initial"""\nrevision = "0001"\n')
    repo.write("app/__init__.py", "")
    repo.write("app/models.py", NAMED)
    repo.commit("models")

    result = run(repo, tmp_path, "snapshot", "HEAD")

    assert result.code == 0, result.err
    assert '"ix_thing"' in result.out
    assert result.err.count("which its view left out") == 1
    assert "the import read migrations/versions/naming.py" in result.err
