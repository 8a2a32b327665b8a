"""The command line: parse, call one api function, render, pick the exit code.

``schemadiff HEAD~1..HEAD`` runs the ``diff`` command: when the first word is not a command
name, ``diff`` is implied, the way ``git`` would read it.

Only what declares the commands is imported up front (the options that are
``[tool.schemadiff]`` keys are declared with their checks, in ``config.keys``):
``schemadiff --help`` must answer at once. The api and the renderers are imported by the
commands that use them (the imports inside functions below).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand, TyperOption

from schemadiff import __version__
from schemadiff.config.keys import COMPARING, EVERY_COMMAND, KEYS, Key, Overrides
from schemadiff.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_BUG,
    EXIT_DIFFERENCES,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USER,
    ConfigError,
    SchemadiffError,
)
from schemadiff.escape import printable
from schemadiff.render import Format, HistoryFormat, formats_of, render

if TYPE_CHECKING:
    from typer._click import Context  # what typer hands a command: typer.Context's base

    from schemadiff import api
    from schemadiff.api.session import Progress
    from schemadiff.model import DiffResult

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Diff the database schema declared by SQLAlchemy models between git refs. "
    "`schemadiff [RANGE]` is `schemadiff diff [RANGE]`.",
)

Revisions = Annotated[
    list[str] | None,
    typer.Argument(help="Like git diff: none, A, A..B, A...B or A B.", show_default=False),
]
Staged = Annotated[
    bool, typer.Option("--staged", "--cached", help="Compare HEAD (or A) with the index.")
]


@dataclass(frozen=True, slots=True)
class _Run:
    """An option of several commands that is no ``[tool.schemadiff]`` key: where to run, the
    cache, where the older side may come from, ``--debug``. Its value reaches ``_options``
    (or ``_Command.invoke``) under the name of its ``api.Options`` field."""

    field: str
    names: tuple[str, ...]
    help: str
    commands: tuple[str, ...] = EVERY_COMMAND
    metavar: str | None = None
    envvar: str | None = None

    @property
    def flag(self) -> bool:
        return self.metavar is None


_RUN = (
    _Run("directory", ("-C",), "Run as if started in this directory, like git -C.", metavar="DIR"),
    _Run("no_cache", ("--no-cache",), "Import every side; neither read nor write the cache."),
    _Run(
        "from_snapshot",
        ("--from-snapshot",),
        "Take the older side from this snapshot file (its newest entry).",
        COMPARING,
        metavar="FILE",
    ),
    _Run(
        "from_db",
        ("--from-db",),
        "Take the older side from this database, reflected.",
        COMPARING,
        metavar="URL",
    ),
    _Run(
        "fallback_db",
        ("--fallback-db",),
        "Reflect this database when git, the cache and snapshots cannot give the older side.",
        COMPARING,
        metavar="URL",
        envvar="SCHEMADIFF_FALLBACK_DB",
    ),
    _Run("debug", ("--debug",), "Show full tracebacks and child output."),
)
_GIVEN = "schemadiff.given"
"""Where in ``ctx.meta`` the shared options leave their values, by field."""


def _record(ctx: typer.Context, param: TyperOption, value: object) -> object:
    assert param.name is not None
    ctx.meta.setdefault(_GIVEN, {})[param.name] = value
    return value


def _shared(command: str) -> list[TyperOption]:
    """The options ``command`` shares with others, after its own: the keys with a flag for
    it (declared with their check in ``config.keys``), those of fewer commands first, then
    the ``_RUN`` options."""
    keyed = [key for key in KEYS.values() if key.flag and command in key.flag.commands]
    keyed.sort(key=lambda key: len(key.flag.commands) if key.flag else 0)  # its own first
    runs = [_run_option(run) for run in _RUN if command in run.commands]
    return [*map(_key_option, keyed), *runs]


def _key_option(key: Key) -> TyperOption:
    assert key.flag is not None
    flag = key.flag
    negated = f"{key.option}/--no-{key.option.removeprefix('--')}" if flag.negatable else None
    return TyperOption(
        param_decls=[key.field, negated or key.option],
        type=None if flag.takes in (bool, list) else flag.takes,
        default=None if flag.takes is not list else (),
        is_flag=flag.takes is bool,
        multiple=flag.takes is list,
        metavar=flag.metavar,
        help=flag.help,
        expose_value=False,
        callback=_record,
    )


def _run_option(run: _Run) -> TyperOption:
    return TyperOption(
        param_decls=[run.field, *run.names],
        is_flag=run.flag,
        default=False if run.flag else None,
        metavar=run.metavar,
        envvar=run.envvar,
        show_envvar=run.envvar is not None,
        help=run.help,
        expose_value=False,
        callback=_record,
    )


class _Command(TyperCommand):
    """A command with the options it shares (``_shared``), run inside the one boundary where
    failures become exit codes."""

    def __init__(self, name: str | None, **settings: Any) -> None:
        super().__init__(name, **settings)
        self.params.extend(_shared(name or ""))

    def invoke(self, ctx: Context) -> Any:
        debugging = bool(ctx.meta[_GIVEN]["debug"])
        if debugging:
            _log_debug()
        return _boundary(lambda: super(_Command, self).invoke(ctx), debugging)


def _value(key: Key, value: object) -> object:
    """A plain flag left off is not given (None); ``--x/--no-x`` says either."""
    plain = key.flag is not None and key.flag.takes is bool and not key.flag.negatable
    return (value or None) if plain else value


def _options(ctx: typer.Context) -> api.Options:
    """What the shared options say: the keys' values as overrides (checked when a side's
    settings are resolved), the others as they are. A flag left off is not given, so
    pyproject.toml still decides."""
    from schemadiff import api

    given: dict[str, Any] = ctx.meta[_GIVEN]
    values = {
        key.field: _value(key, given[key.field]) for key in KEYS.values() if key.field in given
    }
    path = given.get("from_snapshot")
    return api.Options(
        Path(given["directory"] or ".").absolute(),
        Overrides(**values),
        use_cache=not given["no_cache"],
        from_snapshot=Path(path) if path else None,
        from_db=given.get("from_db"),
        fallback_db=given.get("fallback_db"),
    )


def _format_option(command: str) -> Any:
    """``--format``, offering only the formats ``command`` renders (``Format.commands``)."""
    names = formats_of(command)

    def parse(value: str | Format) -> str:
        """The name, checked; Typer's own convertor then makes it a ``Format``."""
        name = value.value if isinstance(value, Format) else value  # the default is a Format
        if name not in names:
            listed = ", ".join(repr(n) for n in names)
            raise typer.BadParameter(f"'{printable(name)}' is not one of {listed}.")
        return name

    metavar = f"[{'|'.join(names)}]"
    return typer.Option("--format", "-f", parser=parse, metavar=metavar, help="Output format.")


