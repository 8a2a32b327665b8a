"""Histories built to catch ``blame`` giving the wrong commit (``api.spans``, ``api.blame``):
each test knows, by construction, which commit set each column's value."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import clean_env, schemadiff
from tests.test_log import Story, blamed, story

PYPROJECT = """\
[tool.schemadiff]
metadata = "app.models:Base.metadata"
dialect = "postgresql"
"""

HEAD = """\
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
"""

BASE = """

class Base(DeclarativeBase):
    pass
"""


def note(length: str = "LEN", extra: str = "") -> str:
    """A table "note" whose column ``body`` is a String(``length``)."""
    return (
        "\n\nclass Note(Base):\n"
        '    __tablename__ = "note"\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        f"    body: Mapped[str] = mapped_column(sa.String({length}))\n"
        f"{extra}"
    )


PAYMENT = """

class Payment(Base):
    __tablename__ = "payment"
    id: Mapped[int] = mapped_column(primary_key=True)
"""


def put(
    s: Story,
    subject: str,
    files: dict[str, str | bytes | None],
    pyproject: str = PYPROJECT,
) -> str:
    """Commit ``files`` exactly (no dedent); None deletes one; bytes are written raw."""
    tree: dict[str, str | bytes | None] = {
        "pyproject.toml": pyproject,
        "app/__init__.py": "",
        **files,
    }
    for path, text in tree.items():
        target = s.path / path
        if text is None:
            if target.exists():
                target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text)
    return s.commit(subject)


def blame(s: Story, tmp_path: Path, target: str, *args: str) -> dict[str, str | None]:
    """Each line's subject, from a cache of its own."""
    env = clean_env(SCHEMADIFF_CACHE_DIR=str(tmp_path / "cache"))
    run = schemadiff("blame", target, *args, "--format", "json", cwd=s.path, env=env)
    assert run.code == 0, run.err
    return blamed(json.loads(run.out))


def git(s: Story, *args: str) -> None:
    subprocess.run(["git", *args], cwd=s.path, env=clean_env(), capture_output=True, check=True)


# --- the table's own text ------------------------------------------------------------------------


def test_a_change_inside_the_class_and_back_is_found(tmp_path: Path) -> None:
    s = story(tmp_path / "repo")
    put(s, "create", {"app/models.py": HEAD + BASE + note("20") + PAYMENT})
    put(s, "widen", {"app/models.py": HEAD + BASE + note("30") + PAYMENT})
    put(s, "narrow back", {"app/models.py": HEAD + BASE + note("20") + PAYMENT})
    put(s, "payment only", {"app/models.py": HEAD + BASE + note("20") + PAYMENT + "\n\nX = 1\n"})
    put(s, "readme", {"README.md": "a\n"})

    assert blame(s, tmp_path, "note") == {"id": "create", "body": "narrow back"}


def test_a_constant_beside_the_class_changed_and_back_is_found(tmp_path: Path) -> None:
    s = story(tmp_path / "repo")
    for subject, length in (("create", 20), ("widen", 30), ("narrow back", 20)):
        put(s, subject, {"app/models.py": HEAD + f"LEN = {length}\n" + BASE + note() + PAYMENT})
    put(s, "payment", {"app/models.py": HEAD + "LEN = 20\n" + BASE + note() + PAYMENT + "\n#\n"})

    assert blame(s, tmp_path, "note") == {"id": "create", "body": "narrow back"}


def test_a_data_file_changed_and_back_is_found(tmp_path: Path) -> None:
    models = (
        HEAD
        + "import json, pathlib\n"
        + 'LEN = json.loads((pathlib.Path(__file__).parent / "spec.json").read_text())["len"]\n'
        + BASE
        + note()
    )
    s = story(tmp_path / "repo")
    put(s, "create", {"app/models.py": models, "app/spec.json": '{"len": 20}'})
    put(s, "widen", {"app/spec.json": '{"len": 30}'})
    put(s, "narrow back", {"app/spec.json": '{"len": 20}'})
    put(s, "readme", {"README.md": "a\n"})

    assert blame(s, tmp_path, "note") == {"id": "create", "body": "narrow back"}


def test_a_module_the_tip_no_longer_reads_changed_and_back_is_found(tmp_path: Path) -> None:
    """Both limits modules are always there; the models import one, then the other."""
    s = story(tmp_path / "repo")
    uses = HEAD + "from app.limits_{} import LEN\n" + BASE + note()
    put(
        s,
        "create",
        {
            "app/models.py": uses.format("a"),
            "app/limits_a.py": "LEN = 20\n",
            "app/limits_b.py": "LEN = 20\n",
        },
    )
    put(s, "a widens", {"app/limits_a.py": "LEN = 30\n"})
    put(s, "a narrows back", {"app/limits_a.py": "LEN = 20\n"})
    put(s, "use limits b", {"app/models.py": uses.format("b")})
    put(s, "readme", {"README.md": "a\n"})

    assert blame(s, tmp_path, "note") == {"id": "create", "body": "a narrows back"}


