"""The process's life as a user meets it when things go wrong around it: processes the models
start, signals at any moment, a temporary directory or standard output that cannot be
written, a time limit that makes no sense, and children that crash or never answer."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import GitRepo, clean_env, model_source, models_repo, schemadiff, wait_for

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


# --- What the models start, and how the import ends ------------------------------------------

MARK = "sdlifecycle"
"""The name (``/proc/PID/comm``) of the processes the models below start, so a test can find
them wherever the sandbox lets them write."""

NAMED = f"""
import ctypes
import os
import time


def named_sleeper():
    ctypes.CDLL(None).prctl(15, b"{MARK}")  # PR_SET_NAME
    time.sleep(600)
    os._exit(0)
"""

DAEMON = (
    NAMED
    + f"""
ready, told = os.pipe()
if os.fork() == 0:
    os.setsid()  # a daemon: out of the child's process group and session
    if os.fork() == 0:
        ctypes.CDLL(None).prctl(15, b"{MARK}")
        os.write(told, b"x")
        time.sleep(600)
    os._exit(0)
os.wait()
os.read(ready, 1)  # it runs, and has its name
"""
)


def marked() -> list[int]:
    """The live processes the models started (zombies are gone: only their entry is left)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if not proc.name.isdigit() or (proc / "comm").read_text().strip() != MARK:
                continue
            if (proc / "stat").read_text().rpartition(")")[2].split()[0] not in "ZX":
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def private_tmp(tmp_path: Path) -> Path:
    """A TMPDIR of the test's own, to see what schemadiff leaves in it."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    return tmp


def background(repo: GitRepo, tmp: Path) -> subprocess.Popen[str]:
    """``schemadiff HEAD~1..HEAD`` running, with ``tmp`` as its TMPDIR."""
    return subprocess.Popen(
        [sys.executable, "-m", "schemadiff", "HEAD~1..HEAD", "--no-cache"],
        cwd=repo.path,
        env=clean_env(TMPDIR=str(tmp)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def no_strays() -> Iterator[None]:
    """Whatever a test leaves behind is killed, so a failure does not leak sleepers."""
    yield
    for pid in marked():
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc, prctl")


@linux
def test_a_daemon_the_models_start_is_gone_when_schemadiff_exits(
    committed: GitRepo, tmp_path: Path, no_strays: None
) -> None:
    models_repo(committed, GOOD + DAEMON).commit("starts a daemon")
    tmp = private_tmp(tmp_path)
    run = schemadiff(
        "HEAD~1..HEAD", "--no-cache", cwd=committed.path, env=clean_env(TMPDIR=str(tmp))
    )
    assert run.code == 0, run.err
    assert run.err == "No schema changes between HEAD~1 and HEAD.\n"
    assert wait_for(lambda: not marked(), 10), "the daemon outlived schemadiff"
    assert list(tmp.iterdir()) == []


@linux
def test_kill_9_takes_the_daemon_and_the_temporary_directory_along(
    committed: GitRepo, tmp_path: Path, no_strays: None
) -> None:
    models_repo(committed, GOOD + DAEMON + "time.sleep(600)\n").commit("daemon, then hangs")
    tmp = private_tmp(tmp_path)
    process = background(committed, tmp)
    try:
        assert wait_for(marked, 60), "the models never started their daemon"
    finally:
        process.kill()
        process.wait()
    assert wait_for(lambda: not marked(), 10), "the daemon outlived schemadiff"
    assert wait_for(lambda: list(tmp.iterdir()) == [], 10), list(tmp.iterdir())


@linux
@pytest.mark.parametrize(
    ("then", "code", "said"),
    [
        ("", 0, "No schema changes between HEAD~1 and HEAD.\n"),
        (
            "os._exit(3)\n",
            2,
            "schemadiff: error: The model import at HEAD exited with status 3 before it "
            "answered: something it imports ended the process (os._exit(), or exit() in C). "
            "Run with --debug to see its whole output.\n",
        ),
    ],
    ids=["after-the-answer", "after-the-child-died"],
)
def test_a_process_holding_the_socket_is_not_a_timeout(
    committed: GitRepo, no_strays: None, then: str, code: int, said: str
) -> None:
    # Forked without exec: it holds the child's socket open until it is killed, whether the
    # child goes on to answer or ends without one.
    source = GOOD + NAMED + "if os.fork() == 0:\n    named_sleeper()\n" + then
    models_repo(committed, source).commit("a child that sleeps")
    run = schemadiff("HEAD~1..HEAD", "--no-cache", "--timeout", "30", cwd=committed.path)
    assert (run.code, run.out, run.err) == (code, "", said)
    assert wait_for(lambda: not marked(), 10)


RAISING_REPR = """

class Money(sa.types.TypeDecorator):
    impl = sa.Integer
    cache_ok = True

    def __repr__(self):
        raise RuntimeError("no repr for you")


