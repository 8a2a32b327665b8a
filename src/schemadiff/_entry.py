"""The console script: start the import sandbox's fork server first, then load the CLI.

The CLI's own imports (typer, rich, GitPython) take a fifth of a second; a server started
before them has SQLAlchemy imported by the time git has named the files to load.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Sequence

from schemadiff.errors import EXIT_INTERRUPTED

_NO_MODELS = {"-h", "--help", "--version"}
_OFTEN_NO_MODELS = {"--hook"}
"""The hook runs on every commit, and most commits change no model: nothing to start early."""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if not (_NO_MODELS | _OFTEN_NO_MODELS).intersection(args):
            from schemadiff import sandbox  # noqa: PLC0415 - not for --help

            sandbox.prestart()
        from schemadiff.cli import main as cli_main  # noqa: PLC0415 - after the children start

        code = cli_main(args)
    except KeyboardInterrupt:  # Ctrl-C before the CLI could take it
        print("schemadiff: interrupted", file=sys.stderr)
        code = EXIT_INTERRUPTED
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the clean-up at exit must run to its end
    return code
