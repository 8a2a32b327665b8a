"""The documented JSON Schemas (docs/*.schema.json) hold for what the tool really prints."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import sqlalchemy as sa

from schemadiff.model import (
    Change,
    ChangeKind,
    Column,
    ColumnType,
    DiffResult,
    Finding,
    Level,
    Location,
    Rule,
    Side,
    Source,
)
from schemadiff.render import json_format
from tests.conftest import GitRepo, committed, model_source, models_repo, new_repo, schemadiff

DOCS = Path(__file__).parents[1] / "docs"
CASES = Path(__file__).parent / "cases"


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((DOCS / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


SNAPSHOT_FILE_ONLY = ("entry", "schema_document")
"""The snapshot file's own definitions; every other one is shared with the diff document."""


def test_shared_definitions_are_identical() -> None:
    """The diff document carries tables and columns exactly as the schema document has them."""
    snapshot_defs = json.loads((DOCS / "snapshot.schema.json").read_text())["$defs"]
    diff_defs = json.loads((DOCS / "diff.schema.json").read_text())["$defs"]
    assert set(SNAPSHOT_FILE_ONLY) <= set(snapshot_defs)
    assert not set(SNAPSHOT_FILE_ONLY) & set(diff_defs)
    shared = {n: d for n, d in snapshot_defs.items() if n not in SNAPSHOT_FILE_ONLY}
    assert {"table", "column", "column_type", "named_enum", "sequence", "options"} <= set(shared)
    for name, definition in shared.items():
        assert diff_defs[name] == definition, name