class Account(Base):
    __tablename__ = "account"
    id: Mapped[int] = mapped_column(primary_key=True)
    balance = sa.Column(Money())
"""


def failed(repo: GitRepo, source: str, *args: str) -> str:
    """What ``schemadiff HEAD~1..HEAD`` says on stderr once ``source`` is committed as the
    models: it must fail with exit 2 and print nothing on stdout."""
    models_repo(repo, source).commit("fails")
    run = schemadiff("HEAD~1..HEAD", "--no-cache", *args, cwd=repo.path)
    assert (run.code, run.out) == (2, ""), run.err
    return run.err


def line_of(source: str, text: str) -> int:
    """The line number of ``text`` in ``source`` (the first line is 1)."""
    return source.splitlines().index(text) + 1


def test_a_type_whose_repr_raises_is_named_with_its_line(committed: GitRepo) -> None:
    line = line_of(GOOD + RAISING_REPR, '        raise RuntimeError("no repr for you")')
    assert failed(committed, GOOD + RAISING_REPR) == (
        f"schemadiff: error: Reading the models at HEAD failed (app/models.py:{line}): "
        "RuntimeError: no repr for you\n"
        "  Your code raised it while schemadiff read the MetaData it built (a type's __repr__, "
        "a default); run with --debug to see the traceback.\n"
    )
    debug = schemadiff("HEAD~1..HEAD", "--no-cache", "--debug", cwd=committed.path)
    assert debug.code == 2
    shown = debug.err.partition("--- output of the model import ---")[2]
    assert f'app/models.py", line {line}, in __repr__' in shown
    assert "RuntimeError: no repr for you" in shown


def test_a_segfault_is_named_with_its_line(committed: GitRepo) -> None:
    source = GOOD + "\nimport ctypes\nctypes.string_at(0)\n"
    line = line_of(source, "ctypes.string_at(0)")
    assert failed(committed, source) == (
        "schemadiff: error: The model import at HEAD crashed with SIGSEGV "
        f"(app/models.py:{line}).\n"
        "  Code it runs in C (an extension module, ctypes) failed; run with --debug to see the "
        "Python stack.\n"
    )
    debug = schemadiff("HEAD~1..HEAD", "--no-cache", "--debug", cwd=committed.path)
    assert "Fatal Python error: Segmentation fault" in debug.err


C_STACK_OVERFLOW = """
import sys

sys.setrecursionlimit(10**6)


class Deep:
    def __getattr__(self, name):
        return getattr(self, name)


Deep().anything
"""


def test_a_c_stack_overflow_is_named_a_recursion(committed: GitRepo) -> None:
    line = line_of(GOOD + C_STACK_OVERFLOW, "        return getattr(self, name)")
    assert failed(committed, GOOD + C_STACK_OVERFLOW, "--timeout", "30") == (
        f"schemadiff: error: The model import at HEAD crashed with SIGSEGV (app/models.py:{line}): "
        "a recursion that does not end overflowed the C stack.\n"
        "  Look for a call that calls itself without end; run with --debug to see the Python "
        "stack.\n"
    )


def test_a_recursion_error_is_named_with_its_advice(committed: GitRepo) -> None:
    source = GOOD + "\n\ndef down(n):\n    return down(n + 1)\n\n\ndown(0)\n"
    line = line_of(source, "    return down(n + 1)")
    assert failed(committed, source) == (
        f"schemadiff: error: Importing the models at HEAD failed (app/models.py:{line}): "
        "RecursionError: maximum recursion depth exceeded\n"
        "  A call there recurses without end; run with --debug to see the traceback.\n"
    )


# --- Signals ---------------------------------------------------------------------------------

# Files in the sandbox server's own directory (above the load's working directory), which only
# the clean-up at exit removes: it takes long enough for a signal to land in it.
SLOW_TO_CLEAN = """
from pathlib import Path

junk = Path.cwd().parent.parent / "junk"
junk.mkdir()
for n in range(40000):
    (junk / str(n)).touch()
"""


@linux
@pytest.mark.parametrize(
    ("signum", "code", "said"),
    [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")],
)
def test_a_signal_during_the_clean_up_at_exit(
    committed: GitRepo, tmp_path: Path, signum: int, code: int, said: str
) -> None:
    # The model writes above its own tree, which confinement refuses: the sandbox is off.
    models_repo(committed, GOOD + SLOW_TO_CLEAN)
    with (committed.path / "pyproject.toml").open("a") as pyproject:
        pyproject.write('sandbox = "off"\n')
    committed.commit("slow to clean up")
    tmp = private_tmp(tmp_path)
    process = background(committed, tmp)
    assert process.stderr is not None
    assert process.stderr.readline() == "No schema changes between HEAD~1 and HEAD.\n"
    process.send_signal(signum)  # the work is done: this lands in the clean-up
    out, err = process.communicate(timeout=60)
    # Or, when the clean-up was over before the signal came, death by it: a shell says `code`.
    assert (process.returncode, out, err) in (
        (code, "", f"schemadiff: {said}\n"),
        (-signum, "", ""),
    )
    assert list(tmp.iterdir()) == []


@linux
def test_sigterm_while_importing(committed: GitRepo, tmp_path: Path) -> None:
    models_repo(committed, GOOD + "import time\ntime.sleep(600)\n").commit("hangs")
    tmp = private_tmp(tmp_path)
    process = background(committed, tmp)
    assert wait_for(lambda: any(tmp.glob("schemadiff-*/*/cwd")), 60)
    time.sleep(1)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out, err) == (143, "", "schemadiff: terminated\n")
    assert list(tmp.iterdir()) == []


# --- The temporary directory -----------------------------------------------------------------


def mounted(directory: Path, request: pytest.FixtureRequest, options: str) -> Path:
    """A tmpfs at ``directory`` (root ignores permissions, not a read-only or full mount),
    unmounted when the test ends."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    directory.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(directory)], check=True)
    request.addfinalizer(lambda: subprocess.run(["umount", "-l", str(directory)], check=False))
    return directory


