"""``schemadiff log`` and ``schemadiff blame``: real histories, the real CLI, real sandboxes.

Every commit here has a fixed author and date (one day apart), so the order git log gives
them, ``--since``/``--until`` and the dates shown are all known in advance.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    GitRepo,
    Run,
    clean_env,
    model_source,
    models_repo,
    new_repo,
    schemadiff,
    started,
)

# --- models -------------------------------------------------------------------------------------

ID = "id: Mapped[int] = mapped_column(primary_key=True)"
EMAIL_100 = "email: Mapped[str] = mapped_column(sa.String(100))"
EMAIL_255 = "email: Mapped[str] = mapped_column(sa.String(255))"
AGE = "age: Mapped[int | None]"
NICK = "nick: Mapped[str | None]"
ORDERS = """
class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    total: Mapped[int]
"""


def user(*columns: str, extra: str = "") -> str:
    """Models with a table "user" (an id, then ``columns``), and ``extra`` classes after it."""
    body = "".join(f"    {line}\n" for line in (ID, *columns))
    return model_source(f'class User(Base):\n    __tablename__ = "user"\n{body}') + extra


COUNTED = """
import os
with open(os.environ["IMPORT_LOG"], "a") as log:
    log.write("imported\\n")
"""
"""Put first in a models module: each import of it adds a line to $IMPORT_LOG (the sandbox
passes the user's environment on)."""

BOOM = 'raise RuntimeError("boom")'


def broken(source: str) -> str:
    """``source`` raising at import, just before its first class."""
    return source.replace("class Base(", f"{BOOM}\n\n\nclass Base(", 1)


def boom_line(source: str) -> int:
    return source.splitlines().index(BOOM) + 1


# --- repositories -------------------------------------------------------------------------------


def day(number: int) -> str:
    return f"2024-03-{number:02d}T12:00:00+00:00"


@dataclass
class Story:
    """A repository whose commits are one day apart, each by a named author."""

    repo: GitRepo
    ids: dict[str, str] = field(default_factory=dict)
    """Each commit's id, by subject."""
    days: int = 0

    @property
    def path(self) -> Path:
        return self.repo.path

    def _git(self, *args: str, author: str = "Ann") -> None:
        self.days += 1
        env = clean_env(
            GIT_AUTHOR_NAME=author,
            GIT_AUTHOR_EMAIL=f"{author.lower()}@example.com",
            GIT_AUTHOR_DATE=day(self.days),
            GIT_COMMITTER_DATE=day(self.days),
        )
        subprocess.run(["git", *args], cwd=self.path, env=env, capture_output=True, check=True)

    def commit(
        self,
        subject: str,
        models: str | None = None,
        author: str = "Ann",
        files: dict[str, str] | None = None,
    ) -> str:
        """Commit ``models`` as app/models.py (with the pyproject.toml) and ``files``."""
        if models is not None:
            models_repo(self.repo, models)
        for path, text in (files or {}).items():
            self.repo.write(path, text)
        self.repo.git("add", "-A")
        self._git("commit", "-q", "--allow-empty", "--no-gpg-sign", "-m", subject, author=author)
        self.ids[subject] = self.repo.git("rev-parse", "HEAD")
        return self.ids[subject]

    def merge(
        self, branch: str, subject: str, models: str | None = None, author: str = "Ann"
    ) -> str:
        """``git merge --no-ff branch``; with ``models``, those are the merge's resolution."""
        if models is None:
            self._git("merge", "--no-ff", "--no-edit", "-q", "-m", subject, branch, author=author)
            self.ids[subject] = self.repo.git("rev-parse", "HEAD")
            return self.ids[subject]
        # Conflicts or not, the merge's models are those given.
        subprocess.run(
            ["git", "merge", "--no-ff", "--no-commit", "-q", branch],
            cwd=self.path,
            env=clean_env(),
            capture_output=True,
        )
        merge = self.commit(subject, models, author)
        assert len(self.repo.git("rev-list", "--parents", "-n", "1", merge).split()) == 3
        return merge


def story(path: Path) -> Story:
    return Story(new_repo(path))


# --- running ------------------------------------------------------------------------------------


def log(where: Story, *args: str, **env: str) -> Run:
    return schemadiff("log", *args, cwd=where.path, env=clean_env(**env))


def log_json(where: Story, *args: str, **env: str) -> list[dict[str, Any]]:
    """The JSON lines of a successful ``log``."""
    run = log(where, "--format", "json", *args, **env)
    assert run.code == 0, run.err
    assert run.err == ""
    return [json.loads(line) for line in run.out.splitlines()]


def subjects(entries: list[dict[str, Any]]) -> list[str]:
    return [e["subject"] for e in entries]


def changes(entry: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(c["kind"], c["table"], c["name"]) for c in entry["changes"]]


def blame_json(where: Story, target: str, *args: str) -> dict[str, Any]:
    run = schemadiff("blame", target, *args, "--format", "json", cwd=where.path)
    assert run.code == 0, run.err
    return json.loads(run.out)


def blamed(document: dict[str, Any]) -> dict[str, str | None]:
    """Each line's subject, by attribute (blame T.C) or by column (blame T)."""
    return {
        line["attribute"] or line["column"]: line["commit"] and line["commit"]["subject"]
        for line in document["lines"]
    }


def one_line_error(run: Run) -> str:
    """The message of a user error: exit 2, nothing on stdout, one line on stderr."""
    assert run.code == 2, (run.out, run.err)
    assert run.out == ""
    assert "Traceback" not in run.err
    assert len(run.err.strip().splitlines()) == 1, run.err
    return run.err


NOTHING = "No commit in this walk changed the schema.\n"


# --- a linear history ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def linear(tmp_path_factory: pytest.TempPathFactory) -> Story:
    """Seven commits, one a day from March 1st; four change the schema."""
    s = story(tmp_path_factory.mktemp("linear") / "repo")
    s.commit("create user", user(EMAIL_100), author="Ann")
    s.commit("readme", files={"README.md": "one\n"}, author="Bob")
    s.commit("widen email", user(EMAIL_255), author="Bob")
    s.commit("add orders", user(EMAIL_255, extra=ORDERS), author="Ann")
    s.commit("readme again", files={"README.md": "two\n", "app/notes.txt": "no code\n"})
    s.commit("add age", user(EMAIL_255, AGE, extra=ORDERS), author="Cid")
    s.commit("typo", files={"README.md": "three\n"}, author="Bob")
    return s


def test_log_lists_schema_changes_newest_first_as_text(linear: Story) -> None:
    before = linear.repo.state()
    ids = linear.ids

    run = log(linear)

    assert run.code == 0, run.err
    assert run.err == ""
    assert run.out == (
        f"commit {ids['add age']}\n"
        "Author: Cid <cid@example.com>\n"
        "Date:   2024-03-06T12:00:00+00:00\n"
        "\n"
        "    add age\n"
        "\n"
        "    ~ table user\n"
        "        + column age INTEGER NULL\n"
        "\n"
        f"commit {ids['add orders']}\n"
        "Author: Ann <ann@example.com>\n"
        "Date:   2024-03-04T12:00:00+00:00\n"
        "\n"
        "    add orders\n"
        "\n"
        "    + table orders\n"
        "        + column id INTEGER NOT NULL\n"
        "        + column total INTEGER NOT NULL\n"
        "\n"
        f"commit {ids['widen email']}\n"
        "Author: Bob <bob@example.com>\n"
        "Date:   2024-03-03T12:00:00+00:00\n"
        "\n"
        "    widen email\n"
        "\n"
        "    ~ table user\n"
        "        ~ column email: type VARCHAR(100) -> VARCHAR(255)\n"
        "\n"
        f"commit {ids['create user']}\n"
        "Author: Ann <ann@example.com>\n"
        "Date:   2024-03-01T12:00:00+00:00\n"
        "\n"
        "    create user\n"
        "\n"
        "    + table user\n"
        "        + column id INTEGER NOT NULL\n"
        "        + column email VARCHAR(100) NOT NULL\n"
    )
    assert linear.repo.state() == before


def test_log_json_is_one_object_per_listed_commit(linear: Story) -> None:
    ids = linear.ids

    entries = log_json(linear)

    assert subjects(entries) == ["add age", "add orders", "widen email", "create user"]
    keys = ["commit", "parents", "author", "email", "date", "subject"]
    keys += ["base", "changes", "error", "failing", "note"]
    assert all(list(e) == keys for e in entries)
    age, orders, widen, create = entries
    # Each is compared with its first parent, README-only commits in between or not.
    assert (age["commit"], age["parents"], age["base"]) == (
        ids["add age"],
        [ids["readme again"]],
        ids["readme again"],
    )
    assert (widen["base"], orders["base"]) == (ids["readme"], ids["widen email"])
    assert (age["author"], age["email"], age["date"]) == (
        "Cid",
        "cid@example.com",
        "2024-03-06T12:00:00+00:00",
    )
    assert changes(age) == [("add_column", "user", "age")]
    assert changes(orders) == [("add_table", "orders", "orders")]
    assert changes(widen) == [("modify_type", "user", "email")]
    assert widen["changes"][0]["old"]["ddl"] == "VARCHAR(100)"
    assert widen["changes"][0]["new"]["ddl"] == "VARCHAR(255)"
    # The root commit: against the empty tree, its tables added.
    assert (create["parents"], create["base"]) == ([], None)
    assert changes(create) == [("add_table", "user", "user")]
    assert [c["name"] for c in create["changes"][0]["new"]["columns"]] == ["id", "email"]
    assert all(e["error"] is None and e["note"] is None for e in entries)


def test_log_n_counts_the_commits_listed_not_walked(linear: Story) -> None:
    # HEAD ("typo") and its parent change no schema: -n 1 still finds one commit to list.
    assert subjects(log_json(linear, "-n", "1")) == ["add age"]
    assert subjects(log_json(linear, "-n", "3")) == ["add age", "add orders", "widen email"]


def test_log_table_keeps_only_that_tables_changes(linear: Story) -> None:
    assert subjects(log_json(linear, "--table", "orders")) == ["add orders"]

    # -n counts what the filter leaves: "add orders", between the two, is not counted.
    entries = log_json(linear, "--table", "user", "-n", "2")

    assert subjects(entries) == ["add age", "widen email"]
    assert {c[1] for e in entries for c in changes(e)} == {"user"}


def test_log_table_with_no_change_says_so(linear: Story) -> None:
    run = log(linear, "--table", "invoices")

    assert (run.code, run.out, run.err) == (0, "", NOTHING)


def test_log_column_keeps_that_columns_changes_and_its_tables_creation(linear: Story) -> None:
    entries = log_json(linear, "--column", "user.email")

    assert subjects(entries) == ["widen email", "create user"]
    assert [changes(e) for e in entries] == [
        [("modify_type", "user", "email")],
        [("add_table", "user", "user")],
    ]


def test_log_since_and_until(linear: Story) -> None:
    entries = log_json(
        linear, "--since", "2024-03-02T18:00:00+00:00", "--until", "2024-03-05T00:00:00+00:00"
    )

    assert subjects(entries) == ["add orders", "widen email"]
    # The oldest commit of the walk is still compared with its parent, outside the walk.
    assert entries[1]["base"] == linear.ids["readme"]
    assert changes(entries[1]) == [("modify_type", "user", "email")]


def test_log_range(linear: Story) -> None:
    ids = linear.ids

    entries = log_json(linear, f"{ids['create user']}..{ids['add orders']}")

    assert subjects(entries) == ["add orders", "widen email"]


def test_log_markdown_has_a_heading_per_commit(linear: Story) -> None:
    ids = linear.ids

    run = log(linear, "--format", "markdown")

    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0] == "## Schema history"
    assert [line for line in lines if line.startswith("#")][1:] == [
        f"### `{ids[s][:10]}` {s}" for s in ("add age", "add orders", "widen email", "create user")
    ]
    age = lines.index(f"### `{ids['add age'][:10]}` add age")
    assert lines[age + 1 : age + 5] == [
        "",
        f"Cid, 2024-03-06T12:00:00+00:00 · against `{ids['readme again'][:10]}`",
        "",
        "- `+` **user** column age INTEGER NULL",
    ]
    assert lines[-1] == "- `+` table user"


