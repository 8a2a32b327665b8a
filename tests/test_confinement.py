"""Hostile models against the confined sandbox (Landlock, limits, --sandbox=strict).

Each model does one thing a pull request from a stranger could try at import time. The run
must stop with exit 2 and a message naming what was refused, and nothing outside the sandbox
may change. Landlock applies to root too, so these hold when the tests run as root.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GitRepo, clean_env, model_source, models_repo, schemadiff

MODELS = model_source(
    """
    class User(Base):
        __tablename__ = "user"
        id: Mapped[int] = mapped_column(primary_key=True)
    """
)
ADVICE = "  Add it to sandbox-read under [tool.schemadiff], or run with --sandbox=off."


def hostile(repo: GitRepo, prelude: str, pyproject_extra: str = "") -> GitRepo:
    """A commit of harmless models, then a working tree whose models run ``prelude`` first."""
    models_repo(repo, MODELS).commit("models")
    repo.write("app/models.py", prelude + "\n" + MODELS)
    if pyproject_extra:
        text = (repo.path / "pyproject.toml").read_text()
        (repo.path / "pyproject.toml").write_text(text + pyproject_extra)
    return repo


def run(repo: GitRepo, *args: str, **env: str):  # type: ignore[no-untyped-def]
    return schemadiff("--no-cache", *args, cwd=repo.path, env=clean_env(**env))


def lines(err: str) -> list[str]:
    return err.rstrip("\n").splitlines()


def refused(line: int, what: str) -> list[str]:
    """The two lines of a refused file access at app/models.py:``line``."""
    return [
        "schemadiff: error: Importing the models at the working tree failed "
        f"(app/models.py:{line}): the sandbox refused access to {what}",
        ADVICE,
    ]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """The user's HOME, with a private key in it."""
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n")
    return home


def test_reading_a_private_key_in_home_is_refused(repo: GitRepo, home: Path) -> None:
    key = home / ".ssh" / "id_rsa"
    hostile(repo, f"stolen = open({str(key)!r}).read()")
    result = run(repo, HOME=str(home))
    assert result.code == 2, result.err
    assert lines(result.err) == refused(1, str(key))


def test_reading_a_file_of_the_repository_outside_the_roots_is_refused(repo: GitRepo) -> None:
    repo.write("secrets/token.txt", "t0ken\n")
    target = repo.path / "secrets" / "token.txt"
    hostile(repo, f"token = open({str(target)!r}).read()")
    result = run(repo)
    assert result.code == 2, result.err
    assert lines(result.err) == refused(1, str(target))


@pytest.mark.parametrize("where", ["home", "repository"])
def test_writing_to_home_and_to_the_repository_is_refused(
    repo: GitRepo, home: Path, where: str
) -> None:
    target = home / "planted" if where == "home" else repo.path / "app" / "planted.py"
    hostile(repo, f"open({str(target)!r}, 'w').write('x')")
    before = repo.state()
    result = run(repo, HOME=str(home))
    assert result.code == 2, result.err
    assert lines(result.err) == refused(1, str(target))
    assert not target.exists()
    assert repo.state() == before
    assert sorted(p.name for p in home.iterdir()) == [".ssh"]


def test_a_tcp_connection_to_localhost_is_refused(repo: GitRepo) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    accepted: list[socket.socket] = []
    listener.settimeout(10)

    def accept() -> None:
        with contextlib.suppress(OSError):
            accepted.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        hostile(repo, f"import socket\nsocket.create_connection(('127.0.0.1', {port}))")
        result = run(repo)
    finally:
        listener.close()
        thread.join()
    assert result.code == 2, result.err
    assert lines(result.err) == [
        "schemadiff: error: Importing the models at the working tree failed (app/models.py:2): "
        "the sandbox refused a network socket (TCP, UDP or Unix)",
        "  Models must not use the network at import; run with --sandbox=off if yours must.",
    ]
    assert accepted == []