OutputFormat = Annotated[Format, _format_option("diff")]
CheckFormat = Annotated[Format, _format_option("check")]


def _log_debug() -> None:
    """Our own debug messages (what each import cost) on stderr; other libraries' stay off."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("schemadiff: debug: %(message)s"))
    logger = logging.getLogger("schemadiff")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"schemadiff {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Diff the database schema declared by SQLAlchemy models between git refs."""


@app.command("diff", cls=_Command)
def diff_command(
    ctx: typer.Context,
    revisions: Revisions = None,
    staged: Staged = False,
    output_format: OutputFormat = Format.TEXT,
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 when there are differences.")
    ] = False,
) -> int:
    """Show how the schema changed between two sides (default: HEAD and the working tree)."""
    from schemadiff import api

    options = _options(ctx)
    if output_format.checks:  # the report marks what the rules find
        result = api.report(options, revisions or (), staged)
    else:
        result = api.compare(options, revisions or (), staged)
    _shown(result, output_format)
    return EXIT_DIFFERENCES if exit_code and result.changes else EXIT_OK


def _shown(result: DiffResult, output_format: Format) -> None:
    for note in result.notes:
        _say(f"note: {note}")
    if output_format.migrates:
        from schemadiff import api

        sql, report = output_format is Format.SQL, output_format is Format.MARKDOWN
        result = api.planned(result, sql=sql, if_needed=report)
    for warning in result.migration.warnings if result.migration and output_format.warns else ():
        _say(f"warning: {warning}")
    render(result, output_format, sys.stdout)
    if not result.changes:
        _say(f"No schema changes between {result.old.label} and {result.new.label}.")


@app.command("check", cls=_Command)
def check_command(
    ctx: typer.Context,
    revisions: Revisions = None,
    staged: Staged = False,
    hook: Annotated[
        bool,
        typer.Option(
            "--hook",
            help="The range pre-commit gives: the pushed commits, else HEAD and the index.",
        ),
    ] = False,
    output_format: CheckFormat = Format.TEXT,
) -> int:
    """Check the schema changes against the rules; exit 1 when one fails (default: HEAD and
    the working tree)."""
    from schemadiff import api
    from schemadiff.render import findings as findings_text

    result = api.check(_options(ctx), revisions or (), staged, hook)
    _shown(result, output_format)
    findings = result.findings or ()
    if output_format is Format.TEXT:
        findings_text.render(result, sys.stdout)
    failed = sum(f.fails for f in findings)
    if result.changes:
        _say(_verdict(failed, sum(not f.fails and not f.allowed for f in findings)))
    return EXIT_DIFFERENCES if failed else EXIT_OK


