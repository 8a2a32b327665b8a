"""`schemadiff check`: golden cases, the other formats, configuration errors, and the type
judgements the rules rest on.

Each folder of tests/checks/ is one case, committed twice in a real repository as
app/models.py (before.py, then after.py), with the case's own pyproject.toml when it has one.
Optional files:

- ``revision.py``: an Alembic revision committed with after.py in migrations/versions/ (the
  static operation reader decides what it covers);
- ``revision.args``: the arguments of a real ``schemadiff revision`` run once after.py is
  committed; the revision file and the snapshot file it writes are amended into that commit;
- ``args``: more arguments of ``schemadiff check``, one a line;
- ``models``: the name of another case whose before.py and after.py this one uses, in place of
  its own (cases that differ only in configuration share their models).

``schemadiff check HEAD~1..HEAD`` must then print expected.txt (stdout, without the two header
lines that name the commits), expected.err (stderr) and exit with expected.code. Regenerate
with SCHEMADIFF_UPDATE_GOLDEN=1 (the cases then write their files and skip) and read the diff.

The cases run two at a time (each needs real sandbox imports): one fixture runs them all, the
tests read its results.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

from schemadiff.rules import types
from tests.conftest import (
    GitRepo,
    Run,
    clean_env,
    commit_case,
    committed,
    model_source,
    new_repo,
    schemadiff,
)

CHECKS = Path(__file__).parent / "checks"
CASES = sorted(p.name for p in CHECKS.iterdir() if p.is_dir())
DIFF_SCHEMA = Path(__file__).parents[1] / "docs" / "diff.schema.json"
RANGE = "HEAD~1..HEAD"
EXPECTED = ("expected.txt", "expected.err", "expected.code")

FINDING = re.compile(r"^(?:\S+:\d+: )?(error|warning|allowed): .* \[([a-z-]+)\]$")
"""A finding line of the text output; the diff's own lines start with a sign or a space."""


@dataclass
class Outcome:
    repo: GitRepo
    text: Run
    json: Run


def _lines(folder: Path, name: str) -> list[str]:
    path = folder / name
    return path.read_text().splitlines() if path.exists() else []


def _alembic_project(repo: GitRepo, template: Path) -> None:
    shutil.copy(template / "alembic.ini", repo.path / "alembic.ini")
    shutil.copytree(template / "migrations", repo.path / "migrations")


def _models(folder: Path) -> Path:
    """The folder whose before.py and after.py the case uses: its own, or the one its
    ``models`` file names (cases that differ only in configuration share their models)."""
    named = folder / "models"
    return CHECKS / named.read_text().strip() if named.exists() else folder


def _commit_case(repo: GitRepo, folder: Path, template: Path) -> None:
    revision = folder / "revision.py"
    if revision.exists() or (folder / "revision.args").exists():
        _alembic_project(repo, template)

    def with_revision(repo: GitRepo) -> None:
        if revision.exists():
            repo.write("migrations/versions/0001_case.py", revision.read_text())

    commit_case(repo, folder, _models(folder), with_revision)
    if (folder / "revision.args").exists():  # the user's flow: write it, commit it with the models
        written = schemadiff("revision", *_lines(folder, "revision.args"), cwd=repo.path)
        assert written.code == 0, written.err
        repo.git("add", "-A")
        repo.git("commit", "-q", "--amend", "--no-edit", "--no-gpg-sign")


def _run_case(case: str, root: Path, template: Path) -> Outcome:
    folder = CHECKS / case
    repo = new_repo(root / case)
    _commit_case(repo, folder, template)
    args = ["check", RANGE, *_lines(folder, "args")]
    text = schemadiff(*args, cwd=repo.path)
    as_json = schemadiff(*args, "--format", "json", cwd=repo.path)
    return Outcome(repo, text, as_json)


