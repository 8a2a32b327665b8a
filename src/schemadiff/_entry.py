"""The console script: start the import sandboxes first, then load the CLI.

The CLI's own imports (typer, rich, GitPython) take a fifth of a second; children started
before them have SQLAlchemy imported by the time git has named the files to load.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from schemadiff import sandbox

_NO_MODELS = {"-h", "--help", "--version"}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not _NO_MODELS.intersection(args):
        sandbox.prestart(1 if "snapshot" in args else 2)
    from schemadiff.cli import main as cli_main  # noqa: PLC0415 - after the children start

    return cli_main(args)
