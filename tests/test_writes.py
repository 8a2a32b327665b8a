"""What schemadiff writes: the revision and the snapshot refreshed with it (both or neither,
one run at a time), ``snapshot --write`` and ``-o`` (never over what it did not write), and
the user's disk (read-only, full) as exit 2.

Real Alembic projects, real tmpfs mounts (root ignores permissions), real processes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import GitRepo, clean_env, committed, model_source, schemadiff, started
from tests.test_migrations import V2, alembic, alembic_project, revision

SNAPSHOT = "migrations/schemadiff.snapshot.json"
VERSIONS = "migrations/versions"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="tmpfs mounts need root")


@pytest.fixture
def project(repo: GitRepo) -> GitRepo:
    """An Alembic project on SQLite with its first revision and snapshot, committed; the
    working tree's models then change (V2), so `revision` has something to write."""
    alembic_project(repo)
    revision(repo, "HEAD~1..HEAD", "-m", "create user", "--dialect", "sqlite")
    repo.commit("first revision")
    repo.write("app/models.py", V2)
    return repo


Mount = Callable[..., Path]


@pytest.fixture
def mount() -> Iterator[Mount]:
    """``mount(dir, options, keep=True)``: a tmpfs at ``dir`` holding what ``dir`` held
    (copied in before the options apply); unmounted at the end."""
    mounted: list[Path] = []

    def make(directory: Path, options: str = "ro", keep: bool = True) -> Path:
        saved = directory.parent / f".{directory.name}.saved"
        if keep and directory.exists():
            shutil.copytree(directory, saved)
        directory.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(directory)], check=True
        )
        mounted.append(directory)
        if saved.exists():
            shutil.copytree(saved, directory, dirs_exist_ok=True)
            shutil.rmtree(saved)
        subprocess.run(["mount", "-o", f"remount,{options}", str(directory)], check=True)
        return directory

    yield make
    for directory in reversed(mounted):
        subprocess.run(["umount", "-l", str(directory)], check=False)


