"""Every failure a user can cause: exit 2, one or two lines on stderr, no traceback of ours."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import GitRepo, clean_env, git, model_source, models_repo, schemadiff

GOOD = model_source(
    """
    class User(Base):
        __tablename__ = "user"
        id: Mapped[int] = mapped_column(primary_key=True)
    """
)


def user_error(run_result: object) -> str:
    """The error text, after checking the shape every user error must have."""
    code, err = run_result.code, run_result.err  # type: ignore[attr-defined]
    assert code == 2, err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert 1 <= len(lines) <= 2, err
    assert lines[0].startswith("schemadiff: error: ")
    return err


@pytest.fixture
def committed(repo: GitRepo) -> GitRepo:
    models_repo(repo, GOOD).commit("v1")
    return repo


def test_not_a_git_repository(tmp_path: Path) -> None:
    err = user_error(schemadiff("HEAD~1..HEAD", cwd=tmp_path))
    assert "Not a git repository" in err
    assert "-C PATH" in err


def test_repository_without_commits(repo: GitRepo) -> None:
    models_repo(repo, GOOD)
    err = user_error(schemadiff("HEAD~1..HEAD", cwd=repo.path))
    assert "no commits yet" in err


def test_before_the_first_commit_head_is_the_empty_tree(repo: GitRepo) -> None:
    """As ``git diff --cached`` does: everything the models declare is new."""
    models_repo(repo, GOOD)
    run = schemadiff(cwd=repo.path)
    assert run.code == 0, run.err
    assert run.out.splitlines()[0] == "--- HEAD (no commits yet: the empty tree)"
    assert "+ table " in run.out
    assert "note:" not in run.err


def test_unknown_ref(committed: GitRepo) -> None:
    err = user_error(schemadiff("nope..HEAD", cwd=committed.path))
    assert "Unknown revision 'nope'" in err


@pytest.mark.parametrize("revision", ["--output=x", "-x..HEAD", "HEAD..-p"])
def test_ref_beginning_with_dash_never_reaches_git(committed: GitRepo, revision: str) -> None:
    err = user_error(schemadiff("diff", "--", revision, cwd=committed.path))
    assert "begins with '-'" in err
    assert not (committed.path / "x").exists()


def test_missing_module_on_both_sides(committed: GitRepo) -> None:
    err = user_error(
        schemadiff("HEAD..HEAD", "--metadata", "app.nothere:Base.metadata", cwd=committed.path)
    )
    assert "no module 'app.nothere'" in err


def test_missing_attribute(committed: GitRepo) -> None:
    err = user_error(
        schemadiff("HEAD..HEAD", "--metadata", "app.models:Nope.metadata", cwd=committed.path)
    )
    assert "'Nope' is not defined there" in err
    assert "at HEAD" in err


def test_locator_that_is_not_a_metadata(committed: GitRepo) -> None:
    err = user_error(
        schemadiff("HEAD..HEAD", "--metadata", "app.models:sa.func", cwd=committed.path)
    )
    assert "not a sqlalchemy MetaData" in err


def test_syntax_error_names_ref_file_and_line(committed: GitRepo) -> None:
    committed.write("app/models.py", GOOD + "\ndef broken(:\n")
    committed.commit("broken")
    err = user_error(schemadiff("HEAD~1..HEAD", cwd=committed.path))
    line = len((GOOD + "\ndef broken(:\n").splitlines())
    assert f"at HEAD failed (app/models.py:{line}): SyntaxError" in err


def test_exception_at_import_shows_the_users_frame(committed: GitRepo) -> None:
    committed.write("app/settings.py", "import os\n\nSECRET = os.environ['APP_SECRET_FOR_TEST']\n")
    committed.write("app/models.py", "from app import settings  # noqa\n" + GOOD)
    committed.commit("needs a secret")
    err = user_error(schemadiff("HEAD~1..HEAD", cwd=committed.path))
    assert "app/settings.py:3" in err
    assert "KeyError: 'APP_SECRET_FOR_TEST'" in err
    assert "[tool.schemadiff.env]" in err


def test_import_that_hangs_is_killed_at_the_timeout(committed: GitRepo) -> None:
    committed.write("app/models.py", "import time\ntime.sleep(600)\n" + GOOD)
    committed.commit("hangs")
    run = schemadiff("HEAD~1..HEAD", "--timeout", "2", cwd=committed.path, timeout=60)
    err = user_error(run)
    assert "took longer than 2 s and was stopped" in err
    assert "at HEAD" in err


def test_broken_pyproject(committed: GitRepo) -> None:
    committed.write("pyproject.toml", "[tool.schemadiff\nmetadata = 1\n")
    err = user_error(schemadiff("HEAD", cwd=committed.path))
    assert "pyproject.toml at the working tree is not valid TOML" in err


def test_unknown_config_key(committed: GitRepo) -> None:
    committed.write(
        "pyproject.toml", '[tool.schemadiff]\nmetadata = "app.models:Base.metadata"\nmetdata = 1\n'
    )
    err = user_error(schemadiff("HEAD", cwd=committed.path))
    assert "unknown key 'metdata'" in err


def test_no_locator_anywhere(repo: GitRepo) -> None:
    repo.write("app/models.py", GOOD)
    repo.commit("no config")
    err = user_error(schemadiff("HEAD", cwd=repo.path))
    assert "No MetaData to compare" in err
    assert "--metadata" in err


def test_bad_locator_syntax(committed: GitRepo) -> None:
    err = user_error(schemadiff("HEAD", "--metadata", "app.models", cwd=committed.path))
    assert "is not a locator" in err


def test_unknown_dialect(committed: GitRepo) -> None:
    err = user_error(schemadiff("HEAD", "--dialect", "nosuchdb", cwd=committed.path))
    assert "Unknown dialect 'nosuchdb'" in err


def test_no_common_ancestor(committed: GitRepo) -> None:
    committed.git("checkout", "-q", "--orphan", "other")
    committed.commit("unrelated")
    err = user_error(schemadiff("main...other", cwd=committed.path))
    assert "no common ancestor" in err


def test_usage_error_is_exit_2(committed: GitRepo) -> None:
    run = schemadiff("--format", "yaml", cwd=committed.path)
    assert run.code == 2
    assert "Traceback" not in run.err


def test_debug_shows_the_traceback(committed: GitRepo) -> None:
    run = schemadiff("nope", "--debug", cwd=committed.path)
    assert run.code == 2
    assert "Traceback" in run.err


def test_nothing_left_behind_on_error(committed: GitRepo, tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    committed.write("app/models.py", "raise RuntimeError('boom')\n")
    committed.commit("boom")
    before = committed.state()
    run = schemadiff("HEAD~1..HEAD", cwd=committed.path, env=clean_env(TMPDIR=str(tmp)))
    assert run.code == 2
    assert "RuntimeError: boom" in run.err
    assert list(tmp.iterdir()) == []
    assert committed.state() == before
    assert git(committed.path, "status", "--porcelain", "--ignored") == ""


def test_snapshot_ref_beginning_with_dash_never_reaches_git(committed: GitRepo) -> None:
    err = user_error(schemadiff("snapshot", "--", "--output=x", cwd=committed.path))
    assert "begins with '-'" in err
    assert not (committed.path / "x").exists()


def test_snapshot_of_an_unknown_ref(committed: GitRepo) -> None:
    err = user_error(schemadiff("snapshot", "nope", cwd=committed.path))
    assert "Unknown revision 'nope'" in err


def test_snapshot_output_that_cannot_be_written(committed: GitRepo) -> None:
    (committed.path.parent / "file").write_text("x")
    err = user_error(
        schemadiff(
            "snapshot", "-o", str(committed.path.parent / "file" / "s.json"), cwd=committed.path
        )
    )
    assert "Cannot write" in err
    err = user_error(schemadiff("snapshot", "-o", str(committed.path.parent), cwd=committed.path))
    assert "is a directory" in err


def test_timeout_zero_is_refused(committed: GitRepo) -> None:
    err = user_error(schemadiff("HEAD", "--timeout", "0", cwd=committed.path))
    assert "--timeout: timeout must be a positive number" in err


def test_debug_shows_the_users_whole_traceback(committed: GitRepo) -> None:
    committed.write("app/models.py", "def inner():\n    raise RuntimeError('deep')\n\n\ninner()\n")
    committed.commit("deep")
    run = schemadiff("HEAD~1..HEAD", "--debug", cwd=committed.path)
    assert run.code == 2
    assert "output of the model import" in run.err
    assert 'app/models.py", line 2, in inner' in run.err


@pytest.mark.parametrize("args", [("blame", "person", "nope"), ("log", "nope"), ("log", "^nope")])
def test_a_walk_from_an_unknown_ref_says_so_as_a_diff_does(
    committed: GitRepo, args: tuple[str, ...]
) -> None:
    err = user_error(schemadiff(*args, cwd=committed.path))
    assert err == (
        f"schemadiff: error: Unknown revision 'nope': it names no commit in {committed.path}. "
        "Check the spelling, or fetch it (git fetch).\n"
    )
