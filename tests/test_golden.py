"""Golden cases: tests/cases/<name>/before.py -> after.py, through the real sandbox and CLI.

Each case is committed twice as app/models.py in a real repository (with the case's own
pyproject.toml when it has one); every output format must match the case's expected file.
Regenerate with SCHEMADIFF_UPDATE_GOLDEN=1 and read the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import GitRepo, commit_case, schemadiff

CASES = Path(__file__).parent / "cases"
FORMATS = {"text": "expected.txt", "json": "expected.json"}


def _product(output_format: str, out: str) -> str:
    if output_format == "json":  # commits differ per run: keep what the case decides
        document = json.loads(out)
        return json.dumps(document["changes"], indent=2, sort_keys=True) + "\n"
    return "".join(out.splitlines(keepends=True)[2:])


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_golden_case(repo: GitRepo, case: str) -> None:
    folder = CASES / case
    commit_case(repo, folder)
    for output_format, filename in FORMATS.items():
        run = schemadiff("HEAD~1..HEAD", "--format", output_format, cwd=repo.path)
        assert run.code == 0, run.err
        actual = _product(output_format, run.out)
        expected_file = folder / filename
        if os.environ.get("SCHEMADIFF_UPDATE_GOLDEN"):
            expected_file.write_text(actual)
        assert actual == expected_file.read_text(), f"{case}: {output_format} output changed"
