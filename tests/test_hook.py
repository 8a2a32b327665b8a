"""The pre-commit hook, installed by the real pre-commit from a local clone of this repository.

One hook repository (this project's working tree, committed) and one ``PRE_COMMIT_HOME`` per
session: pre-commit builds the hook's virtualenv (pip installs schemadiff from that clone)
once. Each test makes a user repository with an Alembic project, runs ``pre-commit install``,
and then commits and pushes as a user would; the assertions are what the user sees: the exit
code of git, whether the commit (or push) was made, and the hook's output.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import GitRepo, Run, clean_env, git, model_source, new_repo, schemadiff

ROOT = Path(__file__).resolve().parents[1]

V1 = model_source(
    """
    class User(Base):
        __tablename__ = "user"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(sa.String(50))
    """
)
V2 = V1 + "    age: Mapped[int | None] = mapped_column()\n"


def line_of(source: str, text: str) -> int:
    return source.splitlines().index(text) + 1


USER_ADDED = (
    f"app/models.py:{line_of(V1, 'class User(Base):')}: error: user: table added, "
    "but no new migration in the change [migration-required]"
)
PYPROJECT = '[tool.schemadiff]\nmetadata = "app.models:Base.metadata"\n'
SNAPSHOT = "migrations/schemadiff.snapshot.json"
REFUSED_AGE = [
    "+++ the index",
    "~ table user",
    "    + column age INTEGER NULL",
    f"app/models.py:{line_of(V2, '    age: Mapped[int | None] = mapped_column()')}: "
    "error: user.age: column added, but no new migration in the change [migration-required]",
    "schemadiff check: failed: 1 error.",
]


# --- the hook repository and pre-commit's home: once per session ------------------------------


@dataclass(frozen=True)
class HookRepo:
    path: Path
    rev: str
    home: Path
    """PRE_COMMIT_HOME: where pre-commit keeps the hook's virtualenv."""

    def config(self, stages: list[str] | None = None) -> str:
        hook: dict[str, object] = {"id": "schemadiff-check"}
        if stages:
            hook["stages"] = stages
        repos = [{"repo": str(self.path), "rev": self.rev, "hooks": [hook]}]
        return yaml.safe_dump({"repos": repos}, sort_keys=False)


def _copy_working_tree(target: Path) -> None:
    """This project's files as they are now, committed or not (the code under test)."""
    listed = git(ROOT, "ls-files", "-co", "--exclude-standard", "-z")
    for name in sorted({n for n in listed.split("\0") if n}):
        source = ROOT / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree, not yet in a commit
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / name, follow_symlinks=False)


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> HookRepo:
    """The hook repository, and pre-commit's virtualenv for it, built once."""
    path = tmp_path_factory.mktemp("hook-repo")
    _copy_working_tree(path)
    new_repo(path)
    git(path, "add", "-A")
    git(path, "commit", "-q", "--no-gpg-sign", "-m", "schemadiff, as in the working tree")
    hook = HookRepo(path, git(path, "rev-parse", "HEAD"), tmp_path_factory.mktemp("pre-commit"))
    warm = tmp_path_factory.mktemp("warm")
    git(warm, "init", "-q", "-b", "main")
    (warm / ".pre-commit-config.yaml").write_text(hook.config())
    built = run(warm, hook_env(hook), "pre-commit", "install-hooks", timeout=900)
    assert built.code == 0, built.out
    return hook


def hook_env(hook: HookRepo, **extra: str) -> dict[str, str]:
    # No global git config of whoever runs the tests (core.hooksPath would stop pre-commit).
    return clean_env(PRE_COMMIT_HOME=str(hook.home), GIT_CONFIG_GLOBAL=os.devnull, **extra)