FETCH = "Check the spelling, or fetch it (git fetch)."
REFUSED = (
    "it begins with '-', which git would read as an option. Name the commit another way (its id,"
    " or refs/heads/NAME)."
)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope..HEAD",), "Unknown revision 'nope': it names no commit in {top}. " + FETCH),
        (("HEAD", "^nope"), "Unknown revision 'nope': it names no commit in {top}. " + FETCH),
        (("--", "-x..HEAD"), f"Refusing the revision '-x': {REFUSED}"),
        (("--", "HEAD", "^--all"), f"Refusing the revision '--all': {REFUSED}"),
        (("--column", "email"), "--column 'email': write it as TABLE.COLUMN."),
        (
            ("--table", "user", "--column", "user.email"),
            "Give --table or --column, not both: --column names its table.",
        ),
    ],
    ids=[
        "bad-revision",
        "bad-negation",
        "dash-range",
        "dash-negation",
        "column-without-table",
        "both",
    ],
)
def test_log_user_errors(linear: Story, args: tuple[str, ...], message: str) -> None:
    err = one_line_error(log(linear, *args))

    assert err == f"schemadiff: error: {message.format(top=linear.repo.path)}\n"


def test_log_option_that_looks_like_a_range_is_a_usage_error(linear: Story) -> None:
    run = log(linear, "-x..HEAD")

    assert (run.code, run.out) == (2, "")
    assert "No such option: -x" in run.err
    assert "Traceback" not in run.err


