"""The main job end to end: a real repository, the real CLI, both output formats."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import GitRepo, clean_env, model_source, models_repo, run_python, schemadiff

V1 = model_source(
    """
    class User(Base):
        __tablename__ = "user"
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str] = mapped_column(sa.String(100))
    """
)
V2 = model_source(
    """
    class User(Base):
        __tablename__ = "user"
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str] = mapped_column(sa.String(255))
        age: Mapped[int | None]
    """
)


def test_range_shows_changes_in_text(repo: GitRepo) -> None:
    models_repo(repo, V1).commit("v1")
    models_repo(repo, V2).commit("v2")
    before = repo.state()

    run = schemadiff("HEAD~1..HEAD", cwd=repo.path)

    assert run.code == 0, run.err
    assert run.out.splitlines()[2:] == [
        "~ table user",
        "    ~ column email: type VARCHAR(100) -> VARCHAR(255)",
        "    + column age INTEGER NULL",
    ]
    assert repo.state() == before


def test_json_contract(repo: GitRepo) -> None:
    models_repo(repo, V1).commit("v1")
    head = models_repo(repo, V2).commit("v2")

    document = schemadiff("HEAD~1..HEAD", "--format", "json", cwd=repo.path).json()

    assert (document["format"], document["version"]) == ("schemadiff-diff", 3)
    assert document["findings"] is None  # plain diff runs no rules
    assert document["to"] == {"ref": "HEAD", "commit": head, "source": "git", "reason": None}
    assert [(c["kind"], c["name"]) for c in document["changes"]] == [
        ("modify_type", "email"),
        ("add_column", "age"),
    ]
    assert document["changes"][0]["old"]["ddl"] == "VARCHAR(100)"
    assert document["changes"][0]["ddl_change"] is True


def loaded_modules(*argv: str, cwd: Path) -> tuple[int, set[str]]:
    """The exit code of the console entry point run in a fresh interpreter, and the top-level
    packages (and schemadiff modules) it had imported by the end."""
    probe = (
        "import sys; from schemadiff._entry import main; code = main(sys.argv[1:]); "
        "print('MODULES', *sorted(sys.modules), file=sys.stderr); sys.exit(code)"
    )
    run = run_python(cwd, "-c", probe, *argv)
    line = next(ln for ln in run.stderr.splitlines() if ln.startswith("MODULES "))
    names = line.split()[1:]
    return run.returncode, {n if n.startswith("schemadiff") else n.split(".")[0] for n in names}


def test_help_imports_neither_the_api_nor_git_nor_sqlalchemy(tmp_path: Path) -> None:
    code, modules = loaded_modules("--help", cwd=tmp_path)

    assert code == 0
    assert "schemadiff.cli" in modules  # the probe saw the help being built
    heavy = {"schemadiff.api", "schemadiff.sandbox", "schemadiff.gitrefs", "git", "sqlalchemy"}
    assert heavy & modules == set()


def test_a_diff_loads_the_api_in_the_parent_and_sqlalchemy_only_in_the_child(
    repo: GitRepo,
) -> None:
    models_repo(repo, V1).commit("v1")
    models_repo(repo, V2).commit("v2")

    code, modules = loaded_modules("HEAD~1..HEAD", "--format", "json", cwd=repo.path)

    assert code == 0
    assert {"schemadiff.api", "schemadiff.sandbox", "git"} <= modules
    assert "sqlalchemy" not in modules


def test_debug_says_what_each_import_cost(repo: GitRepo, tmp_path: Path) -> None:
    models_repo(repo, V1).commit("v1")
    models_repo(repo, V2).commit("v2")
    env = clean_env(SCHEMADIFF_CACHE_DIR=str(tmp_path / "cache"))

    first = schemadiff("HEAD~1..HEAD", "--debug", cwd=repo.path, env=env)
    again = schemadiff("HEAD~1..HEAD", "--debug", cwd=repo.path, env=env)

    pattern = r"schemadiff: debug: (HEAD~1|HEAD): imported in \d+\.\d{3} s, peak memory \d+ KiB"
    said = [re.fullmatch(pattern, ln) for ln in first.err.splitlines()]
    assert sorted(m.group(1) for m in said if m) == ["HEAD", "HEAD~1"], first.err
    assert "imported in" not in again.err  # both sides came from the cache
    assert first.out == again.out
