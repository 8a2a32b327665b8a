"""``--format markdown``: the pull-request comment, through the real CLI and built by hand.

The structure is read back with markdown-it-py (a CommonMark parser with GitHub's table rules;
rich depends on it), and every Mermaid diagram is parsed by the real Mermaid parser in Node
(tests/mermaid/check.mjs, installed by scripts/install.sh into .venv/mermaid).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from schemadiff.api.planned import planned
from schemadiff.model import (
    Change,
    ChangeKind,
    CheckConstraint,
    Column,
    ColumnType,
    DiffResult,
    Finding,
    ForeignKey,
    Level,
    Location,
    NamedEnum,
    PrimaryKey,
    Rule,
    Schema,
    Sequence,
    SequenceOptions,
    Side,
    Source,
    Table,
)
from schemadiff.render import markdown, mermaid
from tests.conftest import (
    GitRepo,
    clean_env,
    committed,
    model_source,
    models_repo,
    new_repo,
    schemadiff,
)

K = ChangeKind
ROOT = Path(__file__).resolve().parent.parent
CHECK = ROOT / "tests" / "mermaid" / "check.mjs"
MODULES = ROOT / ".venv" / "mermaid" / "node_modules"
PLUS = markdown.SIGNS["+"]

BEFORE = """
class Client(Base):
    __tablename__ = "client"
    id: Mapped[int] = mapped_column(primary_key=True)
    mail: Mapped[str] = mapped_column(sa.String(100))
    legacy_code: Mapped[int | None]


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("client.id"))
    note: Mapped[str | None] = mapped_column(sa.String(50))


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)


class Audit(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
"""

AFTER = """
class Customer(Base):
    __tablename__ = "customer"
    __table_args__ = {"info": {"renamed_from": "client"}}
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(200), info={"renamed_from": "mail"})
    nickname: Mapped[str]


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (sa.CheckConstraint("note <> 'a|b'", name="ck_note"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("customer.id"))
    note: Mapped[str | None] = mapped_column(sa.Text)


class OrderLine(Base):
    __tablename__ = "order_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"))
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
"""


@pytest.fixture(scope="module")
def real_report(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The report of a real two-commit repository: a rename, a drop, a new table, FKs."""
    path = tmp_path_factory.mktemp("markdown") / "repo"
    committed(new_repo(path), model_source(BEFORE), model_source(AFTER))
    run = schemadiff("HEAD~1..HEAD", "--format", "markdown", cwd=path)
    assert run.code == 0, run.err
    assert "warning" not in run.err  # the migration's warnings are in its comments
    return run.out


# --- reading a report back ----------------------------------------------------------------------


def tables(report: str) -> list[list[list[str]]]:
    """Every Markdown table: its rows (the header first), each a list of cell texts."""
    found: list[list[list[str]]] = []
    row: list[str] | None = None
    for token in MarkdownIt("commonmark").enable("table").parse(report):
        if token.type == "table_open":
            found.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(token.content)
        elif token.type == "tr_close":
            assert row is not None
            found[-1].append(row)
            row = None
    return found


def raw_cells(line: str) -> int:
    """Cells of one table line as GitHub splits it: on every pipe not escaped."""
    return len(re.split(r"(?<!\\)\|", line.strip().strip("|")))


def assert_tables_well_formed(report: str) -> None:
    for found in tables(report):
        assert len({len(row) for row in found}) == 1, found
    blocks = re.findall(r"(?:^\|.*\n)+", report, flags=re.M)
    for block in blocks:
        assert len({raw_cells(line) for line in block.splitlines()}) == 1, block


def mermaid_blocks(report: str) -> list[str]:
    return re.findall(r"^```mermaid\n(.*?)^```$", report, flags=re.M | re.S)


def details(report: str) -> list[str]:
    return re.findall(r"<details[^>]*><summary>(.*?)</summary>", report)


# --- hand-built results -------------------------------------------------------------------------

OLD = Side("main", "a" * 40, Source.GIT)
NEW = Side("HEAD", "b" * 40, Source.GIT)


def col(name: str, ddl: str = "INTEGER", nullable: bool = False) -> Column:
    python = "sa.Integer()" if ddl == "INTEGER" else "sa.Text()"
    return Column(name, ColumnType(python, ("import sqlalchemy as sa",), ddl), nullable, None, None)