def test_log_bad_range_names_its_first_unknown_revision(linear: Story) -> None:
    err = one_line_error(log(linear, "nope..nada"))

    assert err.startswith("schemadiff: error: Unknown revision 'nope': it names no commit in ")


def closed_early(where: Story, *args: str) -> tuple[int, str]:
    """Run schemadiff with its stdout a pipe that nothing reads any more, as after ``| head -1``
    has its line. The pipe is closed before schemadiff writes anything (it writes once every
    schema is loaded), so the outcome does not depend on timing."""
    process = started(*args, cwd=where.path)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    err = process.stderr.read()
    return process.wait(timeout=120), err


@pytest.mark.parametrize("output_format", ["json", "markdown"])
def test_log_into_a_closed_pipe_ends_quietly(linear: Story, output_format: str) -> None:
    assert closed_early(linear, "log", "--format", output_format) == (141, "")


def test_log_text_into_a_closed_pipe_exits_141(linear: Story) -> None:
    assert closed_early(linear, "log") == (141, "")


# --- what is imported ---------------------------------------------------------------------------


def test_only_commits_that_change_schema_files_are_imported_and_then_cached(
    tmp_path: Path,
) -> None:
    # A src layout: README.md and docs/ lie outside the import roots (with the default roots,
    # "." and "src", every file is under them, and each commit would be a state of its own).
    def models(source: str) -> dict[str, str]:
        return {"src/app/__init__.py": "", "src/app/models.py": source}

    s = story(tmp_path / "repo")
    # The models count their imports in a file outside their tree: the sandbox is off.
    pyproject = (
        '[tool.schemadiff]\nmetadata = "app.models:Base.metadata"\npaths = ["src"]\n'
        'sandbox = "off"\n'
    )
    s.commit("v1", files={"pyproject.toml": pyproject, **models(COUNTED + user(EMAIL_100))})
    s.commit("readme 1", files={"README.md": "a\n"})
    s.commit("v2", files=models(COUNTED + user(EMAIL_255)))
    s.commit("readme 2", files={"README.md": "b\n", "docs/schema.txt": "c\n"})
    s.commit("helpers", files={"src/app/helpers.py": "HELP = 1\n"})  # the same schema
    s.commit("readme 3", files={"README.md": "d\n"})
    s.commit("v3", files=models(COUNTED + user(EMAIL_255, AGE)))
    imports = tmp_path / "imports.log"
    env = {"IMPORT_LOG": str(imports), "SCHEMADIFF_CACHE_DIR": str(tmp_path / "cache")}

    first = log(s, "--format", "json", **env)

    assert first.code == 0, first.err
    assert subjects([json.loads(line) for line in first.out.splitlines()]) == ["v3", "v2", "v1"]
    # Seven commits, three states of the files the import reads: v1, v2, v3 (helpers.py is
    # never imported, and the README lies outside the roots).
    assert len(imports.read_text().splitlines()) == 3

    second = log(s, "--format", "json", **env)

    assert (second.code, second.out, second.err) == (0, first.out, "")
    assert len(imports.read_text().splitlines()) == 3  # all from the cache

    blame = schemadiff("blame", "user", cwd=s.path, env=clean_env(**env))

    assert blame.code == 0, blame.err
    assert len(imports.read_text().splitlines()) == 3  # blame walks the same states


