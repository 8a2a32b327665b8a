"""``--format markdown``: the pull-request comment, in GitHub-flavoured Markdown.

In this order: the marker a CI job finds its own comment by; one summary line; a table of
changes per database table, each change with what the rules found about it; the findings that
belong to no one change and each rule's advice; a Mermaid diagram of the changed tables and
their neighbours (``render/mermaid.py``); the Alembic operations and the Python-only type
changes, both collapsed. A report longer than ``BUDGET`` (GitHub refuses a comment over 65,536
characters) loses its least useful parts first, in that order: the operations, the Python-only
changes, the diagram, the columns listed under new tables, then whole rows from the end; a
closing note says what was left out and the command that shows it all.

Names, values and messages are escaped: the changes go in code spans, where Markdown, HTML and
@-mentions mean nothing, with ``|`` escaped for the table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TextIO

from schemadiff.escape import printable
from schemadiff.model import Change, ChangeKind, DiffResult, Finding, Level, Rule, Side, Source
from schemadiff.render import mermaid, migration, text

K = ChangeKind

MARKER = "<!-- schemadiff -->"
"""The first line: how a CI job finds the comment it posted before, to update it."""
LIMIT = 65_536
"""GitHub's limit on a comment's length."""
BUDGET = 60_000
"""What a report may take, in UTF-16 code units (how GitHub counts), with room to spare."""
MAX_LISTED = 100
"""Findings that belong to no change listed before "and N more"."""

SIGNS = {"+": "\u2795", "-": "\u2796", "~": "\u270f\ufe0f"}
"""heavy plus, heavy minus, pencil"""
ERROR, WARNING, ALLOWED, PASSED = "❌", "⚠️", "☑️", "✅"


def render(result: DiffResult, stream: TextIO) -> None:
    stream.write(report(result))


def report(result: DiffResult, budget: int = BUDGET) -> str:
    """The whole comment, cut to ``budget``."""
    if not result.changes:
        return f"{_head(result)}\n"
    full = _Report.of(result)
    return _fitted(full, budget, _full_command(result)).text()


def size(markdown: str) -> int:
    """The length GitHub checks: UTF-16 code units (an emoji may count twice)."""
    return len(markdown.encode("utf-16-le")) // 2


# --- escaping -----------------------------------------------------------------------------------


def code(value: str, cell: bool = False) -> str:
    """``value`` as a one-line code span: a fence longer than any backtick run in it, and ``|``
    escaped when it goes in a table cell (GitHub splits cells before it reads code spans)."""
    flat = printable(re.sub(r"\s*[\r\n]+\s*", " ", value)) or " "
    fence = "`" * (max((len(run) for run in re.findall(r"`+", flat)), default=0) + 1)
    if flat.startswith("`") or flat.endswith("`"):
        flat = f" {flat} "
    if cell:
        flat = flat.replace("|", "\\|")
    return f"{fence}{flat}{fence}"


def escape(value: str) -> str:
    """``value`` as plain text on one line: HTML and Markdown specials escaped."""
    flat = printable(re.sub(r"\s*[\r\n]+\s*", " ", value))
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_\[\]|~])", r"\\\1", flat)


def _html(value: str) -> str:
    """Our own prose (advice), whose backticks are meant as code: only HTML escaped."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- the parts ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Row:
    line: str
    changes: int
    """1 for a change; 0 for a member listed under a new table."""
    findings: int = 0


@dataclass(frozen=True, slots=True)
class _Group:
    """One database table (or the enums and sequences): a heading and a Markdown table."""

    heading: str
    header: str
    rows: tuple[_Row, ...]

    def text(self) -> str:
        return "\n".join([self.heading, "", self.header, *(row.line for row in self.rows)])

    def without_members(self) -> _Group:
        return replace(self, rows=tuple(r for r in self.rows if r.changes))