def test_a_unix_socket_reached_by_path_is_refused(repo: GitRepo, tmp_path: Path) -> None:
    """Landlock leaves these open: a Docker socket would hand out the machine."""
    path = tmp_path / "docker.sock"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.listen()
    try:
        prelude = f"import socket\nsocket.socket(socket.AF_UNIX).connect({str(path)!r})"
        hostile(repo, prelude)
        result = run(repo)
    finally:
        listener.close()
    assert result.code == 2, result.err
    assert lines(result.err)[0].endswith(
        "(app/models.py:2): the sandbox refused a network socket (TCP, UDP or Unix)"
    )


def test_a_forked_daemon_stays_confined(repo: GitRepo, tmp_path: Path, home: Path) -> None:
    """The daemon outlives the import (ending it is another matter); it stays confined."""
    witness = tmp_path / "witness"
    key = home / ".ssh" / "id_rsa"
    daemon = f"""
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(0.5)
        try:
            data = open({str(key)!r}).read()
        except OSError as exc:
            data = "refused: " + type(exc).__name__
        try:
            open({str(witness)!r}, "w").write(data)
        except OSError:
            pass
        os._exit(0)
    os._exit(0)
"""
    hostile(repo, daemon)
    result = run(repo, HOME=str(home))
    assert result.code == 0, result.err
    time.sleep(1.5)
    assert not witness.exists()


@pytest.mark.parametrize(
    ("prelude", "key", "said"),
    [
        (
            "hoard = []\nwhile True:\n    hoard.append(bytearray(64 << 20))",
            "memory-limit = 512\n",
            [
                "(app/models.py:3): the import ran out of its 512 MiB of address space "
                "(MemoryError)",
                "  Raise memory-limit (MiB) under [tool.schemadiff], or run with --sandbox=off.",
            ],
        ),
        (
            "while True:\n    pass",
            "cpu-limit = 1\n",
            [
                "(app/models.py:1): the import used more than 1 s of CPU time and was stopped",
                "  Raise cpu-limit under [tool.schemadiff], or run with --sandbox=off.",
            ],
        ),
    ],
    ids=["allocating-without-end", "spinning"],
)
def test_a_limit_stops_the_import(repo: GitRepo, prelude: str, key: str, said: list[str]) -> None:
    hostile(repo, prelude, key)
    result = run(repo)
    assert result.code == 2, result.err
    first, advice = said
    assert lines(result.err) == [
        f"schemadiff: error: Importing the models at the working tree failed {first}",
        advice,
    ]


SECRET_TABLE = model_source(
    """
    import os

    class Leak(Base):
        __tablename__ = os.environ.get("CI_SECRET", "none") + "_" + os.environ.get("PWD", "nopwd")
        id: Mapped[int] = mapped_column(primary_key=True)
    """
)


def test_strict_hides_secrets_of_the_environment(repo: GitRepo) -> None:
    models_repo(repo, MODELS).commit("models")
    repo.write("app/models.py", SECRET_TABLE)
    result = run(repo, "--sandbox=strict", "-f", "json", CI_SECRET="hunter2", PWD=str(repo.path))
    assert result.code == 0, result.err
    assert "hunter2" not in result.out
    assert '"none_nopwd"' in result.out
    assert "Leak" not in result.out or "hunter2" not in result.out
    default = run(repo, "-f", "json", CI_SECRET="hunter2")
    assert "hunter2_" in default.out  # without strict, the environment is passed as before


