"""The process as a user meets it: Ctrl-C, kill -9, a terminal, several MetaData."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import GitRepo, clean_env, model_source, models_repo, schemadiff, wait_for

MODELS = model_source(
    """
    class User(Base):
        __tablename__ = "user"
        id: Mapped[int] = mapped_column(primary_key=True)
    """
)
HANGS = "import time\ntime.sleep(600)\n" + MODELS


def sandbox_processes(tmp: Path) -> list[Path]:
    """The working directories of processes working inside ``tmp`` (the fork server's and
    its children's)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and (cwd := proc.joinpath("cwd").readlink()).is_relative_to(tmp):
                found.append(cwd)
        except OSError:
            continue
    return found


def sandbox_children(tmp: Path) -> list[Path]:
    """The forked children among them: each works in its own load's ``cwd`` directory."""
    return [cwd for cwd in sandbox_processes(tmp) if cwd.name == "cwd"]


def start_hanging_run(repo: GitRepo, tmp: Path) -> subprocess.Popen[str]:
    """schemadiff in the background, returned once the child importing HEAD hangs."""
    process = subprocess.Popen(
        [sys.executable, "-m", "schemadiff", "HEAD~1..HEAD"],
        cwd=repo.path,
        env=clean_env(TMPDIR=str(tmp)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert wait_for(lambda: len(sandbox_children(tmp)) == 1)
    time.sleep(0.5)
    assert len(sandbox_children(tmp)) == 1, "the child importing HEAD~1 should be done"
    return process


@pytest.fixture
def hanging(repo: GitRepo, tmp_path: Path) -> tuple[GitRepo, Path]:
    models_repo(repo, MODELS).commit("v1")
    models_repo(repo, HANGS).commit("hangs")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    return repo, tmp


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_stops_children_and_cleans_up(hanging: tuple[GitRepo, Path]) -> None:
    repo, tmp = hanging
    before = repo.state()
    process = start_hanging_run(repo, tmp)
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    # 130, or death by SIGINT when CPython saw the interrupt inside exec'd code (dataclass
    # creation): a shell reports both as 130.
    assert process.returncode in (130, -signal.SIGINT)
    assert err == "schemadiff: interrupted\n"
    assert "Traceback" not in err
    assert wait_for(lambda: not sandbox_processes(tmp), 10)
    assert list(tmp.iterdir()) == []
    assert repo.state() == before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_kill_9_takes_the_children_along(hanging: tuple[GitRepo, Path]) -> None:
    repo, tmp = hanging
    before = repo.state()
    process = start_hanging_run(repo, tmp)
    process.kill()
    process.wait()
    assert wait_for(lambda: not sandbox_processes(tmp), 10)
    assert repo.state() == before


def run_on_terminal(repo: GitRepo, **env: str) -> str:
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "schemadiff", "HEAD~1..HEAD"],
        cwd=repo.path,
        env=env,
        stdout=follower,
        stderr=subprocess.PIPE,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode()


def test_colour_only_on_a_terminal_and_never_with_no_color(repo: GitRepo) -> None:
    models_repo(repo, MODELS).commit("v1")
    models_repo(repo, MODELS.replace("user", "member")).commit("v2")
    base = {k: v for k, v in clean_env(TERM="xterm-256color").items() if k != "NO_COLOR"}
    assert "\x1b[" in run_on_terminal(repo, **base)
    assert "\x1b[" not in run_on_terminal(repo, **base, NO_COLOR="1")
    piped = schemadiff("HEAD~1..HEAD", cwd=repo.path, env=base)
    assert "    ~ table: renamed from user (guessed)" in piped.out
    assert "\x1b[" not in piped.out


def test_several_metadata_collections(repo: GitRepo) -> None:
    models_repo(repo, MODELS)
    repo.write("app/audit.py", "import sqlalchemy as sa\n\nmetadata = sa.MetaData()\n")
    repo.commit("v1")
    repo.write(
        "app/audit.py",
        "import sqlalchemy as sa\n\nmetadata = sa.MetaData()\n"
        "log = sa.Table('log', metadata, sa.Column('id', sa.Integer, primary_key=True))\n",
    )
    repo.commit("v2")
    both = ("--metadata", "app.models:Base.metadata", "--metadata", "app.audit:metadata")
    run = schemadiff("HEAD~1..HEAD", *both, cwd=repo.path)
    assert run.code == 0, run.err
    assert "+ table log" in run.out.splitlines()

    repo.write(
        "app/audit.py",
        "import sqlalchemy as sa\n\nmetadata = sa.MetaData()\n"
        "user = sa.Table('user', metadata, sa.Column('id', sa.Integer, primary_key=True))\n",
    )
    run = schemadiff("HEAD", *both, cwd=repo.path)
    assert run.code == 2
    assert "'user' is declared in both app.models:Base.metadata and app.audit:metadata" in run.err


def test_the_same_metadata_named_twice_is_read_once(repo: GitRepo) -> None:
    models_repo(repo, MODELS).commit("v1")
    twice = ("--metadata", "app.models:Base", "--metadata", "app.models:Base.metadata")
    run = schemadiff("snapshot", *twice, cwd=repo.path)
    assert run.code == 0, run.err
    (entry,) = run.json()["entries"]
    documents = entry["metadata"]
    assert sorted(documents) == sorted(locator for locator in twice if locator != "--metadata")
    # The MetaData is read under its first name; the second names it again and adds nothing.
    assert [t["name"] for t in documents["app.models:Base"]["tables"]] == ["user"]
    assert documents["app.models:Base.metadata"] == {
        "dialect": "postgresql",
        "enums": [],
        "sequences": [],
        "tables": [],
    }
    counted = [t["name"] for document in documents.values() for t in document["tables"]]
    assert counted == ["user"]