def test_an_import_alias_switched_and_back_is_found(tmp_path: Path) -> None:
    s = story(tmp_path / "repo")
    uses = HEAD + "from app.limits import {} as LEN\n" + BASE + note()
    limits = {"app/limits.py": "SHORT = 20\nLONG = 30\n"}
    put(s, "create", {"app/models.py": uses.format("SHORT"), **limits})
    put(s, "use long", {"app/models.py": uses.format("LONG")})
    put(s, "use short again", {"app/models.py": uses.format("SHORT")})
    put(s, "readme", {"README.md": "a\n"})

    assert blame(s, tmp_path, "note") == {"id": "create", "body": "use short again"}


OPTIONAL = (
    HEAD
    + "try:\n    from app.local import LEN\nexcept ImportError:\n    LEN = 20\n"
    + BASE
    + note()
)


def test_an_optional_module_that_comes_and_goes_is_found(tmp_path: Path) -> None:
    s = story(tmp_path / "repo")
    put(s, "create", {"app/models.py": OPTIONAL})
    put(s, "add local", {"app/local.py": "LEN = 30\n"})
    put(s, "drop local", {"app/local.py": None})
    put(s, "readme", {"README.md": "a\n"})

    assert blame(s, tmp_path, "note") == {"id": "create", "body": "drop local"}


LISTING = (
    HEAD
    + "import pathlib\n"
    + 'LEN = 10 * len(list((pathlib.Path(__file__).parent / "plugins").glob("*.txt")))\n'
    + BASE
    + note()
)


def test_a_file_that_comes_and_goes_in_a_listed_folder_is_found(tmp_path: Path) -> None:
    s = story(tmp_path / "repo")
    put(s, "create", {"app/models.py": LISTING, "app/plugins/a.txt": "", "app/plugins/b.txt": ""})
    put(s, "add plugin", {"app/plugins/c.txt": ""})
    put(s, "drop plugin", {"app/plugins/c.txt": None})
    put(s, "readme", {"README.md": "a\n"})

    assert blame(s, tmp_path, "note") == {"id": "create", "body": "drop plugin"}


def away_and_back(tmp_path: Path, models: Callable[[int], str | bytes]) -> Story:
    """create (``models(20)`` as app/models.py), widen (30), narrow back (20), readme."""
    s = story(tmp_path / "repo")
    put(s, "create", {"app/models.py": models(20)})
    put(s, "widen", {"app/models.py": models(30)})
    put(s, "narrow back", {"app/models.py": models(20)})
    put(s, "readme", {"README.md": "a\n"})
    return s


# --- a length changed and changed back, the models written each way ------------------------------


def shared_name(length: int) -> str:
    """A constant ``t`` that shares its name with the statement declaring payment."""
    return (
        HEAD + BASE + '\nt = sa.Table("payment", Base.metadata, sa.Column("id", sa.Integer, '
        "primary_key=True))\n" + f"t = {length}\n" + note("t")
    )


def one_function(length: int) -> str:
    """Two tables declared in one function."""
    return (
        HEAD
        + BASE
        + "\ndef build():\n"
        + '    sa.Table("payment", Base.metadata, sa.Column("id", sa.Integer, '
        "primary_key=True))\n"
        + '    return sa.Table("note", Base.metadata, sa.Column("id", sa.Integer, '
        f'primary_key=True), sa.Column("body", sa.String({length})))\n' + "\nnotes = build()\n"
    )


def one_loop(length: int) -> str:
    """Two tables declared in one loop."""
    return (
        HEAD
        + BASE
        + f'\nfor name, n in (("payment", 5), ("note", {length})):\n'
        + '    sa.Table(name, Base.metadata, sa.Column("id", sa.Integer, primary_key=True),'
        ' sa.Column("body", sa.String(n)))\n'
    )


def latin_1(length: int) -> bytes:
    """A latin-1 module with bytes that are not UTF-8."""
    text = (
        "# -*- coding: latin-1 -*-\n"
        + HEAD
        + BASE
        + note(f'{length}), comment=("caf\xe9"')
        + PAYMENT.replace("id:", "# \xe9t\xe9\n    id:")
    )
    return text.encode("latin-1")


