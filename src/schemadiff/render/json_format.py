"""``--format json``: the documented diff contract (docs/diff.schema.json)."""

from __future__ import annotations

from typing import Any, TextIO

from schemadiff import snapshot
from schemadiff.model import Change, DiffResult, Finding, Side

FORMAT = "schemadiff-diff"
VERSION = 3


def to_json(result: DiffResult) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "from": side_to_json(result.old),
        "to": side_to_json(result.new),
        "dialect": result.dialect,
        "changes": [change_to_json(c) for c in result.changes],
        "notes": list(result.notes),
        "findings": findings_to_json(result.findings),
        "advice": None if result.findings is None else {r.value: t for r, t in result.advice},
    }


def side_to_json(side: Side) -> dict[str, Any]:
    return {
        "ref": side.ref,
        "commit": side.commit,
        "source": side.source.value,
        "reason": side.reason,
    }


def change_to_json(change: Change) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": change.kind.value,
        "schema": change.schema,
        "table": change.table,
        "name": change.name,
        "old": snapshot.value_to_json(change.old),
        "new": snapshot.value_to_json(change.new),
        "destructive": change.destructive,
    }
    if change.ddl_change is not None:
        data["ddl_change"] = change.ddl_change
    if change.constraint_type is not None:
        data["constraint_type"] = change.constraint_type
    if change.confidence is not None:
        data["confidence"] = change.confidence.value
    return data


def findings_to_json(findings: tuple[Finding, ...] | None) -> list[dict[str, Any]] | None:
    """None when the rules were not run, so that "no findings" and "not checked" differ."""
    return None if findings is None else [finding_to_json(f) for f in findings]


def finding_to_json(finding: Finding) -> dict[str, Any]:
    location = finding.location
    return {
        "rule": finding.rule.value,
        "level": finding.level.value,
        "schema": finding.schema,
        "table": finding.table,
        "column": finding.column,
        "message": finding.message,
        "change": finding.change,
        "location": None if location is None else {"file": location.file, "line": location.line},
        "allowed": finding.allowed,
    }


def render(result: DiffResult, stream: TextIO) -> None:
    stream.write(snapshot.dumps(to_json(result)))