def _verdict(failed: int, warned: int) -> str:
    counts = [
        f"{n} {word}{'s' if n != 1 else ''}"
        for n, word in ((failed, "error"), (warned, "warning"))
        if n
    ]
    if not failed:
        return "schemadiff check: passed" + (f" ({', '.join(counts)})" if counts else "") + "."
    return f"schemadiff check: failed: {', '.join(counts)}."


@app.command("revision", cls=_Command)
def revision_command(
    ctx: typer.Context,
    revisions: Revisions = None,
    message: Annotated[
        str | None, typer.Option("--message", "-m", help="The revision's message.")
    ] = None,
    staged: Staged = False,
    head: Annotated[
        str | None,
        typer.Option("--head", help="The revision to follow, when there are several heads."),
    ] = None,
    branch_label: Annotated[
        str | None,
        typer.Option(
            "--branch-label",
            help="Follow this branch's head; a new label is put on the new revision.",
        ),
    ] = None,
    rev_id: Annotated[
        str | None, typer.Option("--rev-id", help="The revision id [generated].")
    ] = None,
    alembic_config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="alembic.ini [the project's own]."),
    ] = None,
) -> int:
    """Write the Alembic revision for the changes (default: HEAD to the working tree), and
    refresh the snapshot file with it."""
    from schemadiff import api
    from schemadiff.model import RevisionTarget

    target = RevisionTarget(alembic_config, message, head, branch_label, rev_id)
    written = api.revision(_options(ctx), target, revisions or (), staged)
    for note in written.result.notes:
        _say(f"note: {note}")
    for warning in written.warnings:
        _say(f"warning: {warning}")
    result = written.result
    if written.already is not None:
        _say(
            f"The changes between {result.old.label} and {result.new.label} are already in "
            f"revision {printable(written.already)} (its snapshot matches them); "
            "no revision written."
        )
        return EXIT_OK
    if written.path is None:
        _say(
            f"No schema changes between {result.old.label} and {result.new.label}; "
            "no revision written."
        )
        return EXIT_OK
    sys.stdout.write(f"{written.path}\n")
    if written.snapshot is not None:
        _say(f"Refreshed {written.snapshot}")
    return EXIT_OK


@app.command("snapshot", cls=_Command)
def snapshot_command(
    ctx: typer.Context,
    revision: Annotated[
        str | None, typer.Argument(help="The ref to read [the working tree].", show_default=False)
    ] = None,
    write: Annotated[
        bool,
        typer.Option("--write", help="Write the snapshot file, keyed to the Alembic head."),
    ] = False,
    check: Annotated[
        bool,
        typer.Option("--check", help="Exit 1 when the models no longer match the snapshot."),
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the document to this file.")
    ] = None,
) -> int:
    """Print, write (--write) or check (--check) the snapshot of the models' schema."""
    if sum((write, check, output is not None)) > 1:
        raise ConfigError("Give one of --write, --check and --output.")
    if revision is not None and (write or check):
        raise ConfigError(
            f"--write and --check use the working tree; drop {revision!r}, or print the "
            "snapshot of a ref with `schemadiff snapshot REF`."
        )
    from schemadiff import api, snapshot

    options = _options(ctx)
    if write:
        return _snapshot_write(options)
    if check:
        return _snapshot_check(options)
    document = api.snapshot(options, revision)
    if output is None:
        sys.stdout.write(snapshot.dumps(document))
    else:
        snapshot.write_document(output, document)
        _say(f"Wrote {output}")
    return EXIT_OK


def _snapshot_write(options: api.Options) -> int:
    from schemadiff import api

    path, head = api.snapshot_write(options)
    _say(f"Wrote {path}" + (f" (revision {head})" if head else " (no Alembic revision)"))
    return EXIT_OK


def _snapshot_check(options: api.Options) -> int:
    from schemadiff import api

    found = api.snapshot_check(options)
    at = f"revision {found.revision}" if found.revision else "no Alembic revision"
    if found.result is None:
        _say(
            f"The snapshot {found.path} has no entry for {at}, the Alembic head: it is behind. "
            "Refresh it with `schemadiff snapshot --write`."
        )
        return EXIT_DIFFERENCES
    for note in found.result.notes:
        _say(f"note: {note}")
    if found.result.changes:
        render(found.result, Format.TEXT, sys.stdout)
        _say(
            f"The models changed since the snapshot of {at}: the migrations are behind. "
            'Write the revision with `schemadiff revision -m "..."`.'
        )
        return EXIT_DIFFERENCES
    _say(f"The snapshot {found.path} matches the models ({at}).")
    return EXIT_OK


