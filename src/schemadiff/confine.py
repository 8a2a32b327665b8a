"""Confinement of the sandbox child: Landlock, resource limits and (strict) a clean environment.

The child calls ``enter()`` after it has its private directory and before it imports any of
the user's code. From then on, in that process and in every process it starts:

- files: read (and execute) only the interpreter, its libraries and site-packages, the few
  system files Python needs, what ``sandbox-read`` names; read and write only the child's
  own directory (its tree, home, working directory and temp directory);
- network (Landlock ABI 4+): no TCP connect, no TCP bind;
- (ABI 6+) no signal to, and no abstract Unix socket of, a process outside the sandbox;
- address space and CPU time limited (``memory-limit``, ``cpu-limit``);
- strict: the environment is an allow-list, and the inherited one is wiped from memory.

Landlock needs no privilege and is best effort by design: rights that the kernel's ABI does
not know are masked out, as the kernel documentation's sample does. Nothing here is used by
the parent but ``Confinement``, ``available()`` and the mode names.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import posix
import pwd
import re
import resource
import signal
import socket
import sys
import sysconfig
import tempfile
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, Literal

MODES = ("default", "strict", "off")
DEFAULT_MODE = "default"
DEFAULT_MEMORY_LIMIT = 4096
"""MiB of address space: far above what a large model import maps (about 300 MiB)."""
DEFAULT_CPU_LIMIT = 30.0
"""Seconds of CPU time: below the default --timeout, so a spin is named as such."""

# x86_64 and aarch64 share the generic syscall numbers for Landlock.
_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH, _RULE_NET_PORT = 1, 2
_PR_SET_NO_NEW_PRIVS = 38

_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_FS_ABI1 = (1 << 13) - 1  # execute .. make_sym
_REFER, _TRUNCATE, _IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1
_SCOPE_ABSTRACT_UNIX, _SCOPE_SIGNAL = 1 << 0, 1 << 1
_FILE_RIGHTS = _EXECUTE | _WRITE_FILE | _READ_FILE | _TRUNCATE | _IOCTL_DEV
_READ = _EXECUTE | _READ_FILE | _READ_DIR

_SYSTEM_READ = (
    "/usr",
    "/lib",
    "/lib64",
    "/lib32",
    "/libx32",
    "/bin",
    "/etc/ssl",
    "/etc/ca-certificates",
    "/etc/pki",
    "/etc/localtime",
    "/etc/timezone",
    "/etc/passwd",
    "/etc/group",
    "/etc/nsswitch.conf",
    "/etc/ld.so.cache",
    "/etc/mime.types",
    "/dev/urandom",
    "/dev/random",
    "/dev/zero",
    "/proc/self",
    "/proc/cpuinfo",
    "/proc/meminfo",
    "/sys/devices/system/cpu",
)
"""What Python, its ssl and time zones read; ``/proc/self`` is this process's own; the CPU
and memory figures are what glibc and numerical libraries size their threads by."""

_STRICT_ENV = re.compile(
    r"PATH|LANG|LANGUAGE|LC_[A-Z]+|TZ|TERM|PYTHONHASHSEED|PYTHONIOENCODING|PYTHONUTF8"
    r"|PYTHONDONTWRITEBYTECODE|VIRTUAL_ENV"
)
"""The variables strict mode keeps: what Python needs, none of them a credential."""


@dataclass(frozen=True, slots=True)
class Confinement:
    """How a child is confined: part of the sandbox request."""

    mode: str = DEFAULT_MODE
    read: tuple[str, ...] = ()
    """Absolute paths the models may read (``sandbox-read``)."""
    memory_mib: int = DEFAULT_MEMORY_LIMIT
    cpu_seconds: float = DEFAULT_CPU_LIMIT

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "read": list(self.read),
            "memory_mib": self.memory_mib,
            "cpu_seconds": self.cpu_seconds,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Confinement:
        if data is None:
            return cls()
        return cls(data["mode"], tuple(data["read"]), data["memory_mib"], data["cpu_seconds"])


class ConfinementError(Exception):
    """The confinement asked for cannot be applied (strict mode on a kernel without it)."""


class CpuLimitExceeded(BaseException):
    """SIGXCPU arrived: the import used up its CPU time (a BaseException, like
    KeyboardInterrupt, so the user's ``except Exception`` does not swallow it)."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """What a failed import was refused, as the parent shows it."""

    kind: Literal["limit", "refused"]
    """A limit reached, or an access refused (``protocol.FailureKind``'s values)."""
    message: str
    advice: str


# --- the Landlock system calls -------------------------------------------------------------


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def available() -> int:
    """The kernel's Landlock ABI version; 0 when it has none (or this is not Linux)."""
    if not sys.platform.startswith("linux"):
        return 0
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    version = libc.syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0), _CREATE_RULESET_VERSION)
    return max(0, int(version))


