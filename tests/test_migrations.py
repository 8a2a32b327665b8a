"""`schemadiff revision` and the migration formats: real Alembic projects, the real CLI.

The full round trip over every kind of change, on SQLite and PostgreSQL, is in
tests/test_oracle.py; these tests pin the command's contract.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import GitRepo, clean_env, model_source, models_repo, run_module, schemadiff
from tests.test_oracle import Database, execute_script, fresh_postgresql_database

V1 = model_source(
    """
    class User(Base):
        __tablename__ = "user"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(sa.String(50))
    """
)
V2 = model_source(
    """
    class User(Base):
        __tablename__ = "user"
        id: Mapped[int] = mapped_column(primary_key=True)
        full_name: Mapped[str] = mapped_column(sa.String(50), info={"renamed_from": "name"})
        age: Mapped[int]
    """
)


def alembic(repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    return run_module(repo.path, "alembic", *args)


def alembic_project(repo: GitRepo, models: str = V1) -> GitRepo:
    """`alembic init` with env.py pointed at the models, on a SQLite file; committed."""
    assert alembic(repo, "init", "migrations").returncode == 0
    env = repo.path / "migrations" / "env.py"
    env.write_text(
        env.read_text().replace(
            "target_metadata = None", "from app.models import Base\ntarget_metadata = Base.metadata"
        )
    )
    ini = repo.path / "alembic.ini"
    ini.write_text(
        re.sub(r"(?m)^sqlalchemy.url = .*$", "sqlalchemy.url = sqlite:///app.db", ini.read_text())
    )
    repo.write("pyproject.toml", '[tool.schemadiff]\nmetadata = "app.models:Base.metadata"\n')
    repo.write(".gitignore", "app.db\n__pycache__/\n")
    repo.commit("alembic")
    repo.write("app/__init__.py", "")
    repo.write("app/models.py", models)
    repo.commit("v1")
    return repo


def revision(repo: GitRepo, *args: str) -> Path:
    return revised(repo, *args)[0]


def revised(repo: GitRepo, *args: str) -> tuple[Path, str]:
    """``schemadiff revision``: the file it wrote, and what it said on stderr."""
    run = schemadiff("revision", *args, cwd=repo.path)
    assert run.code == 0, run.err
    (line,) = run.out.splitlines()
    path = Path(line)
    assert path.is_file()
    return path, run.err


@pytest.fixture
def project(repo: GitRepo) -> GitRepo:
    """An Alembic project on SQLite whose first revision is written and applied."""
    alembic_project(repo)
    revision(repo, "HEAD~1..HEAD", "-m", "create user", "--dialect", "sqlite")
    assert alembic(repo, "upgrade", "head").returncode == 0
    return repo


def test_revision_follows_the_head_and_alembic_runs_it_both_ways(project: GitRepo) -> None:
    first = alembic(project, "heads").stdout.split()[0]
    db = sqlite3.connect(project.path / "app.db")
    db.execute("INSERT INTO user (id, name) VALUES (1, 'Ada')")
    db.commit()
    project.write("app/models.py", V2.replace("age: Mapped[int]", "age: Mapped[int | None]"))

    path = revision(project, "-m", "rename name", "--dialect", "sqlite")

    text = path.read_text()
    # Alembic's own template: "Union[str, None]" before 1.14, "Union[str, Sequence[str], None]"
    assert re.search(rf"down_revision: Union\[str, (Sequence\[str\], )?None\] = '{first}'", text)
    assert path.parent == project.path / "migrations" / "versions"
    assert alembic(project, "upgrade", "head").returncode == 0
    assert db.execute("SELECT full_name FROM user").fetchall() == [("Ada",)]
    check = alembic(project, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert alembic(project, "downgrade", "-1").returncode == 0
    assert db.execute("SELECT name FROM user").fetchall() == [("Ada",)]


def test_the_downgrade_of_a_column_rename_renames_it_back(project: GitRepo) -> None:
    project.write("app/models.py", V2.replace("age: Mapped[int]", ""))

    text = revision(project, "-m", "rename", "--dialect", "sqlite").read_text()

    upgrade, downgrade = text.split("def downgrade")
    renamed = r"alter_column\('user', '{}',.*?new_column_name='{}'"
    assert re.search(renamed.format("name", "full_name"), upgrade, re.S)
    assert re.search(renamed.format("full_name", "name"), downgrade, re.S)


def test_not_null_without_default_is_warned_in_output_and_file(project: GitRepo) -> None:
    project.write("app/models.py", V2)

    path, err = revised(project, "-m", "age", "--dialect", "sqlite")

    assert "warning: user.age is added NOT NULL without a server default" in err
    text = path.read_text()
    assert "# WARNING schemadiff: user.age is added NOT NULL without a server default" in text


def test_no_changes_writes_nothing(project: GitRepo) -> None:
    versions = sorted((project.path / "migrations" / "versions").glob("*.py"))

    run = schemadiff("revision", "-m", "nothing", cwd=project.path)

    assert (run.code, run.out) == (0, "")
    assert "No schema changes between HEAD and the working tree; no revision written." in run.err
    assert sorted((project.path / "migrations" / "versions").glob("*.py")) == versions


def test_several_heads_are_listed_until_one_is_picked(project: GitRepo) -> None:
    first = alembic(project, "heads").stdout.split()[0]
    other = alembic(
        project, "revision", "-m", "other", "--head", "base", "--splice", "--rev-id", "b0"
    )
    assert other.returncode == 0, other.stderr
    project.write("app/models.py", V2.replace("age: Mapped[int]", "age: Mapped[int | None]"))

    run = schemadiff("revision", "-m", "x", "--dialect", "sqlite", cwd=project.path)

    assert run.code == 2
    assert f"The migrations have 2 heads ({', '.join(sorted([first, 'b0']))})" in run.err
    assert "--head" in run.err
    path = revision(project, "-m", "x", "--dialect", "sqlite", "--head", "b0")
    assert "= 'b0'" in path.read_text()


def test_an_existing_file_is_never_overwritten(project: GitRepo) -> None:
    ini = project.path / "alembic.ini"
    ini.write_text(ini.read_text().replace("[alembic]", "[alembic]\nfile_template = %%(slug)s", 1))
    project.write("app/models.py", V2.replace("age: Mapped[int]", "age: Mapped[int | None]"))
    path = revision(project, "-m", "same", "--rev-id", "a1", "--dialect", "sqlite")
    path.write_text(path.read_text() + "# edited by hand\n")
    before = path.read_text()
    project.write("app/models.py", V2.replace("age: Mapped[int]", "age: Mapped[str | None]"))

    run = schemadiff("revision", "-m", "same", "--rev-id", "a2", cwd=project.path)

    assert run.code == 2
    assert f"{path} already exists; schemadiff does not overwrite it." in run.err
    assert path.read_text() == before
    leftovers = [p.name for p in path.parent.iterdir() if p.name.startswith(".schemadiff-")]
    assert leftovers == []


def test_file_template_and_post_write_hooks_are_honoured(project: GitRepo) -> None:
    ini = project.path / "alembic.ini"
    hook = "import sys; open(sys.argv[1], 'a').write('# hooked')"
    ini.write_text(
        ini.read_text().replace(
            "[post_write_hooks]",
            "[post_write_hooks]\nhooks = mark\nmark.type = exec\n"
            f"mark.executable = {sys.executable}\n"
            f'mark.options = -c "{hook}" REVISION_SCRIPT_FILENAME\n',
        )
        + "\n",
    )
    text = ini.read_text().replace(
        "[alembic]", "[alembic]\nfile_template = custom_%%(rev)s_%%(slug)s", 1
    )
    ini.write_text(text)
    project.write("app/models.py", V2.replace("age: Mapped[int]", "age: Mapped[int | None]"))

    path = revision(project, "-m", "hooked", "--rev-id", "f00d", "--dialect", "sqlite")

    assert path.name == "custom_f00d_hooked.py"
    assert path.read_text().endswith("# hooked")


def test_format_alembic_prints_upgrade_and_downgrade(project: GitRepo) -> None:
    project.write("app/models.py", V2.replace("age: Mapped[int]", "age: Mapped[int | None]"))
    project.commit("v2")

    run = schemadiff(
        "HEAD~1..HEAD", "--format", "alembic", "--dialect", "postgresql", cwd=project.path
    )

    assert run.code == 0, run.err
    compile(run.out, "<alembic>", "exec")
    assert "op.add_column('user', sa.Column('age', sa.Integer(), nullable=True))" in run.out
    assert "op.drop_column('user', 'age')" in run.out
    assert "batch_alter_table" not in run.out  # batch mode is SQLite's default only


@pytest.mark.parametrize("said", [None, "True", "False"])
def test_env_py_render_as_batch_is_honoured(project: GitRepo, said: str | None) -> None:
    """``context.configure(..., render_as_batch=...)`` in env.py (the online run's call, as
    Alembic's cookbook puts it) decides, read with ast; on PostgreSQL the default is plain."""
    env = project.path / "migrations" / "env.py"
    if said is not None:
        text = env.read_text().replace(
            "connection=connection, target_metadata=target_metadata",
            f"connection=connection, target_metadata=target_metadata, render_as_batch={said}",
        )
        assert text != env.read_text()
        env.write_text(text)
    project.write("app/models.py", V2.replace("age: Mapped[int]", "age: Mapped[int | None]"))

    path = revision(project, "-m", "age", "--dialect", "postgresql")

    batch = "with op.batch_alter_table('user', schema=None) as batch_op:"
    assert (batch in path.read_text()) is (said == "True")
    assert ("op.add_column('user'," in path.read_text()) is (said != "True")


def test_format_sql_runs_on_sqlite(project: GitRepo) -> None:
    project.write("app/models.py", V2.replace("age: Mapped[int]", "age: Mapped[int | None]"))
    project.commit("v2")
    db = sqlite3.connect(project.path / "app.db")
    db.execute("INSERT INTO user (id, name) VALUES (1, 'Ada')")
    db.commit()

    run = schemadiff("HEAD~1..HEAD", "--format", "sql", "--dialect", "sqlite", cwd=project.path)

    assert run.code == 0, run.err
    assert re.search(
        r"ALTER TABLE user RENAME (COLUMN )?name TO full_name;", run.out
    )  # 1.13: no COLUMN
    db.executescript(run.out)
    assert db.execute("SELECT id, full_name, age FROM user").fetchall() == [(1, "Ada", None)]


def test_a_diff_never_loads_sqlalchemy_in_the_parent(project: GitRepo) -> None:
    project.write("app/models.py", V2)
    probe = (
        "import sys; from schemadiff._entry import main; code = main(sys.argv[1:]); "
        "print('sqlalchemy' in sys.modules, 'alembic' in sys.modules, file=sys.stderr)"
    )
    for fmt, loaded in (("text", "False False"), ("json", "False False"), ("alembic", "True True")):
        run = subprocess.run(
            [sys.executable, "-c", probe, "--format", fmt],
            cwd=project.path,
            env=clean_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        assert run.stderr.splitlines()[-1] == loaded, fmt


UNNAMED_V1 = model_source(
    """
    class Price(Base):
        __tablename__ = "price"
        id: Mapped[int] = mapped_column(primary_key=True)
        sku: Mapped[str] = mapped_column(sa.String(20), unique=True)
        cur: Mapped[str | None] = mapped_column(sa.String(3))
    """
)
UNNAMED_V2 = model_source(
    """
    class Price(Base):
        __tablename__ = "price"
        id: Mapped[int] = mapped_column(primary_key=True)
        sku: Mapped[str] = mapped_column(sa.String(20))
        cur: Mapped[str] = mapped_column(sa.String(3), primary_key=True)


    class A(Base):
        __tablename__ = "a"
        id: Mapped[int] = mapped_column(primary_key=True)
        b_id: Mapped[int | None] = mapped_column(sa.ForeignKey("b.id"))


    class B(Base):
        __tablename__ = "b"
        id: Mapped[int] = mapped_column(primary_key=True)
        a_id: Mapped[int | None] = mapped_column(sa.ForeignKey("a.id"))
    """
)


def test_unnamed_constraints_on_sqlite_round_trip(repo: GitRepo) -> None:
    """Without a naming convention in the models: an unnamed primary key is replaced in batch
    mode, a foreign-key cycle gets names it can be dropped by, and an unnamed unique
    constraint is dropped by the name the batch's naming_convention gives it."""
    alembic_project(repo, UNNAMED_V1)
    revision(repo, "HEAD~1..HEAD", "-m", "one", "--dialect", "sqlite")
    assert alembic(repo, "upgrade", "head").returncode == 0
    repo.write("app/models.py", UNNAMED_V2)

    path, err = revised(repo, "-m", "two", "--dialect", "sqlite")

    assert "warning:" not in err
    text = path.read_text()
    assert "TODO" not in text
    assert "naming_convention={'uq': '%(table_name)s_%(column_0_N_name)s_key'}" in text
    assert "batch_op.drop_constraint('price_sku_key', type_='unique')" in text
    assert "create_foreign_key('a_b_id_fkey', 'b', ['b_id'], ['id'])" in text
    db = sqlite3.connect(repo.path / "app.db")
    for step, pk, uniques in (("upgrade", ["id", "cur"], 0), ("downgrade", ["id"], 1)):
        done = alembic(repo, step, "head" if step == "upgrade" else "-1")
        assert done.returncode == 0, done.stderr
        info = db.execute("PRAGMA table_info(price)").fetchall()
        assert [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]] == pk
        indexes = db.execute("PRAGMA index_list(price)").fetchall()
        assert sum(1 for row in indexes if row[2] == 1 and row[3] == "u") == uniques
    assert db.execute("SELECT name FROM sqlite_master WHERE name IN ('a', 'b')").fetchall() == []


def test_a_refused_revision_leaves_no_file(project: GitRepo) -> None:
    first = alembic(project, "heads").stdout.split()[0]
    versions = sorted((project.path / "migrations" / "versions").iterdir())
    project.write("app/models.py", V2.replace("age: Mapped[int]", "age: Mapped[int | None]"))

    taken = schemadiff("revision", "-m", "again", "--rev-id", first, cwd=project.path)
    missing = schemadiff("revision", "-c", "nowhere/alembic.ini", cwd=project.path)

    assert taken.code == 2
    assert f"Revision {first} already exists. Choose another --rev-id." in taken.err
    assert missing.code == 2
    assert "No Alembic configuration at " in missing.err
    assert sorted((project.path / "migrations" / "versions").iterdir()) == versions


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_a_changed_server_default_is_written_as_sql_text(repo: GitRepo, dialect: str) -> None:
    """Alembic would write ``server_default=now()``: Python that fails when the file runs."""
    plain = """
    class Event(Base):
        __tablename__ = "event"
        id: Mapped[int] = mapped_column(primary_key=True)
        at: Mapped[str] = mapped_column(sa.DateTime)
    """
    models_repo(repo, model_source(plain)).commit("v1")
    models_repo(
        repo,
        model_source(plain.replace("sa.DateTime)", "sa.DateTime, server_default=sa.func.now())")),
    )
    run = schemadiff("--format", "alembic", "--dialect", dialect, cwd=repo.path)
    assert run.code == 0, run.err
    expected = "sa.text('now()')" if dialect == "postgresql" else "sa.text('CURRENT_TIMESTAMP')"
    assert f"server_default={expected}," in run.out
    compile(run.out, "revision.py", "exec")


# --- Migrations that run on tables with rows -------------------------------------------------

V1_WITHOUT_NAME = V1.replace("    name: Mapped[str] = mapped_column(sa.String(50))\n", "")


def test_the_downgrade_of_a_dropped_not_null_column_runs_on_rows(project: GitRepo) -> None:
    """Re-added NOT NULL, the column would fail on the first row: a placeholder fills it."""
    db = sqlite3.connect(project.path / "app.db")
    db.execute("INSERT INTO user (id, name) VALUES (1, 'Ada')")
    db.commit()
    project.write("app/models.py", V1_WITHOUT_NAME)

    text = revision(project, "-m", "drop name", "--dialect", "sqlite").read_text()

    downgrade = text.split("def downgrade")[1]
    assert (
        "    # schemadiff: user.name is re-added NOT NULL: every row gets the placeholder ''"
        " (its old values are gone), then the default is dropped.\n"
        "    op.add_column('user', sa.Column('name', sa.String(length=50),"
        " server_default=sa.text(\"''\"), nullable=False))\n"
        "    with op.batch_alter_table('user', schema=None) as batch_op:\n"
        "        batch_op.alter_column('name',\n"
        "               existing_type=sa.String(length=50),\n"
        "               server_default=None,\n"
        "               existing_nullable=False)\n"
    ) in downgrade
    assert alembic(project, "upgrade", "head").returncode == 0
    db.execute("INSERT INTO user (id) VALUES (2)")
    db.commit()
    done = alembic(project, "downgrade", "-1")
    assert done.returncode == 0, done.stderr
    assert db.execute("SELECT id, name FROM user ORDER BY id").fetchall() == [(1, ""), (2, "")]
    columns = {row[1]: row[2:5] for row in db.execute("PRAGMA table_info(user)")}
    assert columns["name"] == ("VARCHAR(50)", 1, None)  # NOT NULL, the placeholder gone


def test_a_not_null_column_added_to_a_table_with_rows_gets_a_placeholder(
    project: GitRepo,
) -> None:
    db = sqlite3.connect(project.path / "app.db")
    db.execute("INSERT INTO user (id, name) VALUES (1, 'Ada')")
    db.commit()
    project.write("app/models.py", V1 + "    age: Mapped[int]\n")

    path, err = revised(project, "-m", "age", "--dialect", "sqlite")

    message = (
        "user.age is added NOT NULL without a server default: the rows it finds get the"
        " placeholder 0, then the default is dropped. Check that value, or fill the column"
        " in the migration."
    )
    assert f"warning: {message}\n" in err
    upgrade, downgrade = path.read_text().split("def downgrade")
    assert (
        f"    # WARNING schemadiff: {message}\n"
        "    op.add_column('user', sa.Column('age', sa.Integer(),"
        " server_default=sa.text('0'), nullable=False))\n"
    ) in upgrade
    assert "batch_op.drop_column('age')" in downgrade
    assert alembic(project, "upgrade", "head").returncode == 0
    assert db.execute("SELECT id, name, age FROM user").fetchall() == [(1, "Ada", 0)]
    check = alembic(project, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert alembic(project, "downgrade", "-1").returncode == 0
    assert db.execute("SELECT id, name FROM user").fetchall() == [(1, "Ada")]


TYPED = """
import enum
import uuid

class Mood(enum.Enum):
    happy = "happy"
    sad = "sad"

class Thing(Base):
    __tablename__ = "thing"
    id: Mapped[int] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(sa.BigInteger)
    price: Mapped[float] = mapped_column(sa.Numeric(10, 2))
    label: Mapped[str] = mapped_column(sa.Text)
    flag: Mapped[bool]
    at: Mapped[str] = mapped_column(sa.DateTime)
    day: Mapped[str] = mapped_column(sa.Date)
    clock: Mapped[str] = mapped_column(sa.Time)
    doc: Mapped[dict] = mapped_column(sa.JSON)
    key: Mapped[uuid.UUID]
    mood: Mapped[Mood]
    raw: Mapped[bytes] = mapped_column(sa.LargeBinary)
"""
PLACEHOLDERS = {
    "postgresql": {
        "n": "'0'",
        "price": "'0'",
        "label": "\"''\"",
        "flag": "'false'",
        "at": "\"'1970-01-01 00:00:00'\"",
        "day": "\"'1970-01-01'\"",
        "clock": "\"'00:00:00'\"",
        "doc": "\"'{}'\"",
        "key": "\"'00000000-0000-0000-0000-000000000000'\"",
        "mood": "\"'happy'\"",
        "raw": "\"''\"",
    },
    "sqlite": {
        "n": "'0'",
        "price": "'0'",
        "label": "\"''\"",
        "flag": "'0'",
        "at": "\"'1970-01-01 00:00:00.000000'\"",
        "day": "\"'1970-01-01'\"",
        "clock": "\"'00:00:00.000000'\"",
        "doc": "\"'{}'\"",
        "key": "\"'00000000000000000000000000000000'\"",
        "mood": "\"'happy'\"",
    },
}


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_each_type_gets_a_placeholder_of_its_own(repo: GitRepo, dialect: str) -> None:
    models_repo(repo, model_source(TYPED.split("    n:", maxsplit=1)[0])).commit("v1")
    models_repo(repo, model_source(TYPED))

    run = schemadiff("--format", "alembic", "--dialect", dialect, cwd=repo.path)

    assert run.code == 0, run.err
    compile(run.out, "revision.py", "exec")
    found = dict(
        re.findall(  # the columns the placeholder fills: name -> its server_default
            r"sa\.Column\('(\w+)', .*server_default=sa\.text\((.+?)\), nullable=False\)", run.out
        )
    )
    assert found == PLACEHOLDERS[dialect]


def test_format_sql_fills_a_not_null_column_on_sqlite(project: GitRepo) -> None:
    """The offline batch copies the table as the add before it left it."""
    db = sqlite3.connect(project.path / "app.db")
    db.execute("INSERT INTO user (id, name) VALUES (1, 'Ada')")
    db.commit()
    project.write("app/models.py", V1 + "    age: Mapped[int]\n")
    project.commit("v2")

    run = schemadiff("HEAD~1..HEAD", "--format", "sql", "--dialect", "sqlite", cwd=project.path)

    assert run.code == 0, run.err
    assert "ALTER TABLE user ADD COLUMN age INTEGER DEFAULT 0 NOT NULL;" in run.out
    db.executescript(run.out)
    assert db.execute("SELECT id, name, age FROM user").fetchall() == [(1, "Ada", 0)]
    columns = {row[1]: row[2:5] for row in db.execute("PRAGMA table_info(user)")}
    assert columns["age"] == ("INTEGER", 1, None)


CODE = """
class Item(Base):
    __tablename__ = "item"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(10))
"""


@pytest.mark.postgres
def test_a_type_postgresql_cannot_cast_by_itself_gets_using_both_ways(
    repo: GitRepo, postgres_url: str
) -> None:
    models_repo(repo, model_source(CODE)).commit("v1")
    as_int = CODE.replace("str] = mapped_column(sa.String(10)", "int] = mapped_column(sa.Integer")
    models_repo(repo, model_source(as_int)).commit("v2")
    both = ("HEAD~1..HEAD", "--dialect", "postgresql")

    alembic_text = schemadiff(*both, "--format", "alembic", cwd=repo.path)
    sql = schemadiff(*both, "--format", "sql", cwd=repo.path)

    assert alembic_text.code == 0, alembic_text.err
    upgrade, downgrade = alembic_text.out.split("def downgrade")
    indent = "\n" + " " * 15
    assert (
        f"type_=sa.Integer(),{indent}existing_nullable=False,"
        f"{indent}postgresql_using='code::INTEGER')"
    ) in upgrade
    assert (
        f"type_=sa.String(length=10),{indent}existing_nullable=False,"
        f"{indent}postgresql_using='code::VARCHAR(10)')"
    ) in downgrade
    assert sql.code == 0, sql.err
    assert "ALTER TABLE item ALTER COLUMN code TYPE INTEGER USING code::INTEGER;" in sql.out
    with fresh_postgresql_database(postgres_url) as url:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "CREATE TABLE item (id SERIAL PRIMARY KEY, code VARCHAR(10) NOT NULL)"
            )
            connection.exec_driver_sql("INSERT INTO item (code) VALUES ('42')")
        execute_script(Database("postgresql", url, engine), sql.out)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT code FROM item").scalar_one() == 42
        engine.dispose()


KEYED = """
class Author(Base):
    __tablename__ = "author"
    id: Mapped[int] = mapped_column(primary_key=True)

class Book(Base):
    __tablename__ = "book"
    __table_args__ = (
        sa.UniqueConstraint("isbn", name="uq_book_isbn"),
        sa.CheckConstraint("pages > 0", name="ck_book_pages"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    isbn: Mapped[str] = mapped_column(sa.String(13))
    pages: Mapped[int]
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("author.id", name="fk_book_author"))
"""


def test_the_downgrade_says_what_rows_make_a_re_added_constraint_fail(repo: GitRepo) -> None:
    models_repo(repo, model_source(KEYED)).commit("v1")
    loose = (
        KEYED.replace('        sa.UniqueConstraint("isbn", name="uq_book_isbn"),\n', "")
        .replace('        sa.CheckConstraint("pages > 0", name="ck_book_pages"),\n', "")
        .replace('sa.ForeignKey("author.id", name="fk_book_author")', "")
        .replace("pages: Mapped[int]", "pages: Mapped[int | None]")
    )
    models_repo(repo, model_source(loose)).commit("v2")

    run = schemadiff(
        "HEAD~1..HEAD", "--format", "alembic", "--dialect", "postgresql", cwd=repo.path
    )

    assert run.code == 0, run.err
    upgrade, downgrade = run.out.split("def downgrade")
    notes = [line.strip() for line in downgrade.splitlines() if "# schemadiff:" in line]
    assert notes == [
        "# schemadiff: making book.pages NOT NULL again fails while rows hold NULL:"
        " fill them first.",
        "# schemadiff: re-adding ForeignKey fk_book_author on book fails while rows of (author_id)"
        " refer to no author row.",
        "# schemadiff: re-adding CheckConstraint ck_book_pages on book fails while rows break it.",
        "# schemadiff: re-adding UniqueConstraint uq_book_isbn on book fails while rows hold"
        " duplicates in (isbn).",
    ]
    assert "# schemadiff:" not in upgrade
    compile(run.out, "revision.py", "exec")
