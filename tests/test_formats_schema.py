"""The documented JSON Schemas (docs/*.schema.json) hold for what the tool really prints."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import GitRepo, models_repo, schemadiff

DOCS = Path(__file__).parents[1] / "docs"
CASES = Path(__file__).parent / "cases"


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((DOCS / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_real_documents_validate(repo: GitRepo) -> None:
    models_repo(repo, (CASES / "add_and_remove_table" / "before.py").read_text()).commit("a")
    models_repo(repo, (CASES / "add_and_remove_table" / "after.py").read_text()).commit("b")
    diff = schemadiff("HEAD~1..HEAD", "-f", "json", cwd=repo.path).json()
    worktree = schemadiff("HEAD", "-f", "json", cwd=repo.path).json()
    snapshot = schemadiff("snapshot", cwd=repo.path).json()
    validator("diff.schema.json").validate(diff)
    validator("diff.schema.json").validate(worktree)
    validator("snapshot.schema.json").validate(snapshot)


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_every_golden_change_validates(case: str) -> None:
    changes = json.loads((CASES / case / "expected.json").read_text())
    document = {
        "format": "schemadiff-diff",
        "version": 1,
        "from": {"ref": "HEAD~1", "commit": "0" * 40, "source": "git"},
        "to": {"ref": None, "commit": None, "source": "worktree"},
        "dialect": "postgresql",
        "changes": changes,
        "notes": [],
    }
    validator("diff.schema.json").validate(document)


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d.update(version=2),
        lambda d: d.update(format="other"),
        lambda d: d["tables"][0].pop("columns"),
        lambda d: d["tables"][0]["columns"][0].update(nullable="yes"),
        lambda d: d["tables"][0].update(extra=1),
    ],
)
def test_wrong_snapshots_are_rejected(repo: GitRepo, breakage) -> None:  # type: ignore[no-untyped-def]
    models_repo(repo, (CASES / "comments" / "after.py").read_text()).commit("a")
    document = schemadiff("snapshot", cwd=repo.path).json()
    breakage(document)
    assert not validator("snapshot.schema.json").is_valid(document)
