"""The import roots when ``paths`` is not set: where the locator's package is, through the
real command line on real repositories.

- A src layout imports from ``src`` alone: a diff is right, ``--debug`` says why once, and
  ``check`` on a commit that changes only Python outside ``src`` imports nothing.
- A package at the top gives ``.``; a locator and an ``import`` in different roots give both;
  a package in neither keeps the default, said as such.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import GitRepo, clean_env, model_source, schemadiff

MODELS = model_source(
    """
    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
    """
)
WIDER = MODELS + "    name: Mapped[str] = mapped_column(sa.String(40))\n"
DEBUG = "schemadiff: debug: "


def project(repo: GitRepo, package: str, models: str, extra: str = "") -> GitRepo:
    """``package``/models.py (``package`` is ``app`` or ``src/app``), paths left unset."""
    repo.write(
        "pyproject.toml", f'[tool.schemadiff]\nmetadata = "app.models:Base.metadata"\n{extra}'
    )
    repo.write(f"{package}/__init__.py", "")
    repo.write(f"{package}/models.py", models)
    return repo


def roots_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(f"{DEBUG}import roots:")]


def test_a_src_layout_diffs_from_src_and_says_so_once(repo: GitRepo, tmp_path: Path) -> None:
    project(repo, "src/app", MODELS).commit("models")
    project(repo, "src/app", WIDER).commit("a column")
    env = clean_env(SCHEMADIFF_CACHE_DIR=str(tmp_path / "cache"))
    run = schemadiff("--debug", "HEAD~1", "HEAD", cwd=repo.path, env=env)
    assert run.code == 0, run.err
    assert "    + column name VARCHAR(40) NOT NULL" in run.out
    assert roots_lines(run.err) == [
        f"{DEBUG}import roots: src (where the locator's package app is)"
    ]


def test_check_imports_nothing_when_only_python_outside_src_changes(
    repo: GitRepo, tmp_path: Path
) -> None:
    project(repo, "src/app", MODELS).commit("models")
    repo.write("scripts/seed.py", "print('seeding')\n")
    repo.commit("a script at the top")
    run = schemadiff("check", "--debug", "--no-cache", "HEAD~1", "HEAD", cwd=repo.path)
    assert run.code == 0, run.err
    assert run.err.splitlines() == [  # the files under src are the same: no import
        f"{DEBUG}import roots: src (where the locator's package app is)",
        "No schema changes between HEAD~1 and HEAD.",
    ]


def test_a_package_at_the_top_keeps_src_on_the_path(repo: GitRepo) -> None:
    """The top holds every file: src stays a root, for a module the package imports there."""
    project(repo, "app", MODELS.replace("import sqlalchemy", "import helpers\nimport sqlalchemy"))
    repo.write("src/helpers.py", "")
    repo.commit("models")
    run = schemadiff("--debug", "--no-cache", "HEAD", cwd=repo.path)
    assert run.code == 0, run.err
    assert roots_lines(run.err) == [
        f"{DEBUG}import roots: ., src (where the locator's package app is)"
    ]


def test_a_locator_and_an_import_in_two_roots_give_both(repo: GitRepo) -> None:
    project(repo, "src/app", MODELS, extra='import = ["plugins.audit"]\n')
    repo.write("plugins/__init__.py", "")
    repo.write("plugins/audit.py", "AUDIT = True\n")
    repo.commit("models and a plugin at the top")
    run = schemadiff("--debug", "--no-cache", "HEAD", cwd=repo.path)
    assert run.code == 0, run.err
    assert roots_lines(run.err) == [
        f"{DEBUG}import roots: ., src (where the locators' packages app, plugins are)"
    ]


def test_a_package_in_neither_root_keeps_the_default(repo: GitRepo) -> None:
    project(repo, "backend/app", MODELS).commit("models in backend/, paths unset")
    run = schemadiff("--debug", "--no-cache", "HEAD", cwd=repo.path)
    assert roots_lines(run.err) == [
        f"{DEBUG}import roots: ., src (the default: the locator's package app is in neither "
        ". nor src)"
    ]
    assert "There is no module 'app.models'" in run.err


def test_paths_set_are_used_as_they_are(repo: GitRepo) -> None:
    project(repo, "backend/app", MODELS, extra='paths = ["backend"]\n').commit("models")
    run = schemadiff("--debug", "--no-cache", "HEAD", cwd=repo.path)
    assert run.code == 0, run.err
    assert roots_lines(run.err) == []
    assert "No schema changes between HEAD and the working tree." in run.err


@pytest.mark.parametrize("spelled", ["./src", "src/.", "src/"])
def test_a_root_spelled_with_a_dot_or_a_slash_is_that_folder(repo: GitRepo, spelled: str) -> None:
    project(repo, "src/app", MODELS, f'paths = ["{spelled}"]\n').commit("models")
    project(repo, "src/app", WIDER, f'paths = ["{spelled}"]\n').commit("a column")

    run = schemadiff("--no-cache", "HEAD~1..HEAD", cwd=repo.path)

    assert run.code == 0, run.err
    assert "    + column name VARCHAR(40) NOT NULL" in run.out
