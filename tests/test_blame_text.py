"""``blame`` goes past the commits that change only other tables (``api.spans``) without
importing them, and believes no commit the imports have not shown: a change the table's
text does not show is still found."""

from __future__ import annotations

import json
from pathlib import Path

from schemadiff import closure
from schemadiff.api import spans
from tests.conftest import clean_env, schemadiff
from tests.test_log import COUNTED, EMAIL_100, Story, blamed, story, user

PYPROJECT = """\
[tool.schemadiff]
metadata = "app.models:Base.metadata"
dialect = "postgresql"
sandbox = "off"
"""
"""The models count their imports in a file outside their tree: the sandbox is off."""

ID = "id: Mapped[int] = mapped_column(primary_key=True)"
C1 = "c1: Mapped[int | None]"


def orders(*columns: str, tail: str = "") -> str:
    """A table "orders" to put after "user": ``columns``, then ``tail`` in its class body."""
    body = "".join(f"    {line}\n" for line in (ID, *columns))
    return f'\n\nclass Order(Base):\n    __tablename__ = "orders"\n{body}{tail}'


def counted(where: Story, subject: str, models: str, **files: str) -> str:
    """Commit ``models`` (counting their imports) as app/models.py, and ``files``."""
    tree = {"pyproject.toml": PYPROJECT, "app/__init__.py": "", "app/models.py": COUNTED + models}
    return where.commit(subject, files=tree | files)


def blame_counting(where: Story, tmp_path: Path, target: str) -> tuple[dict[str, str | None], int]:
    """Each line's subject, and how many imports the blame ran (an empty cache)."""
    imports = tmp_path / "imports.log"
    imports.unlink(missing_ok=True)
    env = clean_env(IMPORT_LOG=str(imports), SCHEMADIFF_CACHE_DIR=str(tmp_path / "cache"))
    run = schemadiff("blame", target, "--format", "json", cwd=where.path, env=env)
    assert run.code == 0, run.err
    return blamed(json.loads(run.out)), len(imports.read_text().splitlines())


def test_blame_imports_only_where_the_tables_text_changes(tmp_path: Path) -> None:
    s = story(tmp_path / "repo")
    counted(s, "create both", user(EMAIL_100, extra=orders()))
    for n in range(1, 5):
        columns = [f"c{i}: Mapped[int | None]" for i in range(1, n + 1)]
        counted(s, f"orders gets c{n}", user(EMAIL_100, extra=orders(*columns)))
    every = [f"c{i}: Mapped[int | None]" for i in range(1, 5)]
    counted(s, "user gets age", user(EMAIL_100, "age: Mapped[int | None]", extra=orders(*every)))
    counted(
        s,
        "orders gets c5",
        user(EMAIL_100, "age: Mapped[int | None]", extra=orders(*every, "c5: Mapped[int | None]")),
    )

    lines, imports = blame_counting(s, tmp_path, "user")

    assert lines == {"id": "create both", "email": "create both", "age": "user gets age"}
    # The tip; "user gets age" and its parent (where the text of user changes); the root.
    # Following every commit whose models changed would import all seven.
    assert imports == 4


def test_blame_finds_a_change_made_from_another_tables_class(tmp_path: Path) -> None:
    """The text of "user" leaves out the class Order: a line there that changes a column of
    user is not seen by the text, but the import at the stretch's end shows the column
    differs, and halving the stretch finds the commit."""
    s = story(tmp_path / "repo")
    loosen = "    User.__table__.c.email.nullable = True\n"
    for n in range(9):  # each commit adds a column to orders; the fourth also loosens email
        columns = [f"c{i}: Mapped[int | None]" for i in range(1, n + 1)]
        subject = "create both" if n == 0 else "orders loosens email" if n == 3 else f"c{n}"
        counted(s, subject, user(EMAIL_100, extra=orders(*columns, tail=loosen if n >= 3 else "")))

    lines, imports = blame_counting(s, tmp_path, "user")

    assert lines == {"id": "create both", "email": "orders loosens email"}
    # The tip, the root (where email is not null), then halving: c4 (loose), c2, the fourth.
    # Following each of the nine states would import nine times.
    assert imports == 5