# --- merges -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory) -> Story:
    """A branch adds a column; main changes only its README meanwhile; merged with --no-ff."""
    s = story(tmp_path_factory.mktemp("merged") / "repo")
    s.commit("create user", user(EMAIL_100))
    s.repo.git("checkout", "-q", "-b", "feature")
    s.commit("add age", user(EMAIL_100, AGE), author="Bob")
    s.repo.git("checkout", "-q", "main")
    s.commit("readme on main", files={"README.md": "main\n"})
    s.merge("feature", "merge feature")
    s.commit("after the merge", files={"README.md": "after\n"})
    return s


def test_log_lists_the_branch_commit_not_the_merge(merged: Story) -> None:
    entries = log_json(merged)

    assert subjects(entries) == ["add age", "create user"]
    assert entries[0]["base"] == merged.ids["create user"]
    assert changes(entries[0]) == [("add_column", "user", "age")]


def test_log_first_parent_lists_the_merge_with_what_it_brought(merged: Story) -> None:
    ids = merged.ids

    entries = log_json(merged, "--first-parent")

    assert subjects(entries) == ["merge feature", "create user"]
    merge = entries[0]
    assert merge["parents"] == [ids["readme on main"], ids["add age"]]
    assert merge["base"] == ids["readme on main"]
    assert changes(merge) == [("add_column", "user", "age")]


