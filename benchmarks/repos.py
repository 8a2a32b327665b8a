"""git on the benchmarks' own repositories: run, commit, export a revision or the index as
plain files, and the commits of a ``git fast-import`` stream."""

from __future__ import annotations

import io
import subprocess
import tarfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from benchmarks.harness import BenchError
from testsupport.gitenv import clean_env


def git(repo: Path, *args: str) -> bytes:
    result = subprocess.run(
        ["git", *args], cwd=repo, env=clean_env(), capture_output=True, check=False
    )
    if result.returncode != 0:
        raise BenchError(f"git {' '.join(args)} failed:\n{result.stderr.decode()}")
    return result.stdout


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(
        repo,
        "-c",
        "user.name=bench",
        "-c",
        "user.email=bench@example.com",
        "commit",
        "-q",
        "--no-gpg-sign",
        "-m",
        message,
    )


def export(repo: Path, revision: str, destination: Path) -> Path:
    """A plain checkout of ``revision`` (no .git) in ``destination``."""
    destination.mkdir(parents=True)
    archive = git(repo, "archive", "--format=tar", revision)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(destination, filter="data")
        else:  # Python before the extraction filters
            tar.extractall(destination)
    return destination


def export_index(repo: Path, destination: Path) -> Path:
    """A plain copy of what the index holds (no .git) in ``destination``."""
    destination.mkdir(parents=True)
    git(repo, "checkout-index", "-a", f"--prefix={destination}/")
    return destination


# ---------------------------------------------------------------------------------------
# fast-import streams

LOG_EPOCH = 1_700_000_000
"""The first commit's date; each next one an hour later, so --since and --until can cut."""


def fast_import_data(text: str) -> bytes:
    payload = text.encode()
    return b"data %d\n%s\n" % (len(payload), payload)


def fast_import_commit(
    number: int, message: str, files: Mapping[str, str], deleted: Sequence[str] = ()
) -> bytes:
    """Commit ``number`` (1 for the first) of a fast-import stream on main, changing
    ``files`` and deleting ``deleted``; mark ``:number`` names it."""
    when = LOG_EPOCH + number * 3600
    parts = [
        f"commit refs/heads/main\nmark :{number}\n".encode(),
        f"committer bench <bench@example.com> {when} +0000\n".encode(),
        fast_import_data(message),
    ]
    if number > 1:
        parts.append(b"from :%d\n" % (number - 1))
    for path, text in files.items():
        parts += [f"M 100644 inline {path}\n".encode(), fast_import_data(text)]
    parts += [f"D {path}\n".encode() for path in deleted]
    return b"".join(parts)