def only_document(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The schema document of a printed snapshot: one entry, one MetaData."""
    (entry,) = snapshot["entries"]
    document: dict[str, Any] = entry["metadata"]["default"]
    return document


def test_real_documents_validate(repo: GitRepo) -> None:
    models_repo(repo, (CASES / "add_and_remove_table" / "before.py").read_text()).commit("a")
    models_repo(repo, (CASES / "add_and_remove_table" / "after.py").read_text()).commit("b")
    diff = schemadiff("HEAD~1..HEAD", "-f", "json", cwd=repo.path).json()
    worktree = schemadiff("HEAD", "-f", "json", cwd=repo.path).json()
    snapshot = schemadiff("snapshot", cwd=repo.path).json()
    validator("diff.schema.json").validate(diff)
    validator("diff.schema.json").validate(worktree)
    validator("snapshot.schema.json").validate(snapshot)
    old = repo.path.parent / "old.snapshot.json"
    assert schemadiff("snapshot", "HEAD~1", "-o", str(old), cwd=repo.path).code == 0
    validator("snapshot.schema.json").validate(json.loads(old.read_text()))
    from_snapshot = schemadiff("--from-snapshot", str(old), "-f", "json", cwd=repo.path).json()
    assert (from_snapshot["from"]["source"], from_snapshot["from"]["ref"]) == ("snapshot", str(old))
    assert from_snapshot["changes"] == diff["changes"] != []
    validator("diff.schema.json").validate(from_snapshot)
    database = repo.path.parent / "old.db"
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE gone (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    url = f"sqlite:///{database}"
    reflected = schemadiff("--from-db", url, "-f", "json", cwd=repo.path)
    assert reflected.code == 0, reflected.err
    assert reflected.json()["from"]["source"] == "database"
    assert reflected.json()["dialect"] == "sqlite"
    validator("diff.schema.json").validate(reflected.json())


EVERY_KIND_BEFORE = model_source(
    """
    from sqlalchemy.dialects import postgresql

    sa.Sequence("seq_changed", start=1, metadata=Base.metadata)
    sa.Sequence("seq_removed", metadata=Base.metadata)


    class Customer(Base):
        __tablename__ = "customer"
        __table_args__ = (
            sa.UniqueConstraint("email", name="uq_customer_email"),
            sa.CheckConstraint("age >= 0", name="ck_customer_age"),
            sa.Index("ix_customer_name", "name"),
            {"mysql_engine": "MyISAM", "postgresql_tablespace": "fast"},
        )
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str] = mapped_column(sa.String(100))
        name: Mapped[str] = mapped_column(sa.String(50))
        age: Mapped[int] = mapped_column()
        mail: Mapped[str | None] = mapped_column(sa.String(100))
        status: Mapped[str] = mapped_column(sa.Enum("new", "active", name="status"))
        tier: Mapped[str] = mapped_column(sa.Enum("free", "pro", name="tier", native_enum=False))
        kind: Mapped[str] = mapped_column(sa.Enum("a", "b", name="old_kind"))


    class Order(Base):
        __tablename__ = "order"
        __table_args__ = (
            sa.Index("ix_order_open", "customer_id", postgresql_where=sa.text("closed = false")),
        )
        id: Mapped[int] = mapped_column(sa.Identity(start=1), primary_key=True)
        customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customer.id"))
        closed: Mapped[bool] = mapped_column(server_default=sa.false())
        net: Mapped[int] = mapped_column()
        gross: Mapped[int] = mapped_column(sa.Computed("net * 2"))
        start: Mapped[int] = mapped_column()
        stop: Mapped[int] = mapped_column()


    class Room(Base):
        __tablename__ = "room"
        id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
        code: Mapped[str] = mapped_column(sa.String(10), unique=True)


    class Price(Base):
        __tablename__ = "price"
        sku: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
        region: Mapped[str] = mapped_column(sa.String(2))


    class Legacy(Base):
        __tablename__ = "legacy"
        __table_args__ = {"schema": "archive"}
        id: Mapped[int] = mapped_column(primary_key=True)
    """
)

EVERY_KIND_AFTER = model_source(
    """
    from sqlalchemy.dialects import postgresql

    sa.Sequence("seq_changed", start=100, increment=10, metadata=Base.metadata)
    sa.Sequence("seq_added", schema="billing", metadata=Base.metadata)


    class Customer(Base):
        __tablename__ = "customer"
        __table_args__ = (
            sa.UniqueConstraint("email", "name", name="uq_customer_email"),
            sa.UniqueConstraint("name", "age"),
            sa.CheckConstraint("age >= 18", name="ck_customer_age"),
            sa.Index(
                "ix_customer_email", "email", unique=True, postgresql_where=sa.text("age > 0")
            ),
            {"mysql_engine": "InnoDB", "postgresql_tablespace": "slow", "comment": "buyers"},
        )
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str] = mapped_column(sa.String(255), comment="login")
        name: Mapped[str] = mapped_column(sa.Unicode(50))
        age: Mapped[int | None] = mapped_column(server_default="18")
        contact: Mapped[str | None] = mapped_column(
            sa.String(100), info={"renamed_from": "mail"}
        )
        status: Mapped[str] = mapped_column(sa.Enum("new", "active", "closed", name="status"))
        tier: Mapped[str] = mapped_column(
            sa.Enum("free", "pro", "team", name="tier", native_enum=False)
        )
        priority: Mapped[str | None] = mapped_column(sa.Enum("low", "high", name="priority"))


    class Order(Base):
        __tablename__ = "order"
        __table_args__ = (
            sa.Index("ix_order_open", "customer_id", postgresql_where=sa.text("closed = true")),
            postgresql.ExcludeConstraint(
                ("customer_id", "="),
                (sa.func.int4range(sa.column("start"), sa.column("stop")), "&&"),
                name="ex_order_span",
                using="gist",
                where=sa.text("closed = false"),
            ),
        )
        id: Mapped[int] = mapped_column(sa.Identity(start=100, always=True), primary_key=True)
        customer_id: Mapped[int] = mapped_column(
            sa.ForeignKey("customer.id", ondelete="CASCADE")
        )
        closed: Mapped[bool] = mapped_column(server_default=sa.false())
        net: Mapped[int] = mapped_column()
        gross: Mapped[int] = mapped_column(sa.Computed("net * 3", persisted=True))
        start: Mapped[int] = mapped_column()
        stop: Mapped[int] = mapped_column()


    class Chamber(Base):
        __tablename__ = "chamber"
        __table_args__ = {"info": {"renamed_from": "room"}}
        id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
        code: Mapped[str] = mapped_column(sa.String(10), unique=True)


    class Price(Base):
        __tablename__ = "price"
        sku: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
        region: Mapped[str] = mapped_column(sa.String(2), primary_key=True)


    class Invoice(Base):
        __tablename__ = "invoice"
        __table_args__ = {"schema": "billing"}
        id: Mapped[int] = mapped_column(primary_key=True)
    """
)


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    """Two commits whose diff has a change of every kind."""
    repo = new_repo(tmp_path_factory.mktemp("every-kind") / "repo")
    committed(repo, EVERY_KIND_BEFORE, EVERY_KIND_AFTER)
    return repo


@pytest.fixture(scope="module")
def every_kind_diff(every_kind: GitRepo) -> dict[str, Any]:
    run = schemadiff("HEAD~1..HEAD", "-f", "json", cwd=every_kind.path)
    assert run.code == 0, run.err
    document: dict[str, Any] = run.json()
    return document


def test_every_kind_validates(every_kind: GitRepo, every_kind_diff: dict[str, Any]) -> None:
    assert {c["kind"] for c in every_kind_diff["changes"]} == {k.value for k in ChangeKind}
    validator("diff.schema.json").validate(every_kind_diff)
    assert (every_kind_diff["findings"], every_kind_diff["advice"]) == (None, None)
    for ref in ("HEAD~1", "HEAD"):
        snapshot = schemadiff("snapshot", ref, cwd=every_kind.path).json()
        validator("snapshot.schema.json").validate(snapshot)


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_every_golden_change_validates(case: str) -> None:
    """Each golden case's JSON document, its commit ids put back (the case holds them as
    <from> and <to>), is what the schema says."""
    document = json.loads((CASES / case / "expected.json").read_text())
    assert (document["from"]["commit"], document["to"]["commit"]) == ("<from>", "<to>")
    document["from"]["commit"], document["to"]["commit"] = "0" * 40, "1" * 40
    validator("diff.schema.json").validate(document)


def _first_table(snapshot: dict[str, Any]) -> dict[str, Any]:
    table: dict[str, Any] = only_document(snapshot)["tables"][0]
    return table


def _version_2(snapshot: dict[str, Any]) -> None:
    """The version 2 document: one schema document with format and version at its top."""
    document = only_document(snapshot)
    snapshot.clear()
    snapshot.update(document, format="schemadiff-snapshot", version=2)


SNAPSHOT_BREAKAGES: dict[str, Callable[[dict[str, Any]], object]] = {
    "version 2": lambda d: d.update(version=2),
    "version 2 shape": _version_2,
    "other format": lambda d: d.update(format="other"),
    "no entries key": lambda d: d.pop("entries"),
    "no entries": lambda d: d.update(entries=[]),
    "three entries": lambda d: d["entries"].extend(copy.deepcopy(d["entries"] * 2)),
    "entry without parents": lambda d: d["entries"][0].pop("parents"),
    "parents without a revision": lambda d: d["entries"][0].update(parents=["1b2c3d"]),
    "revision as a number": lambda d: d["entries"][0].update(revision=3),
    "entry with an extra key": lambda d: d["entries"][0].update(extra=1),
    "no MetaData": lambda d: d["entries"][0].update(metadata={}),
    "MetaData as a list": lambda d: d["entries"][0].update(metadata=[only_document(d)]),
    "version inside the schema document": lambda d: only_document(d).update(version=3),
    "schema document without enums": lambda d: only_document(d).pop("enums"),
    "schema document without dialect": lambda d: only_document(d).pop("dialect"),
    "table without name": lambda d: _first_table(d).pop("name"),
    "table without columns": lambda d: _first_table(d).pop("columns"),
    "table without indexes": lambda d: _first_table(d).pop("indexes"),
    "options as names": lambda d: _first_table(d).update(options=[["mysql_engine"]]),
    "options as an object": lambda d: _first_table(d).update(options={"mysql_engine": "InnoDB"}),
    "nullable as text": lambda d: _first_table(d)["columns"][0].update(nullable="yes"),
    "column without autoincrement": lambda d: _first_table(d)["columns"][0].pop("autoincrement"),
    "enum type without its fields": lambda d: _first_table(d)["columns"][0]["type"].update(
        enum={"values": []}
    ),
    "table with an extra key": lambda d: _first_table(d).update(extra=1),
}


@pytest.fixture(scope="module")
def comments_snapshot(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("comments") / "repo"
    committed(new_repo(path), (CASES / "comments" / "after.py").read_text())
    document: dict[str, Any] = schemadiff("snapshot", cwd=path).json()
    validator("snapshot.schema.json").validate(document)
    assert only_document(document)["tables"][0]["columns"]
    return document


def test_a_file_of_two_entries_and_several_metadata_validates(
    comments_snapshot: dict[str, Any],
) -> None:
    """What `schemadiff revision` writes after a second revision, with two MetaData."""
    document = only_document(comments_snapshot)
    names = {"app.models:Base.metadata": document, "app.audit:Audit.metadata": document}
    two = {
        "format": "schemadiff-snapshot",
        "version": 3,
        "entries": [
            {"revision": "b2c3d4e5f6a7", "parents": ["a1b2c3d4e5f6"], "metadata": names},
            {"revision": "a1b2c3d4e5f6", "parents": [], "metadata": names},
        ],
    }
    validator("snapshot.schema.json").validate(two)


@pytest.mark.parametrize("breakage", sorted(SNAPSHOT_BREAKAGES))
def test_wrong_snapshots_are_rejected(comments_snapshot: dict[str, Any], breakage: str) -> None:
    document = copy.deepcopy(comments_snapshot)
    SNAPSHOT_BREAKAGES[breakage](document)
    assert not validator("snapshot.schema.json").is_valid(document)


def _first(kind: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def find(document: dict[str, Any]) -> dict[str, Any]:
        change: dict[str, Any] = next(c for c in document["changes"] if c["kind"] == kind)
        return change

    return find


BREAKAGES: dict[str, Callable[[dict[str, Any]], object]] = {
    "version 1": lambda d: d.update(version=1),
    "version 2": lambda d: d.update(version=2),
    "no findings": lambda d: d.pop("findings"),
    "no advice": lambda d: d.pop("advice"),
    "advice without findings": lambda d: d.update(advice={}),
    "side without reason": lambda d: d["from"].pop("reason"),
    "reason as a list": lambda d: d["from"].update(reason=["shallow clone"]),
    "unknown source": lambda d: d["from"].update(source="cache"),
    "snapshot side with a commit": lambda d: d["from"].update(source="snapshot"),
    "database side without ref": lambda d: d["from"].update(
        source="database", ref=None, commit=None
    ),
    "worktree side with a ref": lambda d: d["to"].update(source="worktree", commit=None),
    "commit without its id": lambda d: d["to"].update(commit=None),
    "unknown kind": lambda d: _first("add_index")(d).update(kind="add_view"),
    "rename without confidence": lambda d: _first("rename_column")(d).pop("confidence"),
    "confidence off a rename": lambda d: _first("add_column")(d).update(confidence="guessed"),
    "unknown confidence": lambda d: _first("rename_table")(d).update(confidence="likely"),
    "rename of a bare string": lambda d: _first("rename_table")(d).update(old="room"),
    "constraint without its type": lambda d: _first("add_constraint")(d).pop("constraint_type"),
    "constraint of the wrong type": lambda d: next(
        c for c in d["changes"] if c.get("constraint_type") == "check"
    ).update(constraint_type="unique"),
    "ddl_change off modify_type": lambda d: _first("modify_nullable")(d).update(ddl_change=True),
    "named enum with a table": lambda d: _first("add_enum")(d).update(table="customer"),
    "sequence with a table": lambda d: _first("modify_sequence")(d).update(table="customer"),
    "column change without a name": lambda d: _first("modify_computed")(d).update(name=None),
    "remove_enum not destructive": lambda d: _first("remove_enum")(d).update(destructive=False),
    "identity as a string": lambda d: _first("modify_identity")(d).update(new="ALWAYS"),
    "options as an object": lambda d: _first("modify_table_options")(d).update(new={"a": "b"}),
    "enum values as a string": lambda d: _first("modify_enum")(d).update(new="new,active"),
    "index without options": lambda d: _first("add_index")(d)["new"].pop("options"),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_wrong_diffs_are_rejected(every_kind_diff: dict[str, Any], breakage: str) -> None:
    document = copy.deepcopy(every_kind_diff)
    BREAKAGES[breakage](document)
    assert not validator("diff.schema.json").is_valid(document)


NICKNAME = Column(
    name="nickname",
    type=ColumnType("sa.String(length=40)", ("import sqlalchemy as sa",), "VARCHAR(40)"),
    nullable=True,
    server_default=None,
    comment=None,
)
PHONE = Column(
    name="phone",
    type=ColumnType("sa.String(length=32)", ("import sqlalchemy as sa",), "VARCHAR(32)"),
    nullable=False,
    server_default=None,
    comment=None,
)

CHECKED = DiffResult(
    old=Side("origin/main...HEAD", "a" * 40, Source.GIT),
    new=Side(None, None, Source.INDEX),
    dialect="postgresql",
    changes=(
        Change(ChangeKind.REMOVE_COLUMN, None, "users", "nickname", NICKNAME, None, True),
        Change(ChangeKind.ADD_COLUMN, "crm", "users", "phone", None, PHONE),
    ),
    findings=(
        Finding(
            Rule.DESTRUCTIVE,
            Level.ERROR,
            None,
            "users",
            "nickname",
            "column dropped: its data is lost",
            change=0,
            allowed=True,
        ),
        Finding(
            Rule.DATA_DEPENDENT,
            Level.ERROR,
            "crm",
            "users",
            "phone",
            "NOT NULL column added without a server default",
            change=1,
            location=Location("app/models.py", 14),
        ),
        Finding(
            Rule.BACKWARD_INCOMPATIBLE,
            Level.WARN,
            "crm",
            "users",
            "phone",
            "NOT NULL column added without a default: the deployed code's INSERTs fail",
            change=1,
            location=Location("app/models.py", 14),
        ),
        Finding(Rule.MIGRATION_REQUIRED, Level.ERROR, None, None, None, "no new revision"),
    ),
    advice=(
        (Rule.MIGRATION_REQUIRED, 'Write it with `schemadiff revision --staged -m "..."`.'),
        (Rule.DATA_DEPENDENT, "Add a server default, or fill the column before NOT NULL."),
        (Rule.BACKWARD_INCOMPATIBLE, "Expand first, contract in a later release."),
    ),
)


def checked_document() -> dict[str, Any]:
    """What ``schemadiff check --format json`` writes, through the real JSON renderer."""
    return printed(CHECKED)


def printed(result: DiffResult) -> dict[str, Any]:
    stream = io.StringIO()
    json_format.render(result, stream)
    document: dict[str, Any] = json.loads(stream.getvalue())
    return document


def test_findings_validate() -> None:
    document = checked_document()
    validator("diff.schema.json").validate(document)
    assert document["version"] == json_format.VERSION == 3
    assert document["findings"][1] == {
        "rule": "data-dependent",
        "level": "error",
        "schema": "crm",
        "table": "users",
        "column": "phone",
        "message": "NOT NULL column added without a server default",
        "change": 1,
        "location": {"file": "app/models.py", "line": 14},
        "allowed": False,
    }
    assert (document["findings"][0]["allowed"], document["findings"][0]["location"]) == (True, None)
    assert document["findings"][3]["table"] is None
    assert sorted(document["advice"]) == [
        "backward-incompatible",
        "data-dependent",
        "migration-required",
    ]


def test_no_findings_validate() -> None:
    """Rules run that found nothing: an empty list and an empty advice object, not null."""
    clean = DiffResult(CHECKED.old, CHECKED.new, "postgresql", CHECKED.changes, findings=())
    document = printed(clean)
    assert (document["findings"], document["advice"]) == ([], {})
    validator("diff.schema.json").validate(document)


def _finding(index: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def find(document: dict[str, Any]) -> dict[str, Any]:
        finding: dict[str, Any] = document["findings"][index]
        return finding

    return find


FINDING_BREAKAGES: dict[str, Callable[[dict[str, Any]], object]] = {
    "findings as null with advice": lambda d: d.update(findings=None),
    "advice as null with findings": lambda d: d.update(advice=None),
    "advice for an unknown rule": lambda d: d["advice"].update(naming="Name it."),
    "empty advice": lambda d: d["advice"].update(destructive=""),
    "unknown rule": lambda d: _finding(0)(d).update(rule="naming"),
    "level off": lambda d: _finding(0)(d).update(level="off"),
    "level as a boolean": lambda d: _finding(0)(d).update(level=True),
    "empty message": lambda d: _finding(1)(d).update(message=""),
    "negative change": lambda d: _finding(1)(d).update(change=-1),
    "change as text": lambda d: _finding(1)(d).update(change="1"),
    "location without line": lambda d: _finding(1)(d)["location"].pop("line"),
    "line 0": lambda d: _finding(1)(d)["location"].update(line=0),
    "location as text": lambda d: _finding(1)(d).update(location="app/models.py:14"),
    "allowed as text": lambda d: _finding(0)(d).update(allowed="yes"),
    "finding without column": lambda d: _finding(0)(d).pop("column"),
    "finding with an extra key": lambda d: _finding(0)(d).update(subject="users.nickname"),
}


@pytest.mark.parametrize("breakage", sorted(FINDING_BREAKAGES))
def test_wrong_findings_are_rejected(breakage: str) -> None:
    document = checked_document()
    FINDING_BREAKAGES[breakage](document)
    assert not validator("diff.schema.json").is_valid(document)
