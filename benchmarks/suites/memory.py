"""``memory``: the peak memory (MiB) of the parent process and of the largest import child of
a cold ``schemadiff HEAD~1..HEAD`` at the largest size, beside that of a plain
``python -c "import models"``."""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from benchmarks.generator.models import prepared
from benchmarks.harness import BenchError, Row, Settings, progress, python_env, timed
from benchmarks.repos import export

PARENT_PEAK = "schemadiff HEAD~1..HEAD --debug: parent peak"
CHILD_PEAK = "schemadiff HEAD~1..HEAD --debug: largest import child peak"
IMPORT_PEAK = "python -c 'import models' (HEAD): peak"

PARENT_WRAPPER = (
    "import resource, sys; from schemadiff._entry import main; code = main(sys.argv[1:]); "
    "print('parent-peak-kib', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
    "file=sys.stderr); sys.exit(code)"
)
"""The console script's own entry point, then its peak resident memory (KiB on Linux)."""

IMPORT_WRAPPER = (
    "import resource, models; "
    "print('import-peak-kib', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
)


def kib_after(marker: str, text: str) -> list[int]:
    return [int(found) for found in re.findall(rf"{marker} (\d+)", text)]


def peaks_of_schemadiff(repo: Path) -> tuple[float, float | None]:
    """The parent's peak and the largest import child's (None when --debug does not tell it
    yet), in MiB, for one cold run."""
    argv = [sys.executable, "-c", PARENT_WRAPPER, "HEAD~1..HEAD", "--debug"]
    with tempfile.TemporaryDirectory(prefix="schemadiff-bench-cache-") as empty:
        _, result = timed(argv, repo, python_env(SCHEMADIFF_CACHE_DIR=empty))
    stderr = result.stderr.decode()
    parent = kib_after("parent-peak-kib", stderr)
    if not parent:
        raise BenchError(f"the wrapper printed no parent peak in {repo}:\n{stderr}")
    children = kib_after("peak memory", stderr)
    return parent[-1] / 1024, (max(children) / 1024 if children else None)


def peak_of_import(checkout: Path) -> float:
    _, result = timed([sys.executable, "-c", IMPORT_WRAPPER], checkout, python_env())
    peak = kib_after("import-peak-kib", result.stdout.decode())
    if not peak:
        raise BenchError(f"the import wrapper printed no peak in {checkout}")
    return peak[-1] / 1024


def bench_memory(settings: Settings) -> list[Row]:
    """Peaks, not times: no warm-up, and no ratio (the import is there to compare by eye).
    One size, the largest (2000 by default, 50 with --quick): memory matters when big."""
    size = max(settings.sizes)
    base, repo = prepared(settings, "memory", size)
    checkout = export(repo, "HEAD", base / "new")
    progress(f"memory N={size}: {settings.repeat} rounds")
    samples: dict[str, list[float]] = {PARENT_PEAK: [], CHILD_PEAK: [], IMPORT_PEAK: []}
    for _ in range(settings.repeat):
        parent, child = peaks_of_schemadiff(repo)
        samples[PARENT_PEAK].append(parent)
        if child is not None:
            samples[CHILD_PEAK].append(child)
        samples[IMPORT_PEAK].append(peak_of_import(checkout))
    if not samples[CHILD_PEAK]:
        progress("memory: schemadiff --debug printed no 'peak memory ... KiB': child not measured")
    return [
        Row("memory", size, label, tuple(values), unit="MiB")
        for label, values in samples.items()
        if values
    ]
