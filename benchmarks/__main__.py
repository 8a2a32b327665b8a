"""``python -m benchmarks``: see the package's docstring."""

from __future__ import annotations

import sys

from benchmarks.cli import main

sys.exit(main(prog="python -m benchmarks"))
