"""The pure pieces on their own: range parsing, config, env.py discovery, filters."""

from __future__ import annotations

import pytest

from schemadiff import alembicfiles, config
from schemadiff.diff import filter_schema
from schemadiff.errors import ConfigError, GitError
from schemadiff.gitrefs import INDEX, WORKTREE, RangeSpec, parse_range
from schemadiff.model import Schema, Table


@pytest.mark.parametrize(
    ("args", "staged", "expected"),
    [
        ((), False, RangeSpec("HEAD", WORKTREE)),
        ((), True, RangeSpec("HEAD", INDEX)),
        (("A",), False, RangeSpec("A", WORKTREE)),
        (("A",), True, RangeSpec("A", INDEX)),
        (("A..B",), False, RangeSpec("A", "B")),
        (("A..",), False, RangeSpec("A", "HEAD")),
        (("..B",), False, RangeSpec("HEAD", "B")),
        (("A...B",), False, RangeSpec("A", "B", merge_base=True)),
        (("A...",), False, RangeSpec("A", "HEAD", merge_base=True)),
        (("A", "B"), False, RangeSpec("A", "B")),
        (("HEAD~1..HEAD",), False, RangeSpec("HEAD~1", "HEAD")),
        (("origin/main...HEAD",), False, RangeSpec("origin/main", "HEAD", merge_base=True)),
    ],
)
def test_parse_range(args: tuple[str, ...], staged: bool, expected: RangeSpec) -> None:
    assert parse_range(args, staged) == expected


@pytest.mark.parametrize(
    ("args", "staged"),
    [
        (("-p",), False),
        (("A..-B",), False),
        (("A", "B", "C"), False),
        (("A", "B"), True),
        (("A..B",), True),
        (("A\nB",), False),
    ],
)
def test_parse_range_refuses(args: tuple[str, ...], staged: bool) -> None:
    with pytest.raises(GitError):
        parse_range(args, staged)


def test_pyproject_keys_are_checked() -> None:
    table = config.parse_pyproject(
        b'[tool.schemadiff]\nmetadata = ["a.b:M", "c:N.metadata"]\ntimeout = 5\n'
        b'env = {B = "2", A = "1"}\ninclude-schemas = [""]\n',
        "pyproject.toml",
    )
    assert table == {
        "metadata": ("a.b:M", "c:N.metadata"),
        "timeout": 5.0,
        "env": (("A", "1"), ("B", "2")),
        "include_schemas": ("",),
    }
    assert config.parse_pyproject(b"[project]\nname='x'\n", "p") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("timeout = -1", "timeout must be a positive number"),
        ("timeout = true", "timeout must be a positive number"),
        ('paths = ["../x"]', "paths must stay inside the repository"),
        ('paths = "src"', "paths must be a list of strings"),
        ("env = {A = 1}", "env must be a table of strings"),
        ('metadata = "nocolon"', "is not a locator"),
        ('dialect = "post gres"', "dialect must be a name"),
        ("exclude-table = []", "unknown key 'exclude-table'"),
    ],
)
def test_pyproject_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config.parse_pyproject(f"[tool.schemadiff]\n{text}\n".encode(), "pyproject.toml")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "from app.models import Base\ntarget_metadata = Base.metadata\n",
            ("app.models:Base.metadata",),
        ),
        (
            "import app.models as m\ntarget_metadata = m.Base.metadata\n",
            ("app.models:Base.metadata",),
        ),
        ("import app.db\ntarget_metadata = app.db.models.meta\n", ("app:db.models.meta",)),
        (
            "from a import x\nfrom b import y as z\ntarget_metadata = [x.metadata, z]\n",
            ("a:x.metadata", "b:y"),
        ),
    ],
)
def test_env_py_locators(source: str, expected: tuple[str, ...]) -> None:
    assert alembicfiles.locators_from_env(source.encode(), "env.py") == (expected, None)


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("target_metadata = None\n", "not taken from an imported module"),
        ("Base = make()\ntarget_metadata = Base.metadata\n", "not taken from an imported module"),
        ("x = 1\n", "assigns no target_metadata"),
        ("def (:\n", "SyntaxError"),
    ],
)
def test_env_py_problems(source: str, problem: str) -> None:
    locators, why = alembicfiles.locators_from_env(source.encode(), "env.py")
    assert locators is None
    assert why is not None and problem in why


