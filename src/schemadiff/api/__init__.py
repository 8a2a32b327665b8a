"""One function per command, each in its own module, re-exported here. They return values;
they never print or exit."""

from __future__ import annotations

from schemadiff.api.blame import blame
from schemadiff.api.check import check, report
from schemadiff.api.log import LogQuery, log
from schemadiff.api.pipeline import Compared, Options, compare, compared_range, range_spec
from schemadiff.api.planned import planned
from schemadiff.api.revision import Revision, revision
from schemadiff.api.snapshots import SnapshotCheck, snapshot, snapshot_check, snapshot_write

__all__ = [
    "Compared",
    "LogQuery",
    "Options",
    "Revision",
    "SnapshotCheck",
    "blame",
    "check",
    "compare",
    "compared_range",
    "log",
    "planned",
    "range_spec",
    "report",
    "revision",
    "snapshot",
    "snapshot_check",
    "snapshot_write",
]
