"""What each change kind is of (``Scope``) decides, in one place, which changes ``log
--column``, ``blame`` and the Mermaid diagram give to a column: a non-native ``Enum`` that
gains a value is a change of its column everywhere ``diff`` says so."""

from __future__ import annotations

import json

import pytest

from schemadiff.model import COLUMN_ATTRIBUTES, ChangeKind, Scope
from tests.conftest import schemadiff
from tests.test_log import Story, blame_json, blamed, log_json, story, subjects, user

STATUS_AB = 'status: Mapped[str] = mapped_column(sa.Enum("a", "b", native_enum=False, length=8))'
STATUS_ABC = STATUS_AB.replace('"b",', '"b", "c",')


@pytest.fixture(scope="module")
def gains_a_value(tmp_path_factory: pytest.TempPathFactory) -> Story:
    s = story(tmp_path_factory.mktemp("enum") / "repo")
    s.commit("create user", user(STATUS_AB))
    s.commit("status gains c", user(STATUS_ABC))
    s.commit("readme", files={"README.md": "x\n"})
    return s


def test_diff_says_the_columns_values_changed(gains_a_value: Story) -> None:
    run = schemadiff("HEAD~2..HEAD~1", "--format", "json", cwd=gains_a_value.path)

    assert run.code == 0, run.err
    changes = json.loads(run.out)["changes"]
    assert [(c["kind"], c["table"], c["name"]) for c in changes] == [
        ("modify_enum", "user", "status")
    ]


def test_log_column_lists_the_commit_that_added_a_value(gains_a_value: Story) -> None:
    entries = log_json(gains_a_value, "--column", "user.status")

    assert subjects(entries) == ["status gains c", "create user"]


def test_blame_gives_the_column_and_its_type_to_the_commit_that_added_a_value(
    gains_a_value: Story,
) -> None:
    assert blamed(blame_json(gains_a_value, "user")) == {
        "id": "create user",
        "status": "status gains c",
    }
    attributes = blamed(blame_json(gains_a_value, "user.status"))
    assert attributes["type"] == "status gains c"
    assert {k: v for k, v in attributes.items() if k != "type"} == dict.fromkeys(
        ("name", "nullable", "default", "comment", "computed", "identity", "autoincrement"),
        "create user",
    )


def test_the_diagram_notes_the_columns_new_values(gains_a_value: Story) -> None:
    run = schemadiff("HEAD~2..HEAD~1", "--format", "markdown", cwd=gains_a_value.path)

    assert run.code == 0, run.err
    diagram = run.out.split("```mermaid\n", 1)[1].split("```", 1)[0]
    noted = [line.strip() for line in diagram.splitlines() if "status" in line]
    assert noted == ['VARCHAR(8) status "values a, b → a, b, c"'], diagram


def test_every_kind_has_a_scope_and_every_column_kind_an_attribute() -> None:
    assert {kind: kind.scope for kind in ChangeKind}  # raises for a kind without one
    column_kinds = {k for k in ChangeKind if k.scope is Scope.COLUMN}
    attributed = [k for a in COLUMN_ATTRIBUTES for k in a.kinds]
    assert len(attributed) == len(set(attributed))
    assert set(attributed) == column_kinds - {ChangeKind.ADD_COLUMN, ChangeKind.REMOVE_COLUMN} | {
        ChangeKind.MODIFY_ENUM
    }
