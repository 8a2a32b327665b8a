"""A blob-less clone whose remote has gone: the "absent from this partial clone" hint only when
the failure comes from an absent file, and a failure of its own keeps its own advice.

The origin's first commit has models, a helper module and a data file; the second changes all
three. The clone (``--filter=blob:none``) has the second commit's files; of the first it is
given only the models before the remote goes away, so its helper and data file are absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import GitRepo, git, model_source, models_repo, schemadiff

MODELS = model_source(
    """
    class Product(Base):
        __tablename__ = "product"
        id: Mapped[int] = mapped_column(primary_key=True)
    """
)
NEWER = MODELS + "    sku: Mapped[str | None] = mapped_column(sa.String(32))\n"
HINT = (
    "  2 file(s) are absent from this partial clone and could not be fetched, such as {path}. "
    "Check that the remote is reachable, or clone without --filter."
)


def gone_remote_clone(tmp_path: Path, older_models: str) -> GitRepo:
    """The clone, with HEAD~1's models present and its other two files absent."""
    origin = GitRepo(tmp_path / "origin")
    origin.path.mkdir()
    git(origin.path, "init", "-q", "-b", "main")
    for version, models in ((1, older_models), (2, NEWER)):
        models_repo(origin, models)
        origin.write("app/helpers.py", f"VERSION = {version}\n")
        origin.write("app/data/seed.csv", f"id\n{version}\n")
        origin.commit(f"v{version}")
    git(origin.path, "config", "uploadpack.allowFilter", "true")
    git(origin.path, "config", "uploadpack.allowAnySHA1InWant", "true")
    git(tmp_path, "clone", "-q", "--filter=blob:none", f"file://{origin.path}", "part")
    part = GitRepo(tmp_path / "part")
    git(part.path, "cat-file", "-p", "HEAD~1:app/models.py")  # fetched while it can be
    git(part.path, "remote", "set-url", "origin", str(tmp_path / "nonexistent"))
    listing = git(part.path, "rev-list", "--objects", "--missing=print", "HEAD~1^{tree}")
    absent = sorted(line.split()[0][1:] for line in listing.splitlines() if line[0] == "?")
    assert absent == sorted(
        git(part.path, "rev-parse", f"HEAD~1:{path}")
        for path in ("app/helpers.py", "app/data/seed.csv")
    )
    return part


FAILURES = {
    # A failure of its own: the advice for it, not the clone's.
    "environment variable": (
        "import os\nMODE = os.environ['APP_MODE']\n" + MODELS,
        "(app/models.py:2): KeyError: 'APP_MODE'",
        "  Set what it needs under [tool.schemadiff.env], or run with --debug.",
    ),
    "syntax error": (
        MODELS + "    broken = (\n",
        "(app/models.py:12): SyntaxError: '(' was never closed",
        "  Fix the syntax error, or compare another ref.",
    ),
    # A failure from an absent file: the hint, naming that file.
    "absent module": (
        "from app.helpers import VERSION\n" + MODELS,
        "(app/models.py:1): ModuleNotFoundError: No module named 'app.helpers'",
        HINT.format(path="app/helpers.py"),
    ),
    "absent data file": (
        "from pathlib import Path\n"
        "SEED = (Path(__file__).parent / 'data' / 'seed.csv').read_text()\n" + MODELS,
        "(app/models.py:2): FileNotFoundError: [Errno 2] No such file or directory: '",
        HINT.format(path="app/data/seed.csv"),
    ),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_the_partial_clone_hint_only_for_an_absent_file(tmp_path: Path, case: str) -> None:
    models, failure, advice = FAILURES[case]
    part = gone_remote_clone(tmp_path, models)

    run = schemadiff("HEAD~1..HEAD", cwd=part.path)

    assert (run.code, run.out) == (2, "")
    first, second = run.err.splitlines()
    assert first.startswith(f"schemadiff: error: Importing the models at HEAD~1 failed {failure}")
    assert second == advice