def tab(name: str, *columns: Column, fks: tuple[ForeignKey, ...] = (), **kw: object) -> Table:
    pk = PrimaryKey(None, ("id",)) if any(c.name == "id" for c in columns) else None
    return Table(None, name, columns, pk, None, foreign_keys=fks, **kw)  # type: ignore[arg-type]


def fk(columns: tuple[str, ...], target: str) -> ForeignKey:
    return ForeignKey(None, columns, None, target, ("id",))


def result(
    changes: list[Change],
    old: list[Table] | None = None,
    new: list[Table] | None = None,
    **kw: object,
) -> DiffResult:
    schemas = None
    if old is not None or new is not None:
        schemas = (Schema("postgresql", tuple(old or ())), Schema("postgresql", tuple(new or ())))
    found = DiffResult(OLD, NEW, "postgresql", tuple(changes), schemas=schemas, **kw)  # type: ignore[arg-type]
    return planned(found)  # as the CLI has it for the report: with its migration


def users_changes() -> tuple[list[Change], list[Table], list[Table]]:
    nickname = col("nickname", "TEXT", nullable=True)
    legacy = col("legacy", nullable=True)
    old = [tab("users", col("id"), legacy)]
    new = [tab("users", col("id"), nickname)]
    changes = [
        Change(K.ADD_COLUMN, None, "users", "nickname", None, nickname),
        Change(K.REMOVE_COLUMN, None, "users", "legacy", legacy, None, destructive=True),
    ]
    return changes, old, new


def finding(rule: Rule, level: Level, change: int | None, **kw: object) -> Finding:
    column = kw.pop("column", None)
    message = str(kw.pop("message", f"{rule.value} message"))
    return Finding(rule, level, None, "users", column, message, change, **kw)  # type: ignore[arg-type]


# --- through the real CLI -----------------------------------------------------------------------


def test_real_report_has_every_part(real_report: str) -> None:
    lines = real_report.splitlines()
    assert lines[0] == markdown.MARKER
    assert lines[1].startswith("**schemadiff** `HEAD~1` (`")
    assert "→ `HEAD` (`" in lines[1]
    assert "4 tables changed" in lines[1]
    headings = [line for line in lines if line.startswith("#### ")]
    assert "#### `audit_log` · dropped" in headings
    assert "#### `customer` · renamed from `client`" in headings
    assert "#### `order_lines` · new table" in headings
    assert "#### `orders` · changed" in headings
    assert_tables_well_formed(real_report)
    cells = [cell for found in tables(real_report) for row in found for cell in row]
    assert "`constraint ck_note CHECK (note <> 'a|b')`" in cells  # the pipe stayed in its cell
    assert any(s.startswith("Alembic operations") for s in details(real_report))
    operations = real_report.split("<summary>Alembic operations</summary>")[1]
    assert "```python\nfrom alembic import op" in operations
    assert "op.rename_table('client', 'customer')" in operations
    assert "# WARNING schemadiff: customer.nickname is added NOT NULL" in operations
    assert len(mermaid_blocks(real_report)) == 1
    diagram = mermaid_blocks(real_report)[0]
    assert "  audit_log {\n    table DROPPED\n" in diagram
    assert 'table RENAMED "from client"' in diagram
    assert 'INTEGER legacy_code "dropped"' in diagram
    assert 'orders ||--o{ order_lines : "order_id (added)"' in diagram
    assert real_report.endswith("</details>\n")


def test_real_report_without_changes(repo: GitRepo) -> None:
    models_repo(repo, model_source(BEFORE))
    repo.commit()
    repo.commit("nothing")
    run = schemadiff("HEAD~1..HEAD", "--format", "markdown", cwd=repo.path)
    assert run.code == 0, run.err
    marker, summary = run.out.splitlines()
    assert marker == markdown.MARKER
    assert summary.startswith("**schemadiff** `HEAD~1` (`")
    assert summary.endswith(": no schema changes")


# --- by hand: findings, escaping, the empty case --------------------------------------------------