# --- models that do not import ------------------------------------------------------------------

BROKEN = broken(user(EMAIL_255, AGE))


@pytest.fixture(scope="module")
def failing(tmp_path_factory: pytest.TempPathFactory) -> Story:
    """A commit widens email but its models raise; a later commit fixes them, adding nick."""
    s = story(tmp_path_factory.mktemp("failing") / "repo")
    s.commit("create user", user(EMAIL_100))
    s.commit("add age", user(EMAIL_100, AGE))
    s.commit("break models", BROKEN, author="Bob")
    # A commit that changes no file under the import roots (the default roots hold every file
    # here, so none at all): it shares the broken models' import, and is not listed.
    s.commit("readme")
    s.commit("fix models", user(EMAIL_255, AGE, NICK))
    return s


def test_log_lists_a_commit_that_does_not_import_and_goes_on(failing: Story) -> None:
    ids = failing.ids

    entries = log_json(failing)

    assert subjects(entries) == ["fix models", "break models", "add age", "create user"]
    fix, broke, age, _ = entries
    assert (broke["base"], broke["changes"], broke["note"]) == (None, [], None)
    assert f"(app/models.py:{boom_line(BROKEN)})" in broke["error"]
    assert "RuntimeError: boom" in broke["error"]
    # The fix is compared with the last commit whose models import, and says so.
    assert fix["base"] == ids["add age"]
    assert fix["note"] == (
        f"compared with {ids['add age'][:10]}: the models at {ids['readme'][:10]} do not import"
    )
    assert changes(fix) == [("modify_type", "user", "email"), ("add_column", "user", "nick")]
    assert fix["error"] is None
    assert (age["base"], changes(age)) == (ids["create user"], [("add_column", "user", "age")])


def test_log_text_shows_the_error_and_the_note(failing: Story) -> None:
    ids = failing.ids

    run = log(failing, "-n", "2")

    assert run.code == 0, run.err
    text = run.out.splitlines()
    assert text[:7] == [
        f"commit {ids['fix models']}",
        "Author: Ann <ann@example.com>",
        "Date:   2024-03-05T12:00:00+00:00",
        "",
        "    fix models",
        "",
        f"    note: compared with {ids['add age'][:10]}: the models at {ids['readme'][:10]} "
        "do not import",
    ]
    assert text[-3:] == ["    break models", "", text[-1]]
    # One entry for the two commits that do not import, where it began, with its error then.
    assert text[-1].startswith(
        f"    the models do not import at 2 commits, from 2024-03-03 ({ids['break models'][:10]})"
        f" to 2024-03-04 ({ids['readme'][:10]}): Importing the models at "
        f"{ids['break models'][:10]}"
    )
    assert text[-1].endswith(f" failed (app/models.py:{boom_line(BROKEN)}): RuntimeError: boom")
    assert sum(line.startswith("commit ") for line in text) == 2


