"""``confinement``: the cold ``schemadiff HEAD~1..HEAD`` with confinement on (the default:
Landlock, seccomp, limits) and under ``--sandbox=strict`` against ``--sandbox=off``: what
confining the import costs."""

from __future__ import annotations

from benchmarks.generator.models import prepared
from benchmarks.harness import Command, Row, Settings, measure, progress, ratio_rows, run_schemadiff

CONFINED = "schemadiff HEAD~1..HEAD (confined: --sandbox=default)"
STRICT = "schemadiff HEAD~1..HEAD --sandbox=strict"
UNCONFINED = "schemadiff HEAD~1..HEAD --sandbox=off"


def bench_confinement(settings: Settings) -> list[Row]:
    rows: list[Row] = []
    for size in settings.sizes:
        _, repo = prepared(settings, "confinement", size)
        commands = [
            Command(CONFINED, lambda repo=repo: run_schemadiff(repo)),
            Command(
                STRICT, lambda repo=repo: run_schemadiff(repo, False, None, "--sandbox=strict")
            ),
            Command(
                UNCONFINED, lambda repo=repo: run_schemadiff(repo, False, None, "--sandbox=off")
            ),
        ]
        progress(f"confinement N={size}: warm-up + {settings.repeat} rounds")
        samples = measure(commands, settings.repeat)
        rows.extend(ratio_rows("confinement", size, samples, baseline=UNCONFINED))
    return rows