@pytest.mark.parametrize(
    "models",
    [shared_name, one_function, one_loop, latin_1],
    ids=["shared-name", "tables-in-one-function", "tables-in-a-loop", "latin-1"],
)
def test_a_length_changed_and_back_is_found(
    tmp_path: Path, models: Callable[[int], str | bytes]
) -> None:
    s = away_and_back(tmp_path, models)

    assert blame(s, tmp_path, "note") == {"id": "create", "body": "narrow back"}


# --- a mixin in another file ---------------------------------------------------------------------


def test_a_mixin_in_base_changed_and_back(tmp_path: Path) -> None:
    def base(length: int) -> str:
        return (
            HEAD
            + BASE
            + "\n\nclass Stamped:\n"
            + f"    stamp: Mapped[str] = mapped_column(sa.String({length}))\n"
        )

    models = (
        HEAD
        + "from app.base import Base, Stamped\n"
        + note("20").replace("Note(Base)", "Note(Base, Stamped)")
        + PAYMENT
    )
    s = story(tmp_path / "repo")
    put(s, "create", {"app/base.py": base(20), "app/models.py": models})
    put(s, "widen", {"app/base.py": base(30)})
    put(s, "narrow back", {"app/base.py": base(20)})
    put(s, "payment", {"app/models.py": models + "\n#\n"})

    assert blame(s, tmp_path, "note") == {
        "id": "create",
        "body": "create",
        "stamp": "narrow back",
    }


# --- files that do not parse ---------------------------------------------------------------------


def test_a_commit_whose_module_does_not_parse_is_passed_through(tmp_path: Path) -> None:
    s = story(tmp_path / "repo")
    put(s, "create", {"app/models.py": HEAD + BASE + note("20") + PAYMENT})
    put(s, "widen", {"app/models.py": HEAD + BASE + note("30") + PAYMENT})
    put(s, "break it", {"app/models.py": HEAD + BASE + note("30") + PAYMENT + "\nclass (:\n"})
    put(s, "narrow, fixed", {"app/models.py": HEAD + BASE + note("20") + PAYMENT})
    put(s, "readme", {"README.md": "a\n"})

    assert blame(s, tmp_path, "note") == {"id": "create", "body": "narrow, fixed"}


def test_a_commit_with_a_module_too_deep_to_parse_is_passed_through(tmp_path: Path) -> None:
    deep = "TOTAL = " + "1 + " * 100_000 + "1\n"
    s = story(tmp_path / "repo")
    put(s, "create", {"app/models.py": HEAD + BASE + note("20"), "app/data.py": "TOTAL = 1\n"})
    put(s, "import data", {"app/models.py": HEAD + "import app.data\n" + BASE + note("20")})
    put(s, "generate data", {"app/data.py": deep})
    put(s, "fix data", {"app/data.py": "TOTAL = 1\n"})
    put(s, "readme", {"README.md": "a\n"})

    assert blame(s, tmp_path, "note") == {"id": "create", "body": "create"}


# --- settings, merges, renames, moves ------------------------------------------------------------


def test_a_dialect_changed_and_back_is_found(tmp_path: Path) -> None:
    models = HEAD + BASE + note("20", "    at = mapped_column(sa.DateTime(timezone=True))\n")
    sqlite = PYPROJECT.replace("postgresql", "sqlite")
    s = story(tmp_path / "repo")
    put(s, "create", {"app/models.py": models})
    put(s, "to sqlite", {}, pyproject=sqlite)
    put(s, "back to postgresql", {})
    put(s, "readme", {"README.md": "a\n"})

    assert blame(s, tmp_path, "note") == {
        "id": "create",
        "body": "create",
        "at": "back to postgresql",
    }


def test_a_branch_change_merged_across_a_stretch(tmp_path: Path) -> None:
    s = story(tmp_path / "repo")
    put(s, "create", {"app/models.py": HEAD + BASE + note("20") + PAYMENT})
    git(s, "checkout", "-q", "-b", "side")
    put(s, "side widens", {"app/models.py": HEAD + BASE + note("30") + PAYMENT})
    git(s, "checkout", "-q", "main")
    put(s, "readme", {"README.md": "a\n"})
    put(s, "other module", {"app/other.py": "X = 1\n"})
    s.merge("side", "merge side")
    put(s, "readme 2", {"README.md": "b\n"})
    put(s, "payment", {"app/models.py": HEAD + BASE + note("30") + PAYMENT + "\n#\n"})

    assert blame(s, tmp_path, "note") == {"id": "create", "body": "side widens"}


