"""The oracle: what ``schemadiff revision`` writes, run by real Alembic on real databases.

A scenario repository (a root commit with only the Alembic project, then the models of
``tests/oracle/c1.py`` changed by ``c2.patch`` .. ``c6.patch`` through ``git apply``, one
commit each; each patch says what its step changes) walks through every kind of change. For
each step, on SQLite and on PostgreSQL:
``schemadiff revision`` writes the revision, ``alembic upgrade head`` runs it, and Alembic's own
``compare_metadata`` then finds nothing between the database and the newer models;
``alembic downgrade -1`` must bring back the older models just as exactly. What
``compare_metadata`` does not look at (primary keys, CHECK constraints, computed columns, enum
labels, sequences) is read from the database catalogue. Before each upgrade and each downgrade
a row goes into every table, and every table that is kept (under its new name, if renamed) must
keep all its rows: the migrations run on tables with rows.

The second test runs ``schemadiff --format sql`` output on a database at the older models.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import types
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import alembic
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from tests.conftest import GitRepo, clean_env, schemadiff

SCENARIO = Path(__file__).parent / "oracle"
STEPS = 6
URL_VARIABLE = "ORACLE_DATABASE_URL"
PSQL = "/usr/lib/postgresql/15/bin/psql"

# Step 4's author and book refer to each other on purpose; Alembic's compare sorts the tables.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Cannot correctly sort tables:sqlalchemy.exc.SAWarning"
)

PYPROJECT = """\
[tool.schemadiff]
metadata = "models:metadata"
"""
ALEMBIC_INI = """\
[alembic]
script_location = migrations
path_separator = os
"""
ENV_PY = f"""\
import os

import sqlalchemy as sa
from alembic import context

