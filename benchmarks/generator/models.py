"""A synthetic models package: TABLES_PER_MODULE tables a module, seeded, with strings,
numbers, booleans, dates, enums, foreign keys and composite indexes; and the repository whose
last commit changes a handful of things in it (``build_repository``)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.harness import Settings, progress
from benchmarks.repos import commit, git

TABLES_PER_MODULE = 50
SEED = 20240601


@dataclass
class Column:
    name: str
    annotation: str
    arguments: list[str]
    nullable: bool

    def render(self) -> str:
        optional = " | None" if self.nullable else ""
        arguments = ", ".join([*self.arguments, f"nullable={self.nullable}"])
        return f"    {self.name}: Mapped[{self.annotation}{optional}] = mapped_column({arguments})"


@dataclass
class Table:
    number: int
    module: str
    columns: list[Column] = field(default_factory=list)
    composite: tuple[str, str] | None = None
    references: list[int] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"t{self.number:05d}"

    def render(self) -> str:
        lines = [f"class T{self.number:05d}(Base):", f'    __tablename__ = "{self.name}"']
        if self.composite:
            first, second = self.composite
            index = f'sa.Index("ix_{self.name}_{first}_{second}", "{first}", "{second}")'
            lines.append(f"    __table_args__ = ({index},)")
        lines.append("")
        lines.append("    id: Mapped[int] = mapped_column(primary_key=True)")
        lines.extend(column.render() for column in self.columns)
        return "\n".join(lines)


def string_column(rng: random.Random, name: str) -> Column:
    length = rng.choice((20, 40, 80, 120, 255))
    arguments = [f"sa.String({length})"] + (["index=True"] if rng.random() < 0.2 else [])
    return Column(name, "str", arguments, rng.random() < 0.4)


def integer_column(rng: random.Random, name: str) -> Column:
    arguments = ["sa.Integer()"] + (['server_default="0"'] if rng.random() < 0.3 else [])
    return Column(name, "int", arguments, rng.random() < 0.5)


def boolean_column(rng: random.Random, name: str) -> Column:
    default = rng.choice(("sa.false()", "sa.true()"))
    return Column(name, "bool", ["sa.Boolean()", f"server_default={default}"], False)


def datetime_column(rng: random.Random, name: str) -> Column:
    arguments = ["sa.DateTime(timezone=True)", "server_default=sa.func.now()"]
    return Column(name, "datetime.datetime", arguments, rng.random() < 0.2)


def numeric_column(rng: random.Random, name: str) -> Column:
    precision = rng.choice((10, 12, 18))
    return Column(name, "decimal.Decimal", [f"sa.Numeric({precision}, 2)"], rng.random() < 0.5)


def text_column(rng: random.Random, name: str) -> Column:
    return Column(name, "str", ["sa.Text()"], True)


COLUMN_KINDS: dict[str, Callable[[random.Random, str], Column]] = {
    "label": string_column,
    "count": integer_column,
    "flag": boolean_column,
    "at": datetime_column,
    "amount": numeric_column,
    "notes": text_column,
}


def enum_column(table: str) -> Column:
    """The default is a plain string, which SQLAlchemy quotes: "'draft'" would be the value
    'draft' with its quotes, which PostgreSQL refuses for the enum (see ``incumbent``)."""
    enum = f'sa.Enum("draft", "active", "archived", name="{table}_status")'
    return Column("status", "str", [enum, 'server_default="draft"'], False)


def foreign_key_column(target: int, position: int) -> Column:
    key = f'sa.ForeignKey("t{target:05d}.id", ondelete="CASCADE")'
    return Column(f"ref_{position}_id", "int", [key, "index=True"], position > 0)


def generate_table(rng: random.Random, number: int) -> Table:
    table = Table(number, f"m{number // TABLES_PER_MODULE:03d}")
    table.columns.append(Column("name", "str", [f"sa.String({rng.choice((40, 80))})"], False))
    for position in range(rng.randint(4, 9)):
        kind = rng.choice(list(COLUMN_KINDS))
        table.columns.append(COLUMN_KINDS[kind](rng, f"{kind}_{position}"))
    if number % 4 == 1:
        table.columns.append(enum_column(table.name))
    if number > 0:
        targets = sorted(set(rng.sample(range(number), k=min(number, rng.choice((0, 1, 1, 2))))))
        for position, target in enumerate(targets):
            table.columns.append(foreign_key_column(target, position))
            table.references.append(target)
    plain = [c.name for c in table.columns if not c.name.startswith("ref_")]
    if rng.random() < 0.6:
        first, second = rng.sample(plain, k=2)
        table.composite = (first, second)
    return table


def generate_tables(size: int) -> list[Table]:
    rng = random.Random(SEED)
    return [generate_table(rng, number) for number in range(size)]


def change_tables(tables: list[Table]) -> list[Table]:
    """The second commit: new columns, a wider string, one table added, one dropped."""
    rng = random.Random(SEED + 1)
    tables = [Table(t.number, t.module, list(t.columns), t.composite, t.references) for t in tables]
    for table in rng.sample(tables, k=min(3, len(tables))):
        table.columns.append(Column("added_note", "str", ["sa.String(64)"], True))
    for table in rng.sample(tables, k=min(2, len(tables))):
        table.columns[0] = Column("name", "str", ["sa.String(300)"], False)
    referenced = {target for table in tables for target in table.references}
    droppable = [t for t in tables if t.number not in referenced and t.number > 0]
    dropped = rng.choice(droppable)
    tables = [t for t in tables if t is not dropped]
    added = generate_table(rng, max(t.number for t in tables) + 1)
    added.module = tables[-1].module
    return [*tables, added]


MODULE_HEADER = """\
from __future__ import annotations

