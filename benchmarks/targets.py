"""The goals the report checks: ``TARGETS`` for the synthetic repositories, and those of
``real-shape``, which depend on its commit count (``real_shape_targets``)."""

from __future__ import annotations

from benchmarks.generator.realplan import plan_history
from benchmarks.harness import FULLY_CACHED, OLD_CACHED, SCHEMADIFF, Target
from benchmarks.suites import real_shape
from benchmarks.suites.log import LOG
from benchmarks.suites.precommit import HOOK
from benchmarks.suites.real_shape import (
    DIFF_NAME,
    LOG_CACHED,
    LOG_COLD,
    NAME,
    blame_label,
    blamed_table,
)
from benchmarks.suites.startup import HELP_SCRIPT

TARGETS = (
    Target("diff-vs-floor", 500, SCHEMADIFF, 0.85, "target at N=500: schemadiff <= 0.85 x floor"),
    Target(
        "cache",
        2000,
        FULLY_CACHED,
        0.5,
        "target at N=2000: both sides cached <= 0.5 s",
        seconds=True,
    ),
    Target("cache", 2000, OLD_CACHED, 1.2, "target at N=2000: one side cached <= 1.2 x one import"),
    Target("startup", 0, HELP_SCRIPT, 0.3, "target: schemadiff --help <= 0.3 s", seconds=True),
    Target("pre-commit", 500, HOOK, 1.05, "target at N=500: check --hook <= 1.05 x one import"),
    Target("incumbent", 500, SCHEMADIFF, 1 / 1.5, "target at N=500: cold <= incumbent / 1.5"),
    Target("incumbent", 500, OLD_CACHED, 1 / 2, "target at N=500: HEAD~1 cached <= incumbent / 2"),
    Target(
        "incumbent", 500, FULLY_CACHED, 1 / 10, "target at N=500: both cached <= incumbent / 10"
    ),
    Target("log", 300, LOG, 35, "target at C=300: schemadiff log <= 35 x one import"),
)


def real_shape_targets(commits: int) -> list[Target]:
    """The issue's targets at ``commits``; blame's limit is its table's schema-changing
    commits plus five."""
    plan = plan_history(commits)
    table = blamed_table(plan)
    blame = plan.blame_changes + 5
    return [
        Target(NAME, commits, LOG_COLD, 25, f"target at C={commits}: log -n 20 cold <= 25 units"),
        Target(NAME, commits, LOG_CACHED, 2, f"target at C={commits}: log -n 20 cached <= 2 units"),
        Target(
            NAME,
            commits,
            blame_label(plan, table, False),
            blame,
            f"target at C={commits}: blame cold <= {plan.blame_changes} + 5 = {blame} units",
        ),
        Target(
            NAME,
            commits,
            blame_label(plan, table, True),
            2,
            f"target at C={commits}: blame cached <= 2 units",
        ),
        Target(
            NAME, commits, real_shape.HOOK, 0.5, f"target at C={commits}: check --hook <= 0.5 unit"
        ),
        Target(
            DIFF_NAME, commits, SCHEMADIFF, 1.0, f"target at C={commits}: HEAD~1..HEAD <= floor"
        ),
    ]