HistoryFormatOption = Annotated[
    HistoryFormat, typer.Option("--format", "-f", help="Output format.")
]
Jobs = Annotated[
    int | None,
    typer.Option(
        "--jobs", "-j", min=1, help="Imports at a time [one per CPU].", show_default=False
    ),
]
Since = Annotated[
    str | None, typer.Option("--since", help="Only commits more recent than this date.")
]


@app.command("log", cls=_Command)
def log_command(
    ctx: typer.Context,
    revisions: Annotated[
        list[str] | None,
        typer.Argument(help="Like git log: REV, A..B, A...B, ^A B [HEAD].", show_default=False),
    ] = None,
    table: Annotated[
        str | None, typer.Option("--table", help="Only the changes of this table.")
    ] = None,
    column: Annotated[
        str | None, typer.Option("--column", metavar="TABLE.COLUMN", help="Only this column's.")
    ] = None,
    max_count: Annotated[
        int | None,
        typer.Option("--max-count", "-n", min=0, help="Walk this many commits at most."),
    ] = None,
    since: Since = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Commits older than this date.")
    ] = None,
    first_parent: Annotated[
        bool,
        typer.Option(
            "--first-parent", help="Follow only first parents; show merges with their changes."
        ),
    ] = False,
    output_format: HistoryFormatOption = HistoryFormat.TEXT,
    jobs: Jobs = None,
) -> int:
    """List the commits that changed the schema, newest first, with their changes."""
    from schemadiff import api, gitrefs
    from schemadiff.render import history

    walk = gitrefs.Walk(tuple(revisions or ()), first_parent, max_count, since, until)
    query = api.LogQuery(walk, table, column, jobs)
    with _progress_bar("Loading the schemas") as progress:
        logged = api.log(_options(ctx), query, progress)
    for note in logged.notes:
        _say(f"note: {note}")
    history.render_log(logged.entries, output_format, sys.stdout)
    if not logged.entries:
        _say("No commit in this walk changed the schema.")
    return EXIT_OK


@app.command("blame", cls=_Command)
def blame_command(
    ctx: typer.Context,
    target: Annotated[
        str, typer.Argument(metavar="TABLE[.COLUMN]", help="A table, or one column of it.")
    ],
    revision: Annotated[
        str | None, typer.Argument(help="The commit to start from [HEAD].", show_default=False)
    ] = None,
    output_format: HistoryFormatOption = HistoryFormat.TEXT,
    jobs: Jobs = None,
    since: Since = None,
) -> int:
    """Show, for each column of a table (or each attribute of one column), the commit that
    last changed it."""
    from schemadiff import api
    from schemadiff.render import history

    options = _options(ctx)
    with _progress_bar("Loading the schemas") as progress:
        found = api.blame(options, target, revision, jobs=jobs, progress=progress, since=since)
    history.render_blame(found, output_format, sys.stdout)
    return EXIT_OK


@contextlib.contextmanager
def _progress_bar(label: str) -> Iterator[Progress | None]:
    """A progress bar on stderr while the sides of a walk load, when stderr is a terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _boundary(run: Callable[[], int], debug: bool) -> int:
    """The one place where failures become exit codes."""
    try:
        code = run()
        sys.stdout.flush()  # a full device or a closed stdout fails here, not at exit
        return code
    except SchemadiffError as error:
        if debug:
            _say(traceback.format_exc().rstrip())
            if error.detail:
                _say(f"--- output of the model import ---\n{error.detail.rstrip()}\n---")
        _say(f"schemadiff: error: {error}")
        return EXIT_USER
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED  # _entry says so once clean, and makes it 143 for SIGTERM
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as error:
        if debug:
            _say(traceback.format_exc().rstrip())
        _say(
            f"schemadiff: internal error: {type(error).__name__}: {error}\n"
            "  This is a bug in schemadiff. Run again with --debug and report the traceback."
        )
        return EXIT_BUG


def _silence_stdout() -> None:
    """Point stdout at /dev/null: Python's last flush at exit would fail on the closed pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _say(message: str) -> None:
    """A line or two for the person at the terminal: names from a ref in it are escaped."""
    print("\n".join(map(printable, message.split("\n"))), file=sys.stderr)


def _default_command(argv: Sequence[str], commands: Mapping[str, Any]) -> list[str]:
    """Insert ``diff`` unless the first word that is not an option names a command."""
    if argv and argv[0] in ("--help", "-h", "--version"):
        return list(argv)
    takes_value = {
        name
        for cmd in commands.values()
        for param in cmd.params
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