def run(cwd: Path, env: dict[str, str], *argv: str, timeout: float = 300) -> Run:
    """A command as a user types it; git's and the hook's output together, as the user sees."""
    if argv[0] == "pre-commit":  # the one of this venv
        argv = (sys.executable, "-m", "pre_commit", *argv[1:])
    result = subprocess.run(
        argv,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return Run(result.returncode, result.stdout, "")


# --- user repositories --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def alembic_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real ``alembic init``: alembic.ini on PostgreSQL (the dialect; no server needed)
    and migrations/env.py pointed at the models."""
    path = tmp_path_factory.mktemp("alembic-template")
    init = run(path, clean_env(), sys.executable, "-m", "alembic", "init", "migrations")
    assert init.code == 0, init.out
    ini = path / "alembic.ini"
    text = re.sub(r"(?m)^script_location = .*$", "script_location = migrations", ini.read_text())
    text = re.sub(r"(?m)^sqlalchemy.url = .*$", "sqlalchemy.url = postgresql:///app", text)
    ini.write_text(text)
    env = path / "migrations" / "env.py"
    env.write_text(
        env.read_text().replace(
            "target_metadata = None", "from app.models import Base\ntarget_metadata = Base.metadata"
        )
    )
    (path / ".gitignore").write_text("__pycache__/\n")
    (path / "pyproject.toml").write_text(PYPROJECT)
    return path


@pytest.fixture(scope="session")
def project_template(tmp_path_factory: pytest.TempPathFactory, alembic_template: Path) -> Path:
    """The Alembic project with the models V1 and their first migration, written by
    ``schemadiff revision --staged`` (with the snapshot file it refreshes)."""
    path = tmp_path_factory.mktemp("project-template") / "project"
    shutil.copytree(alembic_template, path)
    repo = GitRepo(path)
    repo.write("app/__init__.py", "")
    repo.write("app/models.py", V1)
    new_repo(path)
    git(path, "add", "-A")
    written = schemadiff("revision", "--staged", "-m", "create user", cwd=path)
    assert written.code == 0, written.err
    shutil.rmtree(path / ".git")
    return path


@dataclass
class UserRepo(GitRepo):
    """A user's repository with the hook installed: commits run it unless told not to."""

    env: dict[str, str]

    def run(self, *argv: str) -> Run:
        return run(self.path, self.env, *argv)

    def commit(self, message: str = "commit") -> str:
        """Everything, with no hook: what a test needs to get to where it starts."""
        git(self.path, "add", "-A")
        done = self.run("git", "commit", "-q", "--no-verify", "--no-gpg-sign", "-m", message)
        assert done.code == 0, done.out
        return self.head()

    def git_commit(self, *args: str) -> Run:
        return self.run("git", "commit", "--no-gpg-sign", *args)

    def head(self) -> str:
        """The commit HEAD names, or "" in a repository without commits."""
        return self.run("git", "rev-parse", "-q", "--verify", "HEAD").out.strip()

    def committed(self) -> list[str]:
        return self.run("git", "show", "--name-only", "--format=", "HEAD").out.split()

    def revision(self, *args: str) -> Path:
        """``schemadiff revision`` of the test venv; the file it wrote."""
        written = schemadiff("revision", *args, cwd=self.path, env=self.env)
        assert written.code == 0, written.err
        path = Path(written.out.strip())
        assert path.parent == self.path / "migrations" / "versions", written.out
        assert f"Refreshed {self.path / SNAPSHOT}" in written.err
        return path


def user_repo(
    path: Path,
    hook: HookRepo,
    template: Path,
    hook_types: tuple[str, ...] = ("pre-commit",),
    stages: list[str] | None = None,
    **env: str,
) -> UserRepo:
    """A copy of ``template`` made a git repository using the hook, installed for
    ``hook_types``; nothing is committed."""
    shutil.copytree(template, path)
    repo = UserRepo(path, hook_env(hook, **env))
    new_repo(path)
    repo.write(".pre-commit-config.yaml", hook.config(stages))
    for hook_type in hook_types:
        installed = repo.run("pre-commit", "install", "--hook-type", hook_type)
        assert installed.code == 0, installed.out
    return repo


@pytest.fixture
def project(tmp_path: Path, hook_repo: HookRepo, project_template: Path) -> UserRepo:
    """The models V1 and their migration, committed; the hook installed at pre-commit."""
    repo = user_repo(tmp_path / "project", hook_repo, project_template)
    repo.commit("create user")
    return repo


def status(result: Run) -> str:
    """The hook's line: Passed, Failed or Skipped."""
    found = re.findall(r"(?m)^schemadiff check\.+(?:\(no files to check\))?(\w+)$", result.out)
    assert len(found) == 1, result.out
    return str(found[0])


def shows(result: Run, expected: list[str]) -> None:
    lines = result.out.splitlines()
    missing = [line for line in expected if line not in lines]
    assert not missing, f"missing {missing} in:\n{result.out}"


def advised(result: Run, rule: str = "migration-required") -> list[str]:
    """The command the advice of ``rule`` says to run, as argv."""
    found = re.findall(rf"(?m)^  {rule}: .*?`(schemadiff [^`]*)`", result.out)
    assert len(found) == 1, result.out
    return shlex.split(found[0].replace('"..."', '"from the advice"'))


# --- pre-commit -------------------------------------------------------------------------------


def test_a_column_without_migration_is_refused_then_passes_with_the_one_revision_writes(
    project: UserRepo,
) -> None:
    before = project.head()
    project.write("app/models.py", V2)
    project.git("add", "app/models.py")

    refused = project.git_commit("-m", "add age")

    assert (refused.code, status(refused), project.head()) == (1, "Failed", before)
    shows(refused, ["- hook id: schemadiff-check", f"--- HEAD ({before[:10]})", *REFUSED_AGE])
    assert "`schemadiff revision --staged -m" in refused.out
    command = advised(refused)
    assert command[:3] == ["schemadiff", "revision", "--staged"]

    migration = project.revision(*command[2:])
    project.git("add", str(migration), SNAPSHOT)
    accepted = project.git_commit("-m", "add age")

    assert (accepted.code, status(accepted)) == (0, "Passed"), accepted.out
    assert project.run("git", "rev-parse", "HEAD~1").out.strip() == before
    assert sorted(project.committed()) == sorted(
        ["app/models.py", SNAPSHOT, migration.relative_to(project.path).as_posix()]
    )
    assert "add_column" in migration.read_text()


def test_the_first_commit_needs_the_migration_of_its_tables(
    tmp_path: Path, hook_repo: HookRepo, alembic_template: Path
) -> None:
    repo = user_repo(tmp_path / "new", hook_repo, alembic_template)
    repo.write("app/__init__.py", "")
    repo.write("app/models.py", V1)
    repo.git("add", "-A")

    refused = repo.git_commit("-m", "first")

    assert (refused.code, status(refused), repo.head()) == (1, "Failed", "")
    shows(
        refused,
        [
            "--- HEAD (no commits yet: the empty tree)",
            "+++ the index",
            "+ table user",
            "    + column id INTEGER NOT NULL",
            "    + column name VARCHAR(50) NOT NULL",
            USER_ADDED,
        ],
    )

    migration = repo.revision("--staged", "-m", "create user")
    repo.git("add", "-A")
    accepted = repo.git_commit("-m", "first")

    assert (accepted.code, status(accepted)) == (0, "Passed"), accepted.out
    assert repo.head()
    assert {SNAPSHOT, migration.relative_to(repo.path).as_posix()} <= set(repo.committed())


def test_commit_all_and_partial_commits_check_the_index_git_commits(project: UserRepo) -> None:
    """git gives the hook a temporary index (GIT_INDEX_FILE): that is what is committed, not
    the repository's own index."""
    before = project.head()
    project.write("app/models.py", V2)

    refused = project.git_commit("-a", "-m", "add age")  # .git/index itself holds no change

    assert (refused.code, status(refused), project.head()) == (1, "Failed", before)
    shows(refused, REFUSED_AGE)
    assert project.git("status", "--porcelain") == "M app/models.py"  # left as it was

    migration = project.revision("-m", "add age")
    project.git("add", "-A")
    staged = project.git("status", "--porcelain")

    # Only the models: the migration and the snapshot are staged, but not in this commit.
    partial = project.git_commit("-m", "add age", "app/models.py")

    assert (partial.code, status(partial), project.head()) == (1, "Failed", before)
    shows(partial, REFUSED_AGE)
    assert project.git("status", "--porcelain") == staged

    whole = project.git_commit("-m", "add age", "app/models.py", "migrations")

    assert (whole.code, status(whole)) == (0, "Passed"), whole.out
    assert project.head() != before
    assert sorted(project.committed()) == sorted(
        ["app/models.py", SNAPSHOT, migration.relative_to(project.path).as_posix()]
    )


def test_commits_that_change_no_schema_pass_and_the_fast_path_imports_nothing(
    tmp_path: Path, hook_repo: HookRepo, alembic_template: Path
) -> None:
    marker = tmp_path / "imported.log"
    imports = f'with open({str(marker)!r}, "a") as log:\n    log.write("imported\\n")\n'
    # A src layout: tools/ lies outside the import roots.
    repo = user_repo(
        tmp_path / "src-layout",
        hook_repo,
        alembic_template,
        SCHEMADIFF_CACHE_DIR=str(tmp_path / "cache"),  # no cache entry may stand in for an import
    )
    # The marker is written outside the sandbox: only an unconfined import may.
    repo.write("pyproject.toml", PYPROJECT + 'paths = ["src"]\nsandbox = "off"\n')
    ini = repo.path / "alembic.ini"
    ini.write_text(re.sub(r"(?m)^prepend_sys_path = .*$", r"\g<0>/src", ini.read_text()))
    repo.write("src/app/__init__.py", "")
    repo.write("src/app/models.py", imports + V1)
    repo.write("src/app/util.py", "ANSWER = 42\n")
    repo.write("tools/release.py", "VERSION = '1.0'\n")
    repo.write("README.md", "# app\n")
    repo.commit("start")
    assert not marker.exists()

    for path in ["README.md", "tools/release.py"]:
        before = repo.head()
        with (repo.path / path).open("a") as file:
            file.write("# more\n")
        repo.git("add", path)

        accepted = repo.git_commit("-m", f"change {path}")

        assert (accepted.code, status(accepted)) == (0, "Passed"), accepted.out
        assert repo.run("git", "rev-parse", "HEAD~1").out.strip() == before
        assert not marker.exists(), f"the models were imported for {path}"

    # A Python file under the import roots the models do not use: accepted. It is not the
    # fast path (a file under the import roots differs), so the models are imported: this
    # also shows the marker would have told an import above.
    repo.write("src/app/util.py", "ANSWER = 43\n")
    repo.git("add", "src/app/util.py")

    accepted = repo.git_commit("-m", "change util")

    assert (accepted.code, status(accepted)) == (0, "Passed"), accepted.out
    assert repo.committed() == ["src/app/util.py"]
    assert marker.exists()


DATA_MODELS = model_source(
    """
    import json
    import pathlib

    SIZES = pathlib.Path(__file__).parent / "sizes.json"
    NAME = json.loads(SIZES.read_text())["name"] if SIZES.exists() else 50


    class User(Base):
        __tablename__ = "user"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(sa.String(NAME))
    """
)


@pytest.mark.parametrize(("change", "size"), [("edit", "120"), ("delete", "50")])
def test_a_commit_of_only_a_data_file_the_models_read_is_checked(
    tmp_path: Path, hook_repo: HookRepo, alembic_template: Path, change: str, size: str
) -> None:
    """No Python file in the commit (and, for a deletion, no file pre-commit lists at all):
    the hook runs all the same, and its fast path does not take the data file for nothing."""
    repo = user_repo(tmp_path / "data", hook_repo, alembic_template)
    repo.write("app/__init__.py", "")
    repo.write("app/models.py", DATA_MODELS)
    repo.write("app/sizes.json", '{"name": 80}\n')
    repo.git("add", "-A")
    repo.revision("--staged", "-m", "create user")
    repo.commit("create user")
    if change == "edit":
        repo.write("app/sizes.json", '{"name": 120}\n')
        repo.git("add", "app/sizes.json")
    else:
        repo.git("rm", "-q", "app/sizes.json")
    before = repo.head()

    refused = repo.git_commit("-m", f"{change} the sizes")

    assert (refused.code, status(refused), repo.head()) == (1, "Failed", before)
    line = line_of(DATA_MODELS, "    name: Mapped[str] = mapped_column(sa.String(NAME))")
    shows(
        refused,
        [
            "~ table user",
            f"    ~ column name: type VARCHAR(80) -> VARCHAR({size})",
            f"app/models.py:{line}: error: user.name: type changed, but no new migration in the "
            "change [migration-required]",
        ],
    )


def test_the_manifest_validates_with_pre_commits_own_loader() -> None:
    from pre_commit.clientlib import load_manifest

    path = ROOT / ".pre-commit-hooks.yaml"
    (hook,) = load_manifest(str(path))
    (raw,) = yaml.safe_load(path.read_text())

    required = {
        "id",
        "name",
        "description",
        "entry",
        "language",
        "pass_filenames",
        "require_serial",
        "always_run",
        "stages",
        "minimum_pre_commit_version",
    }
    assert required <= set(raw), "the manifest states each of them, not pre-commit's defaults"
    assert hook["id"] == "schemadiff-check"
    assert hook["name"] and hook["description"]
    assert (hook["entry"], hook["language"]) == ("schemadiff check --hook", "python")
    assert (hook["pass_filenames"], hook["require_serial"]) == (False, True)
    assert {"pre-commit", "pre-push"} <= set(hook["stages"])
    assert hook["minimum_pre_commit_version"] == "3.2.0"
    # Any file under the import roots may decide the schema (a JSON file the models read),
    # and a commit that only deletes one has no file pre-commit would match: the hook always
    # runs, and its fast path tells at once when the schema cannot have changed.
    assert hook["always_run"] is True
    assert re.compile(hook["files"]).pattern == ""  # pre-commit's default: every file


# --- pre-push ---------------------------------------------------------------------------------


def pushing(path: Path, hook: HookRepo, template: Path) -> tuple[UserRepo, Path]:
    """A repository whose hook runs at pre-push only, and an empty bare remote."""
    remote = path.parent / f"{path.name}-remote.git"
    git(path.parent, "init", "-q", "--bare", "-b", "main", str(remote))
    repo = user_repo(path, hook, template, hook_types=("pre-push",), stages=["pre-push"])
    repo.git("remote", "add", "origin", str(remote))
    return repo, remote


def remote_main(remote: Path) -> str:
    found = subprocess.run(
        ["git", "rev-parse", "-q", "--verify", "refs/heads/main"],
        cwd=remote,
        env=clean_env(),
        capture_output=True,
        text=True,
    )
    return found.stdout.strip()


def test_a_push_whose_commits_add_a_column_without_migration_is_refused(
    tmp_path: Path, hook_repo: HookRepo, project_template: Path
) -> None:
    repo, remote = pushing(tmp_path / "project", hook_repo, project_template)
    first = repo.commit("create user")

    whole = repo.run("git", "push", "origin", "main")  # the whole history: no FROM ref

    assert (whole.code, status(whole), remote_main(remote)) == (0, "Passed", first), whole.out

    repo.write("app/models.py", V2)
    repo.commit("add age")
    repo.write("README.md", "# app\n")
    pushed = repo.commit("readme")

    refused = repo.run("git", "push", "origin", "main")

    assert (refused.code, status(refused), remote_main(remote)) == (1, "Failed", first)
    shows(
        refused,
        [
            f"--- {first} ({first[:10]})",
            f"+++ {pushed} ({pushed[:10]})",
            *REFUSED_AGE[1:],
        ],
    )

    # What the advice says to run writes the migration the pushed commits lack.
    command = advised(refused)
    written = schemadiff(*command[1:], cwd=repo.path, env=repo.env)
    assert (written.code, written.out.strip().endswith(".py")) == (0, True), (
        f"{shlex.join(command)} wrote no migration:\n{written.out}{written.err}"
    )
    repo.commit("the migration of age")

    accepted = repo.run("git", "push", "origin", "main")

    assert (accepted.code, status(accepted)) == (0, "Passed"), accepted.out
    assert remote_main(remote) == repo.head()


def test_a_push_of_a_whole_new_history_is_checked_from_the_empty_tree(
    tmp_path: Path, hook_repo: HookRepo, alembic_template: Path
) -> None:
    repo, remote = pushing(tmp_path / "new", hook_repo, alembic_template)
    repo.commit("alembic")
    repo.write("app/__init__.py", "")
    repo.write("app/models.py", V1)
    repo.commit("models")

    refused = repo.run("git", "push", "origin", "main")

    assert (refused.code, status(refused), remote_main(remote)) == (1, "Failed", "")
    (older,) = [line for line in refused.out.splitlines() if line.startswith("--- ")]
    assert "the empty tree" in older, refused.out
    shows(
        refused,
        [
            f"+++ refs/heads/main ({repo.head()[:10]})",
            "+ table user",
            USER_ADDED,
        ],
    )

    # Nothing is pushed yet: redo the last commit with its migration.
    repo.git("reset", "-q", "--soft", "HEAD~1")
    repo.revision("--staged", "-m", "create user")
    repo.commit("models")

    accepted = repo.run("git", "push", "origin", "main")

    assert (accepted.code, status(accepted)) == (0, "Passed"), accepted.out
    assert remote_main(remote) == repo.head()
