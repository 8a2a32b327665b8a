"""One declaration per option: a ``[tool.schemadiff]`` key's check is its flag's check, and
its declaration decides which commands take the flag (issue 16)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from schemadiff.config import KEYS
from tests.conftest import GitRepo, model_source, models_repo, schemadiff

MODELS = model_source(
    """
    class Person(Base):
        __tablename__ = "person"
        id: Mapped[int] = mapped_column(primary_key=True)
    """
)
COMMANDS = ("diff", "check", "revision", "snapshot", "log", "blame")

LOCATOR = 'metadata = "app.models:Base.metadata"\n'
# A bad value of each key that has a flag: on the command line, and in pyproject.toml.
BAD = [
    ("metadata", ["app.models"], 'metadata = ["app.models"]\n'),
    ("import", ["app..models"], LOCATOR + 'import = ["app..models"]\n'),
    ("paths", ["../elsewhere"], LOCATOR + 'paths = ["../elsewhere"]\n'),
    ("dialect", ["post gres"], LOCATOR + 'dialect = "post gres"\n'),
    ("timeout", ["0"], LOCATOR + "timeout = 0.0\n"),
    ("sandbox", ["loose"], LOCATOR + 'sandbox = "loose"\n'),
    ("user-module-prefix", ["mytypes"], LOCATOR + 'user-module-prefix = "mytypes"\n'),
    ("check", ["locking=loud"], LOCATOR + '[tool.schemadiff.check]\nlocking = "loud"\n'),
]


def _error(err: str) -> str:
    (line,) = [line for line in err.splitlines() if line.startswith("schemadiff: error:")]
    return line


@pytest.mark.parametrize(("key", "values", "pyproject"), BAD, ids=[b[0] for b in BAD])
def test_the_flag_and_the_key_are_checked_by_one_function(
    repo: GitRepo, key: str, values: list[str], pyproject: str
) -> None:
    models_repo(repo, MODELS).commit("models")
    option = KEYS[key].option
    flagged = schemadiff("check", *(a for v in values for a in (option, v)), cwd=repo.path)
    assert flagged.code == 2, flagged.err
    repo.write("pyproject.toml", "[tool.schemadiff]\n" + pyproject)
    keyed = schemadiff("check", cwd=repo.path)
    assert keyed.code == 2, keyed.err
    flag_place = f"schemadiff: error: {option}: "
    file_place = "schemadiff: error: pyproject.toml at the working tree: "
    assert _error(flagged.err).startswith(flag_place)
    assert _error(keyed.err).startswith(file_place)
    assert _error(flagged.err).removeprefix(flag_place) == _error(keyed.err).removeprefix(
        file_place
    )


def _options_of(command: str, cwd: Path) -> set[str]:
    shown = schemadiff(command, "--help", cwd=cwd).out
    return set(re.findall(r"(?m)^  (?:-\w, )?(--[\w-]+)", shown))


def test_each_flag_is_an_option_of_the_commands_its_key_names(repo: GitRepo) -> None:
    models_repo(repo, MODELS).commit("models")
    shown = {command: _options_of(command, repo.path) for command in COMMANDS}
    flagged = [key for key in KEYS.values() if key.flag is not None]
    assert {key.name for key in flagged} >= {"metadata", "paths", "check", "render-as-batch"}
    for key in flagged:
        assert key.flag is not None
        takers = {c for c in COMMANDS if key.option in shown[c]}
        assert takers == set(key.flag.commands), key.name
    assert "--rule" in shown["check"]
    assert "--rule" not in shown["diff"]
    assert "--ignore-python-only" in shown["diff"]
    assert "--ignore-python-only" not in shown["check"] | shown["revision"]
    assert "--from-db" in shown["revision"]
    assert "--from-db" not in shown["log"] | shown["blame"] | shown["snapshot"]


def test_a_key_without_a_flag_is_no_option(repo: GitRepo) -> None:
    models_repo(repo, MODELS).commit("models")
    for name in ("env", "renames", "memory-limit", "cpu-limit", "snapshot"):
        assert KEYS[name].flag is None
    ran = schemadiff("diff", "--memory-limit", "100", cwd=repo.path)
    assert ran.code == 2
    assert "No such option: --memory-limit" in ran.err


def test_a_negatable_flag_overrides_the_file_either_way(repo: GitRepo) -> None:
    models_repo(repo, MODELS).commit("models")
    repo.write("pyproject.toml", "[tool.schemadiff]\n" + LOCATOR + "render-as-batch = true\n")
    repo.write("app/models.py", MODELS + "    nick: Mapped[str | None]\n")
    batch = schemadiff("diff", "-f", "alembic", cwd=repo.path)
    plain = schemadiff("diff", "-f", "alembic", "--no-render-as-batch", cwd=repo.path)
    assert batch.code == plain.code == 0, batch.err + plain.err
    assert "with op.batch_alter_table('person'" in batch.out
    assert "op.add_column('person', sa.Column('nick'" in plain.out
    assert "batch_alter_table" not in plain.out
    repo.write("pyproject.toml", "[tool.schemadiff]\n" + LOCATOR + "render-as-batch = false\n")
    forced = schemadiff("diff", "-f", "alembic", "--render-as-batch", cwd=repo.path)
    assert "with op.batch_alter_table('person'" in forced.out, forced.err


def test_a_plain_flag_left_off_leaves_the_file_to_decide(repo: GitRepo) -> None:
    """``--no-renames`` not given is not "false": pyproject.toml's ``no-renames = true`` holds."""
    old = MODELS + "    nick: Mapped[str]\n"
    models_repo(repo, old).commit("old")
    repo.write("pyproject.toml", "[tool.schemadiff]\n" + LOCATOR + "no-renames = true\n")
    repo.write("app/models.py", old.replace("nick", "handle"))
    repo.commit("new")
    found = schemadiff("HEAD~1..HEAD", "-f", "json", cwd=repo.path).json()
    assert [c["kind"] for c in found["changes"]] == ["remove_column", "add_column"]


def test_the_configuration_docs_list_each_key_with_its_flag_and_commands() -> None:
    """docs/configuration.md's table of keys says what the declarations say."""
    docs = (Path(__file__).parents[1] / "docs" / "configuration.md").read_text()
    rows = dict(re.findall(r"(?m)^\| `([\w-]+)` \| (.+) \|$", docs))
    assert set(rows) == set(KEYS)
    for name, key in KEYS.items():
        said = rows[name]
        if key.flag is None:
            assert said == "none", name
            continue
        assert said.startswith(f"`{key.option}"), name
        named = re.match(r"[^(]*\(([^;)]*)", said)
        listed = set(re.findall(r"`(\w+)`", named[1])) & set(COMMANDS) if named else set()
        assert (listed or set(COMMANDS)) == set(key.flag.commands), name


def test_the_commands_comparing_sides_are_one_list() -> None:
    from schemadiff.cli import shared
    from schemadiff.config import keys

    assert shared.COMPARING == keys.COMPARING
    assert set(keys.EVERY_COMMAND) == set(COMMANDS)
