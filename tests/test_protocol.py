"""The sandbox protocol's messages: each a line of plain JSON that reads back as it was sent."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from schemadiff import protocol, snapshot
from schemadiff.confine import Confinement


def test_a_request_reads_back_as_it_was_sent() -> None:
    request = protocol.Request(
        directory=Path("/tmp/schemadiff-x/1"),
        repository=Path("/work/repo"),
        prefix="sub/dir",
        roots=("src", "."),
        locators=("app.models:Base.metadata", "app.other:make()"),
        dialect="postgresql",
        timeout=12.5,
        imports=("app.setup",),
        env=(("A", "1"), ("B", "")),
        user_module_prefix="sa.",
        include_schemas=("audit",),
        confinement=Confinement("strict", ("/data",), 100, 2.0),
    )
    line = request.to_bytes()
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert set(json.loads(line)) == {f.name for f in dataclasses.fields(protocol.Request)}
    assert protocol.Request.from_bytes(line) == request
    assert request.paths() == [
        "/tmp/schemadiff-x/1/tree/sub/dir/src",
        "/tmp/schemadiff-x/1/tree/sub/dir",
    ]
    database = protocol.Request(Path("/d"), Path(), "", (), (), "sqlite", 1.0, database="sqlite://")
    assert protocol.Request.from_bytes(database.to_bytes()) == database


def test_the_childs_lines_read_back() -> None:
    assert protocol.Hello.from_bytes(protocol.Hello(42).to_bytes()) == protocol.Hello(42)
    figures = protocol.Figures(0.25, 1024, 7)
    assert protocol.Figures.from_bytes(figures.to_bytes()) == figures
    for torn in (b'{"seconds": 0.2', b'{"seconds": 0.2}', b"[]", b'{"seconds": "x"}'):
        try:
            protocol.Figures.from_bytes(torn)
        except ValueError:
            continue
        raise AssertionError(f"{torn!r} read as figures")


def test_an_answer_is_the_failure_or_the_documents_with_what_was_read() -> None:
    reads = {"files": ["a.py"], "listed": [], "modules": ["a"], "metadata": []}
    syntax = protocol.FailureKind.SYNTAX
    failure = protocol.Failure(syntax, "SyntaxError: bad", "a.py", 3, "Traceback", "")
    failed = protocol.Answer(reads, failure).to_bytes()
    assert failed.count(b"\n") == 1
    assert protocol.Answer.from_bytes(failed) == protocol.Answer(reads, failure)
    assert protocol.Answer.from_bytes(failed).failure.kind is syntax  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="'made_up' is not a valid FailureKind"):
        protocol.Answer.from_bytes(failed.replace(b'"syntax"', b'"made_up"'))
    document = {"dialect": "sqlite", "enums": [], "sequences": [], "tables": []}
    packed = {"default": snapshot.Packed.of(document)}
    answer = snapshot.dump_packed(packed, **protocol.Answer(reads).to_json())
    assert protocol.Answer.from_bytes(answer) == protocol.Answer(reads)
    assert snapshot.load_packed(answer) == packed