def test_blame_follows_a_key_column_whose_type_comes_from_the_table_it_refers_to(
    tmp_path: Path,
) -> None:
    s = story(tmp_path / "repo")
    key = '    user_id = sa.Column(sa.ForeignKey("user.id"))\n'
    big_id = "id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)"
    counted(s, "create both", user(EMAIL_100, extra=orders(tail=key)))
    counted(s, "email may be null", user("email: Mapped[str | None]", extra=orders(tail=key)))
    widened = user(EMAIL_100, extra=orders(tail=key)).replace(
        "id: Mapped[int] = mapped_column(primary_key=True)", big_id, 1
    )
    counted(s, "user id is big", widened)
    counted(s, "readme", widened, **{"README.md": "a\n"})

    lines, _ = blame_counting(s, tmp_path, "orders")

    assert lines == {"id": "create both", "user_id": "user id is big"}


# --- the text itself ----------------------------------------------------------------------------

MODULE = b'''from __future__ import annotations
import sqlalchemy as sa

NOTE = """a string that looks like code:
class Fake(Base):
    pass
"""


@decorated
class Invoice(Base):
    __tablename__ = "invoice"


class Payment(Base):
    __tablename__ = "payment"

invoices = sa.Table("invoice_lines", sa.MetaData())
'''


def test_statements_are_the_modules_own_even_when_cut_inside_a_string() -> None:
    found = spans.statements(MODULE)

    assert found is not None
    assert [(s.name, s.first, s.last, s.imports is not None) for s in found] == [
        (None, 1, 1, True),
        (None, 2, 2, True),
        ("= NOTE", 4, 7, False),
        ("def Invoice", 10, 12, False),  # its decorator with it
        ("def Payment", 15, 16, False),
        ("= invoices", 18, 18, False),
    ]
    assert spans.statements(b"class Broken(:\n") is None


def test_a_tables_text_leaves_out_other_tables_and_imports_of_modules() -> None:
    reads = closure.Reads(
        files=frozenset({"app/m.py", "data.json"}), modules=frozenset({"app/helpers"})
    )
    text = spans.Text(reads, {"app/m.py": frozenset({"def Payment"})})
    part = text.part("app/m.py", MODULE)

    def changed(old: bytes, new: bytes) -> bytes:
        assert old in MODULE
        return text.part("app/m.py", MODULE.replace(old, new))

    assert changed(b'"payment"', b'"payments"') == part  # another table's class
    module = b"import sqlalchemy as sa\nfrom . import helpers\nfrom app import helpers as h\n"
    assert changed(b"import sqlalchemy as sa\n", module) == part  # modules of the tree
    assert changed(b'"invoice"', b'"invoices"') != part  # its own class
    assert changed(b"looks like", b"is like") != part  # a constant beside it
    assert changed(b"import sqlalchemy as sa\n", b"import sqlalchemy\n") != part
    assert changed(b"import sqlalchemy as sa\n", b"from app.helpers import LEN\n") != part
    # A name two statements bind is no table's own: the second Payment stays in.
    assert changed(b"invoices = ", b"class Payment: pass\ninvoices = ") != part
    # A module that holds only imports, a docstring and other tables holds none of it, as an
    # absent one does; a docstring is no table's text.
    only = (
        b'"""Payments."""\nimport os\nfrom app import helpers\n\nclass Payment(Base):\n    pass\n'
    )
    assert text.part("app/m.py", only) == text.part("app/m.py", None)
    assert changed(b"from __future__", b'"""A docstring."""\nfrom __future__') == part
    assert text.part("data.json", b"[1]") != text.part("data.json", b"[2]")


def test_a_module_too_deep_to_parse_is_hashed_whole() -> None:
    deep = b"TOTAL = " + b" + ".join([b"1"] * 100_000) + b"\n"

    assert spans.statements(deep) is None