def test_log_error_names_the_commit_it_is_listed_under(failing: Story) -> None:
    ids = failing.ids

    broke = log_json(failing)[1]

    assert broke["commit"] == ids["break models"]
    assert broke["error"].startswith(f"Importing the models at {ids['break models'][:10]} failed")


def test_log_n_1_still_finds_the_ancestor_that_imports(failing: Story) -> None:
    entries = log_json(failing, "-n", "1")

    assert subjects(entries) == ["fix models"]
    assert entries[0]["base"] == failing.ids["add age"]
    assert changes(entries[0]) == [
        ("modify_type", "user", "email"),
        ("add_column", "user", "nick"),
    ]


def test_blame_passes_through_a_commit_that_does_not_import(failing: Story) -> None:
    assert blamed(blame_json(failing, "user")) == {
        "id": "create user",
        "email": "fix models",  # its models are the first to import with the wider email
        "age": "add age",
        "nick": "fix models",
    }


def test_blame_at_a_commit_that_does_not_import_is_a_user_error(failing: Story) -> None:
    broken = failing.ids["break models"]
    run = schemadiff("blame", "user", broken, cwd=failing.path)

    assert (run.code, run.out) == (2, "")
    assert run.err == (
        f"schemadiff: error: Importing the models at {broken[:10]} failed (app/models.py:5):"
        " RuntimeError: boom\n"
        "  Set what it needs under [tool.schemadiff.env], or run with --debug.\n"
    )


# --- a module that moves ------------------------------------------------------------------------


def test_moving_the_models_module_is_not_a_schema_change(tmp_path: Path) -> None:
    s = story(tmp_path / "repo")
    s.commit("create user", user(EMAIL_100))
    s.repo.git("mv", "app/models.py", "app/schema.py")
    models_repo(s.repo, user(EMAIL_100), "app.schema:Base.metadata")  # the new locator...
    s.repo.remove("app/models.py")  # ...and no app/models.py again
    s.commit("move the models")
    s.commit("add age", files={"app/schema.py": user(EMAIL_100, AGE)})

    entries = log_json(s)

    assert subjects(entries) == ["add age", "create user"]
    assert entries[0]["base"] == s.ids["move the models"]
    assert changes(entries[0]) == [("add_column", "user", "age")]
    assert blamed(blame_json(s, "user")) == {
        "id": "create user",
        "email": "create user",
        "age": "add age",
    }


# --- blame --------------------------------------------------------------------------------------

NAME_50 = "name: Mapped[str] = mapped_column(sa.String(50))"
NAME_NULL = "name: Mapped[str | None] = mapped_column(sa.String(50))"
FULL_NAME_NULL = "full_name: Mapped[str | None] = mapped_column(sa.String(50))"
EMAIL_ADDRESS = (
    'email_address: Mapped[str] = mapped_column(sa.String(200), info={"renamed_from": "email"})'
)
AGE_COMMENT = 'age: Mapped[int | None] = mapped_column(comment="in years")'
FLAG = "flag: Mapped[bool | None]"
FLAG_DEFAULT = "flag: Mapped[bool | None] = mapped_column(server_default=sa.false())"


@pytest.fixture(scope="module")
def branchy(tmp_path_factory: pytest.TempPathFactory) -> Story:
    """main: create user, widen email; feature: name may be null, add age, add flag; main:
    rename email (declared), add the same flag, readme; merge feature, resolved by hand with a
    default for flag that neither side had; comment on age; rename name (not declared: guessed).
    """
    s = story(tmp_path_factory.mktemp("branchy") / "repo")
    email_200 = EMAIL_100.replace("100", "200")
    s.commit("create user", user(EMAIL_100, NAME_50), author="Ann")  # March 1st
    s.commit("widen email", user(email_200, NAME_50), author="Bob")
    s.repo.git("checkout", "-q", "-b", "feature")
    s.commit("name may be null", user(email_200, NAME_NULL), author="Cid")
    s.commit("add age", user(email_200, NAME_NULL, AGE), author="Cid")
    s.commit("feature adds flag", user(email_200, NAME_NULL, AGE, FLAG), author="Cid")
    s.repo.git("checkout", "-q", "main")
    s.commit("rename email", user(EMAIL_ADDRESS, NAME_50), author="Ann")  # March 6th
    s.commit("main adds flag", user(EMAIL_ADDRESS, NAME_50, FLAG), author="Ann")
    s.commit("readme", files={"README.md": "x\n"}, author="Bob")
    merged = user(EMAIL_ADDRESS, NAME_NULL, AGE, FLAG_DEFAULT)
    s.merge("feature", "merge feature", merged, author="Bob")
    s.commit("comment on age", user(EMAIL_ADDRESS, NAME_NULL, AGE_COMMENT, FLAG_DEFAULT))
    renamed = user(EMAIL_ADDRESS, FULL_NAME_NULL, AGE_COMMENT, FLAG_DEFAULT)
    s.commit("rename name", renamed, author="Dee")  # March 11th
    return s


