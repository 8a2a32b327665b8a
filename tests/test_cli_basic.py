"""The main job end to end: a real repository, the real CLI, both output formats."""

from __future__ import annotations

from tests.conftest import GitRepo, model_source, models_repo, schemadiff

V1 = model_source(
    """
    class User(Base):
        __tablename__ = "user"
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str] = mapped_column(sa.String(100))
    """
)
V2 = model_source(
    """
    class User(Base):
        __tablename__ = "user"
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str] = mapped_column(sa.String(255))
        age: Mapped[int | None]
    """
)


def test_range_shows_changes_in_text(repo: GitRepo) -> None:
    models_repo(repo, V1).commit("v1")
    models_repo(repo, V2).commit("v2")
    before = repo.state()

    run = schemadiff("HEAD~1..HEAD", cwd=repo.path)

    assert run.code == 0, run.err
    assert run.out.splitlines()[2:] == [
        "~ table user",
        "    ~ column email: type VARCHAR(100) -> VARCHAR(255)",
        "    + column age INTEGER NULL",
    ]
    assert repo.state() == before


def test_json_contract(repo: GitRepo) -> None:
    models_repo(repo, V1).commit("v1")
    head = models_repo(repo, V2).commit("v2")

    document = schemadiff("HEAD~1..HEAD", "--format", "json", cwd=repo.path).json()

    assert (document["format"], document["version"]) == ("schemadiff-diff", 3)
    assert document["findings"] is None  # plain diff runs no rules
    assert document["to"] == {"ref": "HEAD", "commit": head, "source": "git", "reason": None}
    assert [(c["kind"], c["name"]) for c in document["changes"]] == [
        ("modify_type", "email"),
        ("add_column", "age"),
    ]
    assert document["changes"][0]["old"]["ddl"] == "VARCHAR(100)"
    assert document["changes"][0]["ddl_change"] is True
