"""Benchmarks for schemadiff: runs ``python -m benchmarks`` (the ``benchmarks`` package at the
project's top; its docstring says what each benchmark measures), with the same options.

    .venv/bin/python scripts/bench.py --quick --bench real-shape
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.cli import main

if __name__ == "__main__":
    sys.exit(main())