@dataclass(frozen=True, slots=True)
class _Report:
    head: str
    groups: tuple[_Group, ...]
    findings: str
    diagram: str
    operations: str
    python_only: str
    left_out: tuple[str, ...] = ()
    command: str = ""

    @classmethod
    def of(cls, result: DiffResult) -> _Report:
        marks = _Marks.of(result)
        return cls(
            head=_head(result),
            groups=tuple(_groups(result, marks)),
            findings=_findings(result, marks),
            diagram=_diagram(result),
            operations=_operations(result),
            python_only=_python_only(result, marks),
        )

    def text(self) -> str:
        note = _cut_note(self.left_out, self.command) if self.left_out else ""
        parts = (
            self.head,
            *(group.text() for group in self.groups),
            self.findings,
            self.diagram,
            self.operations,
            self.python_only,
            note,
        )
        return "\n\n".join(part for part in parts if part) + "\n"


def _fitted(full: _Report, budget: int, command: str) -> _Report:
    """The report, its least useful parts dropped until it fits."""
    drops: Sequence[tuple[str, Callable[[_Report], _Report]]] = (
        ("the Alembic operations", lambda r: replace(r, operations="")),
        ("the Python-only type changes", lambda r: replace(r, python_only="")),
        ("the diagram", lambda r: replace(r, diagram="")),
        ("the columns of new tables", _without_members),
    )
    report = replace(full, command=command)
    for what, drop in drops:
        if size(report.text()) <= budget:
            return report
        shorter = drop(report)
        if shorter != report:
            report = replace(shorter, left_out=(*report.left_out, what))
    if size(report.text()) <= budget:
        return report
    return _rows_cut(report, budget)


def _without_members(report: _Report) -> _Report:
    return replace(report, groups=tuple(g.without_members() for g in report.groups))


def _rows_cut(report: _Report, budget: int) -> _Report:
    """The groups that fit whole, then as many rows of the next; the rest counted in the note."""
    reserve = size(_cut_note((*report.left_out, "9" * 40), report.command)) + 4
    room = budget - size(replace(report, groups=()).text()) - reserve
    kept: list[_Group] = []
    for group in report.groups:
        room -= size(replace(group, rows=()).text()) + 2  # + 2: the blank line before it
        rows: list[_Row] = []
        for row in group.rows:
            room -= size(row.line) + 1
            if room < 0:
                break
            rows.append(row)
        if rows:
            kept.append(replace(group, rows=tuple(rows)))
        if room < 0:
            break
    all_rows = [row for group in report.groups for row in group.rows]
    kept_rows = [row for group in kept for row in group.rows]
    changes = sum(r.changes for r in all_rows) - sum(r.changes for r in kept_rows)
    findings = sum(r.findings for r in all_rows) - sum(r.findings for r in kept_rows)
    cut = _count(changes, "more change")
    if findings:
        cut += f" (with {_count(findings, 'finding')})"
    return replace(report, groups=tuple(kept), left_out=(*report.left_out, cut))


def _cut_note(left_out: Sequence[str], command: str) -> str:
    listed = left_out[0] if len(left_out) == 1 else f"{', '.join(left_out[:-1])} and {left_out[-1]}"
    return (
        f"> ✂️ **Cut to fit a GitHub comment**: left out {escape(listed)}.\n"
        f"> Run {code(command)} to see everything."
    )


def _full_command(result: DiffResult) -> str:
    """The command that shows this diff in full, as near as the sides tell it."""
    command = "schemadiff check" if result.findings is not None else "schemadiff diff"
    old, new = result.old, result.new
    if old.source is not Source.GIT or old.ref is None:
        return command
    if "..." in old.ref:  # the merge base: the ref names the range itself
        return f"{command} {old.ref}"
    if new.source is Source.GIT and new.ref is not None:
        return f"{command} {old.ref}..{new.ref}"
    return f"{command} {old.ref}" + (" --staged" if new.source is Source.INDEX else "")


# --- the summary ---------------------------------------------------------------------------------


def _head(result: DiffResult) -> str:
    lines = [MARKER, _summary(result)]
    if result.notes:
        lines.append("")
        lines.extend(f"> ℹ️ {escape(note)}  " for note in result.notes)  # noqa: RUF001
    return "\n".join(lines)