engine = sa.create_engine(os.environ["{URL_VARIABLE}"], poolclass=sa.pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
"""
# The generated revisions stay out of git, so checking out another commit keeps them.
GITIGNORE = """\
migrations/versions/
__pycache__/
"""
MAKO = Path(alembic.__file__).parent / "templates" / "generic" / "script.py.mako"


def build_scenario(repo: GitRepo) -> list[str]:
    """The root commit (the Alembic project, no models) and c1..c6: their ids, in order."""
    files = {
        "pyproject.toml": PYPROJECT,
        "alembic.ini": ALEMBIC_INI,
        ".gitignore": GITIGNORE,
        "migrations/env.py": ENV_PY,
        "migrations/script.py.mako": MAKO.read_text(),
    }
    for relpath, text in files.items():
        (repo.path / relpath).parent.mkdir(parents=True, exist_ok=True)
        (repo.path / relpath).write_text(text)
    commits = [repo.commit("root: the Alembic project, no models yet")]
    (repo.path / "models.py").write_text((SCENARIO / "c1.py").read_text())
    commits.append(repo.commit("c1"))
    for step in range(2, STEPS + 1):
        repo.git("apply", str(SCENARIO / f"c{step}.patch"))
        commits.append(repo.commit(f"c{step}"))
    (repo.path / "migrations" / "versions").mkdir()
    return commits


def load_models(source: str) -> sa.MetaData:
    """A fresh import of one version of models.py: every step gets its own MetaData."""
    module = types.ModuleType(f"oracle_models_{uuid.uuid4().hex}")
    exec(compile(source, module.__name__, "exec"), module.__dict__)
    metadata: sa.MetaData = module.metadata
    return metadata


def models_at(repo: GitRepo, commit: str) -> sa.MetaData:
    """The models of a commit, from ``git show``; the empty schema where there is no models.py."""
    if not repo.git("ls-tree", "--name-only", commit, "models.py"):
        return sa.MetaData()
    return load_models(repo.git("show", f"{commit}:models.py"))


# --- Databases -------------------------------------------------------------------------------


@dataclass
class Database:
    dialect: str
    url: str
    engine: sa.Engine


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty database: a SQLite file, or a fresh database on the throwaway PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'oracle.db'}"
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        yield Database("sqlite", url, engine)
        engine.dispose()
        return
    with fresh_postgresql_database(request.getfixturevalue("postgres_url")) as url:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        yield Database("postgresql", url, engine)
        engine.dispose()


@contextmanager
def fresh_postgresql_database(server_url: str) -> Iterator[str]:
    """A new database on the server of ``server_url``, dropped (WITH FORCE) afterwards."""
    server = sa.make_url(server_url)
    name = f"oracle_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


# --- What the database holds against what the models declare ---------------------------------

# compare_metadata entries that are not differences: (dialect, the entry as describe() writes
# it) -> why. Only exact entries, each with its reason; a real difference never goes here.
# Empty: with Alembic 1.20.1 and SQLAlchemy 2.1.9, no state of the scenario gave
# compare_metadata anything false to report, whether made by create_all or by the revisions.
ALEMBIC_FALSE_POSITIVES: dict[tuple[str, str], str] = {}


def differences(database: Database, metadata: sa.MetaData) -> list[str]:
    """Alembic's compare_metadata, then the catalogue checks for what it does not compare."""
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        found = [
            line
            for line in map(describe, compare_metadata(context, metadata))
            if (database.dialect, line) not in ALEMBIC_FALSE_POSITIVES
        ]
        found += catalogue_differences(connection, metadata, database.dialect)
    return found


def describe(diff: object) -> str:
    """One line per Alembic diff entry; modify_* entries come as a list per column."""
    if isinstance(diff, list):
        return "; ".join(describe(entry) for entry in diff)
    kind, *args = diff  # type: ignore[misc]
    # A modify_* entry's dict holds the column's unchanged attributes: left out.
    return " ".join([kind, *(_name(arg) for arg in args if not isinstance(arg, dict))])


def _name(value: object) -> str:
    if isinstance(value, sa.Table):
        return value.name
    if isinstance(value, sa.Column):
        return f"{value.table.name}.{value.name}"
    if isinstance(value, (sa.Index, sa.Constraint)):
        return f"{type(value).__name__}({value.name})"
    if isinstance(value, sa.DefaultClause):
        return f"DEFAULT {getattr(value.arg, 'text', value.arg)}"
    return repr(value)


def catalogue_differences(
    connection: sa.Connection, metadata: sa.MetaData, dialect: str
) -> list[str]:
    """What compare_metadata is blind to: primary keys, CHECK constraint names, computed
    columns; on PostgreSQL also named enums with their labels in order, and sequences."""
    inspector = sa.inspect(connection)
    existing = set(inspector.get_table_names())
    found = []
    for table in metadata.tables.values():
        if table.name in existing:  # a missing table is compare_metadata's add_table
            found += _table_differences(inspector, table, dialect)
    if dialect == "postgresql":
        declared = {
            column.type.name: list(column.type.enums)
            for table in metadata.tables.values()
            for column in table.columns
            if isinstance(column.type, sa.Enum) and column.type.native_enum
        }
        in_database = enum_labels(connection)
        if in_database != declared:
            found.append(f"enums: database {in_database} != models {declared}")
        # MetaData keeps its sequences (standalone or on a column) only in _sequences.
        sequences = {s.name: (s.start or 1, s.increment or 1) for s in metadata._sequences.values()}
        in_database = standalone_sequences(connection)
        if in_database != sequences:
            found.append(f"sequences: database {in_database} != models {sequences}")
    return found


def _table_differences(inspector: sa.Inspector, table: sa.Table, dialect: str) -> list[str]:
    found = []
    pk = inspector.get_pk_constraint(table.name)
    declared_pk = [column.name for column in table.primary_key.columns]
    if pk["constrained_columns"] != declared_pk:
        found.append(f"{table.name}: primary key {pk['constrained_columns']} != {declared_pk}")
    # On SQLite a primary key's name is only text in the CREATE TABLE: nothing can refer to it.
    if dialect == "postgresql" and pk["name"] != table.primary_key.name:
        found.append(f"{table.name}: primary key name {pk['name']} != {table.primary_key.name}")
    checks = sorted(str(c["name"]) for c in inspector.get_check_constraints(table.name))
    declared_checks = sorted(
        str(c.name) for c in table.constraints if isinstance(c, sa.CheckConstraint)
    )
    if checks != declared_checks:
        found.append(f"{table.name}: CHECK constraints {checks} != {declared_checks}")
    computed = sorted(c["name"] for c in inspector.get_columns(table.name) if c.get("computed"))
    declared_computed = sorted(c.name for c in table.columns if c.computed is not None)
    if computed != declared_computed:
        found.append(f"{table.name}: computed columns {computed} != {declared_computed}")
    return found


def enum_labels(connection: sa.Connection) -> dict[str, list[str]]:
    """PostgreSQL's named enums and their labels, in the type's own order."""
    rows = connection.exec_driver_sql(
        "SELECT t.typname, e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid"
        " ORDER BY t.typname, e.enumsortorder"
    )
    labels: dict[str, list[str]] = {}
    for name, label in rows:
        labels.setdefault(name, []).append(label)
    return labels


def standalone_sequences(connection: sa.Connection) -> dict[str, tuple[int, int]]:
    """Sequences with their start and increment, without those a SERIAL column owns."""
    rows = connection.exec_driver_sql(
        "SELECT c.relname, s.seqstart, s.seqincrement"
        " FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid"
        " WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass"
        " AND d.objid = c.oid AND d.deptype IN ('a', 'i'))"
    )
    return {name: (start, increment) for name, start, increment in rows}


# --- Running the real tools ------------------------------------------------------------------


def run_alembic(repo: GitRepo, database: Database, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "alembic", *args],
        cwd=repo.path,
        env=clean_env(**{URL_VARIABLE: database.url}),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, f"alembic {' '.join(args)}:\n{result.stdout}{result.stderr}"


def script_directory(repo: GitRepo) -> ScriptDirectory:
    config = Config(str(repo.path / "alembic.ini"))
    config.set_main_option("script_location", str(repo.path / "migrations"))
    return ScriptDirectory.from_config(config)


def new_revision(repo: GitRepo, old: str, new: str, message: str, dialect: str) -> Path:
    """``schemadiff revision old..new``: one new file, on top of the previous head."""
    versions = repo.path / "migrations" / "versions"
    before = {p.resolve() for p in versions.glob("*.py")}
    previous_head = script_directory(repo).get_current_head()
    run = schemadiff(
        "revision", f"{old}..{new}", "-m", message, "--dialect", dialect, cwd=repo.path
    )
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert len(lines) == 1, run.out
    path = (repo.path / lines[0]).resolve()
    assert path.is_file(), run.out
    assert {p.resolve() for p in versions.glob("*.py")} == before | {path}
    script = script_directory(repo)
    head = script.get_revision(script.get_current_head())
    assert head is not None
    assert Path(head.path).resolve() == path
    assert head.down_revision == previous_head
    return path


# A row in the table that step 2 renames, whose column step 3 renames: the SELECT that must
# find it after each step's upgrade and after its downgrade.
ROW = (1, "ada@example.com")
INSERT_ROW = "INSERT INTO client (id, mail) VALUES (1, 'ada@example.com')"
ROW_AFTER = {
    2: ("SELECT id, mail FROM customer WHERE id = 1", "SELECT id, mail FROM client WHERE id = 1"),
    3: (
        "SELECT id, email FROM customer WHERE id = 1",
        "SELECT id, mail FROM customer WHERE id = 1",
    ),
}


def assert_row(database: Database, query: str, when: str) -> None:
    with database.engine.connect() as connection:
        assert [tuple(r) for r in connection.exec_driver_sql(query)] == [ROW], when


# --- Rows in every table ---------------------------------------------------------------------

# Step 2 renames client to customer: its rows are found under the new name after the upgrade.
RENAMED = {2: {"client": "customer"}}


def insert_rows(database: Database, metadata: sa.MetaData, number: int) -> None:
    """Row ``number`` in every table of the models the database is at: its key is ``number``,
    every column holds a value the later steps keep (a short unique text, the first label of
    an enum, ``number`` in a NOT NULL integer, which is also what a foreign key refers to),
    and a nullable non-text column holds NULL."""
    with database.engine.begin() as connection:
        for table in insert_order(metadata):
            row = {c.name: _value(c, number) for c in table.columns if c.computed is None}
            connection.execute(table.insert().values(row))


def _value(column: sa.Column[Any], number: int) -> object:
    kind = column.type
    if isinstance(kind, sa.Enum):
        return kind.enums[0]
    if isinstance(kind, sa.String):
        return f"v{number}"
    if column.nullable:
        return None
    if isinstance(kind, sa.Integer):
        return number
    if isinstance(kind, sa.DateTime):
        return datetime(2000, 1, 1)
    raise AssertionError(f"no value for {column.table.name}.{column.name} ({kind})")


def insert_order(metadata: sa.MetaData) -> list[sa.Table]:
    """Each table after those its NOT NULL foreign keys refer to (the nullable ones get NULL,
    which breaks the cycle of step 4)."""
    waiting = sorted(metadata.tables.values(), key=lambda t: t.name)
    order: list[sa.Table] = []
    while waiting:
        table = next(
            t
            for t in waiting
            if all(fk.parent.nullable or fk.column.table in (t, *order) for fk in t.foreign_keys)
        )
        order.append(table)
        waiting.remove(table)
    return order


def row_counts(database: Database) -> dict[str, int]:
    with database.engine.connect() as connection:
        names = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
        return {
            name: connection.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            for name in names
        }


def assert_rows_kept(
    database: Database, before: Mapping[str, int], renamed: Mapping[str, str], when: str
) -> None:
    """Every table still there (or renamed) has all the rows it had."""
    after = row_counts(database)
    kept = {renamed.get(n, n): count for n, count in before.items() if renamed.get(n, n) in after}
    assert {name: after[name] for name in kept} == kept, when
    assert all(kept.values()), f"{when}: some table had no rows to keep"


# --- The tests -------------------------------------------------------------------------------


def test_every_revision_upgrades_and_downgrades_to_the_models(
    database: Database, repo: GitRepo
) -> None:
    commits = build_scenario(repo)
    models = [models_at(repo, commit) for commit in commits]
    dialect = database.dialect
    rows = iter(range(1, 1000))

    def migrate(step: int, at: sa.MetaData, *args: str, renamed: Mapping[str, str]) -> None:
        """Alembic, with one more row in every table first; the rows must all be kept."""
        insert_rows(database, at, next(rows))
        before = row_counts(database)
        run_alembic(repo, database, *args)
        assert_rows_kept(database, before, renamed, f"step {step} {dialect}: {' '.join(args)}")

    for step in range(1, len(commits)):
        label = f"step {step} {dialect}"
        assert differences(database, models[step - 1]) == [], f"{label}: before"
        if step == 2:
            with database.engine.begin() as connection:
                connection.exec_driver_sql(INSERT_ROW)
        repo.git("checkout", "-q", commits[step])
        new_revision(repo, commits[step - 1], commits[step], f"step {step}", dialect)
        renamed = RENAMED.get(step, {})
        back = {new: old for old, new in renamed.items()}

        migrate(step, models[step - 1], "upgrade", "head", renamed=renamed)
        assert differences(database, models[step]) == [], f"{label}: after upgrade"
        if step in ROW_AFTER:
            assert_row(database, ROW_AFTER[step][0], f"{label}: after upgrade")

        migrate(step, models[step], "downgrade", "-1", renamed=back)
        assert differences(database, models[step - 1]) == [], f"{label}: after downgrade"
        if step in ROW_AFTER:
            assert_row(database, ROW_AFTER[step][1], f"{label}: after downgrade")

        migrate(step, models[step - 1], "upgrade", "head", renamed=renamed)
        print(f"{label}: upgrade ok, compare empty, downgrade ok, compare empty, rows kept")
    assert differences(database, models[-1]) == []
    assert_row(database, ROW_AFTER[3][0], "at the end")

    versions = sorted((repo.path / "migrations" / "versions").glob("*.py"))
    run = schemadiff("revision", "HEAD..HEAD", "-m", "nothing", "--dialect", dialect, cwd=repo.path)
    assert (run.code, run.out) == (0, ""), run.err
    assert sorted((repo.path / "migrations" / "versions").glob("*.py")) == versions
    print(f"{dialect}: no changes, no revision")


# Step 3 alters columns in place (batch mode on SQLite), renames one, which must keep its row,
# and adds enum labels. Each further step costs about 4 s per database.
SQL_STEPS = (3,)
SQL_ROW = {3: ("INSERT INTO customer (id, mail) VALUES (1, 'ada@example.com')", ROW_AFTER[3][0])}


@pytest.mark.parametrize("step", SQL_STEPS)
def test_sql_output_runs_on_the_database_at_the_older_models(
    database: Database, repo: GitRepo, step: int
) -> None:
    commits = build_scenario(repo)
    older, newer = commits[step - 1], commits[step]
    run = schemadiff(
        f"{older}..{newer}", "--format", "sql", "--dialect", database.dialect, cwd=repo.path
    )
    assert run.code == 0, run.err
    assert run.out.strip(), "no SQL"

    models_at(repo, older).create_all(database.engine)
    if step in SQL_ROW:
        with database.engine.begin() as connection:
            connection.exec_driver_sql(SQL_ROW[step][0])
    execute_script(database, run.out)
    assert differences(database, models_at(repo, newer)) == []
    if step in SQL_ROW:
        assert_row(database, SQL_ROW[step][1], f"sql step {step}")
    print(f"sql step {step} {database.dialect}: script ran, compare empty")


def execute_script(database: Database, sql: str) -> None:
    """The script as one text, the way a user pipes it into the database's own client."""
    if database.dialect == "sqlite":
        connection = sqlite3.connect(database.engine.url.database or "")
        try:
            connection.executescript(sql)
        finally:
            connection.close()
        return
    dsn = sa.make_url(database.url).set(drivername="postgresql")
    run = subprocess.run(  # psql, statement by statement, as a DBA would run it
        [PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn.render_as_string(False), "-f", "-"],
        input=sql,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