def fill(directory: Path) -> None:
    """Fill the filesystem of ``directory`` to the last byte."""
    handle = os.open(directory / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(handle, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(handle)


def listing(directory: Path) -> list[str]:
    """Every name below ``directory``, hidden ones and bytecode included."""
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*"))


def one_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("schemadiff: error: "), err
    return lines[0].removeprefix("schemadiff: error: ")


# --- the revision and its snapshot: both, or neither -------------------------------------------


def read_only_snapshot_dir(project: GitRepo, mount: Mount) -> Path:
    """Configure the snapshot file into a read-only directory of its own; that directory."""
    project.write(
        "pyproject.toml",
        '[tool.schemadiff]\nmetadata = "app.models:Base.metadata"\n'
        'snapshot = "locked/schemadiff.snapshot.json"\n',
    )
    return mount(project.path / "locked")


def test_a_snapshot_that_cannot_be_refreshed_takes_the_revision_back(
    project: GitRepo, mount: Mount
) -> None:
    locked = read_only_snapshot_dir(project, mount)
    versions = project.path / VERSIONS
    before = listing(versions)

    run = schemadiff("revision", "-m", "add age", "--dialect", "sqlite", cwd=project.path)

    assert run.code == 2, run.err
    assert run.out == ""
    assert one_error(run.err) == (
        f"Cannot write {locked}/schemadiff.snapshot.json: Read-only file system."
    )
    assert listing(versions) == before  # no revision, no temp file, no bytecode
    assert listing(locked) == []


def test_a_rerun_after_a_failed_refresh_writes_one_revision(project: GitRepo, mount: Mount) -> None:
    locked = read_only_snapshot_dir(project, mount)
    versions = project.path / VERSIONS
    (first,) = versions.glob("*.py")
    failed = schemadiff("revision", "-m", "add age", "--dialect", "sqlite", cwd=project.path)
    assert failed.code == 2, failed.err
    subprocess.run(["mount", "-o", "remount,rw", str(locked)], check=True)

    run = schemadiff("revision", "-m", "add age", "--dialect", "sqlite", cwd=project.path)

    assert run.code == 0, run.err
    path = Path(run.out.strip())
    assert sorted(versions.glob("*.py")) == sorted([first, path])  # no second one chained
    assert _down(path) == _rev(first)
    entries = json.loads((locked / "schemadiff.snapshot.json").read_text())["entries"]
    assert [e["revision"] for e in entries] == [_rev(path)]


def _rev(path: Path) -> str:
    found = re.search(r"^revision: str = '([\w.]+)'", path.read_text(), re.M)
    assert found is not None, path.read_text()
    return found.group(1)


def _down(path: Path) -> str | None:
    found = re.search(r"^down_revision: .* = '(\w+)'", path.read_text(), re.M)
    return found.group(1) if found else None


# --- the versions directory: read-only, full ------------------------------------------------


@pytest.mark.parametrize(
    ("options", "cause"),
    [("ro", "Read-only file system"), ("rw", "No space left on device")],
)
def test_an_unwritable_versions_directory_is_the_users_to_fix(
    project: GitRepo, mount: Mount, options: str, cause: str
) -> None:
    versions = mount(project.path / VERSIONS, options)
    if options == "rw":
        fill(versions)
    before = listing(versions)
    snapshot = (project.path / SNAPSHOT).read_bytes()

    run = schemadiff("revision", "-m", "add age", "--dialect", "sqlite", cwd=project.path)

    assert run.code == 2, run.err
    message = one_error(run.err)
    assert re.fullmatch(
        rf"Cannot write the revision {versions}/\w+_add_age\.py in {versions}: {cause}\. "
        r"Make the versions directory writable, or free space on its device\.",
        message,
    ), message
    assert listing(versions) == before
    assert (project.path / SNAPSHOT).read_bytes() == snapshot


# --- temporary files and signals ----------------------------------------------------------


SLOW_TEMPLATE = "<% import time; time.sleep({seconds}) %>"


def slow_rendering(project: GitRepo, seconds: float) -> None:
    """Make Alembic's rendering of the revision file take ``seconds``: it runs after the
    head is read, with the temporary file open."""
    mako = project.path / "migrations" / "script.py.mako"
    mako.write_text(SLOW_TEMPLATE.format(seconds=seconds) + "\n" + mako.read_text())


def start_revision(
    project: GitRepo, message: str, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    return started("revision", "-m", message, "--dialect", "sqlite", cwd=project.path, env=env)


def wait_for(found: Callable[[], object], process: subprocess.Popen[str]) -> None:
    for _ in range(1200):
        if found():
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("never happened")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_writing_leaves_no_temporary_file(project: GitRepo, signum: int) -> None:
    slow_rendering(project, 60)
    versions = project.path / VERSIONS
    before = listing(versions)
    snapshot = (project.path / SNAPSHOT).read_bytes()
    tmp = project.path.parent / "tmp"  # Alembic would leave a traceback file here
    tmp.mkdir()
    running = start_revision(project, "add age", clean_env(TMPDIR=str(tmp)))
    wait_for(lambda: list(versions.glob(".schemadiff-*")), running)

    running.send_signal(signum)
    out, err = running.communicate(timeout=60)

    code, said = (143, "terminated") if signum == signal.SIGTERM else (130, "interrupted")
    assert running.returncode == code, err
    assert out == ""
    assert err.strip().splitlines()[-1] == f"schemadiff: {said}"
    assert listing(versions) == before
    assert not list(project.path.rglob(".schemadiff-*"))
    assert not list(project.path.rglob("*.tmp"))
    assert (project.path / SNAPSHOT).read_bytes() == snapshot
    assert [p.name for p in tmp.iterdir() if p.suffix == ".txt"] == []


# --- two runs at once ---------------------------------------------------------------------


def test_two_revisions_at_once_write_the_change_once(project: GitRepo) -> None:
    slow_rendering(project, 2)  # both would read the same head before either file is in place
    versions = project.path / VERSIONS
    (first,) = versions.glob("*.py")
    runs = [start_revision(project, name) for name in ("one", "two")]
    results = [run.communicate(timeout=300) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], results
    (out,) = [o for o, _ in results if o]
    (waited_err,) = [e for o, e in results if not o]
    path = Path(out.strip())
    assert sorted(versions.glob("*.py")) == sorted([first, path])
    assert _down(path) == _rev(first)
    assert alembic(project, "heads").stdout.splitlines() == [f"{_rev(path)} (head)"]
    assert waited_err.strip().splitlines()[-1] == (
        f"The changes between HEAD and the working tree are already in revision {_rev(path)} "
        "(its snapshot matches them); no revision written."
    )
    entries = json.loads((project.path / SNAPSHOT).read_text())["entries"]
    assert [e["revision"] for e in entries] == [_rev(path), _rev(first)]


def test_a_rerun_finds_the_revision_it_wrote(project: GitRepo) -> None:
    path = revision(project, "-m", "add age", "--dialect", "sqlite")

    run = schemadiff("revision", "-m", "add age", "--dialect", "sqlite", cwd=project.path)

    assert run.code == 0, run.err
    assert run.out == ""
    assert run.err.strip().splitlines()[-1] == (
        f"The changes between HEAD and the working tree are already in revision {_rev(path)} "
        "(its snapshot matches them); no revision written."
    )
    assert len(list((project.path / VERSIONS).glob("*.py"))) == 2
    path.unlink()  # deleted to be generated again: written again
    assert revision(project, "-m", "add age", "--dialect", "sqlite").is_file()


def test_a_held_lock_is_waited_for_then_named(tmp_path: Path) -> None:
    from schemadiff import lock

    path = tmp_path / "schemadiff.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            f"fd = os.open({str(path)!r}, os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(lock.LockError) as refused, lock.held(path, "writing a revision", 0.2):
            pass
        assert str(refused.value) == (
            "Another schemadiff is writing a revision in this repository: it has held "
            f"{path} for more than 0.2 s. Wait for it to finish and run again."
        )
    finally:
        holder.communicate("")
    with lock.held(path, "writing a revision", 0.2):  # released with its holder
        assert path.is_file()


# --- --rev-id -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rev_id", ["../../x", "a/b", "/tmp/x", ".hidden", "x-y", "a:b", "a\nb", ""]
)
def test_a_rev_id_that_is_not_a_file_name_is_refused(project: GitRepo, rev_id: str) -> None:
    outside = project.path.parent
    around = listing(outside)

    run = schemadiff("revision", "-m", "m", "--rev-id", rev_id, cwd=project.path)

    assert run.code == 2, run.err
    shown = rev_id.replace("\n", "\\n")
    assert one_error(run.err) == (
        f"--rev-id '{shown}' is not a usable revision id: it names the revision file, so it "
        "takes letters, digits, '_' and '.' (not first). Choose another, or leave --rev-id "
        "out for a generated one."
    )
    assert listing(outside) == around


def test_a_rev_id_of_letters_digits_and_dots_is_used(project: GitRepo) -> None:
    path = revision(project, "-m", "add age", "--rev-id", "v2.0_age", "--dialect", "sqlite")
    assert path.parent == project.path / VERSIONS
    assert _rev(path) == "v2.0_age"


# --- check -f -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["alembic", "sql"])
def test_check_offers_only_the_formats_it_renders(repo: GitRepo, name: str) -> None:
    committed(
        repo,
        model_source(
            """
            class T(Base):
                __tablename__ = "t"
                id: Mapped[int] = mapped_column(primary_key=True)
            """
        ),
    )
    run = schemadiff("check", "-f", name, cwd=repo.path)
    assert run.code == 2
    assert run.out == ""
    assert run.err.strip().splitlines()[-1] == (
        f"Error: Invalid value for '--format' / '-f': '{name}' is not one of 'text', 'json', "
        "'markdown', 'github'."
    )
    assert "[text|json|markdown|github]" in schemadiff("check", "--help", cwd=repo.path).out
    shown = schemadiff("check", "HEAD", "HEAD", "-f", "json", cwd=repo.path)
    assert shown.code == 0, shown.err
    assert shown.json()["changes"] == []


# --- snapshot --write and -o --------------------------------------------------------------


def test_snapshot_write_never_downgrades_a_newer_snapshot(project: GitRepo) -> None:
    snapshot = project.path / SNAPSHOT
    newer = {"format": "schemadiff-snapshot", "version": 4, "entries": [], "future": True}
    snapshot.write_text(json.dumps(newer))

    run = schemadiff("snapshot", "--write", cwd=project.path)

    assert run.code == 2, run.err
    assert one_error(run.err) == (
        f"{snapshot} is schemadiff-snapshot version 4, newer than this schemadiff's version 3; "
        "writing it would lose what the newer version keeps. Upgrade schemadiff."
    )
    assert json.loads(snapshot.read_text()) == newer


def test_revision_stops_at_a_newer_snapshot_with_the_way_out(project: GitRepo) -> None:
    snapshot = project.path / SNAPSHOT
    snapshot.write_text('{"format": "schemadiff-snapshot", "version": 4, "entries": []}')
    before = listing(project.path / VERSIONS)

    run = schemadiff("revision", "-m", "add age", "--dialect", "sqlite", cwd=project.path)

    assert run.code == 2, run.err
    assert one_error(run.err) == (
        f"{snapshot} is schemadiff-snapshot version 4; this schemadiff reads version 3. "
        "Upgrade schemadiff."
    )
    assert listing(project.path / VERSIONS) == before


def _symlink_dangling(path: Path) -> None:
    path.symlink_to(path.parent / "nowhere.json")


def _symlink_to_snapshot(path: Path) -> None:
    (path.parent / "real.json").write_text('{"format": "schemadiff-snapshot", "version": 3}')
    path.symlink_to(path.parent / "real.json")


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (_symlink_dangling, "a symbolic link"),
        (_symlink_to_snapshot, "a symbolic link"),
        (os.mkfifo, "not a regular file"),
    ],
)
def test_snapshot_output_never_goes_over_what_schemadiff_did_not_write(
    project: GitRepo, tmp_path: Path, make: Callable[[Path], None], kind: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "schema.json"
    make(target)
    before = {
        p.name: (p.is_symlink(), os.readlink(p) if p.is_symlink() else None) for p in out.iterdir()
    }

    run = schemadiff("snapshot", "-o", str(target), cwd=project.path, timeout=60)

    assert run.code == 2, run.err
    assert one_error(run.err) == (
        f"{target} is {kind}; schemadiff will not write over it. Remove it or choose another path."
    )
    after = {
        p.name: (p.is_symlink(), os.readlink(p) if p.is_symlink() else None) for p in out.iterdir()
    }
    assert after == before
    assert not (out / "nowhere.json").exists()