def _summary(result: DiffResult) -> str:
    sides = f"{_side(result.old)} → {_side(result.new)}"
    if not result.changes:
        return f"**schemadiff** {sides}: no schema changes"
    tables = {(c.schema or "", c.table) for c in result.changes if c.table is not None}
    counts = f"{_count(len(tables), 'table')} changed, {_count(len(result.changes), 'change')}"
    return f"**schemadiff** {sides}: {counts}{_finding_counts(result.findings)}"


def _side(side: Side) -> str:
    named = code(side.label)
    if side.reason:
        return f"{named} ({escape(side.reason)})"
    return f"{named} ({code(side.commit[:10])})" if side.commit else named


def _finding_counts(findings: tuple[Finding, ...] | None) -> str:
    if findings is None:
        return ""
    if not findings:
        return f"; {PASSED} no findings"
    allowed = sum(f.allowed for f in findings)
    errors = sum(f.fails for f in findings)
    warnings = len(findings) - allowed - errors
    parts = (
        (errors, f"{ERROR} {_count(errors, 'error')}"),
        (warnings, f"{WARNING} {_count(warnings, 'warning')}"),
        (allowed, f"{ALLOWED} {allowed} allowed"),
    )
    return "; " + ", ".join(part for n, part in parts if n)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# --- findings -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Marks:
    """The findings by the change they are about; the others apart."""

    by_change: dict[int, list[Finding]] = field(default_factory=dict)
    loose: list[Finding] = field(default_factory=list)
    ran: bool = False

    @classmethod
    def of(cls, result: DiffResult) -> _Marks:
        marks = cls(ran=result.findings is not None)
        for finding in sorted(result.findings or (), key=_rank):
            if finding.change is not None and 0 <= finding.change < len(result.changes):
                marks.by_change.setdefault(finding.change, []).append(finding)
            else:
                marks.loose.append(finding)
        return marks

    def cell(self, index: int) -> str:
        return "<br>".join(_mark(f) for f in self.by_change.get(index, ()))


def _rank(finding: Finding) -> int:
    return 2 if finding.allowed else (0 if finding.fails else 1)


def _icon(finding: Finding) -> str:
    if finding.allowed:
        return ALLOWED
    return ERROR if finding.level is Level.ERROR else WARNING


def _mark(finding: Finding, subject: bool = False) -> str:
    """``❌ **destructive**: column dropped: its data is lost``; with its subject and location
    when no row of the table says what it is about."""
    allowed = " (allowed)" if finding.allowed else ""
    told = escape(finding.message)
    if subject and finding.subject:
        told = f"{code(finding.subject)}: {told}"
    if subject and finding.location:
        told += f" ({code(f'{finding.location.file}:{finding.location.line}')})"
    return f"{_icon(finding)} **{finding.rule.value}**{allowed}: {told}"


def _findings(result: DiffResult, marks: _Marks) -> str:
    """The findings no change row shows, then each rule's advice."""
    blocks = []
    if marks.loose:
        items = [f"- {_mark(f, subject=True)}" for f in marks.loose[:MAX_LISTED]]
        if len(marks.loose) > MAX_LISTED:
            items.append(f"- … and {len(marks.loose) - MAX_LISTED} more")
        blocks.append("#### Other findings\n\n" + "\n".join(items))
    if result.advice:
        worst = _worst(result.findings or ())
        advice = (f"- {worst.get(r, WARNING)} **{r.value}**: {_html(a)}" for r, a in result.advice)
        blocks.append("#### What to do\n\n" + "\n".join(advice))
    return "\n\n".join(blocks)


def _worst(findings: Iterable[Finding]) -> dict[Rule, str]:
    worst: dict[Rule, str] = {}
    for finding in sorted(findings, key=_rank, reverse=True):
        worst[finding.rule] = _icon(finding)
    return worst


# --- changes --------------------------------------------------------------------------------------