def test_strict_wipes_the_inherited_environment_block(repo: GitRepo, tmp_path: Path) -> None:
    hostile(
        repo,
        "import os\nblock = open('/proc/self/environ', 'rb').read()\n"
        "assert b'hunter2' not in block, 'leaked'\n"
        "assert 'hunter2' not in repr(__import__('posix').environ), 'leaked posix'\n"
        "assert os.environ['HOME'].endswith('/home'), os.environ.get('HOME')\n"
        "assert os.environ['TMPDIR'].endswith('/tmp'), os.environ.get('TMPDIR')\n"
        "open(os.path.join(os.environ['TMPDIR'], 'scratch'), 'w').write('ok')",
    )
    assert run(repo, "--sandbox=strict", CI_SECRET="hunter2").code == 0
    leaked = run(repo, CI_SECRET="hunter2")
    assert leaked.code == 2
    assert "AssertionError: leaked" in leaked.err


def test_strict_names_a_variable_that_is_not_passed(repo: GitRepo) -> None:
    hostile(repo, "import os\ntoken = os.environ['CI_SECRET']")
    result = run(repo, "--sandbox=strict", CI_SECRET="hunter2")
    assert result.code == 2, result.err
    assert lines(result.err) == [
        "schemadiff: error: Importing the models at the working tree failed (app/models.py:2): "
        "the variable 'CI_SECRET' is not passed to the models under --sandbox=strict",
        "  Set it under [tool.schemadiff.env] if the models need it.",
    ]
    allowed = '[tool.schemadiff.env]\nCI_SECRET = "given"\n'
    (repo.path / "pyproject.toml").write_text((repo.path / "pyproject.toml").read_text() + allowed)
    assert run(repo, "--sandbox=strict", CI_SECRET="hunter2").code == 0


def test_sandbox_read_lets_the_models_read_an_allowed_file(repo: GitRepo, tmp_path: Path) -> None:
    data = tmp_path / "shared" / "columns.txt"
    data.parent.mkdir()
    data.write_text("nickname\n")
    prelude = f"EXTRA = open({str(data)!r}).read().strip()"
    hostile(repo, prelude)
    assert run(repo).code == 2
    (repo.path / "pyproject.toml").write_text(
        (repo.path / "pyproject.toml").read_text() + f"sandbox-read = [{str(data.parent)!r}]\n"
    )
    result = run(repo)
    assert result.code == 0, result.err


def test_sandbox_off_behaves_as_before(repo: GitRepo, home: Path, tmp_path: Path) -> None:
    key = home / ".ssh" / "id_rsa"
    target = tmp_path / "written"
    hostile(repo, f"open({str(target)!r}, 'w').write(open({str(key)!r}).read())")
    result = run(repo, "--sandbox=off", HOME=str(home))
    assert result.code == 0, result.err
    assert target.read_text() == key.read_text()


def test_autoload_from_a_database_needs_sandbox_off(repo: GitRepo, tmp_path: Path) -> None:
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'live.db'}"
    assert_autoload_needs_sandbox_off(repo, sa.create_engine(url), url)


def assert_autoload_needs_sandbox_off(repo: GitRepo, engine: Any, url: str) -> None:
    """A model reflecting the table ``legacy`` of ``url`` (made here) at import."""
    import sqlalchemy as sa

    with engine.begin() as connection:
        connection.execute(sa.text("create table if not exists legacy (id integer primary key)"))
    engine.dispose()
    prelude = (
        "import sqlalchemy as sa\n"
        f"engine = sa.create_engine({url!r})\n"
        "legacy = sa.Table('legacy', sa.MetaData(), autoload_with=engine)"
    )
    hostile(repo, prelude)
    result = run(repo)
    assert result.code == 2, result.err
    first, second = lines(result.err)
    assert first.startswith(
        "schemadiff: error: Importing the models at the working tree failed (app/models.py:3): "
        "the sandbox refused the database connection of a reflected table ("
    )
    assert second == (
        "  A Table with autoload_with=engine reads a database at import: that needs --sandbox=off."
    )
    assert run(repo, "--sandbox=off").code == 0


def test_an_unknown_sandbox_mode_is_refused(repo: GitRepo) -> None:
    hostile(repo, "")
    result = run(repo, "--sandbox=loose")
    assert result.code == 2
    assert lines(result.err) == [
        "schemadiff: error: --sandbox: sandbox must be one of default, strict, off, not 'loose'."
    ]