def test_blame_table_as_text(branchy: Story) -> None:
    ids = branchy.ids

    run = schemadiff("blame", "user", cwd=branchy.path)

    assert run.code == 0, run.err
    assert run.out.splitlines() == [
        f"{ids['create user'][:10]} (Ann 2024-03-01)  id             INTEGER NOT NULL",
        f"{ids['rename email'][:10]} (Ann 2024-03-06)  email_address  VARCHAR(200) NOT NULL",
        f"{ids['rename name'][:10]} (Dee 2024-03-11)  full_name      VARCHAR(50) NULL",
        f"{ids['comment on age'][:10]} (Ann 2024-03-10)  age            INTEGER NULL -- in years",
        f"{ids['merge feature'][:10]} (Bob 2024-03-09)  flag           BOOLEAN NULL DEFAULT false",
    ]


def test_blame_table_as_json(branchy: Story) -> None:
    document = blame_json(branchy, "user")

    assert (document["table"], document["revision"]) == ("user", branchy.ids["rename name"])
    assert blamed(document) == {
        "id": "create user",
        "email_address": "rename email",
        "full_name": "rename name",
        "age": "comment on age",
        "flag": "merge feature",  # its default: in neither parent
    }
    line = document["lines"][1]
    assert line["attribute"] is None
    assert line["commit"] == {
        "commit": branchy.ids["rename email"],
        "parents": [branchy.ids["widen email"]],
        "author": "Ann",
        "email": "ann@example.com",
        "date": "2024-03-06T12:00:00+00:00",
        "subject": "rename email",
    }


def test_blame_column_follows_a_declared_rename(branchy: Story) -> None:
    document = blame_json(branchy, "user.email_address")

    assert [line["attribute"] for line in document["lines"]] == [
        "name",
        "type",
        "nullable",
        "default",
        "comment",
        "computed",
        "identity",
        "autoincrement",
    ]
    assert {line["column"] for line in document["lines"]} == {"email_address"}
    assert [line["value"] for line in document["lines"]][:3] == [
        "email_address",
        "VARCHAR(200)",
        "NOT NULL",
    ]
    assert blamed(document) == {
        "name": "rename email",
        "type": "widen email",
        "nullable": "create user",
        "default": "create user",
        "comment": "create user",
        "computed": "create user",
        "identity": "create user",
        "autoincrement": "create user",
    }


def test_blame_column_follows_a_guessed_rename_and_a_merge(branchy: Story) -> None:
    attributes = blamed(blame_json(branchy, "user.full_name"))

    assert (attributes["name"], attributes["nullable"], attributes["type"]) == (
        "rename name",
        "name may be null",  # through the merge, into the branch that made it nullable
        "create user",
    )


def test_blame_follows_the_first_parent_that_has_the_value(branchy: Story) -> None:
    # Both sides added the same flag; the merge gave it a default of its own.
    attributes = blamed(blame_json(branchy, "user.flag"))

    assert (attributes["name"], attributes["nullable"], attributes["default"]) == (
        "main adds flag",
        "main adds flag",
        "merge feature",
    )


def test_blame_column_added_on_a_branch(branchy: Story) -> None:
    attributes = blamed(blame_json(branchy, "user.age"))

    assert (attributes["name"], attributes["type"], attributes["comment"]) == (
        "add age",
        "add age",
        "comment on age",
    )


