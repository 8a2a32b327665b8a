"""Objects read by id from two long-lived git processes: ``git cat-file --batch`` for their
bytes, ``git cat-file --batch-check`` for what a name (``commit:path``) is."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator, Sequence
from typing import BinaryIO

import git.exc

from schemadiff.errors import GitError
from schemadiff.escape import printable
from schemadiff.gitrefs.process import _Opened

_CHUNK = 200
"""Object ids written to ``git cat-file --batch`` at once, before their answers are read. 200
ids of SHA-256 (13 KB) fit in a pipe's buffer on any system (16 KB on macOS), so our write
never waits while git waits for us to read its answers: no deadlock, and no writer thread."""


class _Objects(_Opened):
    """The two ``git cat-file`` processes, started when first asked."""

    def _objects(self, wanted: Sequence[tuple[str, str]]) -> Iterator[bytes]:
        """The bytes of each (blob, path), in order, from one long-lived ``git cat-file
        --batch`` (GitPython's own reader takes object ids of 40 digits only, so it cannot
        read a SHA-256 repository). The ids go in ``_CHUNK`` at a time: a round trip per
        chunk, not per blob, and one blob in memory at a time. Answers a caller left unread
        are skipped before the next ids are written."""
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            stdout = self._ask([blob for blob, _ in chunk])
            for blob, path in chunk:
                self._unread -= 1
                try:
                    data = _answer(stdout, blob, path)
                except GitError:
                    raise  # its header was read whole: the stream is still in step
                except BaseException:
                    self._stop_cat_file(kill=True)  # half an answer read: out of step
                    raise
                yield data

    def _ask(self, blobs: Sequence[str]) -> BinaryIO:
        """Write ``blobs`` to ``git cat-file --batch``, after reading past the answers a
        caller left unread; its output, where their answers will be."""
        if self._batch is None:
            self._batch = self._repo.git.execute(
                ["git", "cat-file", "--batch"], as_process=True, istream=subprocess.PIPE
            )
            self._unread = 0
        process = self._batch.proc
        assert process is not None and process.stdin is not None and process.stdout is not None
        for _ in range(self._unread):
            header = process.stdout.readline().split()
            if len(header) == 3:
                process.stdout.read(int(header[2]) + 1)
        process.stdin.write(b"".join(blob.encode() + b"\n" for blob in blobs))
        process.stdin.flush()
        self._unread = len(blobs)
        stdout: BinaryIO = process.stdout
        return stdout

    def _stop_cat_file(self, kill: bool) -> None:
        batch, self._batch = self._batch, None
        if batch is None:
            return
        with contextlib.suppress(git.exc.GitCommandError, OSError):
            if kill:
                batch.proc.kill()
            batch.proc.stdin.close()
            batch.wait()

    def _look(self, name: str) -> str | None:
        """The id of the blob ``name`` (``commit:path``) names; None for none (absent, or a
        folder)."""
        found = self._check(name)
        return found[0] if found[1] == "blob" else None

    def _check(self, name: str) -> tuple[str, str | None]:
        """What one long-lived ``git cat-file --batch-check`` says of ``name``: the object's
        id and type, or a type of None when there is none."""
        if self._checks is None:
            self._checks = self._repo.git.execute(
                ["git", "cat-file", "--batch-check=%(objectname) %(objecttype)"],
                as_process=True,
                istream=subprocess.PIPE,
            )
        process = self._checks.proc
        assert process is not None and process.stdin is not None and process.stdout is not None
        process.stdin.write(name.encode() + b"\n")
        process.stdin.flush()
        answer = process.stdout.readline().decode(errors="replace").strip()
        if not answer:
            raise GitError("git cat-file ended before it answered.")
        if answer.endswith((" missing", " ambiguous")):
            return answer, None
        oid, _, kind = answer.rpartition(" ")
        return oid, kind


def _answer(stdout: BinaryIO, blob: str, path: str) -> bytes:
    """One answer of ``git cat-file --batch``: a header line, the bytes, a newline."""
    header = stdout.readline().split()
    if len(header) != 3 or header[1] != b"blob":
        raise GitError(f"git cat-file could not read {printable(path)} ({blob}).")
    data: bytes = stdout.read(int(header[2]) + 1)[:-1]
    return data
