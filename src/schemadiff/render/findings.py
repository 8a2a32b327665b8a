"""The findings of ``schemadiff check`` as text: one line each, like a linter, then advice.

app/models.py:14: error: users.nickname: column dropped: its data is lost [destructive]
...
destructive: Make sure the data is no longer needed, ...
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TextIO

from schemadiff.escape import printable
from schemadiff.model import DiffResult, Finding, Level


def render(result: DiffResult, stream: TextIO) -> None:
    for line in lines(result):
        stream.write(f"{line}\n")


def lines(result: DiffResult) -> Iterator[str]:
    findings = result.findings or ()
    for finding in sorted(findings, key=_order):
        yield line(finding)
    for rule, advice in result.advice:
        yield printable(f"  {rule.value}: {advice}")


def line(finding: Finding) -> str:
    where = f"{finding.location.file}:{finding.location.line}: " if finding.location else ""
    level = "allowed" if finding.allowed else _LEVELS[finding.level]
    subject = f"{finding.subject}: " if finding.subject else ""
    return printable(f"{where}{level}: {subject}{finding.message} [{finding.rule.value}]")


def _order(finding: Finding) -> tuple[int, int]:
    """Failures first, then warnings, then what the models allow; else in change order."""
    rank = 2 if finding.allowed else (0 if finding.fails else 1)
    return rank, -1 if finding.change is None else finding.change


_LEVELS = {Level.ERROR: "error", Level.WARN: "warning", Level.OFF: "off"}