@pytest.fixture(scope="module")
def alembic_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`alembic init migrations` once, env.py pointed at the models; each case copies it."""
    path = tmp_path_factory.mktemp("alembic-template")
    subprocess.run(
        [sys.executable, "-m", "alembic", "init", "migrations"],
        cwd=path,
        env=clean_env(),
        capture_output=True,
        check=True,
        timeout=120,
    )
    env = path / "migrations" / "env.py"
    env.write_text(
        env.read_text().replace(
            "target_metadata = None", "from app.models import Base\ntarget_metadata = Base.metadata"
        )
    )
    return path


@pytest.fixture(scope="module")
def outcomes(
    tmp_path_factory: pytest.TempPathFactory, alembic_template: Path
) -> Iterator[dict[str, Future[Outcome]]]:
    root = tmp_path_factory.mktemp("checks")
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield {case: pool.submit(_run_case, case, root, alembic_template) for case in CASES}


def _product(out: str) -> str:
    """stdout without the header lines that name the commits (they differ per run)."""
    lines = out.splitlines(keepends=True)
    if len(lines) >= 2 and lines[0].startswith("--- ") and lines[1].startswith("+++ "):
        lines = lines[2:]
    return "".join(lines)


# --- the golden cases ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_check_case(outcomes: dict[str, Future[Outcome]], case: str) -> None:
    run = outcomes[case].result().text
    actual = dict(zip(EXPECTED, (_product(run.out), run.err, f"{run.code}\n"), strict=True))
    folder = CHECKS / case
    if os.environ.get("SCHEMADIFF_UPDATE_GOLDEN"):  # an update run writes; it checks nothing
        for name, text in actual.items():
            (folder / name).write_text(text)
        pytest.skip(f"SCHEMADIFF_UPDATE_GOLDEN: wrote {', '.join(actual)} in {folder}")
    expected = {name: (folder / name).read_text() for name in EXPECTED}
    assert actual == expected, f"{case}: the output of schemadiff check changed"


@pytest.mark.parametrize("case", CASES)
def test_check_json_validates_and_agrees_with_the_text(
    outcomes: dict[str, Future[Outcome]], case: str
) -> None:
    outcome = outcomes[case].result()
    text, as_json = outcome.text, outcome.json
    assert as_json.code == text.code, "the exit code does not depend on the format"
    if text.code == 2:
        assert as_json.out == ""
        return
    document = as_json.json()
    schema = json.loads(DIFF_SCHEMA.read_text())
    jsonschema.Draft202012Validator(schema).validate(document)
    findings = document["findings"]
    level_words = [
        "allowed" if f["allowed"] else {"error": "error", "warn": "warning"}[f["level"]]
        for f in findings
    ]
    in_json = Counter(zip(level_words, (f["rule"] for f in findings), strict=True))
    in_text = Counter(m.groups() for m in map(FINDING.match, text.out.splitlines()) if m)
    assert in_json == in_text
    fails = any(f["level"] == "error" and not f["allowed"] for f in findings)
    assert text.code == (1 if fails else 0)
    assert set(document["advice"]) == {f["rule"] for f in findings if not f["allowed"]}


def test_every_case_is_complete() -> None:
    """A case folder without its expected files (or with a stray file) is a mistake."""
    known = {"before.py", "after.py", "models", "pyproject.toml", "revision.py", "revision.args"}
    for case in CASES:
        names = {p.name for p in (CHECKS / case).iterdir()}
        models = {p.name for p in _models(CHECKS / case).iterdir()}
        assert {"before.py", "after.py"} <= models, case
        assert set(EXPECTED) <= names, case
        assert names <= known | {"args"} | set(EXPECTED), case
        assert ("models" in names) != ({"before.py", "after.py"} <= names), case


# --- the other formats and the diff command ---------------------------------------------------


DESTRUCTIVE_ADVICE = (
    "Make sure the data is no longer needed, or copy it first; then acknowledge it in the model:"
    ' info={"schemadiff": {"allow": ["destructive"]}} on the table or column.'
)
DROPPED = "\N{HEAVY MINUS SIGN}"  # the sign of a dropped row, as the report prints it
# The report of destructive_drops (a table and a column dropped), down to its diagram; the
# Alembic operations under it are test_golden's to check.
DESTRUCTIVE_REPORT = [
    "<!-- schemadiff -->",
    "**schemadiff** `HEAD~1` (`{old}`) → `HEAD` (`{new}`): 2 tables changed, 2 changes;"
    " ❌ 2 errors",
    "",
    "#### `coupon` · dropped",
    "",
    "| | Change | Findings |",
    "| :-: | --- | --- |",
    f"| {DROPPED} | `table coupon` | ❌ **destructive**: table dropped: its rows are lost |",
    "",
    "#### `users` · changed",
    "",
    "| | Change | Findings |",
    "| :-: | --- | --- |",
    f"| {DROPPED} | `column nickname VARCHAR(40) NULL` | ❌ **destructive**: column dropped:"
    " its data is lost |",
    "",
    "#### What to do",
    "",
    f"- ❌ **destructive**: {DESTRUCTIVE_ADVICE}",
    "",
    "<details open><summary>Diagram: 2 tables</summary>",
]


def _report(run: Run, repo: GitRepo) -> list[str]:
    """The Markdown report's lines down to its diagram's summary, the commits as {old}, {new}."""
    lines = run.out.splitlines()
    end = lines.index("<details open><summary>Diagram: 2 tables</summary>") + 1
    old, new = (repo.git("rev-parse", "--short=10", side) for side in ("HEAD~1", "HEAD"))
    return [line.replace(old, "{old}").replace(new, "{new}") for line in lines[:end]]


def test_markdown_and_github_say_what_text_says(outcomes: dict[str, Future[Outcome]]) -> None:
    """``check --format markdown`` and ``--format github`` exit like the text output (1: the
    drops are errors), print the same summary on stderr, and say the same findings."""
    outcome = outcomes["destructive_drops"].result()
    repo = outcome.repo
    assert (outcome.text.code, outcome.text.err) == (1, "schemadiff check: failed: 2 errors.\n")
    runs = {
        output_format: schemadiff("check", RANGE, "--format", output_format, cwd=repo.path)
        for output_format in ("markdown", "github")
    }
    for output_format, run in runs.items():
        assert (run.code, run.err) == (outcome.text.code, outcome.text.err), output_format

    assert _report(runs["markdown"], repo) == DESTRUCTIVE_REPORT
    assert runs["github"].out.splitlines() == [
        "::notice title=schemadiff::2 schema changes between HEAD~1 and HEAD: 2 findings"
        " (2 failing).",
        "::error title=schemadiff%3A destructive::coupon: table dropped: its rows are lost."
        f" {DESTRUCTIVE_ADVICE}",
        "::error file=app/models.py,line=9,title=schemadiff%3A destructive::users.nickname:"
        f" column dropped: its data is lost. {DESTRUCTIVE_ADVICE}",
    ]


def test_diff_as_markdown_exits_0_with_failing_findings(
    outcomes: dict[str, Future[Outcome]],
) -> None:
    """``diff --format markdown`` prints the report check prints, and exits 0 silently: only
    ``check`` fails on findings."""
    outcome = outcomes["destructive_drops"].result()
    run = schemadiff("diff", RANGE, "--format", "markdown", cwd=outcome.repo.path)
    assert (run.code, run.err) == (0, "")
    assert _report(run, outcome.repo) == DESTRUCTIVE_REPORT


# --- configuration errors and no changes ------------------------------------------------------

MODELS = model_source(
    """
    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(sa.String(100))
    """
)


@pytest.mark.parametrize(
    ("levels", "args", "message"),
    [
        pytest.param(
            'destructiv = "warn"',
            (),
            "pyproject.toml at the working tree: there is no rule 'destructiv'. Rules:"
            " migration-required, destructive, data-dependent, backward-incompatible, locking.",
            id="unknown-rule",
        ),
        pytest.param(
            'destructive = "loud"',
            (),
            'pyproject.toml at the working tree: the level of destructive must be "error",'
            ' "warn" or "off", not \'loud\'.',
            id="unknown-level",
        ),
        pytest.param(
            "",
            ("--rule", "nonsense"),
            "--rule 'nonsense': write it as RULE=LEVEL, e.g. locking=off.",
            id="option-no-level",
        ),
    ],
)
def test_configuration_errors_exit_2_with_one_line(
    repo: GitRepo, levels: str, args: tuple[str, ...], message: str
) -> None:
    committed(repo, MODELS)
    pyproject = repo.path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f"\n[tool.schemadiff.check]\n{levels}\n")
    run = schemadiff("check", *args, cwd=repo.path)
    assert (run.code, run.out, run.err) == (2, "", f"schemadiff: error: {message}\n")


def test_no_changes_pass_silently(repo: GitRepo) -> None:
    committed(repo, MODELS)
    repo.write("README.md", "not a model\n")
    repo.commit("docs only")
    for args in ((), (RANGE,)):  # the working tree; a commit that leaves the models alone
        run = schemadiff("check", *args, cwd=repo.path)
        assert (run.code, run.out) == (0, ""), run.err


# --- rules/types.py ---------------------------------------------------------------------------

TYPE_PAIRS = [
    # old, new, widens (keeps every value), rewrites (PostgreSQL rewrites the table)
    ("VARCHAR(50)", "VARCHAR(100)", True, False),
    ("VARCHAR(100)", "VARCHAR(50)", False, True),
    ("VARCHAR(50)", "VARCHAR(50)", True, False),
    ("varchar(50)", "CHARACTER VARYING(80)", True, False),
    ("VARCHAR(50)", "TEXT", True, False),
    ("VARCHAR(50)", "VARCHAR", True, False),
    ("VARCHAR", "VARCHAR(50)", False, True),
    ("TEXT", "VARCHAR", True, False),
    ("TEXT", "VARCHAR(200)", False, True),
    ("TEXT", "INTEGER", False, True),
    ("INTEGER", "TEXT", False, True),
    ("CHAR(10)", "VARCHAR(10)", True, True),
    ("SMALLINT", "INTEGER", True, True),
    ("INTEGER", "BIGINT", True, True),
    ("BIGINT", "INTEGER", False, True),
    ("INT4", "INTEGER", True, False),
    ("INT8", "BIGINT", True, False),
    ("INTEGER", "NUMERIC(10)", True, True),
    ("INTEGER", "NUMERIC(10, 2)", False, True),
    ("BIGINT", "NUMERIC", True, True),
    ("NUMERIC(10, 2)", "NUMERIC(12,2)", True, False),
    ("NUMERIC(10, 2)", "NUMERIC(12, 3)", True, True),
    ("NUMERIC(10, 2)", "NUMERIC(10, 3)", False, True),
    ("NUMERIC(10, 2)", "NUMERIC(8, 2)", False, True),
    ("NUMERIC(10, 2)", "NUMERIC", True, False),
    ("NUMERIC", "NUMERIC(10, 2)", False, True),
    ("DECIMAL(10, 2)", "NUMERIC(10, 2)", True, False),
    ("REAL", "DOUBLE PRECISION", True, True),
    ("DOUBLE PRECISION", "REAL", False, True),
    ("FLOAT8", "DOUBLE PRECISION", True, False),
    ("TIMESTAMP WITHOUT TIME ZONE", "TIMESTAMP", True, False),
    ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", False, True),
    ("CIDR", "INET", True, False),
    ("INET", "CIDR", False, True),
    ("JSON", "TEXT", True, True),
    ("JSON", "JSONB", False, True),
    ("BIT VARYING(5)", "VARBIT(10)", True, False),
    ("VARBIT(10)", "VARBIT(5)", False, True),
    ("VARCHAR(50)[]", "VARCHAR(100)[]", True, False),
    ("VARCHAR(50)[]", "VARCHAR(50)", False, True),
    ("INTEGER", "INTEGER[]", False, True),
    ("BOOLEAN", "BOOLEAN", True, False),
    ("INTEGER", "BOOLEAN", False, True),
    pytest.param(
        "GEOMETRY(POINT,4326)",
        "GEOMETRY(LINESTRING,4326)",
        False,
        True,
        id="arguments-that-are-not-numbers",
    ),
    ("", "INTEGER", False, True),
    (None, "INTEGER", False, True),
]


@pytest.mark.parametrize(("old", "new", "widens", "rewrites"), TYPE_PAIRS)
def test_type_change_judgements(
    old: str | None, new: str | None, widens: bool, rewrites: bool
) -> None:
    assert (types.widens(old, new), types.rewrites(old, new)) == (widens, rewrites)


def test_a_type_kept_as_it_is_is_never_flagged() -> None:
    for ddl in ("VARCHAR(50)", "NUMERIC(10, 2)", "TEXT", "INTEGER[]", "DOUBLE PRECISION"):
        assert types.widens(ddl, ddl)
        assert not types.rewrites(ddl, ddl)