def _handled(abi: int) -> _RulesetAttr:
    """Every right the kernel's ABI knows: a right not handled would be allowed."""
    fs = _FS_ABI1
    if abi >= 2:
        fs |= _REFER
    if abi >= 3:
        fs |= _TRUNCATE
    if abi >= 5:
        fs |= _IOCTL_DEV
    net = _NET_BIND_TCP | _NET_CONNECT_TCP if abi >= 4 else 0
    scoped = _SCOPE_ABSTRACT_UNIX | _SCOPE_SIGNAL if abi >= 6 else 0
    return _RulesetAttr(fs, net, scoped)


def _attr_size(abi: int) -> int:
    """The ruleset attribute as the kernel's ABI knows it: older kernels refuse a longer one."""
    return 8 if abi < 4 else 16 if abi < 6 else 24


def _check(result: int, what: str) -> int:
    if result < 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")
    return result


def _restrict(abi: int, rules: Iterable[tuple[str, int]]) -> None:
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    handled = _handled(abi)
    ruleset = _check(
        libc.syscall(_SYS_CREATE_RULESET, ctypes.byref(handled), _attr_size(abi), 0),
        "landlock_create_ruleset",
    )
    try:
        for path, access in rules:
            _add_path(libc, ruleset, path, access & handled.handled_access_fs)
        _check(libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
        _check(libc.syscall(_SYS_RESTRICT_SELF, ruleset, 0), "landlock_restrict_self")
    finally:
        os.close(ruleset)


def _add_path(libc: ctypes.CDLL, ruleset: int, path: str, access: int) -> None:
    """Allow ``access`` beneath ``path``; a path that does not exist is skipped."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not os.path.isdir(f"/proc/self/fd/{fd}"):
            access &= _FILE_RIGHTS  # the kernel refuses directory rights on a file
        rule = _PathBeneathAttr(access, fd)
        _check(
            libc.syscall(_SYS_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), 0),
            f"landlock_add_rule({path})",
        )
    finally:
        os.close(fd)


# --- no sockets: seccomp -------------------------------------------------------------------

_AUDIT_ARCH = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}
"""The seccomp architecture and the number of socket(2), where we know them."""
_IO_URING = (425, 426, 427)
"""io_uring_setup, io_uring_enter and io_uring_register: one number on every architecture."""
_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 22, 2
_RET_ALLOW, _RET_ERRNO = 0x7FFF0000, 0x00050000
_X32_BIT = 0x40000000


class _SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(_SockFilter))]


def _forbid_sockets() -> bool:
    """socket(2) fails with EACCES from now on: Landlock leaves UDP, Unix sockets reached by
    path (a Docker socket) and, below ABI 4, TCP open. The socket to the parent exists
    already, and socketpair(2) stays allowed. False where the architecture is not known."""
    socket_nr = _AUDIT_ARCH.get(os.uname().machine, (0, 0))[1]
    # io_uring makes sockets without socket(2) (IORING_OP_SOCKET): it is refused as a kernel
    # without it would (ENOSYS), so that libraries fall back to plain calls.
    uring = dict.fromkeys(_IO_URING, errno.ENOSYS)
    return bool(socket_nr) and refuse_syscalls({socket_nr: errno.EACCES, **uring})


def refuse_syscalls(refused: Mapping[int, int]) -> bool:
    """Make each system call (by number) fail with its errno, in this process and all it
    starts (seccomp survives exec). Calls of another ABI (i386, x32) all fail with EACCES.
    False where the architecture is not known."""
    arch = _AUDIT_ARCH.get(os.uname().machine, (0, 0))[0]
    if not arch:
        return False
    ld_w_abs, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    program = [
        (ld_w_abs, 0, 0, 4),  # seccomp_data.arch
        (jeq, 1, 0, arch),
        (ret, 0, 0, _RET_ERRNO | errno.EACCES),
        (ld_w_abs, 0, 0, 0),  # seccomp_data.nr
        (jge, 0, 1, _X32_BIT),
        (ret, 0, 0, _RET_ERRNO | errno.EACCES),
    ]
    for number, code in refused.items():
        program += [(jeq, 0, 1, number), (ret, 0, 0, _RET_ERRNO | code)]
    program.append((ret, 0, 0, _RET_ALLOW))
    filters = (_SockFilter * len(program))(*(_SockFilter(*i) for i in program))
    fprog = _SockFprog(len(program), filters)
    libc = _libc()
    _check(libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
    _check(
        libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0),
        "prctl(SECCOMP)",
    )
    return True


# --- what the child may touch --------------------------------------------------------------


def _environment_paths(repository: Path) -> list[str]:
    """The interpreter, its libraries, site-packages and schemadiff itself: never the user's
    working tree, even where an editable install put it on ``sys.path``."""
    found = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(sys.executable)}
    found.add(os.path.dirname(os.path.realpath(sys.executable)))
    found.update(v for k, v in sysconfig.get_paths().items() if k in ("stdlib", "platstdlib"))
    found.update(v for k, v in sysconfig.get_paths().items() if k in ("purelib", "platlib"))
    found.add(str(Path(__file__).parent))
    home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    for entry in filter(None, sys.path):
        path = Path(os.path.abspath(entry))
        # A PYTHONPATH of "/", of a home or of a folder around the repository would open them
        # whole; ~/.local's site-packages stays.
        around = repository.is_relative_to(path) or home.is_relative_to(path)
        if not around and not path.is_relative_to(repository):
            found.add(entry)
    return sorted(os.path.abspath(p) for p in found if p)


def _rules(directory: Path, repository: Path, read: Sequence[str]) -> list[tuple[str, int]]:
    everything = (1 << 64) - 1
    rules = [(p, _READ) for p in (*_environment_paths(repository), *_SYSTEM_READ, *read)]
    return [*rules, (str(directory), everything), (os.devnull, _READ_FILE | _WRITE_FILE)]


# --- entering confinement ------------------------------------------------------------------


_ACTIVE: list[Confinement] = []
"""The confinement this child entered, for ``explain()``."""


def enter(confinement: Confinement, directory: Path, repository: Path) -> None:
    """Confine this process (and all it starts) before the user's code runs."""
    if confinement.mode == "off":
        return
    _ACTIVE.append(confinement)
    tmp = directory / "tmp"
    tmp.mkdir(exist_ok=True)
    if confinement.mode == "strict":
        _allow_listed_environment()
    private = str(directory / "home")
    os.environ.update(HOME=private, USERPROFILE=private, TMPDIR=str(tmp))
    tempfile.tempdir = None  # the fork server may have settled on the shared one
    _limit(confinement)
    _forbid_sockets()
    abi = available()
    if abi == 0:
        if confinement.mode == "strict":
            raise ConfinementError(no_landlock("strict"))
        return
    _restrict(abi, _rules(directory, repository, confinement.read))


def _limit(confinement: Confinement) -> None:
    memory = confinement.memory_mib * 1024 * 1024
    _lower(resource.RLIMIT_AS, memory, memory)
    used = resource.getrusage(resource.RUSAGE_SELF)
    seconds = int(used.ru_utime + used.ru_stime + confinement.cpu_seconds + 0.999)
    # The soft limit sends SIGXCPU, which the handler turns into an exception the child
    # reports; the hard limit (a second later) kills a spin in C code that never returns.
    signal.signal(signal.SIGXCPU, _out_of_cpu)
    _lower(resource.RLIMIT_CPU, seconds, seconds + 2)


def _lower(kind: int, soft: int, hard: int) -> None:
    """Set a limit, never above what this process already has (a CI runner's ``ulimit -v``
    is a hard limit we may not raise) nor above what the kernel can hold."""
    _, current = resource.getrlimit(kind)
    ceiling = 1 << 62 if current == resource.RLIM_INFINITY else current
    resource.setrlimit(kind, (min(soft, ceiling), min(hard, ceiling)))


def _out_of_cpu(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGXCPU, signal.SIG_DFL)
    raise CpuLimitExceeded


def _allow_listed_environment() -> None:
    """Only what Python needs and what ``env`` sets (the parent sends that later), with
    the inherited block wiped: ``/proc/self/environ`` and libc's copy show nothing either."""
    kept = {k: v for k, v in os.environ.items() if _STRICT_ENV.fullmatch(k)}
    os.environ.clear()
    posix.environ.clear()
    os.environ.update(kept)
    os.environ.pop("PWD", None)
    os.environ.pop("OLDPWD", None)
    with contextlib.suppress(OSError, ValueError, IndexError):
        fields = Path("/proc/self/stat").read_text().rpartition(")")[2].split()
        start, end = int(fields[47]), int(fields[48])  # env_start, env_end (fields 50, 51)
        ctypes.memset(start, 0, end - start)


def no_landlock(mode: str) -> str:
    """Why this kernel cannot confine the import, and what to do."""
    if mode == "strict":
        return (
            "This kernel has no Landlock (Linux 5.13+ with landlock in its lsm= list), so "
            "--sandbox=strict cannot confine the model import. Run on a runner whose kernel "
            "has it, or use --sandbox=default to import unconfined."
        )
    return (
        "this kernel has no Landlock: the model import is not confined (files and network "
        "are open to it). Use --sandbox=strict to make that an error."
    )


# --- explaining a refusal ------------------------------------------------------------------

_REFLECTING = frozenset({"_autoload", "reflect_table", "reflect"})
"""SQLAlchemy's functions that read a database for ``autoload_with`` and ``MetaData.reflect``."""


def explain(exc: BaseException, message: str) -> Refusal | None:
    """What the confinement refused, when ``exc`` is a refusal (or a limit) it caused."""
    if not _ACTIVE:
        return None
    confinement = _ACTIVE[0]
    if isinstance(exc, CpuLimitExceeded):
        return Refusal(
            "limit",
            f"the import used more than {confinement.cpu_seconds:g} s of CPU time and was stopped",
            "Raise cpu-limit under [tool.schemadiff], or run with --sandbox=off.",
        )
    if isinstance(exc, MemoryError):
        return Refusal(
            "limit",
            f"the import ran out of its {confinement.memory_mib} MiB of address space "
            "(MemoryError)",
            "Raise memory-limit (MiB) under [tool.schemadiff], or run with --sandbox=off.",
        )
    frames = traceback.extract_tb(exc.__traceback__)
    if any("sqlalchemy" in f.filename and f.name in _REFLECTING for f in frames):
        first = (str(exc).strip().splitlines() or [message])[0]
        return Refusal(
            "refused",
            f"the sandbox refused the database connection of a reflected table ({first})",
            "A Table with autoload_with=engine reads a database at import: that needs "
            "--sandbox=off.",
        )
    strict = confinement.mode == "strict"
    if strict and isinstance(exc, KeyError) and frames and _in_os_environ(frames[-1]):
        return Refusal(
            "refused",
            f"the variable {exc} is not passed to the models under --sandbox=strict",
            "Set it under [tool.schemadiff.env] if the models need it.",
        )
    return _refused_access(exc, frames)


def _in_os_environ(frame: traceback.FrameSummary) -> bool:
    """Raised by ``os.environ[...]`` (os is a frozen module: its file is ``<frozen os>``)."""
    return frame.name == "__getitem__" and frame.filename in (os.__file__, "<frozen os>")


def _refused_access(exc: BaseException, frames: traceback.StackSummary) -> Refusal | None:
    if not isinstance(exc, PermissionError) or exc.errno not in (errno.EACCES, errno.EPERM):
        return None
    advice = "Add it to sandbox-read under [tool.schemadiff], or run with --sandbox=off."
    if exc.filename is not None:
        what = f"access to {exc.filename}"
        if exc.filename2 is not None:
            what += f" and {exc.filename2}"
        return Refusal("refused", f"the sandbox refused {what}", advice)
    if any(
        f.filename == socket.__file__ or re.search(r"connect|bind", f.line or "") for f in frames
    ):
        return Refusal(
            "refused",
            "the sandbox refused a network socket (TCP, UDP or Unix)",
            "Models must not use the network at import; run with --sandbox=off if yours must.",
        )
    return Refusal(
        "refused", f"the sandbox refused an access ({exc})", advice.replace("Add it", "Add what")
    )
