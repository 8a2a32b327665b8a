"""``schemadiff log`` and ``schemadiff blame`` as text, JSON lines and Markdown.

The log's text reads like ``git log``: a commit line, its author and date, its subject, then
its changes worded as the diff words them. Its JSON is one object per line, per commit, so
a long walk can be read as it comes (``| jq``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

from rich.text import Text

from schemadiff.escape import printable
from schemadiff.model import Blame, BlameLine, Column, Commit, DiffResult, LogEntry, Side, Source
from schemadiff.render import HistoryFormat, json_format, markdown, text


def render_log(entries: Iterable[LogEntry], output_format: HistoryFormat, stream: TextIO) -> None:
    LOG_RENDERERS[output_format](entries, stream)


def render_blame(blame: Blame, output_format: HistoryFormat, stream: TextIO) -> None:
    BLAME_RENDERERS[output_format](blame, stream)


# --- log ----------------------------------------------------------------------------------------


def _log_text(entries: Iterable[LogEntry], stream: TextIO) -> None:
    console = text.console(stream)
    for number, entry in enumerate(entries):
        if number:
            console.print()
        for line in _entry_lines(entry):
            console.print(line)


def _entry_lines(entry: LogEntry) -> Iterator[Text]:
    commit = entry.commit
    yield Text(f"commit {commit.id}", style="yellow")
    yield Text(printable(f"Author: {commit.author} <{commit.email}>"))
    yield Text(printable(f"Date:   {commit.date}"))
    yield Text("")
    yield Text(f"    {printable(commit.subject)}")
    yield Text("")
    if entry.failure:
        failure = printable(_one_line(entry.failure))
        yield Text(f"    the models do not import{_stretch(entry)}: {failure}", style="red")
    if entry.note:
        yield Text(f"    note: {printable(entry.note)}", style="dim")
    for line in list(text.lines(_result(entry)))[2:]:  # the two side lines say nothing here
        yield Text("    ") + line


def _result(entry: LogEntry) -> DiffResult:
    """The entry as a diff, for the renderers that word changes."""
    old = Side(entry.base[:10] if entry.base else None, entry.base, Source.GIT)
    new = Side(entry.commit.short, entry.commit.id, Source.GIT)
    return DiffResult(old, new, "", entry.changes)


def _stretch(entry: LogEntry) -> str:
    """Where the models do not import, when more than this entry's commit: the stretch of
    history from it to the last commit after it that fails too."""
    if not entry.failing:
        return ""
    last = entry.failing[0]
    return (
        f" at {len(entry.failing) + 1} commits, from {_day(entry.commit)} ({entry.commit.short})"
        f" to {_day(last)} ({last.short})"
    )


def _day(commit: Commit) -> str:
    return commit.date[:10]


def _one_line(message: str) -> str:
    """A failure's first line (what went wrong and where), without the advice after it."""
    return message.splitlines()[0].strip() if message.strip() else message


def _log_json(entries: Iterable[LogEntry], stream: TextIO) -> None:
    for entry in entries:
        stream.write(json.dumps(entry_to_json(entry), sort_keys=False) + "\n")


def entry_to_json(entry: LogEntry) -> dict[str, Any]:
    return {
        **commit_to_json(entry.commit),
        "base": entry.base,
        "changes": [json_format.change_to_json(c) for c in entry.changes],
        "error": entry.failure,
        "failing": [c.id for c in entry.failing],
        "note": entry.note,
    }


def commit_to_json(commit: Commit) -> dict[str, Any]:
    return {
        "commit": commit.id,
        "parents": list(commit.parents),
        "author": commit.author,
        "email": commit.email,
        "date": commit.date,
        "subject": commit.subject,
    }


def _log_markdown(entries: Iterable[LogEntry], stream: TextIO) -> None:
    stream.write("## Schema history\n")
    for entry in entries:
        stream.write("\n" + "\n".join(_entry_markdown(entry)) + "\n")