def test_under_strict_the_code_under_review_cannot_loosen_its_confinement(
    repo: GitRepo, home: Path
) -> None:
    """A fork's pull request writes its own pyproject.toml: under --sandbox=strict its
    sandbox, sandbox-read and limit keys do not count; the command line's do."""
    key = home / ".ssh" / "id_rsa"
    loosened = 'sandbox = "off"\nsandbox-read = ["/"]\ncpu-limit = 100000\n'
    hostile(repo, f"stolen = open({str(key)!r}).read()", loosened)
    result = run(repo, "--sandbox=strict", HOME=str(home))
    assert result.code == 2, result.err
    assert lines(result.err) == refused(1, str(key))
    allowed = run(repo, "--sandbox=strict", "--sandbox-read", str(key), HOME=str(home))
    assert allowed.code == 0, allowed.err
    assert run(repo, HOME=str(home)).code == 0  # without strict, the file's keys apply


@pytest.mark.postgres
def test_autoload_from_postgresql_needs_sandbox_off(repo: GitRepo, postgres_url: str) -> None:
    import sqlalchemy as sa

    assert_autoload_needs_sandbox_off(repo, sa.create_engine(postgres_url), postgres_url)


NO_LANDLOCK = """
import errno, os, sys
from schemadiff import confine
# The kernel's own answer where Landlock is absent: ENOSYS (seccomp survives the exec).
confine.refuse_syscalls({n: errno.ENOSYS for n in (444, 445, 446)})
os.execv(sys.executable, [sys.executable, "-m", "schemadiff", *sys.argv[1:]])
"""


