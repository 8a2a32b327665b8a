"""Golden cases: tests/cases/<name>/before.py -> after.py, through the real sandbox and CLI.

Each case is committed twice as app/models.py in a real repository (with the case's own
pyproject.toml when it has one). ``schemadiff HEAD~1..HEAD --format F`` must print, for every
output format F, the case's expected file for F (``FORMATS``); what the six runs write to
standard error, each under a ``$ schemadiff ...`` line, must be the case's expected.stderr.
Only what differs per run is normalized (``normalized``): the two commit ids. Regenerate with
SCHEMADIFF_UPDATE_GOLDEN=1 (the test then writes the files and skips: an update run checks
nothing) and read every file it wrote.

The second test applies each case's migration to a real SQLite database (see its docstring).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import types
import uuid
from pathlib import Path

import alembic
import pytest
import sqlalchemy as sa

from tests.conftest import GitRepo, clean_env, commit_case, schemadiff
from tests.test_oracle import Database, differences

CASES = Path(__file__).parent / "cases"
NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir())
RANGE = "HEAD~1..HEAD"
FORMATS = {
    "text": "expected.txt",
    "json": "expected.json",
    "markdown": "expected.markdown",  # not .md: ruff formats the Python in .md files
    "github": "expected.github",
    "alembic": "expected.alembic",  # not .py: Alembic's layout is not ruff's
    "sql": "expected.sql",
}
STDERR = "expected.stderr"
UPDATE = bool(os.environ.get("SCHEMADIFF_UPDATE_GOLDEN"))
ALEMBIC_DIR = str(Path(alembic.__file__).parent)


def normalized(text: str, repo: GitRepo) -> str:
    """The commit ids of HEAD~1 and HEAD, in full or in the 10-digit form the headers use,
    as <from> and <to>; and the installed Alembic's directory, which its own warnings name,
    as <alembic>, with the line in its file (another Alembic release moves it). Nothing else
    differs from one run to the next."""
    for side, label in (("HEAD~1", "<from>"), ("HEAD", "<to>")):
        commit = repo.git("rev-parse", side)
        text = text.replace(commit, label).replace(commit[:10], label)
    text = text.replace(ALEMBIC_DIR, "<alembic>")
    return re.sub(r"(<alembic>/[\w/]+\.py):\d+:", r"\1:<line>:", text)


def _write_or_compare(folder: Path, actual: dict[str, str]) -> None:
    if UPDATE:
        for name, text in actual.items():
            (folder / name).write_text(text)
        pytest.skip(f"SCHEMADIFF_UPDATE_GOLDEN: wrote {', '.join(actual)} in {folder}")
    for name, text in actual.items():
        assert text == (folder / name).read_text(), f"{folder.name}: {name} changed"


@pytest.mark.parametrize("case", NAMES)
def test_golden_case(repo: GitRepo, case: str) -> None:
    folder = CASES / case
    commit_case(repo, folder)
    actual: dict[str, str] = {}
    stderr: list[str] = []
    for output_format, filename in FORMATS.items():
        run = schemadiff(RANGE, "--format", output_format, cwd=repo.path)
        assert run.code == 0, run.err
        actual[filename] = normalized(run.out, repo)
        stderr.append(f"$ schemadiff {RANGE} --format {output_format}\n")
        stderr.append(normalized(run.err, repo))
    actual[STDERR] = "".join(stderr)
    _write_or_compare(folder, actual)


def test_every_case_has_every_expected_file() -> None:
    wanted = {"before.py", "after.py", *FORMATS.values(), STDERR}
    for case in NAMES:
        names = {p.name for p in (CASES / case).iterdir()}
        assert names - {"pyproject.toml"} == wanted, case


def test_the_ambiguous_rename_note_is_golden() -> None:
    """The note goes to standard error in every format (and into the JSON document and the
    Markdown report); the golden files hold it, so a lost note fails test_golden_case."""
    note = (
        "note: column person: possible rename: first or last -> given_name or family_name"
        " (ambiguous: declare it with info={'renamed_from': ...} or [tool.schemadiff.renames])\n"
    )
    folder = CASES / "rename_ambiguous"
    assert (folder / STDERR).read_text() == "".join(
        f"$ schemadiff {RANGE} --format {output_format}\n{note}" for output_format in FORMATS
    )
    document = json.loads((folder / "expected.json").read_text())
    assert document["notes"] == [note.removeprefix("note: ").rstrip("\n")]


# --- the migration of each case, run on SQLite -------------------------------------------------

# Cases whose changes SQLite cannot hold: the round trip would fail for SQLite's sake, or,
# worse, pass without checking anything.
SQLITE_CANNOT = {
    "add_and_remove_table": "the new table is in schema billing: SQLite has no schemas",
    "comments": "SQLite keeps no comments: the upgrade changes nothing there and both "
    "comparisons ignore comments, so the case would pass unchecked",
    "enum_native": "native enums (one in schema ops): SQLite stores an Enum as VARCHAR, so the "
    "labels' change would pass unchecked",
    "exclude_constraint": "EXCLUDE USING gist and TSRANGE are PostgreSQL's: even the older "
    "models do not create on SQLite",
    "sequences": "SQLite has no sequences: with --dialect sqlite the diff is empty",
    "unique_constraints": "uq_account_handle is DEFERRABLE, which SQLite takes only on foreign "
    "keys: the newer models do not create on SQLite (tests/test_sqlite_batch.py drops an "
    "unnamed unique constraint there)",
    "table_options": "postgresql_partition_by is PostgreSQL's: with --dialect sqlite the diff is "
    "empty (on PostgreSQL the migration is a TODO by design)",
}
# What a comparison reports that is not a difference on SQLite: (case, line) -> why. Exact
# lines only, each with its reason.
SQLITE_BLIND_SPOTS = {
    ("computed_and_identity", "modify_default None 'line' 'id' None Identity(start=1)"): (
        "SQLite has no IDENTITY: Alembic compares the models' Identity with none in the database "
        "(the migration leaves identity changes as a TODO, as its stderr says)"
    ),
    (
        "computed_and_identity",
        "modify_default None 'line' 'serial' None Identity(always=True, start=100)",
    ): "the same, for the older models' serial column",
    (
        "computed_and_identity",
        "modify_default None 'line' 'id' None Identity(start=1000, increment=5)",
    ): "the same, at the newer models",
    ("server_defaults", "modify_default None 'event' 'label' DEFAULT 'it''s' DEFAULT it's"): (
        "Alembic compares SQLite's reflected 'it''s' with the models' it's without undoing the "
        "doubled quote; --from-db, which does, finds nothing"
    ),
}
# What ``--from-db`` prints after the upgrade where the database is the newer models: case ->
# (the lines, why). Every other case prints nothing.
SQLITE_FROM_DB_BLIND_SPOTS = {
    "indexes": (
        ["~ table doc", "    + index ix_doc_lower_title (lower(title))"],
        "SQLAlchemy cannot reflect SQLite's expression indexes, so --from-db misses the one the "
        "upgrade made (the test reads it from sqlite_master)",
    ),
}
SQLITE_BUGS = {
    "types_variant_and_decorator": "bug: the migration spells the TypeDecorator's old type "
    "app.models.Upper(length=20), which the current app.models (impl = sa.String(40)) makes "
    "VARCHAR(40): the downgrade leaves thing.code VARCHAR(40) instead of VARCHAR(20)",
}

ENV_PY = """\
import os

