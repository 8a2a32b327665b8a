"""``--format github``: GitHub Actions workflow commands, one annotation per finding.

A step's ``::error file=F,line=N,title=T::message`` lines become annotations on the pull
request, on the model's source line when the finding has one. GitHub shows at most ten
annotations of each level per step (the job log keeps them all), so the first line is always a
summary notice with the counts, and every finding is written after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TextIO

from schemadiff.escape import printable
from schemadiff.model import DiffResult, Finding, Level, Rule

TITLE = "schemadiff"
SHOWN_PER_STEP = 10
"""Annotations of one level (error, warning, notice) that GitHub shows for one step."""

_BREAKS = re.compile(r"(\r|\n)")


def render(result: DiffResult, stream: TextIO) -> None:
    for line in lines(result):
        stream.write(f"{line}\n")


def lines(result: DiffResult) -> Iterator[str]:
    yield command("notice", {"title": TITLE}, summary(result))
    advice = dict(result.advice)
    for finding in result.findings or ():
        yield annotation(finding, advice)


def annotation(finding: Finding, advice: Mapping[Rule, str]) -> str:
    properties: dict[str, str] = {}
    if finding.location is not None:
        properties["file"] = finding.location.file
        properties["line"] = str(finding.location.line)
    title = f"{TITLE}: {finding.rule.value}"
    text = f"{finding.subject}: {finding.message}" if finding.subject else finding.message
    if finding.allowed:
        properties["title"] = f"{title} (allowed)"
        return command("notice", properties, f"{_sentence(text)} Allowed in the model.")
    properties["title"] = title
    level = "error" if finding.level is Level.ERROR else "warning"
    told = advice.get(finding.rule)
    return command(level, properties, f"{_sentence(text)} {told}" if told else text)


def summary(result: DiffResult) -> str:
    between = f"between {result.old.label} and {result.new.label}"
    if not result.changes:
        return f"No schema changes {between}."
    changes = _count(len(result.changes), "schema change")
    if not result.findings:
        found = "" if result.findings is None else ", no findings"
        return f"{changes} {between}{found}."
    failing, warnings, allowed = _counts(result.findings)
    parts = (
        (failing, f"{failing} failing"),
        (warnings, _count(warnings, "warning")),
        (allowed, f"{allowed} allowed"),
    )
    shown = ", ".join(part for n, part in parts if n)
    text = f"{changes} {between}: {_count(len(result.findings), 'finding')} ({shown})."
    if max(failing, warnings, allowed + 1) > SHOWN_PER_STEP:  # + 1: this notice
        text += (
            f" GitHub shows at most {SHOWN_PER_STEP} annotations of each level per step;"
            " the job log lists them all."
        )
    return text


def _counts(findings: tuple[Finding, ...]) -> tuple[int, int, int]:
    """How many findings fail, only warn, and are allowed in the model."""
    allowed = sum(f.allowed for f in findings)
    failing = sum(f.fails for f in findings)
    return failing, len(findings) - allowed - failing, allowed


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else f"{text}."


def command(name: str, properties: Mapping[str, str], message: str) -> str:
    """``::name key=value,...::message``, escaped as GitHub's own toolkit escapes it."""
    given = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{name}{' ' + given if given else ''}::{escape_data(message)}"


def escape_data(text: str) -> str:
    """``text`` on one line, as the runner reads it back: a line break is encoded (the runner
    shows it), so it can never start a workflow command; other control characters are escaped."""
    text = "".join(printable(part) if part not in "\r\n" else part for part in _BREAKS.split(text))
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