def test_findings_are_marked_on_their_rows() -> None:
    changes, old, new = users_changes()
    findings = (
        finding(Rule.BACKWARD_INCOMPATIBLE, Level.WARN, 0, column="nickname"),
        finding(Rule.DESTRUCTIVE, Level.ERROR, 1, column="legacy", message="column dropped"),
        finding(Rule.LOCKING, Level.WARN, 1, allowed=True),
        finding(
            Rule.MIGRATION_REQUIRED,
            Level.ERROR,
            None,
            message="no new migration",
            location=Location("app/models.py", 14),
        ),
    )
    advice = ((Rule.MIGRATION_REQUIRED, "Run `schemadiff revision`."),)
    report = markdown.report(result(changes, old, new, findings=findings, advice=advice))
    summary = report.splitlines()[1]
    assert summary.endswith("2 changes; ❌ 2 errors, ⚠️ 1 warning, ☑️ 1 allowed")
    assert_tables_well_formed(report)
    [[header, added, dropped]] = tables(report)
    assert header == ["", "Change", "Findings"]
    assert added[2] == "⚠️ **backward-incompatible**: backward-incompatible message"
    assert dropped[2] == (
        "❌ **destructive**: column dropped<br>☑️ **locking** (allowed): locking message"
    )
    assert "#### Other findings\n\n- ❌ **migration-required**: `users`: no new migration" in report
    assert "(`app/models.py:14`)" in report
    assert "#### What to do\n\n- ❌ **migration-required**: Run `schemadiff revision`." in report


def test_without_findings_there_is_no_findings_column() -> None:
    changes, old, new = users_changes()
    report = markdown.report(result(changes, old, new))
    assert report.splitlines()[1].endswith("1 table changed, 2 changes")
    [[header, *_]] = tables(report)
    assert header == ["", "Change"]
    assert "Findings" not in report
    assert "What to do" not in report


def test_rules_run_and_nothing_found() -> None:
    changes, old, new = users_changes()
    report = markdown.report(result(changes, old, new, findings=()))
    assert report.splitlines()[1].endswith("2 changes; ✅ no findings")
    [[header, *_]] = tables(report)
    assert header == ["", "Change"]


def test_empty_diff_is_the_marker_and_one_line() -> None:
    report = markdown.report(result([], findings=()))
    sides = "`main` (`aaaaaaaaaa`) → `HEAD` (`bbbbbbbbbb`)"
    assert report == f"{markdown.MARKER}\n**schemadiff** {sides}: no schema changes\n"


def test_sides_without_commits_say_where_they_came_from() -> None:
    changes, _, _ = users_changes()
    side = Side(None, None, Source.SNAPSHOT, "the snapshot of revision abc <1>")
    built = DiffResult(side, Side(None, None, Source.WORKTREE), "postgresql", tuple(changes))
    summary = markdown.report(built).splitlines()[1]
    assert summary.startswith(
        "**schemadiff** `the snapshot` (the snapshot of revision abc &lt;1&gt;) → "
        "`the working tree`: "
    )


def test_names_and_values_are_escaped() -> None:
    check = CheckConstraint("ck|x", "a | b <> '<script>' AND c = '`x`'\nOR d = '**'")
    table = tab("we|rd <b>", col("id"), col("col`umn"), check_constraints=(check,))
    changes = [
        Change(K.ADD_CONSTRAINT, None, table.name, "ck|x", None, check, constraint_type="check"),
        Change(K.ADD_COLUMN, None, table.name, "col`umn", None, col("col`umn")),
    ]
    findings = (finding(Rule.DATA_DEPENDENT, Level.ERROR, 0, message="CHECK ck|x <i>added</i>"),)
    before = tab(table.name, col("id"))
    report = markdown.report(result(changes, [before], [table], findings=findings))
    assert_tables_well_formed(report)
    [[_, constraint, column]] = tables(report)
    assert (
        constraint[1] == "``constraint ck|x CHECK (a | b <> '<script>' AND c = '`x`' OR d = '**')``"
    )
    assert constraint[2] == "❌ **data-dependent**: CHECK ck|x &lt;i&gt;added&lt;/i&gt;"
    assert column[1] == "``column col`umn INTEGER NOT NULL``"
    html = MarkdownIt("commonmark").enable("table").render(report)
    assert "<script>" not in html
    assert "<i>" not in html
    assert "<code>constraint ck|x CHECK (a | b &lt;&gt; '&lt;script&gt;'" in html
    assert "#### `we|rd <b>` · changed" in report  # a heading is no table: no escape needed


def test_code_spans_take_any_backticks() -> None:
    assert markdown.code("a") == "`a`"
    assert markdown.code("a`b") == "``a`b``"
    assert markdown.code("`a``") == "``` `a`` ```"
    assert markdown.code("x|y", cell=True) == "`x\\|y`"
    assert markdown.code("one\ntwo") == "`one two`"


