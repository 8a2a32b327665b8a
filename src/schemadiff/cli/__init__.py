"""The command line: parse, call one api function, render, pick the exit code.

``schemadiff HEAD~1..HEAD`` runs the ``diff`` command: when the first word is not a command
name, ``diff`` is implied, the way ``git`` would read it. The commands are in ``commands``,
the options they share in ``shared``, the boundary where failures become exit codes in
``boundary``.

Only what declares the commands is imported up front (the options that are
``[tool.schemadiff]`` keys are declared with their checks, in ``config.keys``):
``schemadiff --help`` must answer at once.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

import typer

from schemadiff.cli.commands import app
from schemadiff.cli.shared import Command
from schemadiff.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_USER

__all__ = ["app", "main"]


def _default_command(argv: Sequence[str], commands: Mapping[str, Any]) -> list[str]:
    """Insert ``diff`` unless the first word that is not an option names a command."""
    if argv and argv[0] in ("--help", "-h", "--version"):
        return list(argv)
    takes_value = {
        name
        for cmd in commands.values()
        for param in (cmd.with_shared() if isinstance(cmd, Command) else cmd.params)
        if param.param_type_name == "option" and not getattr(param, "is_flag", False)
        for name in param.opts
    }
    i = 0
    while i < len(argv) and argv[i] != "--" and argv[i].startswith("-"):
        i += 2 if argv[i] in takes_value else 1
    if i < len(argv) and argv[i] in commands:
        return [argv[i], *argv[:i], *argv[i + 1 :]]
    return ["diff", *argv]


def main(argv: Sequence[str] | None = None) -> int:
    command = typer.main.get_command(app)
    commands: Mapping[str, Any] = getattr(command, "commands", {})
    args = _default_command(list(sys.argv[1:] if argv is None else argv), commands)
    try:
        result = command.main(args=args, prog_name="schemadiff", standalone_mode=False)
    except typer.Exit as done:
        result = int(done.exit_code)
    except typer.TyperException as error:  # a usage error: Click's own message and code 2
        error.show()  # type: ignore[attr-defined]
        return EXIT_USER
    except (typer.Abort, KeyboardInterrupt):  # our boundary's, or Typer's own Ctrl-C
        result = EXIT_INTERRUPTED
    return result if isinstance(result, int) else EXIT_OK