def test_blame_at_an_older_revision(branchy: Story) -> None:
    ids = branchy.ids

    document = blame_json(branchy, "user", ids["widen email"])

    assert document["revision"] == ids["widen email"]
    assert blamed(document) == {"id": "create user", "email": "widen email", "name": "create user"}
    assert blamed(blame_json(branchy, "user.name", "feature"))["nullable"] == "name may be null"


def test_blame_unknown_table(branchy: Story) -> None:
    err = one_line_error(schemadiff("blame", "users", cwd=branchy.path))

    head = branchy.ids["rename name"][:10]
    assert err == (
        f"schemadiff: error: There is no table 'users' in the models at {head}. Name a table of"
        " that commit (schemadiff snapshot shows them).\n"
    )


def test_blame_unknown_column_lists_the_columns(branchy: Story) -> None:
    err = one_line_error(schemadiff("blame", "user.email", cwd=branchy.path))

    head = branchy.ids["rename name"][:10]
    assert err == (
        f"schemadiff: error: The table 'user' has no column 'email' at {head}. Its columns: id,"
        " email_address, full_name, age, flag.\n"
    )


def test_blame_at_an_empty_range_is_a_user_error(branchy: Story) -> None:
    run = schemadiff("blame", "user", "HEAD..HEAD", cwd=branchy.path)

    assert one_line_error(run) == (
        "schemadiff: error: HEAD..HEAD selects no commit. Give one commit to start from, such as"
        " HEAD.\n"
    )


def test_log_of_the_branchy_history(branchy: Story) -> None:
    # Newest first by date; the merge is left out, its own change (flag's default) too.
    assert subjects(log_json(branchy)) == [
        "rename name",
        "comment on age",
        "main adds flag",
        "rename email",
        "feature adds flag",
        "add age",
        "name may be null",
        "widen email",
        "create user",
    ]
    merge = log_json(branchy, "--first-parent", "--column", "user.name")
    assert subjects(merge) == ["rename name", "merge feature", "create user"]
    assert changes(merge[1]) == [("modify_nullable", "user", "name")]


# --- the pool -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "args"),
    [("failing", ("log",)), ("branchy", ("blame", "user.full_name", "--format", "json"))],
)
def test_one_or_two_imports_at_a_time_give_the_same_output(
    request: pytest.FixtureRequest, fixture: str, args: tuple[str, ...]
) -> None:
    where: Story = request.getfixturevalue(fixture)

    runs = [schemadiff(*args, "--no-cache", "-j", jobs, cwd=where.path) for jobs in ("1", "2")]

    assert [r.code for r in runs] == [0, 0], runs[0].err + runs[1].err
    assert runs[0].out == runs[1].out
    assert runs[0].out.strip()


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "option"),
    [(["log"], "--since"), (["log"], "--until"), (["blame", "user"], "--since")],
)
def test_a_date_git_does_not_read_is_an_error(
    linear: Story, command: list[str], option: str
) -> None:
    run = schemadiff(*command, option, "the day after tomorrow's lunch", cwd=linear.path)

    assert one_line_error(run) == (
        f'schemadiff: error: {option} "the day after tomorrow\'s lunch": git does not read '
        'that as a date. Give one as git log takes it: 2026-01-31, "2 weeks ago", yesterday.\n'
    )


def test_log_since_and_until_bound_the_walk(linear: Story) -> None:
    entries = log_json(linear, "--since", "2024-03-02", "--until", "2024-03-05")

    assert subjects(entries) == ["add orders", "widen email"]


def test_blame_since_stops_at_the_date(branchy: Story) -> None:
    ids = branchy.ids

    run = schemadiff("blame", "user", "--since", "2024-03-07", cwd=branchy.path)

    assert run.code == 0, run.err
    assert run.out.splitlines() == [
        "^          (older than --since 2024-03-07)  id             INTEGER NOT NULL",
        "^          (older than --since 2024-03-07)  email_address  VARCHAR(200) NOT NULL",
        f"{ids['rename name'][:10]} (Dee 2024-03-11)  full_name      VARCHAR(50) NULL",
        f"{ids['comment on age'][:10]} (Ann 2024-03-10)  age            INTEGER NULL -- in years",
        f"{ids['merge feature'][:10]} (Bob 2024-03-09)  flag           BOOLEAN NULL DEFAULT false",
    ]