def test_python_only_changes_are_apart_and_collapsed() -> None:
    old_type = ColumnType("sa.String()", (), "VARCHAR")
    new_type = ColumnType("sa.Unicode()", (), "VARCHAR")
    changes = [Change(K.MODIFY_TYPE, None, "users", "name", old_type, new_type, ddl_change=False)]
    report = markdown.report(result(changes))
    assert tables(report) == []
    assert "<details><summary>1 Python-only type change (same DDL, no migration needed)" in report
    assert "- `users.name: Python type sa.String() -> sa.Unicode() (same DDL)`" in report
    assert "<summary>Alembic operations" not in report


def test_enums_and_sequences_have_their_own_table() -> None:
    enum = NamedEnum(None, "mood", ("sad", "ok"))
    sequence = Sequence("app", "ids", SequenceOptions(start=5))
    changes = [
        Change(K.ADD_ENUM, None, None, "mood", None, enum),
        Change(K.MODIFY_ENUM, None, None, "mood", ("sad",), ("sad", "ok")),
        Change(K.REMOVE_SEQUENCE, "app", None, "ids", sequence, None),
    ]
    report = markdown.report(result(changes))
    assert "#### Enums and sequences" in report
    assert tables(report) == [
        [
            ["", "Change"],
            [PLUS, "`enum mood ('sad', 'ok')`"],
            [markdown.SIGNS["~"], "`enum mood: ('sad') -> ('sad', 'ok')`"],
            [markdown.SIGNS["-"], "`sequence app.ids START 5`"],
        ]
    ]
    assert mermaid_blocks(report) == []


# --- by hand: the diagram -----------------------------------------------------------------------


def diagram_result() -> DiffResult:
    """A dropped table with a FK, a renamed one, a dropped FK, a neighbour."""
    teams = tab("teams", col("id"), col("name", "TEXT"))
    people_old = tab("people", col("id"), col("team_id"), fks=(fk(("team_id",), "teams"),))
    people_new = tab("people", col("id"), col("team_id", nullable=True))
    badges = tab("badges", col("id"), col("person_id"), fks=(fk(("person_id",), "people"),))
    members = tab("members", col("id"), col("group_id"), fks=(fk(("group_id",), "groups"),))
    groups_old = tab("clubs", col("id"))
    groups = tab("groups", col("id"))
    changes = [
        Change(K.REMOVE_TABLE, None, "badges", "badges", badges, None, destructive=True),
        Change(K.RENAME_TABLE, None, "groups", "groups", {"name": "clubs"}, {"name": "groups"}),
        Change(K.MODIFY_NULLABLE, None, "people", "team_id", False, True),
        Change(K.REMOVE_FK, None, "people", None, people_old.foreign_keys[0], None),
    ]
    return result(
        changes,
        [badges, groups_old, people_old],
        [groups, people_new],
        related=(teams, members),
    )


def test_diagram_marks_the_changes() -> None:
    drawn = mermaid.diagram(diagram_result())
    assert drawn is not None
    assert drawn.text.splitlines() == [
        "erDiagram",
        "  badges {",
        "    table DROPPED",
        "    INTEGER id PK",
        "    INTEGER person_id FK",
        "  }",
        "  groups {",
        '    table RENAMED "from clubs"',
        "    INTEGER id PK",
        "  }",
        "  people {",
        "    INTEGER id PK",
        '    INTEGER team_id "NOT NULL → NULL"',
        "  }",
        "  teams {",
        "    INTEGER id PK",
        "  }",
        "  members {",
        "    INTEGER id PK",
        "    INTEGER group_id FK",
        "  }",
        '  people ||..o{ badges : "person_id (dropped)"',
        '  teams |o..o{ people : "team_id (dropped)"',
        '  groups ||--o{ members : "group_id"',
    ]
    assert (drawn.shown, drawn.total, drawn.neighbours, drawn.dropped_keys) == (5, 5, True, True)
    report = markdown.report(diagram_result())
    assert "<details open><summary>Diagram: 5 tables</summary>" in report
    assert "Unchanged tables show only their key columns; dashed lines are dropped" in report


def test_diagram_is_capped() -> None:
    many = [tab(f"t{i:03}", col("id")) for i in range(40)]
    changes = [Change(K.ADD_TABLE, None, t.name, t.name, None, t) for t in many]
    drawn = mermaid.diagram(result(changes, [], many))
    assert drawn is not None
    assert (drawn.shown, drawn.total) == (mermaid.MAX_ENTITIES, 40)
    assert drawn.text.count("{\n") == mermaid.MAX_ENTITIES
    report = markdown.report(result(changes, [], many))
    assert "Diagram: the first 30 of 40 tables (changed ones first)" in report


