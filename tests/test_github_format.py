"""``--format github``: workflow commands that GitHub's own parser reads back as written."""

from __future__ import annotations

import io
import re

from schemadiff.model import (
    Change,
    ChangeKind,
    DiffResult,
    Finding,
    Level,
    Location,
    Rule,
    Side,
    Source,
)
from schemadiff.render import Format, render
from tests.conftest import GitRepo, committed, model_source, schemadiff

BASE = Side("origin/main...HEAD", "a" * 40, Source.GIT)
HEAD = Side("HEAD", "b" * 40, Source.GIT)
DROP = Change(ChangeKind.REMOVE_COLUMN, None, "users", "nickname", None, None, True)
ADD = Change(ChangeKind.ADD_COLUMN, None, "users", "phone", None, None)

COMMAND = re.compile(r"^::(?P<name>[a-z]+)(?: (?P<properties>[^:]*))?::(?P<data>.*)$")
"""GitHub's syntax: ``::name key=value,key=value::data``; escaped properties hold no colon."""


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """One workflow command, unescaped as the Actions runner does."""
    match = COMMAND.match(line)
    assert match, line
    properties = {}
    for pair in filter(None, (match["properties"] or "").split(",")):
        key, value = pair.split("=", 1)
        properties[key] = _unescape(value)
    return match["name"], properties, _unescape(match["data"])


def _unescape(text: str) -> str:
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, char)
    return text


def printed(result: DiffResult) -> list[str]:
    stream = io.StringIO()
    render(result, Format.GITHUB, stream)
    text = stream.getvalue()
    assert text.endswith("\n")
    lines = text[:-1].split("\n")
    for line in lines:
        parse(line)
    return lines


def result(*findings: Finding, advice: tuple[tuple[Rule, str], ...] = ()) -> DiffResult:
    return DiffResult(BASE, HEAD, "postgresql", (DROP, ADD), findings=findings, advice=advice)


def test_no_changes_is_one_notice() -> None:
    for findings in (None, ()):
        unchanged = DiffResult(
            BASE, Side(None, None, Source.INDEX), "sqlite", (), findings=findings
        )
        assert printed(unchanged) == [
            "::notice title=schemadiff::No schema changes between origin/main...HEAD and the index."
        ]


def test_changes_without_findings_is_one_notice() -> None:
    assert printed(result()) == [
        "::notice title=schemadiff::2 schema changes between origin/main...HEAD and HEAD,"
        " no findings."
    ]
    unchecked = DiffResult(BASE, HEAD, "postgresql", (ADD,))
    assert printed(unchecked) == [
        "::notice title=schemadiff::1 schema change between origin/main...HEAD and HEAD."
    ]


def test_one_annotation_per_finding_after_a_summary() -> None:
    drop = Finding(
        Rule.DESTRUCTIVE,
        Level.ERROR,
        None,
        "users",
        "nickname",
        "column dropped: its data is lost",
        change=0,
        location=Location("app/models.py", 14),
    )
    warn = Finding(
        Rule.BACKWARD_INCOMPATIBLE,
        Level.WARN,
        "crm",
        "users",
        "nickname",
        "column dropped: the deployed code still reads it",
        change=0,
    )
    allowed = Finding(
        Rule.LOCKING,
        Level.ERROR,
        None,
        "users",
        None,
        "index created without CONCURRENTLY",
        change=1,
        location=Location("app/models.py", 9),
        allowed=True,
    )
    advice = (
        (Rule.DESTRUCTIVE, "Copy the data out first, or allow it in the model."),
        (Rule.LOCKING, "Create it with postgresql_concurrently=True."),
    )
    assert printed(result(drop, warn, allowed, advice=advice)) == [
        "::notice title=schemadiff::2 schema changes between origin/main...HEAD and HEAD:"
        " 3 findings (1 failing, 1 warning, 1 allowed).",
        "::error file=app/models.py,line=14,title=schemadiff%3A destructive::users.nickname:"
        " column dropped: its data is lost. Copy the data out first, or allow it in the model.",
        "::warning title=schemadiff%3A backward-incompatible::crm.users.nickname:"
        " column dropped: the deployed code still reads it",
        "::notice file=app/models.py,line=9,title=schemadiff%3A locking (allowed)::users:"
        " index created without CONCURRENTLY. Allowed in the model.",
    ]


def test_special_characters_are_escaped_and_read_back() -> None:
    odd = Finding(
        Rule.DATA_DEPENDENT,
        Level.ERROR,
        "50%",
        "a,b",
        "c:d",
        "new CHECK (x > 0)\nfails on 100% of rows:\r\nfix them, first",
        location=Location("app/models,v2:old.py", 3),
    )
    advice = ((Rule.DATA_DEPENDENT, "Fill the column, then add the constraint: 50%."),)
    lines = printed(result(odd, advice=advice))
    assert lines[1] == (
        "::error file=app/models%2Cv2%3Aold.py,line=3,title=schemadiff%3A data-dependent::"
        "50%25.a,b.c:d: new CHECK (x > 0)%0Afails on 100%25 of rows:%0D%0Afix them, first."
        " Fill the column, then add the constraint: 50%25."
    )
    assert parse(lines[1]) == (
        "error",
        {"file": "app/models,v2:old.py", "line": "3", "title": "schemadiff: data-dependent"},
        "50%.a,b.c:d: new CHECK (x > 0)\nfails on 100% of rows:\r\nfix them, first."
        " Fill the column, then add the constraint: 50%.",
    )


def test_every_finding_is_written_and_the_summary_says_github_shows_ten() -> None:
    many = tuple(
        Finding(Rule.DESTRUCTIVE, Level.ERROR, None, "t", f"c{i}", "column dropped")
        for i in range(12)
    )
    lines = printed(result(*many))
    assert len(lines) == 13
    assert parse(lines[0]) == (
        "notice",
        {"title": "schemadiff"},
        "2 schema changes between origin/main...HEAD and HEAD: 12 findings (12 failing)."
        " GitHub shows at most 10 annotations of each level per step; the job log lists them all.",
    )
    assert [parse(line)[2] for line in lines[1:]] == [f"t.c{i}: column dropped" for i in range(12)]
    assert {parse(line)[0] for line in lines[1:]} == {"error"}


def test_a_finding_without_subject_or_advice() -> None:
    missing = Finding(Rule.MIGRATION_REQUIRED, Level.WARN, None, None, None, "no new revision.")
    assert printed(result(missing))[1:] == [
        "::warning title=schemadiff%3A migration-required::no new revision."
    ]


def test_a_column_declared_by_its_annotation_alone_is_annotated_at_that_line(
    repo: GitRepo,
) -> None:
    """SQLAlchemy makes such a column as the class is made: the annotation's own line is
    where GitHub shows the finding, not the ``class`` line."""
    before = model_source(
        """
        class Person(Base):
            __tablename__ = "person"
            id: Mapped[int] = mapped_column(primary_key=True)
        """
    )
    committed(repo, before, before + "    nick: Mapped[str]\n    age: Mapped[int | None]\n")
    run = schemadiff("check", "HEAD~1..HEAD", "-f", "github", cwd=repo.path)
    lines = (repo.path / "app" / "models.py").read_text().splitlines()
    nick = lines.index("    nick: Mapped[str]") + 1
    found = [parse(line) for line in run.out.splitlines()]
    placed = {data.split(":")[0]: props.get("line") for _, props, data in found if "file" in props}
    assert placed["person.nick"] == str(nick)
    assert placed["person.age"] == str(nick + 1)
