"""The commands: each parses its own options, calls one api function, renders, and picks
the exit code. The api and the renderers are imported by the commands that use them (the
imports inside functions below), so ``schemadiff --help`` answers at once."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from schemadiff import __version__
from schemadiff.cli.boundary import say
from schemadiff.cli.shared import CheckFormat, Command, OutputFormat, Revisions, Staged, options_of
from schemadiff.errors import EXIT_DIFFERENCES, EXIT_OK, ConfigError
from schemadiff.escape import printable
from schemadiff.render import Format, HistoryFormat, render

if TYPE_CHECKING:
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


@app.command("diff", cls=Command)
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

    options = options_of(ctx)
    if output_format.checks:  # the report marks what the rules find
        result = api.report(options, revisions or (), staged)
    else:
        result = api.compare(options, revisions or (), staged)
    _shown(result, output_format)
    return EXIT_DIFFERENCES if exit_code and result.changes else EXIT_OK


def _shown(result: DiffResult, output_format: Format) -> None:
    for note in result.notes:
        say(f"note: {note}")
    if output_format.migrates:
        from schemadiff import api

        sql, report = output_format is Format.SQL, output_format is Format.MARKDOWN
        result = api.planned(result, sql=sql, if_needed=report)
    for warning in result.migration.warnings if result.migration and output_format.warns else ():
        say(f"warning: {warning}")
    render(result, output_format, sys.stdout)
    if not result.changes:
        say(f"No schema changes between {result.old.label} and {result.new.label}.")


@app.command("check", cls=Command)
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

    result = api.check(options_of(ctx), revisions or (), staged, hook)
    _shown(result, output_format)
    findings = result.findings or ()
    if output_format is Format.TEXT:
        findings_text.render(result, sys.stdout)
    failed = sum(f.fails for f in findings)
    if result.changes:
        say(_verdict(failed, sum(not f.fails and not f.allowed for f in findings)))
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


@app.command("revision", cls=Command)
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
    written = api.revision(options_of(ctx), target, revisions or (), staged)
    for note in written.result.notes:
        say(f"note: {note}")
    for warning in written.warnings:
        say(f"warning: {warning}")
    result = written.result
    if written.already is not None:
        say(
            f"The changes between {result.old.label} and {result.new.label} are already in "
            f"revision {printable(written.already)} (its snapshot matches them); "
            "no revision written."
        )
        return EXIT_OK
    if written.path is None:
        say(
            f"No schema changes between {result.old.label} and {result.new.label}; "
            "no revision written."
        )
        return EXIT_OK
    sys.stdout.write(f"{written.path}\n")
    if written.snapshot is not None:
        say(f"Refreshed {written.snapshot}")
    return EXIT_OK


@app.command("snapshot", cls=Command)
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

    options = options_of(ctx)
    if write:
        return _snapshot_write(options)
    if check:
        return _snapshot_check(options)
    document = api.snapshot(options, revision)
    if output is None:
        sys.stdout.write(snapshot.dumps(document))
    else:
        snapshot.write_document(output, document)
        say(f"Wrote {output}")
    return EXIT_OK


def _snapshot_write(options: api.Options) -> int:
    from schemadiff import api

    path, head = api.snapshot_write(options)
    say(f"Wrote {path}" + (f" (revision {head})" if head else " (no Alembic revision)"))
    return EXIT_OK


def _snapshot_check(options: api.Options) -> int:
    from schemadiff import api

    found = api.snapshot_check(options)
    at = f"revision {found.revision}" if found.revision else "no Alembic revision"
    if found.result is None:
        say(
            f"The snapshot {found.path} has no entry for {at}, the Alembic head: it is behind. "
            "Refresh it with `schemadiff snapshot --write`."
        )
        return EXIT_DIFFERENCES
    for note in found.result.notes:
        say(f"note: {note}")
    if found.result.changes:
        render(found.result, Format.TEXT, sys.stdout)
        say(
            f"The models changed since the snapshot of {at}: the migrations are behind. "
            'Write the revision with `schemadiff revision -m "..."`.'
        )
        return EXIT_DIFFERENCES
    say(f"The snapshot {found.path} matches the models ({at}).")
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


@app.command("log", cls=Command)
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
        logged = api.log(options_of(ctx), query, progress)
    for note in logged.notes:
        say(f"note: {note}")
    history.render_log(logged.entries, output_format, sys.stdout)
    if not logged.entries:
        say("No commit in this walk changed the schema.")
    return EXIT_OK


@app.command("blame", cls=Command)
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

    options = options_of(ctx)
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