def changed(repo: GitRepo) -> GitRepo:
    """A second commit with a large file under the roots, so that both sides need importing and
    the tree takes more than a few blocks."""
    models_repo(repo, GOOD + "\n# " + "x" * 200_000 + "\n").commit("large")
    return repo


@pytest.mark.parametrize(
    ("options", "cause", "advice"),
    [
        ("ro,size=1m", "Read-only file system", "Point TMPDIR at a directory that can be written."),
        (
            "size=64k",
            "No space left on device",
            "Free some space there, or point TMPDIR at a directory with room.",
        ),
    ],
)
def test_a_temporary_directory_that_cannot_be_written(
    committed: GitRepo,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    options: str,
    cause: str,
    advice: str,
) -> None:
    tmp = mounted(tmp_path / "tmp", request, options)
    assert refusal(changed(committed), tmp) == f"{cause}. {advice}\n"
    assert list(tmp.iterdir()) == []


def test_a_temporary_directory_that_does_not_exist(committed: GitRepo, tmp_path: Path) -> None:
    assert refusal(changed(committed), tmp_path / "nowhere") == (
        "No such file or directory. Create it, or point TMPDIR at a directory that exists.\n"
    )


def refusal(repo: GitRepo, tmp: Path) -> str:
    """What follows the path, when a diff with ``tmp`` as TMPDIR is refused as it must be."""
    run = schemadiff("HEAD~1..HEAD", "--no-cache", cwd=repo.path, env=clean_env(TMPDIR=str(tmp)))
    assert (run.code, run.out) == (2, "")
    said = "schemadiff: error: Cannot write the import sandbox's files in the temporary directory "
    assert run.err.startswith(f"{said}{tmp} (TMPDIR): "), run.err
    return run.err.removeprefix(f"{said}{tmp} (TMPDIR): ")


# --- Standard output -------------------------------------------------------------------------

MANY = GOOD + "".join(
    f"\n\nclass T{n}(Base):\n    __tablename__ = 't{n}'\n"
    "    id: Mapped[int] = mapped_column(primary_key=True)\n"
    for n in range(60)
)
"""Models whose snapshot is larger than a pipe's or a stream's buffer."""


def to_stdout(repo: GitRepo, *args: str, closed: bool) -> subprocess.CompletedProcess[str]:
    """schemadiff with its standard output on /dev/full, or closed (``>&-``)."""
    with open("/dev/full", "w") as full:
        return subprocess.run(
            [sys.executable, "-m", "schemadiff", *args],
            cwd=repo.path,
            env=clean_env(),
            stdout=full,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            timeout=120,
            preexec_fn=(lambda: os.close(1)) if closed else None,
        )


FULL = (
    "schemadiff: error: Cannot write to standard output (/dev/full): No space left on device. "
    "Free some space, or send the output elsewhere.\n"
)
CLOSED = (
    "schemadiff: error: Cannot write to standard output: it is closed (or not open for "
    "writing), so the output would be lost. Send it to a terminal, a file or a pipe.\n"
)


@linux
@pytest.mark.parametrize("args", [("HEAD~1..HEAD",), ("snapshot",), ("HEAD~1..HEAD", "-f", "json")])
@pytest.mark.parametrize(("closed", "said"), [(False, FULL), (True, CLOSED)])
def test_output_that_cannot_be_written_is_never_a_success(
    committed: GitRepo, args: tuple[str, ...], closed: bool, said: str
) -> None:
    models_repo(committed, MANY).commit("many tables")
    run = to_stdout(committed, *args, "--no-cache", closed=closed)
    assert (run.returncode, run.stderr) == (2, said)


@linux
def test_a_command_that_prints_nothing_does_not_need_stdout(committed: GitRepo) -> None:
    run = to_stdout(committed, "HEAD", "--no-cache", closed=True)
    assert (run.returncode, run.stderr) == (
        0,
        "No schema changes between HEAD and the working tree.\n",
    )