def _entry_markdown(entry: LogEntry) -> Iterator[str]:
    commit = entry.commit
    yield f"### {markdown.code(commit.short)} {markdown.escape(commit.subject)}"
    yield ""
    against = f" · against {markdown.code(entry.base[:10])}" if entry.base else ""
    yield f"{markdown.escape(commit.author)}, {commit.date}{against}"
    yield ""
    if entry.failure:
        failure = markdown.escape(_one_line(entry.failure))
        yield f"- ❌ the models do not import{markdown.escape(_stretch(entry))}: {failure}"
    if entry.note:
        yield f"- note: {markdown.escape(entry.note)}"
    for change in entry.changes:
        sign, words = text.describe(change)
        where = change.qualified_name if change.table is not None else ""
        subject = f"**{markdown.escape(where)}** " if where and change.name != where else ""
        yield f"- {markdown.code(sign)} {subject}{markdown.escape(words)}"


LOG_RENDERERS: dict[HistoryFormat, Callable[[Iterable[LogEntry], TextIO], None]] = {
    HistoryFormat.TEXT: _log_text,
    HistoryFormat.JSON: _log_json,
    HistoryFormat.MARKDOWN: _log_markdown,
}
"""The formats ``log`` writes."""


# --- blame --------------------------------------------------------------------------------------


def value(column: Column, attribute: str | None) -> str:
    """The blamed value: the whole column, or one attribute of it."""
    words: dict[str | None, Callable[[], str]] = {
        None: lambda: f"{column.name} {text.describe_column(column)}",
        "name": lambda: column.name,
        "type": lambda: column.type.ddl or column.type.python,
        "nullable": lambda: "NULL" if column.nullable else "NOT NULL",
        "default": lambda: column.server_default or "(none)",
        "comment": lambda: column.comment or "(none)",
        "computed": lambda: text.computed_clause(column.computed),
        "identity": lambda: text.identity_clause(column.identity),
        "autoincrement": lambda: "yes" if column.autoincrement else "no",
    }
    return words[attribute]()


def _blame_text(blame: Blame, stream: TextIO) -> None:
    console = text.console(stream)
    labels = [line.attribute or line.column.name for line in blame.lines]
    width = max((len(label) for label in labels), default=0)
    for line, label in zip(blame.lines, labels, strict=True):
        shown = value(line.column, line.attribute) if line.attribute else _column_words(line)
        row = Text(printable(_who(line, blame.older)), style="yellow" if line.commit else "dim")
        console.print(row + Text(printable(f"  {label:<{width}}  {shown}")))


def _column_words(line: BlameLine) -> str:
    return text.describe_column(line.column)


def _blame_markdown(blame: Blame, stream: TextIO) -> None:
    table = blame.table
    name = table.qualified_name
    stream.write(f"## Blame of {markdown.code(name)} at {markdown.code(blame.revision.short)}\n\n")
    stream.write("| column | value | commit | author | date | subject |\n")
    stream.write("|---|---|---|---|---|---|\n")
    for line in blame.lines:
        label = line.column.name + (f" ({line.attribute})" if line.attribute else "")
        commit = line.commit
        who = (
            [markdown.code(commit.short), commit.author, commit.date[:10], commit.subject]
            if commit
            else ["^", "", "", blame.older]
        )
        cells = [
            markdown.code(label, cell=True),
            markdown.code(value(line.column, line.attribute), cell=True),
        ]
        cells += [who[0], *(markdown.escape(w) for w in who[1:])]
        stream.write("| " + " | ".join(cells) + " |\n")


def _who(line: BlameLine, older: str) -> str:
    """``3f2a1b4c5d (Alice 2026-01-02)``, or the boundary mark git blame uses (``^``)."""
    commit = line.commit
    if commit is None:
        return f"{'^':<10} ({older})"
    return f"{commit.short} ({commit.author} {commit.date[:10]})"


def _blame_json(blame: Blame, stream: TextIO) -> None:
    table = blame.table
    document = {
        "table": table.qualified_name,
        "revision": blame.revision.id,
        "lines": [
            {
                "column": line.column.name,
                "attribute": line.attribute,
                "value": value(line.column, line.attribute),
                "commit": None if line.commit is None else commit_to_json(line.commit),
            }
            for line in blame.lines
        ],
    }
    stream.write(json.dumps(document, indent=2) + "\n")


BLAME_RENDERERS: dict[HistoryFormat, Callable[[Blame, TextIO], None]] = {
    HistoryFormat.TEXT: _blame_text,
    HistoryFormat.JSON: _blame_json,
    HistoryFormat.MARKDOWN: _blame_markdown,
}
"""The formats ``blame`` writes."""