def test_a_branch_that_changes_and_changes_back(tmp_path: Path) -> None:
    s = story(tmp_path / "repo")
    put(s, "create", {"app/models.py": HEAD + BASE + note("20") + PAYMENT})
    git(s, "checkout", "-q", "-b", "side")
    put(s, "side widens", {"app/models.py": HEAD + BASE + note("30") + PAYMENT})
    put(s, "side narrows", {"app/models.py": HEAD + BASE + note("20") + PAYMENT})
    git(s, "checkout", "-q", "main")
    put(s, "readme", {"README.md": "a\n"})
    s.merge("side", "merge side")
    put(s, "readme 2", {"README.md": "b\n"})

    # git blame: the merge's first parent has the line unchanged.
    assert blame(s, tmp_path, "note") == {"id": "create", "body": "create"}


def test_a_module_moved_and_a_class_renamed(tmp_path: Path) -> None:
    s = story(tmp_path / "repo")
    init = HEAD + BASE + "\nfrom app.{} import *  # noqa: F403\n"
    put(s, "create", {"app/models.py": init.format("billing"), "app/billing.py": "X = 1\n"})
    put(
        s,
        "note in billing",
        {"app/billing.py": "from app.models import Base, sa, Mapped, mapped_column\n" + note("20")},
    )
    put(
        s,
        "move to notes",
        {
            "app/models.py": init.format("notes"),
            "app/billing.py": None,
            "app/notes.py": "from app.models import Base, sa, Mapped, mapped_column\n"
            + note("20").replace("class Note(", "class Memo("),
        },
    )
    put(s, "readme", {"README.md": "a\n"})

    # models.py imports the module after Base is defined
    assert blame(s, tmp_path, "note") == {"id": "note in billing", "body": "note in billing"}


def test_a_table_renamed_with_renamed_from(tmp_path: Path) -> None:
    s = story(tmp_path / "repo")
    put(s, "create", {"app/models.py": HEAD + BASE + note("20") + PAYMENT})
    put(s, "widen", {"app/models.py": HEAD + BASE + note("30") + PAYMENT})
    renamed = note("30").replace(
        '__tablename__ = "note"',
        '__tablename__ = "memo"\n    __table_args__ = {"info": {"renamed_from": "note"}}',
    )
    put(s, "rename", {"app/models.py": HEAD + BASE + renamed + PAYMENT})
    put(s, "payment", {"app/models.py": HEAD + BASE + renamed + PAYMENT + "\n#\n"})

    assert blame(s, tmp_path, "memo") == {"id": "create", "body": "widen"}
    assert blame(s, tmp_path, "memo.body")["type"] == "widen"


def test_since_stops_inside_a_stretch(tmp_path: Path) -> None:
    s = story(tmp_path / "repo")
    put(s, "create", {"app/models.py": HEAD + BASE + note("20") + PAYMENT})
    for n in range(5):
        put(s, f"readme {n}", {"README.md": f"{n}\n"})
    put(s, "widen", {"app/models.py": HEAD + BASE + note("30") + PAYMENT})

    assert blame(s, tmp_path, "note", "--since", "2024-03-03T00:00:00+00:00") == {
        "id": None,
        "body": "widen",
    }


def test_a_referred_tables_key_type_changed_and_back_is_found(tmp_path: Path) -> None:
    def models(key: str) -> str:
        user = (
            '\n\nclass User(Base):\n    __tablename__ = "user"\n'
            f"    id: Mapped[int] = mapped_column({key}primary_key=True)\n"
        )
        owner = '    owner_id = sa.Column(sa.ForeignKey("user.id"))\n'
        return HEAD + BASE + user + note("20", owner) + PAYMENT

    s = story(tmp_path / "repo")
    put(s, "create", {"app/models.py": models("")})
    put(s, "big ids", {"app/models.py": models("sa.BigInteger, ")})
    put(s, "small ids again", {"app/models.py": models("")})
    put(s, "payment", {"app/models.py": models("") + "\n#\n"})

    assert blame(s, tmp_path, "note") == {
        "id": "create",
        "body": "create",
        "owner_id": "small ids again",
    }


def test_attributes_through_a_column_rename(tmp_path: Path) -> None:
    s = story(tmp_path / "repo")
    put(s, "create", {"app/models.py": HEAD + BASE + note("20") + PAYMENT})
    put(s, "widen", {"app/models.py": HEAD + BASE + note("30") + PAYMENT})
    renamed = note("30").replace(
        "body: Mapped[str] = mapped_column(",
        'text: Mapped[str] = mapped_column(info={"renamed_from": "body"}, type_=',
    )
    put(s, "rename", {"app/models.py": HEAD + BASE + renamed + PAYMENT})
    put(s, "payment", {"app/models.py": HEAD + BASE + renamed + PAYMENT + "\n#\n"})

    lines = blame(s, tmp_path, "note.text")
    assert (lines["name"], lines["type"], lines["nullable"]) == ("rename", "widen", "create")
