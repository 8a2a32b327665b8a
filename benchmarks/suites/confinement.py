"""``confinement``: the cold ``schemadiff HEAD~1..HEAD`` with confinement on (the default:
Landlock, seccomp, limits) and under ``--sandbox=strict`` against ``--sandbox=off``: what
confining the import costs."""

from __future__ import annotations

from pathlib import Path

from benchmarks.harness import (
    Command,
    Row,
    Settings,
    run_schemadiff,
)
from benchmarks.suites.sized import per_size

CONFINED = "schemadiff HEAD~1..HEAD (confined: --sandbox=default)"
STRICT = "schemadiff HEAD~1..HEAD --sandbox=strict"
UNCONFINED = "schemadiff HEAD~1..HEAD --sandbox=off"


def bench_confinement(settings: Settings) -> list[Row]:
    return per_size(settings, "confinement", UNCONFINED, _commands)


def _commands(size: int, base: Path, repo: Path) -> list[Command]:
    return [
        Command(CONFINED, lambda: run_schemadiff(repo)),
        Command(STRICT, lambda: run_schemadiff(repo, False, None, "--sandbox=strict")),
        Command(UNCONFINED, lambda: run_schemadiff(repo, False, None, "--sandbox=off")),
    ]