def test_alembic_ini_dialect_and_paths() -> None:
    files = {
        "alembic.ini": b"[alembic]\nscript_location = mig\nsqlalchemy.url = postgres://u@h/db\n"
        b"prepend_sys_path = . src\n",
        "mig/env.py": b"from app.models import Base\ntarget_metadata = Base.metadata\n",
    }
    hints = alembicfiles.read_alembic(files.get, "HEAD")
    assert hints == alembicfiles.AlembicHints(
        ("app.models:Base.metadata",),
        "postgresql",
        (".", "src"),
        None,
        script_location="mig",
        version_locations=("mig/versions",),
    )
    settings = config.resolve(files.get, None, config.Overrides(), "HEAD")
    assert (settings.script_location, settings.version_locations) == ("mig", ("mig/versions",))
    assert settings.snapshot_path == "mig/schemadiff.snapshot.json"


def test_alembic_ini_version_locations_are_project_relative() -> None:
    files = {
        "alembic.ini": b"[alembic]\nscript_location = %(here)s/migrations\n"
        b"version_locations = %(here)s/migrations/versions %(here)s/extra/versions\n",
        "migrations/env.py": b"import app\ntarget_metadata = app.Base.metadata\n",
    }
    hints = alembicfiles.read_alembic(files.get, "HEAD")
    assert hints.script_location == "migrations"
    assert hints.version_locations == ("migrations/versions", "extra/versions")


def test_snapshot_path_is_configured_else_next_to_env_else_at_the_top() -> None:
    pyproject = b'[tool.schemadiff]\nmetadata = "app.models:Base.metadata"\n'
    alembic = b"[alembic]\nscript_location = mig\n"
    plain = config.resolve({"pyproject.toml": pyproject}.get, None, config.Overrides(), "HEAD")
    assert (plain.script_location, plain.snapshot_path) == (None, "schemadiff.snapshot.json")
    files = {"pyproject.toml": pyproject, "alembic.ini": alembic}
    beside = config.resolve(files.get, None, config.Overrides(), "HEAD")
    assert beside.snapshot_path == "mig/schemadiff.snapshot.json"
    files["pyproject.toml"] = pyproject + b'snapshot = "db/schema.snapshot.json"\n'
    configured = config.resolve(files.get, None, config.Overrides(), "HEAD")
    assert configured.snapshot_path == "db/schema.snapshot.json"


def test_precedence_cli_then_side_then_worktree_then_alembic() -> None:
    side = {
        "pyproject.toml": b'[tool.schemadiff]\ndialect = "mysql"\n',
        "alembic.ini": b"[alembic]\nscript_location = m\nsqlalchemy.url = sqlite://\n",
        "m/env.py": b"from app.models import Base\ntarget_metadata = Base.metadata\n",
    }
    worktree = {"pyproject.toml": b'[tool.schemadiff]\nmetadata = "other:M"\n'}
    settings = config.resolve(side.get, worktree.get, config.Overrides(), "HEAD~1")
    assert (settings.metadata, settings.dialect) == (("app.models:Base.metadata",), "mysql")
    settings = config.resolve({}.get, worktree.get, config.Overrides(timeout=3), "HEAD~1")
    assert (settings.metadata, settings.timeout) == (("other:M",), 3.0)
    cli = config.Overrides(metadata=("x:y",), dialect="sqlite")
    settings = config.resolve(side.get, worktree.get, cli, "HEAD~1")
    assert (settings.metadata, settings.dialect) == (("x:y",), "sqlite")


def test_named_enums_go_with_the_tables_that_use_them() -> None:
    from schemadiff.model import Column, ColumnType, EnumType, NamedEnum

    def table(name: str, enum: str) -> Table:
        kind = ColumnType("sa.Enum()", (), enum, EnumType(enum, None, ("a",), named=True))
        return Table(None, name, (Column("c", kind, True, None, None),), None, None)

    enums = (NamedEnum(None, "kept", ("a",)), NamedEnum(None, "gone", ("a",)))
    schema = Schema("postgresql", (table("t", "kept"), table("tmp_x", "gone")), enums)
    assert [e.name for e in filter_schema(schema, (), ("tmp_*",)).enums] == ["kept"]


def test_filters() -> None:
    tables = tuple(
        Table(s, n, (), None, None)
        for s, n in [(None, "user"), (None, "alembic_version"), ("audit", "log"), ("tmp", "x")]
    )
    schema = Schema("postgresql", tables)
    kept = filter_schema(schema, ("", "audit"), ("alembic_*", "audit.l?g"))
    assert [t.qualified_name for t in kept.tables] == ["user"]