def test_wide_tables_keep_changed_and_key_columns() -> None:
    columns = [col("id"), *(col(f"c{i:02}") for i in range(30)), col("owner_id")]
    wide = tab("wide", *columns, fks=(fk(("owner_id",), "owners"),))
    changes = [Change(K.MODIFY_NULLABLE, None, "wide", "c29", False, True)]
    drawn = mermaid.diagram(result(changes, [wide], [wide]))
    assert drawn is not None
    rows = drawn.text.split("wide {\n")[1].split("  }")[0].splitlines()
    assert len(rows) == mermaid.MAX_ATTRIBUTES
    assert rows[0] == "    INTEGER id PK"
    assert '    INTEGER c29 "NOT NULL → NULL"' in rows
    assert "    INTEGER owner_id FK" in rows
    assert rows[-1] == '    more columns "13 unchanged, not shown"'
    assert "owners ||--o{ wide" in drawn.text


def test_mermaid_names_are_sanitized() -> None:
    assert mermaid.identifier("billing.invoices") == "billing_invoices"
    assert mermaid.identifier('my table, "quoted"') == "my_table_quoted"
    assert mermaid.identifier("_private") == "_private"
    assert mermaid.identifier("1st") == "_1st"
    assert mermaid.identifier("end") == "end_"
    assert mermaid.identifier("PK") == "PK_"
    assert mermaid.type_word("NUMERIC(10, 2)") == "NUMERIC(10_2)"
    assert mermaid.type_word("TIMESTAMP WITHOUT TIME ZONE") == "TIMESTAMP_WITHOUT_TIME_ZONE"
    assert mermaid.type_word("INTEGER[]") == "INTEGER[]"
    assert mermaid.quoted('a "b" `c` <d>\ne') == "\"a 'b' 'c' \u2039d\u203a e\""


def nasty_result() -> DiffResult:
    """Names that need every sanitizing rule, in a schema, with keys between them."""
    parent = Table("my schema", "end", (col("id"), col("pk")), PrimaryKey(None, ("id",)), None)
    child_fk = ForeignKey(None, ("1st col",), "my schema", "end", ("id",))
    child = Table(
        None,
        'to "x", y.z',
        (col("id"), col("1st col", "NUMERIC(10, 2)"), col("UK", 'VARCHAR(5) COLLATE "C"')),
        PrimaryKey(None, ("id",)),
        None,
        foreign_keys=(child_fk,),
    )
    same = Table(None, "my_schema_end", (col("id"),), PrimaryKey(None, ("id",)), None)
    changes = [
        Change(K.ADD_TABLE, "my schema", "end", "end", None, parent),
        Change(K.ADD_TABLE, None, same.name, same.name, None, same),
        Change(K.ADD_TABLE, None, child.name, child.name, None, child),
    ]
    return result(changes, [], [parent, same, child])


# --- the cut ------------------------------------------------------------------------------------


def big_result(n: int = 600) -> DiffResult:
    """n new tables, each with a finding: far over GitHub's limit."""
    made = [
        tab(f"table_{i:04}", col("id"), col("name", "TEXT"), col("parent_id", nullable=True))
        for i in range(n)
    ]
    changes = [Change(K.ADD_TABLE, None, t.name, t.name, None, t) for t in made]
    findings = tuple(
        Finding(Rule.MIGRATION_REQUIRED, Level.ERROR, None, t.name, None, "no migration", i)
        for i, t in enumerate(made)
    )
    return result(changes, [], made, findings=findings)


def test_a_long_diff_is_cut_below_the_limit() -> None:
    built = big_result()
    report = markdown.report(built)
    assert markdown.size(report) <= markdown.BUDGET < markdown.LIMIT
    assert report.startswith(markdown.MARKER + "\n**schemadiff** ")
    assert "600 tables changed, 600 changes; ❌ 600 errors" in report.splitlines()[1]
    assert_tables_well_formed(report)
    assert "<summary>Alembic operations" not in report
    assert mermaid_blocks(report) == []
    note = report.rstrip("\n").splitlines()[-2:]
    assert note[0].startswith(
        "> ✂️ **Cut to fit a GitHub comment**: left out the Alembic operations, the diagram, "
        "the columns of new tables and "
    )
    kept = sum(1 for line in report.splitlines() if line.startswith(f"| {PLUS} | `table table_"))
    assert note[0].endswith(f"{600 - kept} more changes (with {600 - kept} findings).")
    assert note[1] == "> Run `schemadiff check main..HEAD` to see everything."
    assert 100 < kept < 600


