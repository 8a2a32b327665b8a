"""The report: a Markdown table per benchmark, the targets' verdicts, the notes the tables do
not show, and the same as JSON (``--json``)."""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks.harness import NOT_RUN, TIMED_OUT, Row, Settings, Target
from benchmarks.suites import real_shape
from benchmarks.suites.log import LOG
from benchmarks.suites.memory import CHILD_PEAK, PARENT_PEAK

SIZE_COLUMN = {
    "log": "commits",
    "startup": "",
    real_shape.NAME: "commits",
    real_shape.DIFF_NAME: "commits",
}
"""What N counts in each benchmark's table, when not tables."""


def table(rows: Sequence[Row]) -> list[str]:
    """One benchmark's rows of one unit."""
    unit = rows[0].unit
    lines = [
        f"| {SIZE_COLUMN.get(rows[0].benchmark, 'N')} | command | median {unit} | min {unit} "
        f"| max {unit} | ratio vs baseline |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    places = 3 if unit == "s" else 1
    for row in rows:
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}"
        if row.bound == TIMED_OUT:
            over = f"> {row.median:.0f} s ({TIMED_OUT})"
            lines.append(f"| {row.n or ''} | {row.command} | {over} | | | > {ratio} |")
            continue
        if row.bound == NOT_RUN:
            lines.append(
                f"| {row.n or ''} | {row.command} | {NOT_RUN} (cold run timed out) | | | |"
            )
            continue
        lines.append(
            f"| {row.n or ''} | {row.command} | {row.median:.{places}f} "
            f"| {row.minimum:.{places}f} | {row.maximum:.{places}f} | {ratio} |"
        )
    return lines


def markdown(rows: Sequence[Row]) -> str:
    """A table per benchmark (and unit), in the order they ran."""
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.benchmark, row.unit), []).append(row)
    sections = [
        "\n".join([f"### {name}", "", *table(group)]) for (name, _), group in groups.items()
    ]
    return "\n\n".join(sections)


def log_curve(rows: Sequence[Row], schema_commits: int) -> list[str]:
    """Seconds against commits at a fixed count of schema-changing commits: a flat curve is
    a walk that costs per schema change, a steep one a walk that costs per commit."""
    points = sorted(
        (row.n, row.median) for row in rows if (row.benchmark, row.command) == ("log", LOG)
    )
    if not points:
        return []
    curve = ", ".join(f"C={commits}: {seconds:.2f} s" for commits, seconds in points)
    lines = [f"log curve ({schema_commits} schema-changing commits at every C): {curve}"]
    (first_c, first_s), (last_c, last_s) = points[0], points[-1]
    per_change = first_s / schema_commits * 1000
    if last_c > first_c:
        per_commit = (last_s - first_s) / (last_c - first_c) * 1000
        lines.append(
            f"log: {per_commit:+.2f} ms per extra commit from C={first_c} to C={last_c}; "
            f"{per_change:.0f} ms per schema-changing commit at C={first_c}"
        )
    else:
        lines.append(f"log: {per_change:.0f} ms per schema-changing commit at C={first_c}")
    return lines


def notes(rows: Sequence[Row], names: Sequence[str], settings: Settings) -> list[str]:
    """What the tables do not show: the log curve, the real-shape repository's measured shape,
    and a child peak that was not measured."""
    lines = log_curve(rows, settings.log_schema_commits) if "log" in names else []
    if real_shape.NAME in names:
        lines += real_shape.SHAPE
    measured = {(row.benchmark, row.command) for row in rows}
    if ("memory", PARENT_PEAK) in measured and ("memory", CHILD_PEAK) not in measured:
        lines.append(
            "memory: child peak not measured (schemadiff --debug printed no "
            "'peak memory ... KiB' line)"
        )
    return lines


def verdict(target: Target, rows: Sequence[Row]) -> str:
    value, row = target.value(rows), target.row(rows)
    if value is None or row is None:
        where = "C=" if SIZE_COLUMN.get(target.benchmark) == "commits" else "N="
        return f"{target.text}: not measured (no {target.command!r} at {where}{target.n})"
    measured = f"median {value:.3f} s" if target.seconds else f"ratio {value:.2f}"
    if row.bound == TIMED_OUT:
        return f"{target.text}: NOT met ({measured.replace(' ', ' > ', 1)}, {TIMED_OUT})"
    if row.bound == NOT_RUN:
        return f"{target.text}: not measured (the cold run that fills its cache {TIMED_OUT})"
    status = "met" if value <= target.limit else "NOT met"
    return f"{target.text}: {status} ({measured})"


def environment() -> dict[str, object]:
    return {
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_at_end": os.getloadavg(),
    }


def write_json(
    path: Path, settings: Settings, rows: Sequence[Row], verdicts: list[str], extra: list[str]
) -> None:
    document = {
        "environment": environment(),
        "settings": {
            "sizes": list(settings.sizes),
            "repeat": settings.repeat,
            "log_commits": list(settings.log_commits),
            "log_schema_commits": settings.log_schema_commits,
            "real_commits": settings.real_commits,
            "real_timeout": settings.real_timeout,
        },
        "rows": [row.to_json() for row in rows],
        "targets": verdicts,
        "notes": extra,
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