def without_landlock(repo: GitRepo, *args: str, **env: str):  # type: ignore[no-untyped-def]
    """schemadiff on a kernel that says it has no Landlock."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", NO_LANDLOCK, "--no-cache", *args],
        cwd=repo.path,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout, done.stderr


def test_without_landlock_default_says_so_once_and_goes_on(repo: GitRepo, home: Path) -> None:
    key = home / ".ssh" / "id_rsa"
    hostile(repo, f"stolen = open({str(key)!r}).read()")
    code, _, err = without_landlock(repo, "HEAD", HOME=str(home))
    assert code == 0, err
    assert lines(err) == [
        "note: this kernel has no Landlock: the model import is not confined (files and network "
        "are open to it). Use --sandbox=strict to make that an error.",
        "No schema changes between HEAD and the working tree.",
    ]


def test_without_landlock_strict_is_an_error(repo: GitRepo) -> None:
    hostile(repo, "")
    code, out, err = without_landlock(repo, "--sandbox=strict")
    assert (code, out) == (2, "")
    assert lines(err) == [
        "schemadiff: error: This kernel has no Landlock (Linux 5.13+ with landlock in its lsm= "
        "list), so --sandbox=strict cannot confine the model import. Run on a runner whose "
        "kernel has it, or use --sandbox=default to import unconfined."
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            'sandbox = "none"',
            "sandbox must be one of default, strict, off, not 'none'.",
        ),
        ('sandbox-read = "/data"', "sandbox-read must be a list of strings, not '/data'."),
        ("memory-limit = 10", "memory-limit must be a whole number of MiB, at least 64, not 10."),
        ("cpu-limit = 0", "cpu-limit must be a positive number of seconds, not 0."),
    ],
)
def test_bad_confinement_keys_are_refused(repo: GitRepo, line: str, message: str) -> None:
    hostile(repo, "", line + "\n")
    result = run(repo)
    assert result.code == 2
    assert lines(result.err) == [
        f"schemadiff: error: pyproject.toml at the working tree: {message}"
    ]


@pytest.mark.parametrize(
    ("expression", "shown"),
    [
        ("'/proc/self/root' + KEY", "/proc/self/root{key}"),  # a magic link out of /proc/self
        ("'/proc/%d/environ' % os.getppid()", None),  # the fork server's environment
    ],
)
def test_proc_is_no_way_around(repo: GitRepo, home: Path, expression: str, shown: str) -> None:
    key = home / ".ssh" / "id_rsa"
    hostile(repo, f"import os\nKEY = {str(key)!r}\nopen({expression}, 'rb').read()")
    result = run(repo, HOME=str(home))
    assert result.code == 2, result.err
    first = lines(result.err)[0]
    assert "(app/models.py:3): the sandbox refused access to /proc/" in first
    if shown:
        assert first.endswith(shown.format(key=key))


def test_a_pythonpath_around_home_does_not_open_it(repo: GitRepo, home: Path) -> None:
    """sys.path entries are readable, but not one that holds the whole home (or the repository)."""
    import pwd

    real_home = pwd.getpwuid(os.getuid()).pw_dir
    secret = Path(real_home) / ".schemadiff-test-secret"
    secret.write_text("s3cret\n")
    try:
        hostile(repo, f"open({str(secret)!r}).read()")
        result = run(repo, PYTHONPATH=f"{real_home}:{repo.path.parent}")
    finally:
        secret.unlink()
    assert result.code == 2, result.err
    assert lines(result.err) == refused(1, str(secret))


# --- what the model could turn against the parent -----------------------------------------


def test_the_output_file_swapped_for_a_link_is_not_read(repo: GitRepo, tmp_path: Path) -> None:
    """The child may replace the file its output goes to; schemadiff's own process, which
    reads it to quote the last line, must not follow a link to a secret."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN=hunter2\n")
    hostile(
        repo,
        "import os\n"
        "out = os.path.join(os.environ['TMPDIR'], '..', 'output')\n"
        f"os.unlink(out); os.symlink({str(secret)!r}, out); os._exit(1)",
    )
    result = run(repo, "--sandbox=strict")
    assert result.code == 2
    assert "hunter2" not in result.err
    assert lines(result.err)[0].startswith(
        "schemadiff: error: The model import at the working tree exited with status 1"
    )


def test_the_output_file_swapped_for_a_fifo_does_not_hang(repo: GitRepo) -> None:
    hostile(
        repo,
        "import os\n"
        "out = os.path.join(os.environ['TMPDIR'], '..', 'output')\n"
        "os.unlink(out); os.mkfifo(out); os._exit(1)",
    )
    result = run(repo, "--timeout", "20")
    assert result.code == 2
    assert "exited with status 1" in result.err


def test_io_uring_is_refused_as_absent(repo: GitRepo) -> None:
    """io_uring makes sockets without socket(2): it answers as a kernel without it (ENOSYS)."""
    hostile(
        repo,
        "import ctypes\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "params = ctypes.create_string_buffer(120)\n"
        "got = libc.syscall(425, 1, params)\n"
        "TABLE = f'uring_{ctypes.get_errno() if got < 0 else 0}'",
    )
    text = (repo.path / "app" / "models.py").read_text()
    (repo.path / "app" / "models.py").write_text(text.replace('"user"', "TABLE"))
    result = run(repo, "-f", "json")
    assert result.code == 0, result.err
    assert '"uring_38"' in result.out  # ENOSYS


def test_a_hard_memory_limit_of_the_environment_is_kept(repo: GitRepo) -> None:
    """A CI runner's ``ulimit -v`` is a hard limit: confinement stays below it, no exit 3."""
    models_repo(repo, MODELS).commit("models")
    result = subprocess.run(
        [
            "bash",
            "-c",
            'ulimit -v 3000000 && exec "$0" -m schemadiff --no-cache HEAD',
            sys.executable,
        ],
        cwd=repo.path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode, result.stderr) == (
        0,
        "No schema changes between HEAD and the working tree.\n",
    )
