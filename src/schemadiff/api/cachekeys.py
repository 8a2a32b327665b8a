"""What the cache keeps for the sides (``Session`` looks them up): the environment every
import brings (part of each key), the index of the closures met under one base, and a
cached answer checked against its locators."""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import os
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemadiff
from schemadiff import closure, config, snapshotfile
from schemadiff.snapshot import Packed, load_packed

CLOSURES_KEPT = 32
"""Closures kept in the cache's index for one base: a project meets a few (one per set of
model files), so a side is looked up under each at the cost of a hash."""


def index_key(base: str) -> str:
    """Where the closures met under ``base`` are listed: a cache entry of its own name."""
    return f"closures-{base}"


@dataclass
class Index:
    """What the imports of one base met: their closures (newest first), and the paths a
    view must give beyond its code (``view.view``'s ``also``). Kept in the cache."""

    closures: list[closure.Reads] = field(default_factory=list)
    also: set[str] = field(default_factory=set)

    @classmethod
    def decoded(cls, found: bytes | None) -> Index:
        """The index a cache entry holds (an empty one for a damaged entry)."""
        try:
            data = json.loads(found) if found is not None else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        listed, also = data.get("closures"), data.get("also")
        read = [closure.Reads.from_json(r) for r in listed] if isinstance(listed, list) else []
        paths = {p for p in also if isinstance(p, str)} if isinstance(also, list) else set()
        return cls([r for r in read if r is not None], paths)

    def encoded(self) -> bytes:
        data = {"closures": [r.to_json() for r in self.closures], "also": sorted(self.also)}
        return json.dumps(data).encode()


def documents(found: bytes | None, settings: config.Settings) -> dict[str, Packed] | None:
    """A cached answer's documents, when they are those of its locators (else: a miss)."""
    if found is None:
        return None
    try:
        documents = load_packed(found)
    except (ValueError, KeyError, TypeError):
        return None
    expected = sorted(snapshotfile.names(settings.metadata))
    return documents if sorted(documents) == expected else None


@functools.cache
def environment() -> dict[str, Any]:
    """What the interpreter brings to every import: versions, and the installed packages."""
    purelib = sysconfig.get_paths()["purelib"]
    try:
        installed = os.stat(purelib).st_mtime_ns  # changes when a package is (un)installed
    except OSError:
        installed = 0
    return {
        "python": sys.version,
        "prefix": sys.prefix,
        "sqlalchemy": version("sqlalchemy"),
        "schemadiff": [schemadiff.__version__, own_code()],
        "site_packages": [purelib, installed],
        "pythonpath": os.environ.get("PYTHONPATH"),
    }


def own_code() -> str:
    """A digest of schemadiff's own source: what it reads from a MetaData changes with the
    code, not only with the release, so an entry written by other code is not reused."""
    package = Path(schemadiff.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None
