"""The local cache: schema documents by a key of everything that decides them.

A side whose key is cached is not imported at all. The directory is the user's cache
directory (``$SCHEMADIFF_CACHE_DIR``, else ``$XDG_CACHE_HOME/schemadiff``, else the platform's:
``~/.cache/schemadiff``, ``~/Library/Caches/schemadiff``, ``%LOCALAPPDATA%\\schemadiff\\Cache``).

Each entry is one file: a header line (format, key, the SHA-256 of the body) and the JSON
body. It is written to a temporary file and renamed into place, so a reader sees a whole
entry or none; an entry whose header or checksum does not match is ignored and replaced,
never trusted. The cache stays bounded: entries unused for ``MAX_AGE_DAYS`` go, and the
least recently used go while the total is above ``MAX_BYTES``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemadiff import atomic

FORMAT = "schemadiff-cache"
VERSION = 1
MAX_BYTES = 512 * 1024 * 1024
MAX_AGE_DAYS = 30
_SUFFIX = ".json"


def key(parts: dict[str, Any]) -> str:
    """The key of a JSON-able description of everything that decides a result."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def default_directory() -> Path:
    explicit = os.environ.get("SCHEMADIFF_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "schemadiff"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "schemadiff"
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "schemadiff" / "Cache"
    return Path.home() / ".cache" / "schemadiff"


@dataclass
class Cache:
    directory: Path | None
    """None: no cache (``--no-cache``, or it could not be written)."""
    notes: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, enabled: bool = True) -> Cache:
        return cls(default_directory() / f"v{VERSION}" if enabled else None)

    def get(self, entry_key: str) -> bytes | None:
        """The value stored under ``entry_key``, or None when absent or not to be trusted."""
        if self.directory is None:
            return None
        path = self.directory / f"{entry_key}{_SUFFIX}"
        try:
            data = path.read_bytes()
        except OSError:
            return None
        value = _decoded(data, entry_key)
        if value is not None:
            _touch(path)
        return value

    def put(self, entry_key: str, value: bytes) -> None:
        if self.directory is None:
            return
        try:
            self._write(entry_key, _encoded(entry_key, value))
        except OSError as exc:
            self.notes.append(
                f"The cache directory {self.directory} cannot be written "
                f"({exc.strerror or exc}); working on without the cache."
            )
            self.directory = None
            return
        prune(self.directory)

    def _write(self, entry_key: str, data: bytes) -> None:
        assert self.directory is not None
        self.directory.mkdir(parents=True, exist_ok=True)
        atomic.replace(self.directory / f"{entry_key}{_SUFFIX}", data, mode=0o600)


def _encoded(entry_key: str, body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    header = {"format": FORMAT, "version": VERSION, "key": entry_key, "sha256": digest}
    return json.dumps(header).encode() + b"\n" + body


def _decoded(data: bytes, entry_key: str) -> bytes | None:
    header_line, _, body = data.partition(b"\n")
    try:
        header = json.loads(header_line)
    except ValueError:
        return None
    expected = {"format": FORMAT, "version": VERSION, "key": entry_key}
    if not isinstance(header, dict) or any(header.get(k) != v for k, v in expected.items()):
        return None
    return body if header.get("sha256") == hashlib.sha256(body).hexdigest() else None


def _touch(path: Path) -> None:
    """Mark an entry as used: pruning removes the least recently used first."""
    with contextlib.suppress(OSError):
        os.utime(path)


def prune(directory: Path, max_bytes: int = MAX_BYTES, max_age_days: float = MAX_AGE_DAYS) -> None:
    """Remove entries unused for ``max_age_days``, then the oldest while above ``max_bytes``."""
    entries = sorted(_entries(directory), key=lambda e: e[1])
    cutoff = time.time() - max_age_days * 86400
    total = sum(size for _, _, size in entries)
    for path, used, size in entries:
        if used >= cutoff and total <= max_bytes:
            break
        try:
            path.unlink(missing_ok=True)
        except OSError:
            continue  # another user's file in a shared directory: leave it
        total -= size


def _entries(directory: Path) -> list[tuple[Path, float, int]]:
    found = []
    try:
        with os.scandir(directory) as scan:
            items = [i for i in scan if i.name.endswith((_SUFFIX, ".tmp"))]
    except OSError:
        return []
    for item in items:
        try:
            info = item.stat()
        except OSError:
            continue  # removed meanwhile by another schemadiff
        found.append((Path(item.path), info.st_mtime, info.st_size))
    return found
