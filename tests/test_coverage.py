"""The static half of ``migration-required``: a revision's ``upgrade()`` read with ``ast``, and
which changes its operations leave uncovered.

The round trip that matters most: what ``schemadiff revision`` writes for every golden case
covers every change of that case (in batch mode too), and an empty ``upgrade()`` covers none
that needs DDL. Then revisions in the style ``alembic revision --autogenerate`` writes, one
written by the real Alembic against SQLite, and migrations that miss one change each.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from schemadiff import api, config, migrate
from schemadiff.model import (
    Change,
    ChangeKind,
    CheckConstraint,
    Column,
    ColumnType,
    ForeignKey,
    Index,
    NamedEnum,
    PrimaryKey,
    Sequence,
    SequenceOptions,
    UniqueConstraint,
    Value,
)
from schemadiff.revisions.operations import Operation, read
from schemadiff.rules import coverage
from schemadiff.rules.coverage import uncovered
from tests.conftest import CACHE_DIR, GitRepo, commit_case, model_source, new_repo
from tests.test_migrations import alembic, alembic_project

K = ChangeKind
CASES = Path(__file__).parent / "cases"
NOT_ASKED = {K.MODIFY_IDENTITY, K.MODIFY_AUTOINCREMENT, K.MODIFY_TABLE_OPTIONS}
"""Kinds no operation is asked of (see the docstring of ``schemadiff.rules.coverage``)."""


# --- the pipeline, in process --------------------------------------------------------------------


@dataclass(frozen=True)
class Compared:
    changes: tuple[Change, ...]
    module: bytes
    """What ``schemadiff revision`` writes, as a revision file."""
    batch: bool


def revision_module(code: migrate.render.Python) -> bytes:
    """The generated bodies in a revision file, as ``render_alembic`` lays them out."""
    imports = "\n".join(("from alembic import op", "import sqlalchemy as sa", *code.imports))
    return (
        f'"""generated"""\n{imports}\n\nrevision = "b"\ndown_revision = "a"\n\n\n'
        f"def upgrade() -> None:\n    {code.upgrade}\n\n\n"
        f"def downgrade() -> None:\n    {code.downgrade}\n"
    ).encode()


def _compare(path: Path, case: str, overrides: config.Overrides) -> Compared:
    repo = commit_case(new_repo(path), CASES / case)
    options = api.Options(directory=repo.path, overrides=overrides)
    result = api.compare(options, ["HEAD~1..HEAD"])
    assert result.schemas is not None
    found = migrate.migration(*result.schemas, result.changes, batch=result.render_as_batch)
    return Compared(result.changes, revision_module(found.python()), found.batch)


Compare = Callable[..., Compared]


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Compare]:
    """Each case compared once per module (the sides cached in the run's cache)."""
    done: dict[tuple[str, config.Overrides], Compared] = {}

    def get(case: str, overrides: config.Overrides = config.Overrides()) -> Compared:
        if (case, overrides) not in done:
            path = tmp_path_factory.mktemp("coverage") / "repo"
            done[(case, overrides)] = _compare(path, case, overrides)
        return done[(case, overrides)]

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCHEMADIFF_CACHE_DIR", CACHE_DIR)
        yield get


def _needs_ddl(changes: tuple[Change, ...]) -> tuple[int, ...]:
    return tuple(
        i
        for i, c in enumerate(changes)
        if c.kind not in NOT_ASKED and not (c.kind is K.MODIFY_TYPE and c.ddl_change is False)
    )


ALL_CASES = sorted(p.name for p in CASES.iterdir() if p.is_dir())
BATCH_CASES = [
    "add_and_remove_column",
    "check_constraints",
    "comments",
    "foreign_keys",
    "indexes",
    "primary_key",
    "rename_declared",
    "unique_constraints",
]
SQLITE_CASES = ["add_and_remove_column", "indexes", "nullability", "rename_configured"]


@pytest.mark.parametrize("case", ALL_CASES)
def test_what_schemadiff_writes_covers_every_change(compared: Compare, case: str) -> None:
    found = compared(case)
    ast.parse(found.module)
    operations = read(found.module)
    assert not found.batch
    assert bool(operations) == bool(_needs_ddl(found.changes))
    assert uncovered(found.changes, operations) == ()


@pytest.mark.parametrize("case", ALL_CASES)
def test_an_empty_upgrade_covers_no_change_that_needs_ddl(compared: Compare, case: str) -> None:
    changes = compared(case).changes
    assert uncovered(changes, ()) == _needs_ddl(changes)
    empty = b"from alembic import op\n\ndef upgrade():\n    pass\n"
    assert uncovered(changes, read(empty)) == _needs_ddl(changes)


@pytest.mark.parametrize("case", BATCH_CASES)
def test_what_schemadiff_writes_in_batch_mode_covers_every_change(
    compared: Compare, case: str
) -> None:
    found = compared(case, config.Overrides(render_as_batch=True))
    assert found.batch
    assert b"with op.batch_alter_table(" in found.module
    assert uncovered(found.changes, read(found.module)) == ()


@pytest.mark.parametrize("case", SQLITE_CASES)
def test_what_schemadiff_writes_for_sqlite_covers_every_change(
    compared: Compare, case: str
) -> None:
    found = compared(case, config.Overrides(dialect="sqlite"))
    assert found.batch  # SQLite's default
    assert uncovered(found.changes, read(found.module)) == ()


# --- migrations that miss one change (the generated one, altered) ------------------------------


def _missing(compared: Compare, case: str, old: str, new: str) -> tuple[Change, ...]:
    """The case's changes left uncovered by its generated migration with ``old`` replaced."""
    found = compared(case)
    assert found.module.count(old.encode()) == 1
    altered = found.module.replace(old.encode(), new.encode())
    return tuple(found.changes[i] for i in uncovered(found.changes, read(altered)))


def _about(changes: tuple[Change, ...]) -> list[tuple[ChangeKind, str | None]]:
    return [(c.kind, c.name) for c in changes]


def test_a_migration_that_adds_another_column(compared: Compare) -> None:
    missed = _missing(compared, "add_and_remove_column", "sa.Column('age'", "sa.Column('years'")
    assert _about(missed) == [(K.ADD_COLUMN, "age")]


def test_a_migration_that_alters_nullable_where_the_type_changed(compared: Compare) -> None:
    missed = _missing(compared, "type_ddl_change", "type_=sa.String(length=255)", "nullable=False")
    assert _about(missed) == [(K.MODIFY_TYPE, "email")]


def test_a_migration_that_drops_the_wrong_index(compared: Compare) -> None:
    missed = _missing(
        compared, "indexes", "op.drop_index('ix_doc_old'", "op.drop_index('ix_doc_other'"
    )
    assert _about(missed) == [(K.REMOVE_INDEX, "ix_doc_old")]


def test_a_migration_that_renames_to_another_name(compared: Compare) -> None:
    missed = _missing(compared, "rename_guessed", "new_column_name='alias'", "new_column_name='a'")
    assert _about(missed) == [(K.RENAME_COLUMN, "alias")]


def test_a_migration_that_forgets_an_enum_value(compared: Compare) -> None:
    found = compared("enum_native")
    kept = b"\n".join(line for line in found.module.splitlines() if b"order_status" not in line)
    missed = tuple(found.changes[i] for i in uncovered(found.changes, read(kept)))
    assert _about(missed) == [(K.MODIFY_ENUM, "order_status")]


def test_a_migration_that_drops_a_constraint_of_another_type(compared: Compare) -> None:
    missed = _missing(
        compared,
        "unique_constraints",
        "op.drop_constraint('account_nick_key', 'account', type_='unique')",
        "op.drop_constraint('account_nick_key', 'account', type_='foreignkey')",
    )
    assert _about(missed) == [(K.REMOVE_CONSTRAINT, None)]


def test_an_unnamed_foreign_key_on_other_columns(compared: Compare) -> None:
    missed = _missing(
        compared,
        "foreign_keys",
        "op.create_foreign_key('book_author_id_fkey', 'book', 'author', ['author_id'], ['id'], o",
        "op.create_foreign_key('book_editor_id_fkey', 'book', 'author', ['editor_id'], ['id'], o",
    )
    assert _about(missed) == [(K.ADD_FK, None)]


# --- hand-written revisions, in the style of alembic revision --autogenerate --------------------


def _type(ddl: str, python: str = "sa.Integer()") -> ColumnType:
    return ColumnType(python, ("import sqlalchemy as sa",), ddl)


def _column(name: str, ddl: str = "INTEGER", *, nullable: bool = True) -> Column:
    return Column(name, _type(ddl), nullable, None, None)


def _change(
    kind: ChangeKind,
    table: str | None,
    name: str | None,
    *,
    old: Value = None,
    new: Value = None,
    schema: str | None = None,
    ddl_change: bool | None = None,
    constraint_type: str | None = None,
) -> Change:
    return Change(
        kind, schema, table, name, old, new, ddl_change=ddl_change, constraint_type=constraint_type
    )


def revision_file(upgrade: str, header: str = "") -> bytes:
    """A revision file as Alembic's template writes it, around ``upgrade``'s body."""
    return (
        textwrap.dedent(
            '''
            """add things

            Revision ID: 1a2b3c4d5e6f
            Revises: 0f9e8d7c6b5a
            Create Date: 2024-05-01 12:00:00.000000

            """
            from typing import Sequence, Union

            from alembic import op
            import sqlalchemy as sa
            from sqlalchemy.dialects import postgresql
            '''
        )
        + textwrap.dedent(header)
        + textwrap.dedent(
            """

            # revision identifiers, used by Alembic.
            revision: str = '1a2b3c4d5e6f'
            down_revision: Union[str, None] = '0f9e8d7c6b5a'
            branch_labels: Union[str, Sequence[str], None] = None
            depends_on: Union[str, Sequence[str], None] = None


            def upgrade() -> None:
            """
        )
        + textwrap.indent(textwrap.dedent(upgrade).strip("\n"), "    ")
        + textwrap.dedent(
            """


            def downgrade() -> None:
                # ### commands auto generated by Alembic - please adjust! ###
                op.drop_table('nothing_read_here')
                # ### end Alembic commands ###
            """
        )
    ).encode()


USER_CHANGES = (
    _change(K.ADD_TABLE, "post", "post"),
    _change(K.ADD_COLUMN, "user", "age", old=None, new=_column("age")),
    _change(K.MODIFY_TYPE, "user", "name", ddl_change=True),
    _change(K.MODIFY_NULLABLE, "user", "name", old=False, new=True),
    _change(K.MODIFY_DEFAULT, "user", "created", old=None, new="now()"),
    _change(K.MODIFY_COMMENT, "user", "name", old=None, new="full name"),
    _change(K.ADD_INDEX, "user", "ix_user_age", new=Index("ix_user_age", ("age",), False)),
    _change(K.REMOVE_INDEX, "user", "ix_user_email", old=Index("ix_user_email", ("email",), False)),
    _change(
        K.ADD_CONSTRAINT,
        "user",
        "uq_user_name",
        new=UniqueConstraint("uq_user_name", ("name",)),
        constraint_type="unique",
    ),
    _change(
        K.REMOVE_FK,
        "user",
        "fk_user_team_id_team",
        old=ForeignKey("fk_user_team_id_team", ("team_id",), None, "team", ("id",)),
    ),
    _change(K.REMOVE_COLUMN, "user", "legacy", old=_column("legacy")),
    _change(K.REMOVE_TABLE, "old", "old"),
    _change(K.MODIFY_TYPE, "user", "email", ddl_change=False),
)


def test_an_autogenerated_revision_covers_its_changes() -> None:
    source = revision_file(
        """
        # ### commands auto generated by Alembic - please adjust! ###
        op.create_table('post',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
        sa.PrimaryKeyConstraint('id')
        )
        op.add_column('user', sa.Column('age', sa.Integer(), nullable=True))
        op.alter_column('user', 'name',
                   existing_type=sa.VARCHAR(length=50),
                   type_=sa.String(length=80),
                   comment='full name',
                   nullable=True)
        op.alter_column('user', 'created',
                   existing_type=postgresql.TIMESTAMP(),
                   server_default=sa.text('now()'),
                   existing_nullable=False)
        op.drop_index(op.f('ix_user_email'), table_name='user')
        op.create_index(op.f('ix_user_age'), 'user', ['age'], unique=False)
        op.create_unique_constraint('uq_user_name', 'user', ['name'])
        op.drop_constraint(op.f('fk_user_team_id_team'), 'user', type_='foreignkey')
        op.drop_column('user', 'legacy')
        op.drop_table('old')
        # ### end Alembic commands ###
        """
    )
    assert uncovered(USER_CHANGES, read(source)) == ()


def test_an_autogenerated_batch_revision_covers_its_changes() -> None:
    source = revision_file(
        """
        # ### commands auto generated by Alembic - please adjust! ###
        op.create_table('post',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('user', schema=None) as batch_op:
            batch_op.add_column(sa.Column('age', sa.Integer(), nullable=True))
            batch_op.alter_column('name',
                   existing_type=sa.VARCHAR(length=50),
                   type_=sa.String(length=80),
                   comment='full name',
                   nullable=True)
            batch_op.alter_column('created',
                   existing_type=sa.DATETIME(),
                   server_default=sa.text('(CURRENT_TIMESTAMP)'),
                   existing_nullable=False)
            batch_op.drop_index(batch_op.f('ix_user_email'))
            batch_op.create_index(batch_op.f('ix_user_age'), ['age'], unique=False)
            batch_op.create_unique_constraint('uq_user_name', ['name'])
            batch_op.drop_constraint('fk_user_team_id_team', type_='foreignkey')
            batch_op.drop_column('legacy')

        op.drop_table('old')
        # ### end Alembic commands ###
        """
    )
    assert uncovered(USER_CHANGES, read(source)) == ()


def test_each_autogenerated_operation_left_out_leaves_its_change_uncovered() -> None:
    body = """
        op.create_table('post', sa.Column('id', sa.Integer(), nullable=False))
        op.add_column('user', sa.Column('age', sa.Integer(), nullable=True))
        op.alter_column('user', 'name', existing_type=sa.VARCHAR(length=50), type_=sa.String(length=80), nullable=True, comment='full name')
        op.alter_column('user', 'created', existing_nullable=False, server_default=sa.text('now()'))
        op.create_index(op.f('ix_user_age'), 'user', ['age'], unique=False)
        op.drop_index(op.f('ix_user_email'), table_name='user')
        op.create_unique_constraint('uq_user_name', 'user', ['name'])
        op.drop_constraint('fk_user_team_id_team', 'user', type_='foreignkey')
        op.drop_column('user', 'legacy')
        op.drop_table('old')
        """  # noqa: E501
    left_out = [
        ("op.create_table('post'", K.ADD_TABLE),
        ("op.add_column('user'", K.ADD_COLUMN),
        ("type_=sa.String(length=80), ", K.MODIFY_TYPE),
        ("nullable=True, ", K.MODIFY_NULLABLE),
        ("server_default=sa.text('now()')", K.MODIFY_DEFAULT),
        ("comment='full name'", K.MODIFY_COMMENT),
        ("op.create_index(op.f('ix_user_age')", K.ADD_INDEX),
        ("op.drop_index(op.f('ix_user_email')", K.REMOVE_INDEX),
        ("op.create_unique_constraint", K.ADD_CONSTRAINT),
        ("op.drop_constraint('fk_user_team_id_team'", K.REMOVE_FK),
        ("op.drop_column", K.REMOVE_COLUMN),
        ("op.drop_table", K.REMOVE_TABLE),
    ]
    assert uncovered(USER_CHANGES, read(revision_file(body))) == ()
    for text, kind in left_out:
        assert body.count(text) == 1, text
        statement = text.startswith("op.")
        kept = "\n".join(line for line in body.splitlines() if not (statement and text in line))
        if not statement:
            kept = body.replace(text, "")
        missed = uncovered(USER_CHANGES, read(revision_file(kept)))
        assert [USER_CHANGES[i].kind for i in missed] == [kind], text


def test_raw_sql_covers_what_it_names_when_it_is_ddl() -> None:
    changes = (
        _change(K.ADD_INDEX, "doc", "ix_doc_body", new=Index("ix_doc_body", ("body",), False)),
        _change(K.MODIFY_NULLABLE, "user", "name", old=True, new=False),
        _change(K.MODIFY_DEFAULT, "user", "nick", old=None, new="''"),
    )
    source = revision_file(
        """
        with op.get_context().autocommit_block():
            op.execute("CREATE INDEX CONCURRENTLY ix_doc_body ON doc (body)")
        op.execute(sa.text("UPDATE \\"user\\" SET name = '' WHERE name IS NULL"))
        op.execute('ALTER TABLE "user" ALTER COLUMN name SET NOT NULL')
        op.execute("UPDATE \\"user\\" SET nick = '' WHERE nick IS NULL")
        """
    )
    assert uncovered(changes, read(source)) == (2,)  # an UPDATE alone is no migration


def test_renamed_tables_and_columns_may_be_altered_under_either_name() -> None:
    changes = (
        _change(K.RENAME_TABLE, "customer", "customer", old={"name": "client"}),
        _change(K.RENAME_COLUMN, "customer", "email", old={"name": "mail"}),
        _change(K.MODIFY_TYPE, "customer", "email", ddl_change=True),
        _change(K.ADD_COLUMN, "customer", "phone", new=_column("phone")),
    )
    source = revision_file(
        """
        op.alter_column('client', 'mail', new_column_name='email',
                        type_=sa.String(length=200), existing_type=sa.String(length=100))
        op.add_column('client', sa.Column('phone', sa.String()))
        op.rename_table('client', 'customer')
        """
    )
    assert uncovered(changes, read(source)) == ()
    swapped = source.replace(
        b"rename_table('client', 'customer')", b"rename_table('customer', 'client')"
    )
    assert uncovered(changes, read(swapped)) == (0,)


def test_unnamed_constraints_are_matched_by_kind_table_and_columns() -> None:
    unique = UniqueConstraint(None, ("tenant", "nick"))
    changes = (
        _change(
            K.REMOVE_CONSTRAINT,
            "account",
            None,
            old=UniqueConstraint(None, ("nick",)),
            constraint_type="unique",
        ),
        _change(K.ADD_CONSTRAINT, "account", None, new=unique, constraint_type="unique"),
        _change(
            K.REMOVE_CONSTRAINT,
            "account",
            "uq_account_handle",
            old=UniqueConstraint("uq_account_handle", ("tenant", "handle")),
            constraint_type="unique",
        ),
        _change(
            K.ADD_CONSTRAINT,
            "item",
            None,
            new=CheckConstraint(None, "qty > 0"),
            constraint_type="check",
        ),
    )
    named_only = revision_file(
        """
        op.drop_constraint('uq_account_handle', 'account', type_='unique')
        op.create_unique_constraint(None, 'account', ['nick'])
        """
    )
    assert uncovered(changes, read(named_only)) == (0, 1, 3)
    # SQLite: Alembic's way to drop what has no name is a naming convention in batch mode
    source = revision_file(
        """
        conv = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
        with op.batch_alter_table("account", naming_convention=conv) as batch_op:
            batch_op.drop_constraint("uq_account_nick", type_="unique")
            batch_op.drop_constraint("uq_account_handle", type_="unique")
            batch_op.create_unique_constraint(None, ["tenant", "nick"])
        op.create_check_constraint(None, "item", "qty > 0")
        """
    )
    assert uncovered(changes, read(source)) == ()


def test_a_primary_key_a_table_comment_and_standalone_objects() -> None:
    changes = (
        _change(
            K.MODIFY_PRIMARY_KEY,
            "membership",
            "membership",
            old=PrimaryKey(None, ("user_id",)),
            new=PrimaryKey("pk", ("user_id", "group_id")),
        ),
        _change(K.MODIFY_TABLE_COMMENT, "user", "user", old="people", new=None),
        _change(K.ADD_ENUM, None, "mood", new=NamedEnum(None, "mood", ("sad", "ok"))),
        _change(K.ADD_ENUM, "ops", "priority", new=NamedEnum("ops", "priority", ("low",))),
        _change(K.MODIFY_ENUM, None, "status", old=("a",), new=("a", "b")),
        _change(K.REMOVE_ENUM, None, "legacy_kind", old=NamedEnum(None, "legacy_kind", ("a",))),
        _change(
            K.ADD_SEQUENCE, None, "ticket_seq", new=Sequence(None, "ticket_seq", SequenceOptions())
        ),
        _change(
            K.REMOVE_SEQUENCE, None, "old_seq", old=Sequence(None, "old_seq", SequenceOptions())
        ),
        _change(
            K.MODIFY_SEQUENCE,
            None,
            "invoice_number",
            old=Sequence(None, "invoice_number", SequenceOptions(start=1)),
            new=Sequence(None, "invoice_number", SequenceOptions(start=5)),
        ),
    )
    source = revision_file(
        """
        op.drop_constraint('membership_pkey', 'membership', type_='primary')
        op.create_primary_key('pk', 'membership', ['user_id', 'group_id'])
        op.drop_table_comment('user', existing_comment='people')
        op.create_table('person',
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('mood', sa.Enum('sad', 'ok', name='mood'), nullable=True),
            sa.Column('prio', postgresql.ENUM('low', name='priority', schema='ops',
                                              create_type=False)),
        )
        PRIORITY.create(op.get_bind(), checkfirst=True)
        op.sync_enum_values(enum_schema='public', enum_name='status', new_values=['a', 'b'],
                            affected_columns=[], enum_values_to_rename=[])
        sa.Enum(name='legacy_kind').drop(op.get_bind(), checkfirst=False)
        op.execute(sa.schema.CreateSequence(sa.Sequence('ticket_seq')))
        op.execute(sa.schema.DropSequence(sa.Sequence('old_seq')))
        op.execute('ALTER SEQUENCE invoice_number RESTART WITH 5')
        """,
        header="\nPRIORITY = postgresql.ENUM('low', name='priority', schema='ops')\n",
    )
    assert uncovered(changes, read(source)) == ()
    assert uncovered(changes, read(source.replace(b"PRIORITY.create", b"print"))) == (3,)


def test_kinds_no_operation_exists_for_are_not_asked() -> None:
    changes = (
        _change(K.MODIFY_TABLE_OPTIONS, "event", "event", old=(), new=(("a", "b"),)),
        _change(K.MODIFY_IDENTITY, "line", "id", old=None, new=None),
        _change(K.MODIFY_AUTOINCREMENT, "membership", "user_id", old=True, new=False),
        _change(K.MODIFY_TYPE, "user", "email", ddl_change=False),
    )
    assert uncovered(changes, ()) == ()


def test_every_kind_has_a_rule() -> None:
    assert set(coverage._RULES) == set(ChangeKind)


# --- a revision written by the real Alembic autogenerate, on SQLite ------------------------------

AUTO_V1 = model_source(
    """
    class User(Base):
        __tablename__ = "user"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(sa.String(50))
        email: Mapped[str | None] = mapped_column(sa.String(100), index=True)
        legacy: Mapped[str | None] = mapped_column(sa.String(20))


    class Old(Base):
        __tablename__ = "old"
        id: Mapped[int] = mapped_column(primary_key=True)
    """
)
AUTO_V2 = model_source(
    """
    class User(Base):
        __tablename__ = "user"
        __table_args__ = (sa.UniqueConstraint("name", name="uq_user_name"),)
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str | None] = mapped_column(sa.String(80))
        email: Mapped[str | None] = mapped_column(sa.String(100))
        age: Mapped[int | None] = mapped_column(index=True)


    class Post(Base):
        __tablename__ = "post"
        id: Mapped[int] = mapped_column(primary_key=True)
        user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    """
)


@pytest.mark.parametrize("batch", [False, True], ids=["plain", "batch"])
def test_a_revision_alembic_autogenerates_covers_the_changes(repo: GitRepo, batch: bool) -> None:
    alembic_project(repo, AUTO_V1)
    if batch:
        env = repo.path / "migrations" / "env.py"
        text = env.read_text().replace(
            "target_metadata=target_metadata",
            "target_metadata=target_metadata, render_as_batch=True",
        )
        env.write_text(text)
    for step in (["revision", "--autogenerate", "-m", "one"], ["upgrade", "head"]):
        assert alembic(repo, *step).returncode == 0
    repo.write("app/models.py", AUTO_V2)
    done = alembic(repo, "revision", "--autogenerate", "-m", "two")
    assert done.returncode == 0, done.stderr
    (path,) = (repo.path / "migrations" / "versions").glob("*_two.py")
    repo.commit("v2")
    options = api.Options(
        directory=repo.path, overrides=config.Overrides(dialect="sqlite"), use_cache=False
    )
    result = api.compare(options, ["HEAD~1..HEAD"])

    operations = read(path.read_bytes())

    assert {c.kind for c in result.changes} >= {
        K.ADD_TABLE, K.REMOVE_TABLE, K.ADD_COLUMN, K.REMOVE_COLUMN, K.MODIFY_TYPE,
        K.MODIFY_NULLABLE, K.ADD_INDEX, K.REMOVE_INDEX, K.ADD_CONSTRAINT,
    }  # fmt: skip
    assert (b"batch_op." in path.read_bytes()) == batch
    assert uncovered(result.changes, operations) == ()
    without = [o for o in operations if o.name != "add_column"]
    assert [result.changes[i].kind for i in uncovered(result.changes, without)] == [K.ADD_COLUMN]


# --- the reader -------------------------------------------------------------------------------


def _read(
    upgrade: str, header: str = "from alembic import op\nimport sqlalchemy as sa\n"
) -> list[Operation]:
    body = textwrap.indent(textwrap.dedent(upgrade).strip("\n"), "    ")
    return list(read(f"{textwrap.dedent(header)}\n\ndef upgrade():\n{body}\n".encode()))


def test_a_file_that_does_not_parse_or_has_no_upgrade_reads_as_nothing() -> None:
    assert read(b"def upgrade(:\n") == ()
    assert read(b"\x00") == ()
    assert read(b"from alembic import op\n\ndef downgrade():\n    op.drop_table('a')\n") == ()


def test_what_each_operation_names() -> None:
    found = _read(
        """
        op.add_column('user', sa.Column('age', sa.Integer()), schema='app')
        op.alter_column(table_name='user', column_name='name', new_column_name='full_name',
                        nullable=False, existing_type=sa.String())
        op.create_index(op.f('ix_user_age'), 'user', ['age', sa.text('lower(name)')])
        op.drop_constraint(op.f('fk_a'), 'user', type_='foreignkey')
        op.create_foreign_key('fk_b', 'user', 'team', ['team_id'], ['id'], source_schema='app')
        op.rename_table('client', 'customer', schema='app')
        op.create_table('t', sa.Column('id', sa.Integer()), sa.Column('e', sa.Enum('a', name='e')),
                        sa.PrimaryKeyConstraint('id'), schema='app')
        op.execute(sa.text("ALTER TYPE e ADD VALUE 'b'"))
        """
    )
    assert [(o.name, o.table, o.schema, o.target) for o in found] == [
        ("add_column", "user", "app", "age"),
        ("alter_column", "user", None, "name"),
        ("create_index", "user", None, "ix_user_age"),
        ("drop_constraint", "user", None, "fk_a"),
        ("create_foreign_key", "user", "app", "fk_b"),
        ("rename_table", "client", "app", "customer"),
        ("create_table", "t", "app", None),
        ("execute", None, None, None),
    ]
    assert found[1].keywords == (
        "column_name", "existing_type", "new_column_name", "nullable", "table_name",
    )  # fmt: skip
    assert found[1].new_name == "full_name"
    assert found[2].columns == ("age", "lower(name)")
    assert found[3].constraint_type == "foreignkey"
    assert found[4].columns == ("team_id",)
    assert (found[6].columns, found[6].enums) == (("id", "e"), ("e",))
    assert found[7].text == "ALTER TYPE e ADD VALUE 'b'"
    assert [o.line for o in found] == [6, 7, 9, 10, 11, 12, 13, 15]


def test_calls_are_read_wherever_upgrade_makes_them() -> None:
    found = _read(
        """
        if context.get_x_argument():
            for _ in range(1):
                try:
                    op.drop_table('a')
                finally:
                    pass
        else:
            with op.get_context().autocommit_block():
                op.execute("ALTER TYPE e ADD VALUE 'x'")
        _helper()
        conn = op.get_bind()
        conn.execute(sa.text("DROP SEQUENCE s"))
        op.get_bind().exec_driver_sql("DROP TYPE e")
        alembic.op.drop_table('b')
        migration.drop_table('c')
        print(other.drop_table('d'))
        """,
        header="""
        import alembic
        from alembic import context
        from alembic import op as migration
        import sqlalchemy as sa


        def _helper():
            op.drop_index('ix_h', table_name='h')
            _helper()
        """,
    )
    assert [(o.name, o.table or o.target or o.text) for o in found] == [
        ("drop_table", "a"),
        ("execute", "ALTER TYPE e ADD VALUE 'x'"),
        ("drop_index", "h"),
        ("execute", "DROP SEQUENCE s"),
        ("execute", "DROP TYPE e"),
        ("drop_table", "b"),
        ("drop_table", "c"),
    ]


def test_batch_operations_take_their_table_from_the_with() -> None:
    found = _read(
        """
        with op.batch_alter_table('user', schema='app', recreate='always') as batch_op:
            batch_op.add_column(sa.Column('age', sa.Integer()))
            batch_op.create_index(batch_op.f('ix_user_age'), ['age'], unique=False)
            batch_op.create_foreign_key('fk', 'team', ['team_id'], ['id'])
            with op.batch_alter_table('other') as inner:
                inner.drop_column('x')
                batch_op.drop_column('y')
        """
    )
    assert [(o.name, o.table, o.schema, o.target, o.columns) for o in found] == [
        ("add_column", "user", "app", "age", None),
        ("create_index", "user", "app", "ix_user_age", ("age",)),
        ("create_foreign_key", "user", "app", "fk", ("team_id",)),
        ("drop_column", "other", None, "x", None),
        ("drop_column", "user", "app", "y", None),
    ]


def test_names_are_read_only_when_they_are_literals() -> None:
    found = _read(
        """
        table = 'local'
        op.drop_table(TABLE)
        op.drop_table(table)
        op.drop_table(TWICE)
        for name in ('a', 'b'):
            op.drop_table(name)
        op.drop_table(name_of())
        op.drop_table('pre' + 'fix')
        op.drop_table(f'{table}_x')
        op.execute(f"DROP TABLE {table}")
        op.execute(textwrap.dedent('''
            DROP TABLE z
        ''').strip())
        """,
        header="""
        import textwrap
        from alembic import op

        TABLE = 'module'
        TWICE = 'one'
        TWICE = 'two'
        """,
    )
    assert [o.table or o.text for o in found] == [
        "module", "local", None, None, None, "prefix", None, None, "DROP TABLE z",
    ]  # fmt: skip


def test_enum_types_and_sequences_created_on_their_own() -> None:
    found = _read(
        """
        mood = postgresql.ENUM('sad', 'ok', name='mood', schema='app')
        mood.create(op.get_bind(), checkfirst=True)
        sa.Enum(Status).drop(op.get_bind())
        sa.Sequence('seq').create(op.get_bind())
        op.execute(sa.schema.DropSequence(sa.Sequence('old_seq', schema='app')))
        op.execute(CreateEnumType(postgresql.ENUM('a', name='e')))
        op.create_table('t', sa.Column('m', postgresql.ENUM(name='mood', create_type=False)))
        op.sync_enum_values('app', 'mood', ['sad', 'ok', 'glad'], [])
        """,
        header="""
        import enum

        from alembic import op
        import sqlalchemy as sa
        from sqlalchemy.dialects import postgresql
        from sqlalchemy.dialects.postgresql.named_types import CreateEnumType


        class Status(enum.Enum):
            on = 1
        """,
    )
    assert [(o.name, o.schema, o.target, o.enums) for o in found] == [
        ("create_enum", "app", "mood", ()),
        ("drop_enum", None, "status", ()),
        ("create_sequence", None, "seq", ()),
        ("drop_sequence", "app", "old_seq", ()),
        ("create_enum", None, "e", ()),
        ("create_table", None, None, ()),
        ("sync_enum_values", "app", "mood", ()),
    ]


def test_the_multidb_template_is_read_through_its_engine_functions() -> None:
    source = textwrap.dedent(
        """
        from alembic import op


        def upgrade(engine_name: str) -> None:
            globals()["upgrade_%s" % engine_name]()


        def upgrade_engine1() -> None:
            op.drop_table('a')


        def downgrade_engine1() -> None:
            op.create_table('a')
        """
    ).encode()
    assert [(o.name, o.table) for o in read(source)] == [("drop_table", "a")]


@pytest.mark.parametrize(
    ("case", "drop"),
    [
        ("unique_constraints", "batch_op.drop_constraint('account_nick_key', type_='unique')"),
        ("foreign_keys", "batch_op.drop_constraint('book_author_id_fkey', type_='foreignkey')"),
    ],
)
def test_an_unnamed_drop_on_sqlite_is_covered_by_its_conventional_name(
    compared: Compare, case: str, drop: str
) -> None:
    """SQLite does not name what the models leave unnamed: the batch's naming_convention
    names it, and the migration drops it by that name, which covers the change."""
    found = compared(case, config.Overrides(dialect="sqlite"))
    assert b"# TODO schemadiff:" not in found.module
    assert drop.encode() in found.module
    assert uncovered(found.changes, read(found.module)) == ()