import datetime
import decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
"""

BASE_MODULE = """\
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
"""

PYPROJECT = """\
[project]
name = "bench-models"
version = "1.0"

[tool.schemadiff]
metadata = "models:Base.metadata"
dialect = "postgresql"
"""


def module_source(members: Sequence[Table]) -> str:
    body = "\n\n\n".join(table.render() for table in members)
    return f"{MODULE_HEADER}\n\n{body}\n"


def by_module(tables: Sequence[Table]) -> dict[str, list[Table]]:
    modules: dict[str, list[Table]] = {}
    for table in tables:
        modules.setdefault(table.module, []).append(table)
    return modules


def models_files(tables: Sequence[Table]) -> dict[str, str]:
    """The files of ``models/`` (path in the repository: text), one module per
    TABLES_PER_MODULE tables."""
    modules = by_module(tables)
    files = {f"models/{module}.py": module_source(members) for module, members in modules.items()}
    files["models/base.py"] = BASE_MODULE
    imports = "".join(f"from models import {module}\n" for module in modules)
    files["models/__init__.py"] = f'from models.base import Base\n{imports}\n__all__ = ["Base"]\n'
    return files


def write_models(repo: Path, tables: Sequence[Table]) -> None:
    """Replace ``models/`` with the files of ``models_files``."""
    package = repo / "models"
    if package.exists():
        for old in package.iterdir():
            old.unlink()
    package.mkdir(exist_ok=True)
    for path, text in models_files(tables).items():
        (repo / path).write_text(text)


def build_repository(repo: Path, size: int) -> None:
    """A git repository whose last commit changes a handful of things in ``size`` tables."""
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    (repo / "pyproject.toml").write_text(PYPROJECT)
    tables = generate_tables(size)
    write_models(repo, tables)
    commit(repo, f"models: {size} tables")
    write_models(repo, change_tables(tables))
    commit(repo, "models: add columns, widen a name, add a table, drop a table")


def prepared(settings: Settings, benchmark: str, size: int) -> tuple[Path, Path]:
    """A working folder for one benchmark at one size, and the repository built in it."""
    base = settings.workdir / f"{benchmark}-{size}"
    progress(f"{benchmark} N={size}: building the repository")
    build_repository(base / "repo", size)
    return base, base / "repo"
