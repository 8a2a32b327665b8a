"""``startup``: ``schemadiff --help`` (as ``python -m schemadiff`` and as the console script)
against ``python -c pass``: what a user waits for before anything is read."""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.harness import (
    Command,
    Row,
    Settings,
    progress,
    run_timed,
    side_by_side,
)

PYTHON_PASS = "python -c pass"
HELP_MODULE = "python -m schemadiff --help"
HELP_SCRIPT = "schemadiff --help (console script)"


def console_script() -> Path | None:
    """The ``schemadiff`` script installed next to this interpreter: what a user's shell runs,
    which does not pay for ``-m`` finding the package through runpy."""
    script = Path(sys.executable).parent / "schemadiff"
    return script if script.exists() else None


def bench_startup(settings: Settings) -> list[Row]:
    """No repository: ``--help`` must answer before anything is read."""
    where = settings.workdir
    module = [sys.executable, "-m", "schemadiff", "--help"]
    commands = [
        Command(PYTHON_PASS, lambda: run_timed([sys.executable, "-c", "pass"], where)),
        Command(HELP_MODULE, lambda: run_timed(module, where)),
    ]
    script = console_script()
    if script is None:
        progress(f"startup: no console script next to {sys.executable}; its target is unmeasured")
    else:
        commands.append(Command(HELP_SCRIPT, lambda: run_timed([str(script), "--help"], where)))
    return side_by_side("startup", 0, commands, settings, PYTHON_PASS, where="")
