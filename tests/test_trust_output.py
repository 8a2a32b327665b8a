"""Names from a ref never reach a reader raw: an ESC sequence in a ``__tablename__``, a newline
in a column name, a bidi override in a commit subject. Each human format is run for real on a
repository whose models and history hold such names."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

import pytest

from schemadiff.escape import printable
from tests.conftest import GitRepo, clean_env, committed, git, model_source, new_repo, schemadiff

EVIL = "evil\x1b[31m\nname\u202e"
SHOWN = "evil\\x1b[31m\\nname\\u202e"
"""How every human format spells ``EVIL``: Python's own escapes, one line."""

PLAIN = model_source(
    """
    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
    """
)
HOSTILE = model_source(
    f"""
    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        nick: Mapped[str] = mapped_column({EVIL!r}, sa.String(5), nullable=False)


    class Evil(Base):
        __tablename__ = {EVIL!r}
        id: Mapped[int] = mapped_column(primary_key=True)
    """
)


def hidden(text: str) -> list[str]:
    """The characters of ``text`` a reader cannot see for what they are, line breaks aside."""
    return [
        ch
        for ch in text
        if ch != "\n" and (unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp", "Co", "Cn"})
    ]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    """Three commits: plain models, then the hostile names added, then removed again."""
    return committed(new_repo(tmp_path_factory.mktemp("out") / "repo"), PLAIN, HOSTILE, PLAIN)


@pytest.mark.parametrize(
    "args",
    [
        ("-f", "text", "HEAD~2..HEAD~1"),
        ("-f", "text", "HEAD~1..HEAD"),
        ("-f", "markdown", "HEAD~2..HEAD~1"),
        ("-f", "github", "HEAD~1..HEAD"),
        ("-f", "alembic", "HEAD~2..HEAD~1"),
        ("check", "HEAD~1..HEAD"),
        ("check", "-f", "github", "HEAD~1..HEAD"),
        ("log",),
        ("log", "-f", "markdown"),
        ("blame", "users", "HEAD~1"),
        ("blame", "-f", "markdown", "users", "HEAD~1"),
    ],
)
def test_a_hostile_name_is_shown_escaped(hostile: GitRepo, args: tuple[str, ...]) -> None:
    run = schemadiff(*args, cwd=hostile.path)
    assert run.code in (0, 1), run.err
    shown = run.out + run.err
    assert hidden(shown) == []
    if "markdown" in args:  # one line in a table cell: the line break is folded to a space
        prose = re.sub(r"\\(.)", r"\1", shown)  # outside code spans, specials are escaped
        assert SHOWN.replace("\\n", " ") in shown + prose
    else:
        assert SHOWN in shown.replace("%0A", "\\n")  # GitHub's own encoding of a line break


def test_the_text_diff_keeps_one_line_per_change(hostile: GitRepo) -> None:
    run = schemadiff("HEAD~1..HEAD", cwd=hostile.path)
    assert run.out.splitlines()[2:] == [
        f"- table {SHOWN}",
        "~ table users",
        f"    - column {SHOWN} VARCHAR(5) NOT NULL",
    ]


def test_a_github_annotation_stays_one_workflow_command(hostile: GitRepo) -> None:
    """A newline in a name must not start a line the runner reads as ``::command``."""
    run = schemadiff("check", "-f", "github", "HEAD~1..HEAD", cwd=hostile.path)
    assert run.code == 1
    lines = run.out.splitlines()
    assert len(lines) == 7  # the summary notice and six findings
    assert all(line.startswith(("::notice ", "::error ", "::warning ")) for line in lines)
    assert f"::{SHOWN.replace(chr(92) + 'n', '%0A')}: table dropped" in lines[1]


def test_sql_keeps_the_identifier_and_escapes_its_comments(hostile: GitRepo) -> None:
    """The statements are the product, run by psql: the identifier is exactly the model's.
    The comments schemadiff adds are for people, and escaped."""
    run = schemadiff("-f", "sql", "HEAD~2..HEAD~1", cwd=hostile.path)
    assert run.code == 0, run.err
    assert f'CREATE TABLE "{EVIL}" (' in run.out
    comments = [line for line in run.out.splitlines() if line.startswith("--")]
    assert comments and all(hidden(line) == [] for line in comments)
    assert comments[0].startswith("-- WARNING schemadiff: users.evil\\x1b[31m")


def test_a_commit_subject_and_author_are_escaped_in_log(tmp_path: Path) -> None:
    repo = committed(new_repo(tmp_path / "repo"), PLAIN)
    repo.write("app/models.py", HOSTILE)
    git(repo.path, "add", "-A")
    subject = "add tables \x1b]0;owned\x07 \u202etxt.exe"
    subprocess.run(
        ["git", "commit", "-q", "--no-gpg-sign", "-m", subject],
        cwd=repo.path,
        env=clean_env(GIT_AUTHOR_NAME="Mallory\x1b[2J"),
        check=True,
    )
    run = schemadiff("log", "-n", "1", cwd=repo.path)
    assert run.code == 0, run.err
    assert hidden(run.out) == []
    lines = run.out.splitlines()
    assert lines[1] == "Author: Mallory\\x1b[2J <test@example.com>"
    assert lines[4] == "    add tables \\x1b]0;owned\\x07 \\u202etxt.exe"


def test_an_error_raised_by_model_code_is_escaped(tmp_path: Path) -> None:
    broken = model_source('raise RuntimeError("\\x1b[2J\\x1b[Hall clear")')
    repo = committed(new_repo(tmp_path / "repo"), PLAIN, broken)
    run = schemadiff("HEAD~1..HEAD", cwd=repo.path)
    assert run.code == 2
    assert hidden(run.err) == []
    assert "\\x1b[2J\\x1b[Hall clear" in run.err


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("users", "users"),
        ("café 用户 naïve", "café 用户 naïve"),  # letters of any script stay
        ("a\u00a0b", "a\u00a0b"),  # a no-break space is a space
        ("a\tb\r\n", "a\\tb\\r\\n"),
        ("\x00\x7f\x9b", "\\x00\\x7f\\x9b"),  # C0, DEL and the C1 CSI
        ("\u200b\u2028\u2066", "\\u200b\\u2028\\u2066"),  # zero width, separator, bidi isolate
        ("\U000f0000\U000e0001", "\\U000f0000\\U000e0001"),  # private use, a tag
    ],
)
def test_printable(raw: str, shown: str) -> None:
    assert printable(raw) == shown
