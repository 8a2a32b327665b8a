"""The options issue 3 added, through the real CLI and pyproject.toml."""

from __future__ import annotations

from tests.conftest import GitRepo, model_source, models_repo, schemadiff

OLD = model_source(
    """
    class Upper(sa.types.TypeDecorator):
        impl = sa.String(20)
        cache_ok = True


    class Person(Base):
        __tablename__ = "person"
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str] = mapped_column(sa.String(100))
        code: Mapped[str] = mapped_column(Upper())
        nick: Mapped[str | None]
    """
)
NEW = OLD.replace("sa.String(100)", "sa.VARCHAR(100)").replace(
    "nick: Mapped[str | None]", "handle: Mapped[str | None]"
)


def kinds(run_json: dict) -> list[tuple[str, str]]:
    return [(c["kind"], c["name"]) for c in run_json["changes"]]


def test_ignore_python_only_and_no_renames(repo: GitRepo) -> None:
    models_repo(repo, OLD).commit("old")
    models_repo(repo, NEW).commit("new")
    everything = schemadiff("HEAD~1..HEAD", "-f", "json", cwd=repo.path).json()
    assert kinds(everything) == [("rename_column", "handle"), ("modify_type", "email")]
    assert everything["changes"][0]["confidence"] == "guessed"
    quiet = schemadiff("HEAD~1..HEAD", "-f", "json", "--ignore-python-only", cwd=repo.path)
    assert kinds(quiet.json()) == [("rename_column", "handle")]
    literal = schemadiff("HEAD~1..HEAD", "-f", "json", "--no-renames", cwd=repo.path)
    assert kinds(literal.json()) == [
        ("remove_column", "nick"),
        ("modify_type", "email"),
        ("add_column", "handle"),
    ]


def test_declared_renames_stay_with_no_renames_and_config_mirrors_the_flags(
    repo: GitRepo,
) -> None:
    models_repo(repo, OLD).commit("old")
    declared = NEW.replace(
        "handle: Mapped[str | None]",
        "handle: Mapped[str | None] = mapped_column(info={'renamed_from': 'nick'})",
    )
    models_repo(repo, declared)
    repo.write(
        "pyproject.toml",
        """
        [tool.schemadiff]
        metadata = "app.models:Base.metadata"
        no-renames = true
        ignore-python-only = true
        """,
    )
    repo.commit("new")
    found = schemadiff("HEAD~1..HEAD", "-f", "json", cwd=repo.path).json()
    assert kinds(found) == [("rename_column", "handle")]
    assert found["changes"][0]["confidence"] == "declared"


def test_user_module_prefix(repo: GitRepo) -> None:
    models_repo(repo, OLD).commit("old")
    plain = schemadiff("snapshot", cwd=repo.path).json()
    prefixed = schemadiff("snapshot", "--user-module-prefix", "mytypes.", cwd=repo.path).json()

    def code_type(document: dict) -> dict:
        tables = document["entries"][0]["metadata"]["default"]["tables"]
        return next(c for c in tables[0]["columns"] if c["name"] == "code")["type"]

    assert code_type(plain)["python"] == "app.models.Upper(length=20)"
    assert code_type(plain)["imports"] == ["import app.models"]
    assert code_type(prefixed)["python"] == "mytypes.Upper(length=20)"
    assert code_type(prefixed)["imports"] == []
    bad = schemadiff("snapshot", "--user-module-prefix", "mytypes", cwd=repo.path)
    assert bad.code == 2
    assert 'must end with "."' in bad.err