def test_one_huge_table_is_cut_between_rows() -> None:
    columns = [col(f"column_{i:05}") for i in range(3000)]
    changes = [Change(K.ADD_COLUMN, None, "huge", c.name, None, c) for c in columns]
    report = markdown.report(result(changes))
    assert markdown.size(report) <= markdown.BUDGET
    assert_tables_well_formed(report)
    [found] = tables(report)
    kept = len(found) - 1
    assert 1000 < kept < 3000
    assert f"left out the diagram and {3000 - kept} more changes." in report
    assert mermaid_blocks(report) == []
    drawn = mermaid.diagram(result(changes))  # without the schemas: the changed columns
    assert drawn is not None
    assert drawn.text.count("\n    column ") == mermaid.MAX_ATTRIBUTES - 1
    assert '    more columns "2981 more changed, not shown"' in drawn.text
    assert report.endswith("> Run `schemadiff diff main..HEAD` to see everything.\n")


def test_the_operations_go_first_then_the_diagram() -> None:
    built = big_result(12)
    full = markdown.report(built, budget=10**9)
    assert "Alembic operations" in full
    assert len(mermaid_blocks(full)) == 1
    cut = markdown.report(built, budget=markdown.size(full) - 1)
    assert "<summary>Alembic operations" not in cut
    assert len(mermaid_blocks(cut)) == 1
    assert "left out the Alembic operations." in cut
    assert markdown.size(cut) < markdown.size(full)
    without_diagram = markdown.report(built, budget=markdown.size(cut) - 1)
    assert mermaid_blocks(without_diagram) == []
    assert "left out the Alembic operations and the diagram." in without_diagram
    assert "`column name TEXT NOT NULL`" in without_diagram


# --- Mermaid's own parser -------------------------------------------------------------------------


def _node() -> list[str]:
    node = shutil.which("node")
    if node is None or not (MODULES / "mermaid").is_dir():
        message = "node or .venv/mermaid is missing: run EXTRAS=test scripts/install.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return [node, str(CHECK)]


def parse(diagrams: list[str]) -> list[str | None]:
    """Each diagram's parse error, or None: one Node process for all of them."""
    run = subprocess.run(
        [*_node(), "--json"],
        input=json.dumps(diagrams),
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(),
    )
    assert run.returncode in (0, 1), run.stderr
    found: list[str | None] = json.loads(run.stdout)
    assert len(found) == len(diagrams)
    assert run.returncode == (0 if all(e is None for e in found) else 1)
    return found


def test_every_diagram_parses_and_a_broken_one_does_not(real_report: str) -> None:
    drawn = [
        mermaid_blocks(real_report)[0],
        *mermaid_blocks(markdown.report(diagram_result())),
        *mermaid_blocks(markdown.report(big_result(40), budget=10**9)),
        *mermaid_blocks(markdown.report(nasty_result())),
        *mermaid_blocks(markdown.report(result(users_changes()[0]))),  # without schemas
    ]
    assert len(drawn) == 5
    broken = [
        drawn[0].replace(" : ", " ", 1),  # a relationship without its label
        drawn[1].replace("people {", "people {{", 1),
        'erDiagram\n  a {\n    INTEGER x PK "quote " inside"\n  }\n',
        # what the sanitizing keeps out: a keyword as a name, a key word as a column, spaces
        'erDiagram\n  to ||--o{ b : "x"\n',
        "erDiagram\n  a {\n    INTEGER pk PK\n  }\n",
        "erDiagram\n  a {\n    TIMESTAMP WITHOUT TIME ZONE x\n  }\n",
    ]
    errors = parse(drawn + broken)
    assert errors[: len(drawn)] == [None] * len(drawn)
    for error in errors[len(drawn) :]:
        assert error is not None
        assert "Parse error" in error or "Lexical error" in error


def test_check_script_reads_one_diagram_from_stdin() -> None:
    run = subprocess.run(
        _node(),
        input="erDiagram\n  a ||--o{ b\n",
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(),
    )
    assert run.returncode == 1
    assert "Parse error on line 2" in run.stderr