import sqlalchemy as sa
from alembic import context

engine = sa.create_engine(os.environ["GOLDEN_DATABASE_URL"], poolclass=sa.pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
"""
REVISION_HEAD = 'revision = "golden"\ndown_revision = None\nbranch_labels = None\n'


def _models(path: Path) -> sa.MetaData:
    """A fresh import of one side's models: each gets its own MetaData."""
    module = types.ModuleType(f"golden_models_{uuid.uuid4().hex}")
    # dont_inherit: not this file's own annotations future, under which SQLAlchemy would
    # look the annotations up in a module it cannot find
    exec(compile(path.read_text(), str(path), "exec", dont_inherit=True), module.__dict__)
    metadata: sa.MetaData = module.Base.metadata
    return metadata


def _alembic(project: Path, repo: GitRepo, url: str, *args: str) -> None:
    """Real Alembic in the case's repository (its migration may import app.models)."""
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(project / "alembic.ini"), *args],
        cwd=repo.path,
        env=clean_env(GOLDEN_DATABASE_URL=url),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, f"alembic {' '.join(args)}:\n{result.stderr}"


def _alembic_project(path: Path, migration: str) -> Path:
    """An Alembic project whose one revision is ``schemadiff --format alembic``'s output."""
    (path / "versions").mkdir(parents=True)
    ini = f"[alembic]\nscript_location = {path}\npath_separator = os\n"
    (path / "alembic.ini").write_text(ini)
    (path / "env.py").write_text(ENV_PY)
    (path / "versions" / "golden.py").write_text(REVISION_HEAD + migration)
    return path


