"""The console script: start the import sandbox's fork server first, then load the CLI.

The CLI's own imports (typer, rich, GitPython) take a fifth of a second; a server started
before them has SQLAlchemy imported by the time git has named the files to load.

It is also where the process ends: the sandbox is stopped here, after the command, with
Ctrl-C and SIGTERM held (``stopping``), so the clean-up runs to its end whenever they come.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from schemadiff import stdio, stopping
from schemadiff.errors import EXIT_INTERRUPTED

_NO_MODELS = {"-h", "--help", "--version"}
_OFTEN_NO_MODELS = {"--hook"}
"""The hook runs on every commit, and most commits change no model: nothing to start early."""


def main(argv: Sequence[str] | None = None) -> int:
    stdio.take()  # before any file is opened: a closed stdout would be the first one's
    stopping.install()
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if not (_NO_MODELS | _OFTEN_NO_MODELS).intersection(args):
            from schemadiff import spawn  # noqa: PLC0415 - not for --help

            spawn.early()  # before the sandbox's own imports
            from schemadiff import sandbox  # noqa: PLC0415 - not for --help

            sandbox.prestart()
        from schemadiff.cli import main as cli_main  # noqa: PLC0415 - after the children start

        code = cli_main(args)
        stopping.hold()
    except KeyboardInterrupt:  # Ctrl-C before the CLI could take it, or as it returned
        stopping.hold()
        code = EXIT_INTERRUPTED
    with stopping.held():
        if "schemadiff.sandbox" in sys.modules:  # else nothing was started
            sys.modules["schemadiff.sandbox"].stop()
        if "schemadiff.spawn" in sys.modules:  # started, and stopped before it was taken over
            sys.modules["schemadiff.spawn"].abandon()
        code, said = stopping.outcome(code)
        if said:
            print(said, file=sys.stderr)
        stopping.release()  # still held: no instant is left where a signal could raise
    return code
