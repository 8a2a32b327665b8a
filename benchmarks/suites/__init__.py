"""The benchmarks, one module each, by the name ``--bench`` gives: a benchmark is a function
``(Settings) -> list[Row]`` listed in ``BENCHMARKS`` (in the order a full run takes them)."""

from __future__ import annotations

from benchmarks.harness import Benchmark
from benchmarks.suites import (
    cache,
    confinement,
    floor,
    incumbent,
    log,
    memory,
    precommit,
    real_shape,
    startup,
)

BENCHMARKS: dict[str, Benchmark] = {
    "diff-vs-floor": floor.bench_diff_vs_floor,
    "cache": cache.bench_cache,
    "startup": startup.bench_startup,
    "pre-commit": precommit.bench_pre_commit,
    "incumbent": incumbent.bench_incumbent,
    "log": log.bench_log,
    "memory": memory.bench_memory,
    "confinement": confinement.bench_confinement,
    real_shape.NAME: real_shape.bench_real_shape,
}