def _groups(result: DiffResult, marks: _Marks) -> Iterator[_Group]:
    """One group per table, in the order of the changes; enums and sequences first."""
    grouped: dict[tuple[str, str] | None, list[int]] = {}
    for index, change in enumerate(result.changes):
        if change.python_only:
            continue
        key = None if change.table is None else (change.schema or "", change.table)
        grouped.setdefault(key, []).append(index)
    standalone = grouped.pop(None, [])
    if standalone:
        yield _group("#### Enums and sequences", result.changes, standalone, marks)
    for indexes in grouped.values():
        members = [result.changes[i] for i in indexes]
        yield _group(_heading(members), result.changes, indexes, marks)


def _heading(changes: list[Change]) -> str:
    first = changes[0]
    name = code(first.qualified_name)
    kinds = {c.kind for c in changes}
    if K.ADD_TABLE in kinds:
        return f"#### {name} · new table"
    if K.REMOVE_TABLE in kinds:
        return f"#### {name} · dropped"
    renamed = next((c for c in changes if c.kind is K.RENAME_TABLE), None)
    if renamed is not None and isinstance(renamed.old, dict):
        return f"#### {name} · renamed from {code(str(renamed.old.get('name')))}"
    return f"#### {name} · changed"


def _group(heading: str, changes: Sequence[Change], indexes: list[int], marks: _Marks) -> _Group:
    findings = marks.ran and any(i in marks.by_change for i in indexes)
    header = "| | Change | Findings |\n| :-: | --- | --- |" if findings else _HEADER
    rows: list[_Row] = []
    for index in indexes:
        change = changes[index]
        sign, described = text.describe(change)
        cells = [SIGNS[sign], code(described, cell=True)]
        if findings:
            cells.append(marks.cell(index))
        rows.append(_Row(_cells(cells), 1, len(marks.by_change.get(index, ()))))
        if change.kind is K.ADD_TABLE:
            for member in text.table_members(change.new):
                blank = [""] if findings else []
                rows.append(_Row(_cells([SIGNS["+"], code(member, cell=True), *blank]), 0))
    return _Group(heading, header, tuple(rows))


_HEADER = "| | Change |\n| :-: | --- |"


def _cells(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _python_only(result: DiffResult, marks: _Marks) -> str:
    indexes = [i for i, c in enumerate(result.changes) if c.python_only]
    if not indexes:
        return ""
    lines = [
        "<details><summary>"
        f"{_count(len(indexes), 'Python-only type change')} (same DDL, no migration needed)"
        "</summary>",
        "",
    ]
    for index in indexes:
        change = result.changes[index]
        where = change.qualified_name
        described = text.describe(change)[1].removeprefix("column ")
        cell = marks.cell(index)
        lines.append(f"- {code(f'{where}.{described}')}" + (f" {cell}" if cell else ""))
    return "\n".join([*lines, "", "</details>"])


# --- the diagram and the operations ---------------------------------------------------------------


def _diagram(result: DiffResult) -> str:
    drawn = mermaid.diagram(result)
    if drawn is None:
        return ""
    if drawn.shown < drawn.total:
        about = f"the first {drawn.shown} of {drawn.total} tables (changed ones first)"
    else:
        about = f"{_count(drawn.total, 'table')}"
    return "\n".join(
        [
            f"<details open><summary>Diagram: {about}</summary>",
            "",
            "```mermaid",
            drawn.text.rstrip("\n"),
            "```",
            *_legend(drawn),
            "",
            "</details>",
        ]
    )


def _legend(drawn: mermaid.Diagram) -> list[str]:
    told = [
        *(["unchanged tables show only their key columns"] if drawn.neighbours else []),
        *(["dashed lines are dropped foreign keys"] if drawn.dropped_keys else []),
    ]
    return ["", "; ".join(told).capitalize() + "."] if told else []


def _operations(result: DiffResult) -> str:
    """The migration's upgrade and downgrade; nothing when there is nothing to migrate."""
    if result.migration is None or all(c.python_only for c in result.changes):
        return ""
    python = migration.alembic(result.migration).rstrip("\n")
    fence = "`" * max(3, max((len(r) for r in re.findall(r"`+", python)), default=0) + 1)
    return "\n".join(
        [
            "<details><summary>Alembic operations</summary>",
            "",
            f"{fence}python",
            python,
            fence,
            "",
            "</details>",
        ]
    )