def _seen(case: str, found: list[str]) -> list[str]:
    return [line for line in found if (case, line) not in SQLITE_BLIND_SPOTS]


def _from_db(repo: GitRepo, url: str, side: str) -> list[str]:
    """``schemadiff --from-db``: the changes from the database to the models of ``side``, as
    lines (without the two header lines, which name the database and the commit)."""
    run = schemadiff("--from-db", url, side, "--dialect", "sqlite", cwd=repo.path)
    assert run.code == 0, run.err
    return run.out.splitlines()[2:]


def _sqlite_params() -> list[object]:
    params: list[object] = []
    for case in NAMES:
        if case in SQLITE_CANNOT:
            continue
        bug = SQLITE_BUGS.get(case)
        marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
        params.append(pytest.param(case, marks=marks))
    return params


def test_sqlite_exclusions_name_real_cases() -> None:
    named = {case for case, _ in SQLITE_BLIND_SPOTS} | set(SQLITE_FROM_DB_BLIND_SPOTS)
    named |= set(SQLITE_CANNOT) | set(SQLITE_BUGS)
    assert named <= set(NAMES)
    assert not set(SQLITE_CANNOT) & set(SQLITE_BUGS)


def _expression_index(engine: sa.Engine) -> str | None:
    """The SQL of the indexes case's expression index, which SQLite keeps as written."""
    with engine.connect() as connection:
        query = "SELECT sql FROM sqlite_master WHERE name = 'ix_doc_lower_title'"
        found: str | None = connection.exec_driver_sql(query).scalar()
    return found


# Alembic and SQLAlchemy say they cannot compare SQLite's expression indexes: the test reads
# the one of the indexes case from sqlite_master instead.
@pytest.mark.filterwarnings(
    "ignore:Skipped unsupported reflection of expression-based index ix_doc_lower_title"
)
@pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index 'ix_doc_lower_title'"
)
@pytest.mark.parametrize("case", _sqlite_params())
def test_golden_migration_on_sqlite(repo: GitRepo, tmp_path: Path, case: str) -> None:
    """The older models made on a SQLite file; ``schemadiff --format alembic --dialect sqlite``
    run as a revision by real Alembic: the database must then be the newer models, both by
    Alembic's compare_metadata with the oracle's catalogue checks (tests/test_oracle.py) and by
    ``schemadiff --from-db``; the downgrade must bring back the older models just as exactly."""
    folder = CASES / case
    commit_case(repo, folder)
    url = f"sqlite:///{tmp_path / 'golden.db'}"
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    database = Database("sqlite", url, engine)
    older, newer = _models(folder / "before.py"), _models(folder / "after.py")
    older.create_all(engine)
    assert _seen(case, differences(database, older)) == [], "the database is not the older models"

    run = schemadiff(RANGE, "--format", "alembic", "--dialect", "sqlite", cwd=repo.path)
    assert run.code == 0, run.err
    project = _alembic_project(tmp_path / "alembic", run.out)

    _alembic(project, repo, url, "upgrade", "head")
    assert _seen(case, differences(database, newer)) == [], "after upgrade"
    blind, _ = SQLITE_FROM_DB_BLIND_SPOTS.get(case, ([], ""))
    assert _from_db(repo, url, "HEAD") == blind, "after upgrade, --from-db"
    if case == "indexes":  # what neither comparison can see on SQLite
        assert _expression_index(engine) == "CREATE INDEX ix_doc_lower_title ON doc (lower(title))"

    _alembic(project, repo, url, "downgrade", "base")
    assert _seen(case, differences(database, older)) == [], "after downgrade"
    assert _from_db(repo, url, "HEAD~1") == [], "after downgrade, --from-db"
    if case == "indexes":
        assert _expression_index(engine) is None
    engine.dispose()


# --- what the golden files show and should not ----------------------------------------------


@pytest.mark.parametrize("case", ["foreign_keys", "unique_constraints"])
def test_the_downgrade_names_what_it_drops(case: str) -> None:
    folder = CASES / case
    assert "drop_constraint(None," not in (folder / "expected.alembic").read_text()
    assert "UserWarning" not in (folder / STDERR).read_text()
