"""The process's life as a user meets it when things go wrong around it: processes the models
start, signals at any moment, a temporary directory or standard output that cannot be
written, a time limit that makes no sense, and children that crash or never answer."""

from __future__ import annotations

import pytest

from tests.conftest import GitRepo, model_source, models_repo, schemadiff

GOOD = model_source(
    """
    class User(Base):
        __tablename__ = "user"
        id: Mapped[int] = mapped_column(primary_key=True)
    """
)


@pytest.fixture
def committed(repo: GitRepo) -> GitRepo:
    models_repo(repo, GOOD).commit("v1")
    return repo


@pytest.mark.parametrize(
    ("given", "shown"),
    [("inf", "inf"), ("1e18", "1e+18"), ("nan", "nan"), ("0", "0.0"), ("-1", "-1.0")],
)
def test_a_timeout_that_makes_no_sense_is_refused(
    committed: GitRepo, given: str, shown: str
) -> None:
    run = schemadiff("HEAD", "--no-cache", "--timeout", given, cwd=committed.path, timeout=60)
    assert (run.code, run.out) == (2, "")
    assert run.err == (
        "schemadiff: error: --timeout: timeout must be a positive number of seconds, at most "
        f"86400 (a day), not {shown}.\n"
    )


@pytest.mark.parametrize("given", ["inf", "nan"])
def test_the_same_in_pyproject(committed: GitRepo, given: str) -> None:
    committed.write(
        "pyproject.toml",
        f'[tool.schemadiff]\nmetadata = "app.models:Base.metadata"\ntimeout = {given}\n',
    )
    run = schemadiff("HEAD", "--no-cache", cwd=committed.path, timeout=60)
    assert (run.code, run.out) == (2, "")
    assert run.err == (
        "schemadiff: error: pyproject.toml at the working tree: timeout must be a positive "
        f"number of seconds, at most 86400 (a day), not {given}.\n"
    )
