"""`schemadiff check`'s data-dependent rule judges what the change's revision does (issue 20).

Each case is a real repository: the models committed with an empty Alembic project (the real
``alembic init``), then the changed models with one revision written the way a person writes
it; ``schemadiff check HEAD~1..HEAD`` runs as a user runs it. The relaxed shapes pass (exit 0,
no finding); each still-flagged variant beside them says what is wrong and what would make it
pass, so the relaxation cannot reach further than the shapes it reads. The same revisions then
run (real ``alembic upgrade``) on PostgreSQL tables holding rows that break careless
migrations: each one the check passes must run, each one it flags must be refused by the rows
(but for the few it flags only because it cannot read them).
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from schemadiff.revisions import writes
from tests.conftest import GitRepo, clean_env, model_source, models_repo, new_repo, schemadiff
from tests.test_check import _alembic_project, alembic_template

__all__ = ["alembic_template"]  # the fixture, shared with test_check

PYPROJECT = """
[tool.schemadiff]
metadata = "app.models:Base.metadata"
dialect = "postgresql"

[tool.schemadiff.check]
backward-incompatible = "off"
locking = "off"
"""

REVISION = '''
"""the change

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

{module}
def upgrade() -> None:
{body}


def downgrade() -> None:
    pass
'''

FINDING = re.compile(r"^\S+:\d+: (?:error|warning): .*$", re.MULTILINE)


def models(
    *,
    email: str = "str | None",
    handle: str = "",
    login: str = "",
    team: str = '"team.id"',
    region: str = "",
    number: str = "unique=True",
    team_args: str = "",
) -> str:
    """The models of the cases; each keyword changes one thing of ``account`` (``number``:
    of ``team``)."""
    return model_source(
        f"""
        class Team(Base):
            __tablename__ = "team"
            __table_args__ = ({team_args})
            id: Mapped[int] = mapped_column(primary_key=True)
            number: Mapped[int] = mapped_column({number})


        class Org(Base):
            __tablename__ = "org"
            id: Mapped[int] = mapped_column(primary_key=True)


        class Account(Base):
            __tablename__ = "account"
            __table_args__ = ({handle})
            id: Mapped[int] = mapped_column(primary_key=True)
            email: Mapped[{email}] = mapped_column(sa.String(200))
            handle: Mapped[str] = mapped_column(sa.String(40))
            login: Mapped[str] = mapped_column(sa.String(40){login})
            team_id: Mapped[int] = mapped_column(sa.ForeignKey({team}, name="fk_account_team"))
            {region}
        """
    )


REGION = "region: Mapped[str] = mapped_column(sa.String(20))"
DEFERRABLE_NUMBER = "sa.UniqueConstraint({}, name='team_number_key', deferrable=True),"
UNIQUE_HANDLE = 'sa.UniqueConstraint("handle", name="uq_account_handle"),'
UNIQUE_LOGIN = ", unique=True, index=True"

REQUIRED = "NOT NULL column added without a server default: existing rows need a value"
ADD_NULLABLE = 'op.add_column("account", sa.Column("region", sa.String(20), nullable=True))'
ADD_NOT_NULL = 'op.add_column("account", sa.Column("region", sa.String(20), nullable=False))'
REGION_NOT_NULL = 'op.alter_column("account", "region", nullable=False)'
REGION_BACKFILL = "op.execute(\"UPDATE account SET region = 'eu' WHERE region IS NULL\")"
EMAIL_NOT_NULL = 'op.alter_column("account", "email", nullable=False)'
EMAIL_BACKFILL = "op.execute(\"UPDATE account SET email = '' WHERE email IS NULL\")"
DEDUPLICATE = (
    'op.execute("DELETE FROM account a USING account b WHERE a.id > b.id AND a.{0} = b.{0}")'
)
CREATE_UNIQUE = 'op.create_unique_constraint("uq_account_handle", "account", ["handle"])'
CREATE_INDEX = 'op.create_index(op.f("ix_account_login"), "account", ["login"], unique=True)'
DROP_FK = 'op.drop_constraint("fk_account_team", "account", type_="foreignkey")'


def _filled(column: str, verb: str) -> str:
    return (
        f'{verb}: fails while any row holds NULL; run op.execute("UPDATE account SET {column} '
        f"= 'value' WHERE {column} IS NULL\") before the alter_column, with a value that cannot "
        "be NULL (a literal, or COALESCE(..., literal))"
    )


def _duplicates(what: str, column: str = "handle") -> str:
    return (
        f"{what} added: fails if rows hold duplicates; remove them before it is built: "
        f'op.execute("DELETE FROM account a USING account b WHERE a.{column} = b.{column} '
        'AND a.id > b.id")'
    )


NO_BACKFILL = _filled("region", "added nullable, then made NOT NULL with no backfill between")
EMAIL_NO_BACKFILL = _filled("email", "made NOT NULL with no backfill before")


@dataclass(frozen=True)
class Case:
    after: str
    body: tuple[str, ...]
    found: tuple[tuple[str, str], ...] = ()
    """(column of account, message) of each data-dependent error; none: the check passes."""
    module: str = ""
    """Module-level statements of the revision."""


def case(after: str, *body: str, found: tuple[tuple[str, str], ...] = (), module: str = "") -> Case:
    return Case(after, body, found, module)


WITH_REGION = models(region=REGION)
CASES = {
    # 1. a NOT NULL column: the add_column's own server default fills the rows
    "server-default-in-add-column": case(
        WITH_REGION,
        'op.add_column("account", sa.Column("region", sa.String(20), nullable=False, '
        'server_default="eu"))',
    ),
    "server-default-added-then-dropped": case(
        WITH_REGION,
        'op.add_column("account", sa.Column("region", sa.String(20), nullable=False, '
        "server_default=sa.text(\"'eu'\")))",
        'op.alter_column("account", "region", server_default=None)',
    ),
    "not-null-without-server-default": case(
        WITH_REGION,
        ADD_NOT_NULL,
        found=(
            (
                "region",
                f"{REQUIRED}: give its add_column a server_default, or add it nullable, "
                "backfill it, then set NOT NULL",
            ),
        ),
    ),
    "server-default-set-after-the-add": case(  # a later default fills no row the add met
        WITH_REGION,
        ADD_NOT_NULL,
        'op.alter_column("account", "region", server_default="eu")',
        found=(
            (
                "region",
                f"{REQUIRED}: give its add_column a server_default, or add it nullable, "
                "backfill it, then set NOT NULL",
            ),
        ),
    ),
    "server-default-of-null": case(
        WITH_REGION,
        'op.add_column("account", sa.Column("region", sa.String(20), nullable=False, '
        'server_default=sa.text("NULL")))',
        found=(
            (
                "region",
                f"{REQUIRED}: give its add_column a server_default, or add it nullable, "
                "backfill it, then set NOT NULL",
            ),
        ),
    ),
    "server-default-sa-null": case(
        WITH_REGION,
        'op.add_column("account", sa.Column("region", sa.String(20), nullable=False, '
        "server_default=sa.null()))",
        found=(
            (
                "region",
                f"{REQUIRED}: give its add_column a server_default, or add it nullable, "
                "backfill it, then set NOT NULL",
            ),
        ),
    ),
    "server-default-literal-column-null": case(
        WITH_REGION,
        'op.add_column("account", sa.Column("region", sa.String(20), nullable=False, '
        'server_default=sa.literal_column("NULL")))',
        found=(
            (
                "region",
                f"{REQUIRED}: give its add_column a server_default, or add it nullable, "
                "backfill it, then set NOT NULL",
            ),
        ),
    ),
    "server-default-literal-column-of-a-literal": case(
        WITH_REGION,
        'op.add_column("account", sa.Column("region", sa.String(20), nullable=False, '
        "server_default=sa.literal_column(\"'eu'\")))",
    ),
    "server-default-in-an-add-under-an-if": case(
        WITH_REGION,
        'if op.get_context().dialect.name == "sqlite":',
        '    op.add_column("account", sa.Column("region", sa.String(20), nullable=False, '
        'server_default="eu"))',
        "else:",
        f"    {ADD_NOT_NULL}",
        found=(("region", f"{REQUIRED} (a generated migration gives them a placeholder)"),),
    ),
    # 2. added nullable, backfilled, made NOT NULL
    "add-nullable-backfill-not-null": case(
        WITH_REGION, ADD_NULLABLE, REGION_BACKFILL, REGION_NOT_NULL
    ),
    "backfill-then-not-null-in-batch": case(
        WITH_REGION,
        ADD_NULLABLE,
        "op.execute(\"UPDATE account SET region = 'eu'\")",
        'with op.batch_alter_table("account") as batch_op:',
        '    batch_op.alter_column("region", existing_type=sa.String(20), nullable=False)',
    ),
    "backfill-through-the-connection": case(
        WITH_REGION,
        ADD_NULLABLE,
        "op.get_bind().execute(sa.text(\"UPDATE account SET region = 'eu'\"))",
        REGION_NOT_NULL,
    ),
    "backfill-with-sa-table-update": case(
        WITH_REGION,
        ADD_NULLABLE,
        'op.execute(account.update().where(account.c.region.is_(None)).values(region="eu"))',
        REGION_NOT_NULL,
        module='account = sa.table("account", sa.column("region"))\n\n',
    ),
    "backfill-with-coalesce": case(
        WITH_REGION,
        ADD_NULLABLE,
        "op.execute(\"UPDATE account SET region = COALESCE(email, 'eu')\")",
        REGION_NOT_NULL,
    ),
    "backfill-to-null": case(
        WITH_REGION,
        ADD_NULLABLE,
        'op.execute("UPDATE account SET region = NULL")',
        REGION_NOT_NULL,
        found=(("region", NO_BACKFILL),),
    ),
    "backfill-from-a-column-that-may-be-null": case(
        WITH_REGION,
        ADD_NULLABLE,
        'op.execute("UPDATE account SET region = email")',
        REGION_NOT_NULL,
        found=(("region", NO_BACKFILL),),
    ),
    "backfill-from-a-subquery": case(
        WITH_REGION,
        ADD_NULLABLE,
        'op.execute("UPDATE account SET region = (SELECT b.email FROM account b '
        'WHERE b.id = account.id)")',
        REGION_NOT_NULL,
        found=(("region", NO_BACKFILL),),
    ),
    "backfill-with-case-without-else": case(
        WITH_REGION,
        ADD_NULLABLE,
        "op.execute(\"UPDATE account SET region = CASE WHEN id >= 100 THEN 'eu' END\")",
        REGION_NOT_NULL,
        found=(("region", NO_BACKFILL),),
    ),
    "backfill-with-sa-null": case(
        WITH_REGION,
        ADD_NULLABLE,
        "op.execute(account.update().values(region=sa.null()))",
        REGION_NOT_NULL,
        found=(("region", NO_BACKFILL),),
        module='account = sa.table("account", sa.column("region"))\n\n',
    ),
    "add-nullable-not-null-without-backfill": case(
        WITH_REGION, ADD_NULLABLE, REGION_NOT_NULL, found=(("region", NO_BACKFILL),)
    ),
    "backfill-after-the-not-null": case(
        WITH_REGION,
        ADD_NULLABLE,
        REGION_NOT_NULL,
        REGION_BACKFILL,
        found=(("region", NO_BACKFILL),),
    ),
    "backfill-of-some-rows": case(
        WITH_REGION,
        ADD_NULLABLE,
        "op.execute(\"UPDATE account SET region = 'eu' WHERE id < 100\")",
        REGION_NOT_NULL,
        found=(("region", NO_BACKFILL),),
    ),
    "backfill-under-an-if": case(
        WITH_REGION,
        ADD_NULLABLE,
        'if op.get_context().dialect.name == "postgresql":',
        f"    {REGION_BACKFILL}",
        REGION_NOT_NULL,
        found=(("region", NO_BACKFILL),),
    ),
    "backfill-built-at-run-time": case(
        WITH_REGION,
        ADD_NULLABLE,
        'for table in ["account"]:',
        "    op.execute(f\"UPDATE {table} SET region = 'eu'\")",
        REGION_NOT_NULL,
        found=(("region", NO_BACKFILL),),
    ),
    "not-null-in-sql-it-does-not-read": case(
        WITH_REGION,
        ADD_NULLABLE,
        REGION_BACKFILL,
        'op.execute("ALTER TABLE account ALTER COLUMN region SET NOT NULL")',
        found=(
            (
                "region",
                f"{REQUIRED}: the revision adds it nullable, and no alter_column that "
                "schemadiff reads makes it NOT NULL",
            ),
        ),
    ),
    # 2b. an existing column made NOT NULL
    "existing-column-backfilled-then-not-null": case(
        models(email="str"), EMAIL_BACKFILL, EMAIL_NOT_NULL
    ),
    "existing-column-not-null-without-backfill": case(
        models(email="str"), EMAIL_NOT_NULL, found=(("email", EMAIL_NO_BACKFILL),)
    ),
    "existing-column-backfilled-too-late": case(
        models(email="str"),
        EMAIL_NOT_NULL,
        EMAIL_BACKFILL,
        found=(("email", EMAIL_NO_BACKFILL),),
    ),
    # 3. a unique constraint or index after the rows are de-duplicated
    "unique-constraint-after-delete": case(
        models(handle=UNIQUE_HANDLE), DEDUPLICATE.format("handle"), CREATE_UNIQUE
    ),
    "unique-constraint-after-update": case(
        models(handle=UNIQUE_HANDLE),
        "op.execute(\"UPDATE account SET handle = handle || '-' || id WHERE id NOT IN "
        '(SELECT min(id) FROM account GROUP BY handle)")',
        CREATE_UNIQUE,
        found=(("handle", _duplicates("unique constraint uq_account_handle")),),
    ),
    "unique-constraint-after-not-in-delete": case(
        models(handle=UNIQUE_HANDLE),
        'op.execute("DELETE FROM account WHERE id NOT IN '
        '(SELECT min(id) FROM account GROUP BY handle)")',
        CREATE_UNIQUE,
    ),
    "unique-constraint-after-delete-of-every-row": case(
        models(handle=UNIQUE_HANDLE), 'op.execute("DELETE FROM account")', CREATE_UNIQUE
    ),
    "unique-constraint-after-not-in-of-another-table": case(
        models(handle=UNIQUE_HANDLE),
        'op.execute("DELETE FROM account WHERE id NOT IN '
        '(SELECT min(id) FROM team GROUP BY handle)")',
        CREATE_UNIQUE,
        found=(("handle", _duplicates("unique constraint uq_account_handle")),),
    ),
    "unique-constraint-after-update-to-one-value": case(
        models(handle=UNIQUE_HANDLE),
        "op.execute(\"UPDATE account SET handle = 'same'\")",
        CREATE_UNIQUE,
        found=(("handle", _duplicates("unique constraint uq_account_handle")),),
    ),
    "unique-constraint-after-delete-of-null-handles": case(
        models(handle=UNIQUE_HANDLE),
        'op.execute("DELETE FROM account WHERE handle IS NULL")',
        CREATE_UNIQUE,
        found=(("handle", _duplicates("unique constraint uq_account_handle")),),
    ),
    "unique-constraint-after-self-join-on-more-columns": case(
        models(handle=UNIQUE_HANDLE),
        'op.execute("DELETE FROM account a USING account b '
        'WHERE a.id > b.id AND a.handle = b.handle AND a.email = b.email")',
        CREATE_UNIQUE,
        found=(("handle", _duplicates("unique constraint uq_account_handle")),),
    ),
    "unique-constraint-without-deduplication": case(
        models(handle=UNIQUE_HANDLE),
        CREATE_UNIQUE,
        found=(("handle", _duplicates("unique constraint uq_account_handle")),),
    ),
    "unique-constraint-deduplicated-after": case(
        models(handle=UNIQUE_HANDLE),
        CREATE_UNIQUE,
        DEDUPLICATE.format("handle"),
        found=(("handle", _duplicates("unique constraint uq_account_handle")),),
    ),
    "unique-constraint-after-delete-of-other-rows": case(
        models(handle=UNIQUE_HANDLE),
        'op.execute("DELETE FROM account WHERE email IS NULL")',
        CREATE_UNIQUE,
        found=(("handle", _duplicates("unique constraint uq_account_handle")),),
    ),
    "unique-index-after-delete": case(
        models(login=UNIQUE_LOGIN), DEDUPLICATE.format("login"), CREATE_INDEX
    ),
    "unique-index-without-deduplication": case(
        models(login=UNIQUE_LOGIN),
        CREATE_INDEX,
        found=(("login", _duplicates("unique index ix_account_login", "login")),),
    ),
    # 4. a foreign key whose only change is what a delete does
    "foreign-key-ondelete-only": case(
        models(team='"team.id", ondelete="CASCADE"'),
        DROP_FK,
        'op.create_foreign_key("fk_account_team", "account", "team", ["team_id"], ["id"], '
        'ondelete="CASCADE")',
    ),
    # 5. a unique constraint re-added on the same columns, only its deferral changed
    "unique-constraint-deferral-only": case(
        models(number="", team_args=DEFERRABLE_NUMBER.format('"number"')),
        'op.drop_constraint("team_number_key", "team", type_="unique")',
        'op.create_unique_constraint("team_number_key", "team", ["number"], deferrable=True)',
    ),
    "unique-constraint-on-more-columns": case(
        models(number="", team_args=DEFERRABLE_NUMBER.format('"number", "id"')),
        'op.drop_constraint("team_number_key", "team", type_="unique")',
        'op.create_unique_constraint("team_number_key", "team", ["number", "id"], deferrable=True)',
    ),
    "foreign-key-to-another-table": case(
        models(team='"org.id"'),
        DROP_FK,
        'op.create_foreign_key("fk_account_team", "account", "org", ["team_id"], ["id"])',
        found=(("team_id", "foreign key to org added: fails if a row refers to a missing org"),),
    ),
    "foreign-key-to-other-columns": case(
        models(team='"team.number"'),
        DROP_FK,
        'op.create_foreign_key("fk_account_team", "account", "team", ["team_id"], ["number"])',
        found=(("team_id", "foreign key to team added: fails if a row refers to a missing team"),),
    ),
}


def _project(root: Path, template: Path, after: str, revision: str | None) -> GitRepo:
    """The models and an empty Alembic project; then ``after`` with ``revision``."""
    repo = new_repo(root)
    _alembic_project(repo, template)
    for models_text, message in ((models(), "before"), (after, "after")):
        models_repo(repo, models_text).write("pyproject.toml", PYPROJECT)
        if message == "after" and revision is not None:
            repo.write("migrations/versions/0001_change.py", revision)
        repo.commit(message)
    return repo


def _revision(case: Case) -> str:
    body = textwrap.indent("\n".join(case.body), "    ")
    return textwrap.dedent(REVISION).format(module=case.module, body=body)


def _expected(case: Case) -> list[str]:
    lines = case.after.splitlines()
    return [
        f"app/models.py:{_line(lines, column)}: error: account.{column}: {message} [data-dependent]"
        for column, message in case.found
    ]


def _line(lines: list[str], column: str) -> int:
    return next(i for i, line in enumerate(lines, 1) if line.startswith(f"    {column}: "))


@pytest.mark.parametrize("name", list(CASES))
def test_data_dependent_reads_the_revision(
    tmp_path: Path, alembic_template: Path, name: str
) -> None:
    case = CASES[name]
    repo = _project(tmp_path / "repo", alembic_template, case.after, _revision(case))
    run = schemadiff("check", "HEAD~1..HEAD", cwd=repo.path)
    expected = _expected(case)
    assert FINDING.findall(run.out) == expected, run.out + run.err
    failed = f"schemadiff check: failed: {len(expected)} error{'s' if len(expected) > 1 else ''}."
    assert (run.code, run.err.strip()) == (
        (1, failed) if expected else (0, "schemadiff check: passed.")
    )


def test_a_generated_revision_fills_the_new_column(tmp_path: Path, alembic_template: Path) -> None:
    """``schemadiff revision`` gives a NOT NULL column a placeholder default in its add_column:
    the revision it writes passes the rule it was written for."""
    repo = _project(tmp_path / "repo", alembic_template, WITH_REGION, None)
    written = schemadiff("revision", "HEAD~1..HEAD", "-m", "add region", cwd=repo.path)
    assert written.code == 0, written.err
    repo.git("add", "-A")
    repo.git("commit", "-q", "--amend", "--no-edit", "--no-gpg-sign")
    run = schemadiff("check", "HEAD~1..HEAD", cwd=repo.path)
    assert (run.code, FINDING.findall(run.out), run.err.strip()) == (
        0,
        [],
        "schemadiff check: passed.",
    ), run.out


# --- what PostgreSQL does with the same revisions ---------------------------------------------

ROWS = """
CREATE TABLE team (id integer PRIMARY KEY, number integer NOT NULL UNIQUE);
CREATE TABLE org (id integer PRIMARY KEY);
CREATE TABLE account (
    id integer PRIMARY KEY,
    email varchar(200),
    handle varchar(40) NOT NULL,
    login varchar(40) NOT NULL,
    team_id integer NOT NULL CONSTRAINT fk_account_team REFERENCES team (id)
);
INSERT INTO team VALUES (1, 1), (2, 20);
INSERT INTO org VALUES (1);
INSERT INTO account VALUES (1, NULL, 'a', 'x', 1), (100, 'e', 'a', 'x', 2), (101, 'f', 'a', 'x', 2);
"""
"""The older models' tables, with the rows that break a careless migration: a NULL email,
duplicate handles and logins, a team that is no org nor a team number, ids on both sides of
100."""

ROW_ERRORS = {"NotNullViolation", "UniqueViolation", "ForeignKeyViolation"}

CAUTIOUS = {
    "backfill-under-an-if": "the if holds on PostgreSQL",
    "backfill-built-at-run-time": "the f-string names account",
    "not-null-in-sql-it-does-not-read": "the SQL sets NOT NULL after the backfill",
    "unique-constraint-after-update": "the values it sets are distinct, which is not read",
    "unique-constraint-after-not-in-of-another-table": "GROUP BY handle is the outer row's: "
    "it keeps only team's least id",
}
"""Flagged, yet PostgreSQL runs them: the rule does not guess what it cannot read."""


@pytest.mark.parametrize("name", list(CASES))
def test_postgresql_agrees_with_each_verdict(
    tmp_path: Path, alembic_template: Path, postgres_url: str, name: str
) -> None:
    """``alembic upgrade head`` on a database holding awkward rows succeeds exactly for the
    revisions ``schemadiff check`` passes (and the cautious ones)."""
    case = CASES[name]
    repo = _project(tmp_path / "repo", alembic_template, case.after, _revision(case))
    passed = schemadiff("check", "HEAD~1..HEAD", cwd=repo.path).code == 0
    url = _database(postgres_url, name)
    ini = repo.path / "alembic.ini"
    ini.write_text(
        re.sub(r"(?m)^sqlalchemy\.url = .*$", f"sqlalchemy.url = {url}", ini.read_text())
    )
    upgrade = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=repo.path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    runs = passed or name in CAUTIOUS
    assert (upgrade.returncode == 0) == runs, upgrade.stderr[-2000:]
    if not runs:  # refused by the rows, not by a mistake of the revision
        refusal = re.search(r"psycopg2\.errors\.(\w+)", upgrade.stderr)
        assert refusal is not None, upgrade.stderr[-2000:]
        assert refusal[1] in ROW_ERRORS, refusal[1]


def _database(admin_url: str, name: str) -> str:
    """A new database holding ``ROWS``."""
    database = "dd_" + re.sub(r"\W", "_", name)
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    url = admin_url.rsplit("/", 1)[0] + "/" + database
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(ROWS)
    engine.dispose()
    return url


# --- the SQL the rule reads ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "table", "schema", "fills"),
    [
        ("UPDATE account SET region = 'eu'", "account", None, True),
        ("update account set region='eu' where region is null", "account", None, True),
        ('UPDATE "public"."account" AS a SET "region" = \'eu\'', "account", "public", True),
        (
            "-- fill\nUPDATE ONLY account SET a = 1, region = COALESCE(f(x), 'a,b') "
            "WHERE account.region IS NULL",
            "account",
            None,
            True,
        ),
        ("UPDATE account SET region = f(x)", "account", None, False),
        ("UPDATE account SET region = NULL", "account", None, False),
        ("UPDATE account SET region = (email)", "account", None, False),
        ("UPDATE account SET region = now()::text, a = 1", "account", None, True),
        ("UPDATE account SET region = 'eu' WHERE id < 100", "account", None, False),
        ("UPDATE account SET other = 'eu'", "account", None, False),
        (
            "UPDATE account SET region = o.r FROM org o WHERE o.id = account.team_id",
            "account",
            None,
            False,
        ),
        (
            "UPDATE account SET region = (SELECT r FROM org WHERE org.id = 1)",
            "account",
            None,
            False,
        ),
    ],
)
def test_an_update_fills_a_column_only_on_every_row(
    sql: str, table: str, schema: str | None, fills: bool
) -> None:
    (write,) = writes.parse(sql)
    assert (write.verb, write.table, write.schema, write.fills("region")) == (
        "update",
        table,
        schema,
        fills,
    )


def test_statements_are_cut_outside_quotes() -> None:
    found = writes.parse(
        "INSERT INTO log VALUES ('a; UPDATE account SET region = 1');"
        " DELETE FROM account WHERE handle IN (SELECT handle FROM dup)"
    )
    assert [(w.verb, w.table, w.mentions("handle")) for w in found] == [("delete", "account", True)]
