"""Benchmarks for schemadiff on synthetic repositories.

Run from the project root with the project's interpreter (``scripts/bench.py`` runs the same):

    .venv/bin/python -m benchmarks                         # sizes 100 500 2000, repeat 5
    .venv/bin/python -m benchmarks --quick                 # sizes 50, repeat 2 (smoke run)
    .venv/bin/python -m benchmarks --sizes 500 --repeat 9 --json out.json
    .venv/bin/python -m benchmarks --bench log --log-commits 100 300 1000
    .venv/bin/python -m benchmarks --bench real-shape --repeat 3 --real-timeout 600

Each benchmark builds what it needs in one temporary directory (removed at the end), runs
its commands round-robin (one untimed warm-up round first) and returns table rows. To add
a benchmark, write a module in ``suites/`` with a function ``(Settings) -> list[Row]`` and
list it in ``suites.BENCHMARKS``. Every timed python starts cold: a new process, with no .pyc
written by an earlier run.

The parts: ``harness`` (settings, rows, the timed commands, the interleaved rounds and their
ratios), ``repos`` (git on the repositories built), ``generator`` (the synthetic models and
the real-shape history), ``suites`` (one module per benchmark), ``targets`` (the goals),
``report`` (tables, verdicts, notes, JSON) and ``cli`` (the options, the run).

``diff-vs-floor`` compares ``schemadiff HEAD~1..HEAD`` with its floor: a cold
``python -c "import models"`` at each of the two commits, both started together, which is
the least any tool must do to read the models of two commits. Every schemadiff run there
starts with an empty cache.

``cache`` measures the same command with both sides in the cache, and with only HEAD~1 in
it, against one cold ``python -c "import models"`` at HEAD.

``startup`` times ``schemadiff --help`` (as ``python -m schemadiff`` and as the console
script) against ``python -c pass``: what a user waits for before anything is read.

``pre-commit`` times ``schemadiff check --hook`` as pre-commit runs it at ``git commit``:
one models module changed in the index, HEAD already in the cache (a fresh copy each run),
against one cold ``python -c "import models"`` of the index: the side the hook must import.

``incumbent`` puts schemadiff against what users run today: Alembic's
``compare_metadata`` between the models at HEAD and a live PostgreSQL (a throwaway server
of our own) holding the schema of HEAD~1, cold, and schemadiff cold, with HEAD~1 cached
and with both sides cached.

``log`` times ``schemadiff log --format json`` over histories of 100, 300 and 1000 commits
(``--log-commits``) of which the same 30 change a 200-table model (the root, which makes
it, then 29 that each add a column), against one cold import of that model: the time
should follow the schema-changing commits, not the commits.

``confinement`` times the cold ``schemadiff HEAD~1..HEAD`` with confinement on (the
default: Landlock, seccomp, limits) and under ``--sandbox=strict`` against
``--sandbox=off``: what confining the import costs.

``real-shape`` (``suites/real_shape.py``) builds a repository shaped like a real application's
(``--real-commits``, 3000 by default: a 1,000-file frontend tree, ``app/models`` of about 200
tables in several modules, ``app/api``, ``app/services``, Alembic migrations; 10% of the
commits change non-model Python, 5% the models, the rest the frontend; the first 15% do not
import, their models needing a module that is not installed). It times ``log -n 20`` and
``blame TABLE`` cold and cached, ``check --hook`` on a staged change to non-model Python (HEAD
cached) and the cold ``HEAD~1..HEAD`` beside its floor, all against one cold
``python -c "import app.models"`` at HEAD; the diff again against its floor
(``real-shape-diff``). A command running past ``--real-timeout`` seconds (300) is stopped and
reported as "> N s (timed out)". The notes give the repository's shape as git counts it.

``memory`` reports the peak memory (MiB) of the parent process and of the largest import
child of a cold ``schemadiff HEAD~1..HEAD`` at the largest size, beside that of a plain
``python -c "import models"``.
"""
