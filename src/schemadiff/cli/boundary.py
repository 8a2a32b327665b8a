"""Where failures become exit codes, and the lines said to the person at the terminal."""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable

from schemadiff.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_BUG,
    EXIT_INTERRUPTED,
    EXIT_USER,
    SchemadiffError,
)
from schemadiff.escape import printable


def log_debug() -> None:
    """Our own debug messages (what each import cost) on stderr; other libraries' stay off."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("schemadiff: debug: %(message)s"))
    logger = logging.getLogger("schemadiff")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False


def boundary(run: Callable[[], int], debug: bool) -> int:
    """The one place where failures become exit codes."""
    try:
        code = run()
        sys.stdout.flush()  # a full device or a closed stdout fails here, not at exit
        return code
    except SchemadiffError as error:
        if debug:
            say(traceback.format_exc().rstrip())
            if error.detail:
                say(f"--- output of the model import ---\n{error.detail.rstrip()}\n---")
        say(f"schemadiff: error: {error}")
        return EXIT_USER
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED  # _entry says so once clean, and makes it 143 for SIGTERM
    except BrokenPipeError:
        silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as error:
        if debug:
            say(traceback.format_exc().rstrip())
        say(
            f"schemadiff: internal error: {type(error).__name__}: {error}\n"
            "  This is a bug in schemadiff. Run again with --debug and report the traceback."
        )
        return EXIT_BUG


def silence_stdout() -> None:
    """Point stdout at /dev/null: Python's last flush at exit would fail on the closed pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def say(message: str) -> None:
    """A line or two for the person at the terminal: names from a ref in it are escaped."""
    print("\n".join(map(printable, message.split("\n"))), file=sys.stderr)
