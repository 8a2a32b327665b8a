"""Hostile and half-finished repositories: crafted trees, symlink chains, conflicts, sparse
checkouts, another user's repository, SHA-256, orphan branches. Each test builds the real thing
with git and runs the real command line."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import GitRepo, clean_env, committed, git, model_source, new_repo, schemadiff

ONE = model_source(
    """
    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
    """
)
TWO = model_source(
    """
    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)


    class Order(Base):
        __tablename__ = "orders"
        id: Mapped[int] = mapped_column(primary_key=True)
    """
)


NONE = "No schema changes between {} and {}.\n"


def _tree(repo: GitRepo, entries: list[tuple[str, str, str]]) -> str:
    """A tree object written as raw bytes, so git's own checks on names do not apply."""
    raw = b"".join(
        f"{mode} ".encode() + os.fsencode(name) + b"\0" + bytes.fromhex(oid)
        for mode, name, oid in entries
    )
    done = subprocess.run(
        ["git", "hash-object", "-t", "tree", "--literally", "-w", "--stdin"],
        cwd=repo.path,
        input=raw,
        capture_output=True,
        check=True,
        env=clean_env(),
    )
    return done.stdout.decode().strip()


def _blob(repo: GitRepo, data: str) -> str:
    done = subprocess.run(
        ["git", "hash-object", "-w", "--stdin"],
        cwd=repo.path,
        input=data.encode(),
        capture_output=True,
        check=True,
        env=clean_env(),
    )
    return done.stdout.decode().strip()


def _crafted_branch(repo: GitRepo, extra: list[tuple[str, str, str]], name: str = "evil") -> str:
    """A branch whose commit has HEAD's tree plus ``extra`` root entries."""
    head = repo.git("rev-parse", "HEAD^{tree}")
    listed = repo.git("ls-tree", "-z", head).split("\0")
    entries = []
    for line in filter(None, listed):
        meta, entry_name = line.split("\t", 1)
        mode, _, oid = meta.split()
        entries.append((mode, entry_name, oid))
    tree = _tree(repo, entries + extra)
    commit = repo.git("commit-tree", tree, "-p", "HEAD", "-m", "crafted")
    repo.git("update-ref", f"refs/heads/{name}", commit)
    return commit


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def test_an_absolute_entry_is_refused_and_nothing_is_written(
    repo: GitRepo, tmp_path: Path, home: Path
) -> None:
    committed(repo, ONE)
    canary = tmp_path / "outside" / "canary.py"
    canary.parent.mkdir()
    _crafted_branch(repo, [("100644", str(canary), _blob(repo, "owned = True\n"))])
    before = repo.state()
    run = schemadiff("HEAD..evil", cwd=repo.path, env=clean_env(HOME=str(home)))
    assert run.code == 2, run.err
    assert run.err == (
        f"schemadiff: error: evil holds a file at {str(canary)!r}, a path git itself refuses "
        "to check out: the tree was crafted. schemadiff writes nothing of it; inspect that "
        "commit (git ls-tree -r) before trusting it.\n"
    )
    assert not canary.exists()
    assert list(home.iterdir()) == []
    assert repo.state() == before


@pytest.mark.parametrize("name", ["..", ".git", ".GIT", ".Git", "."])
def test_a_crafted_component_is_refused(repo: GitRepo, name: str) -> None:
    committed(repo, ONE)
    inner = _tree(repo, [("100644", "hooks.py", _blob(repo, "x = 1\n"))])
    _crafted_branch(repo, [("40000", name, inner)])
    run = schemadiff("HEAD..evil", cwd=repo.path)
    assert run.code == 2, run.err
    assert f"evil holds a file at '{name}/hooks.py', a path git itself refuses" in run.err
    assert "Traceback" not in run.err


def test_a_control_character_in_a_crafted_path_is_shown_escaped(repo: GitRepo) -> None:
    committed(repo, ONE)
    inner = _tree(repo, [("100644", "x\x1b[2Jy.py", _blob(repo, "x = 1\n"))])
    _crafted_branch(repo, [("40000", "..", inner)])
    run = schemadiff("HEAD..evil", cwd=repo.path)
    assert run.code == 2
    assert "\x1b" not in run.err
    assert "'../x\\x1b[2Jy.py'" in run.err


def test_a_symlink_chain_does_not_reach_outside(repo: GitRepo, tmp_path: Path) -> None:
    """``a -> .`` and ``z -> a/a/.../../../outside``: lexically inside, really outside."""
    outside = tmp_path / "outside"
    outside.mkdir()
    marker = tmp_path / "imported-from-outside"
    (outside / "stolen.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    models = "from z import stolen  # noqa\n" + ONE
    committed(repo, ONE)
    repo.write("app/models.py", models)
    repo.commit("imports z")
    depth = 20
    target = "a/" * depth + "../" * depth + str(outside).lstrip("/")
    _crafted_branch(repo, [("120000", "a", _blob(repo, ".")), ("120000", "z", _blob(repo, target))])
    run = schemadiff("HEAD~1..evil", cwd=repo.path)
    assert run.code == 2, (run.out, run.err)
    assert "No module named 'z'" in run.err
    assert not marker.exists()


def test_links_made_later_cannot_move_an_earlier_one_out(repo: GitRepo, tmp_path: Path) -> None:
    """``l1 -> l2/..`` is inside while l2 does not exist; ``l2 -> .`` then moves it out, to
    the folder around the tree, where the import's own working directory is."""
    marker = tmp_path / "imported-from-outside"
    inner = f"open({str(marker)!r}, 'w').close()\n"
    planting = f"open('planted.py', 'w').write({inner!r})\n"
    committed(repo, ONE)
    repo.write("app/models.py", planting + "import l1.cwd.planted  # noqa\n" + ONE)
    repo.commit("imports through l1")
    # l1 sorts before l2, so it is made first.
    _crafted_branch(
        repo, [("120000", "l1", _blob(repo, "l2/..")), ("120000", "l2", _blob(repo, "."))]
    )
    run = schemadiff("HEAD~1..evil", cwd=repo.path)
    assert run.code == 2, (run.out, run.err)
    assert "No module named 'l1'" in run.err
    assert not marker.exists()


def test_files_under_a_link_of_the_same_name_are_not_written_through_it(
    repo: GitRepo, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    committed(repo, ONE)
    inner = _tree(repo, [("100644", "planted.py", _blob(repo, "x = 1\n"))])
    target = "a/" * 30 + "../" * 30 + str(outside).lstrip("/")  # lexically inside
    link, dot = _blob(repo, target), _blob(repo, ".")
    _crafted_branch(repo, [("120000", "a", dot), ("120000", "z", link), ("40000", "z", inner)])
    run = schemadiff("HEAD..evil", cwd=repo.path)
    assert list(outside.iterdir()) == []
    assert run.code in (0, 2), run.err
    assert "Traceback" not in run.err


def test_a_file_and_a_folder_of_one_name_are_an_error(repo: GitRepo) -> None:
    committed(repo, ONE)
    inner = _tree(repo, [("100644", "b.py", _blob(repo, "x = 1\n"))])
    _crafted_branch(repo, [("100644", "dup", _blob(repo, "y\n")), ("40000", "dup", inner)])
    run = schemadiff("HEAD..evil", cwd=repo.path)
    assert run.code == 2, run.err
    assert "evil holds two entries for 'dup" in run.err


def test_a_link_inside_the_tree_is_still_made(repo: GitRepo) -> None:
    committed(repo, ONE)
    repo.write("real/__init__.py", "")
    repo.write("real/more.py", "VALUE = 'orders'\n")
    (repo.path / "alias").symlink_to("real")
    repo.write("app/models.py", "from alias.more import VALUE\n" + TWO.replace('"orders"', "VALUE"))
    repo.commit("through a link")
    run = schemadiff("HEAD~1..HEAD", cwd=repo.path)
    assert run.code == 0, run.err
    assert "+ table orders" in run.out


def _conflicted(repo: GitRepo) -> None:
    committed(repo, ONE)
    repo.git("checkout", "-q", "-b", "other")
    repo.write("app/models.py", TWO.replace("orders", "orders_b"))
    repo.commit("other")
    repo.git("checkout", "-q", "main")
    repo.write("app/models.py", TWO)
    repo.commit("main")


CONFLICT = (
    "schemadiff: error: The index has unresolved conflicts in app/models.py: the schema there "
    "is not decided yet. Resolve them (edit, then git add), or finish or abort the merge, "
    "rebase or cherry-pick first.\n"
)


@pytest.mark.parametrize("args", [["--staged"], [], ["check", "--staged"], ["revision", "-m", "x"]])
def test_a_merge_with_conflicts_is_an_error(repo: GitRepo, args: list[str]) -> None:
    _conflicted(repo)
    merged = subprocess.run(
        ["git", "merge", "-q", "other"], cwd=repo.path, env=clean_env(), capture_output=True
    )
    assert merged.returncode != 0
    before = repo.state()
    run = schemadiff(*args, cwd=repo.path)
    assert (run.code, run.err, run.out) == (2, CONFLICT, "")
    assert repo.state() == before


def test_a_rebase_with_conflicts_is_an_error(repo: GitRepo) -> None:
    _conflicted(repo)
    rebased = subprocess.run(
        ["git", "rebase", "other"], cwd=repo.path, env=clean_env(), capture_output=True
    )
    assert rebased.returncode != 0
    run = schemadiff("--staged", cwd=repo.path)
    assert (run.code, run.err) == (2, CONFLICT)


def test_a_conflict_outside_the_import_roots_does_not_matter(repo: GitRepo) -> None:
    repo.write(
        "pyproject.toml",
        '[tool.schemadiff]\nmetadata = "app.models:Base.metadata"\npaths = ["src"]\n',
    )
    repo.write("src/app/__init__.py", "")
    repo.write("src/app/models.py", ONE)
    repo.write("docs/notes.txt", "one\n")
    repo.commit("one")
    repo.git("checkout", "-q", "-b", "other")
    repo.write("docs/notes.txt", "two\n")
    repo.commit("other")
    repo.git("checkout", "-q", "main")
    repo.write("docs/notes.txt", "three\n")
    repo.commit("main")
    merged = subprocess.run(
        ["git", "merge", "-q", "other"], cwd=repo.path, env=clean_env(), capture_output=True
    )
    assert merged.returncode != 0
    run = schemadiff("--staged", cwd=repo.path)
    assert (run.code, run.out, run.err) == (
        0,
        "",
        "No schema changes between HEAD and the index.\n",
    )


def test_a_sparse_checkout_is_not_a_deletion(repo: GitRepo) -> None:
    repo.write("docs/readme.md", "x\n")
    committed(repo, ONE, TWO)
    repo.git("sparse-checkout", "set", "--no-cone", "/pyproject.toml", "/docs/")
    assert not (repo.path / "app" / "models.py").exists()
    run = schemadiff("HEAD~1", cwd=repo.path)
    assert run.code == 0, run.err
    assert run.out == "--- HEAD~1 " + run.out.split("--- HEAD~1 ", 1)[1]
    assert "+ table orders" in run.out
    assert "- table users" not in run.out
    plain = schemadiff(cwd=repo.path)
    assert (plain.code, plain.err) == (0, NONE.format("HEAD", "the working tree"))


def test_a_relative_index_file_is_read_from_the_top_as_git_does(repo: GitRepo) -> None:
    committed(repo, ONE)
    shutil.copy(repo.path / ".git" / "index", repo.path / ".git" / "index-one")
    models_path = repo.path / "app" / "models.py"
    models_path.write_text(TWO)
    repo.git("add", "app/models.py")
    sub = repo.path / "app"
    env = clean_env(GIT_INDEX_FILE=".git/index-one")
    # git itself, from a subdirectory: the relative index is the top's
    listed = subprocess.run(
        ["git", "-C", str(sub), "ls-files", "-s", "--", ":/app/models.py"],
        env=env, capture_output=True, text=True, check=True, cwd=sub,
    )  # fmt: skip
    assert listed.stdout.split()[1] == repo.git("rev-parse", "HEAD:app/models.py")
    run = schemadiff("--staged", "-C", str(repo.path), cwd=sub, env=env)
    assert (run.code, run.err) == (0, NONE.format("HEAD", "the index"))


def test_a_sha256_repository_works(tmp_path: Path) -> None:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main", "--object-format=sha256")
    repo = committed(GitRepo(path), ONE, TWO)
    run = schemadiff("HEAD~1..HEAD", cwd=repo.path)
    assert run.code == 0, run.err
    assert "+ table orders" in run.out


def test_an_orphan_branch_is_named_and_named_commits_still_work(repo: GitRepo) -> None:
    committed(repo, ONE, TWO)
    repo.git("checkout", "-q", "--orphan", "fresh")
    run = schemadiff("--staged", cwd=repo.path)
    assert run.code == 0, run.err  # like git diff --cached: the empty tree before a first commit
    head = schemadiff("HEAD~1..HEAD", cwd=repo.path)
    assert (head.code, head.err) == (
        2,
        "schemadiff: error: HEAD is on the branch 'fresh', which has no commits yet (an orphan "
        "branch): HEAD names no commit. Name the commits to compare (main..other).\n",
    )
    named = schemadiff("main~1..main", cwd=repo.path)
    assert named.code == 0, named.err
    assert "+ table orders" in named.out
    worktree = schemadiff("main", cwd=repo.path)
    assert (worktree.code, worktree.err) == (0, NONE.format("main", "the working tree"))


def test_an_empty_repository_says_so(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    run = schemadiff("HEAD~1..HEAD", cwd=repo.path)
    assert run.code == 2
    assert "has no commits yet: there is nothing to compare" in run.err


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")


def _foreign(repo: GitRepo, canary: Path) -> None:
    monitor = repo.path.parent / "monitor.sh"
    monitor.write_text(f"#!/bin/sh\ntouch {canary}\n")
    monitor.chmod(0o755)
    repo.git("config", "core.fsmonitor", str(monitor))
    subprocess.run(["chown", "-R", "nobody", str(repo.path)], check=True)


@needs_root
def test_another_users_repository_is_refused_with_gits_advice(
    repo: GitRepo, tmp_path: Path
) -> None:
    committed(repo, ONE)
    canary = tmp_path / "fsmonitor-ran"
    _foreign(repo, canary)
    run = schemadiff(cwd=repo.path)
    assert run.code == 2
    assert run.err == (
        f"schemadiff: error: git refuses the repository at {repo.path}: another user owns it, "
        "and its configuration could run programs as you.\n"
        f"  If you trust it: git config --global --add safe.directory {repo.path}\n"
    )
    assert not canary.exists()


@needs_root
def test_a_trusted_repositorys_fsmonitor_never_runs(repo: GitRepo, tmp_path: Path) -> None:
    committed(repo, ONE)
    canary = tmp_path / "fsmonitor-ran"
    _foreign(repo, canary)
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text(f"[safe]\n\tdirectory = {repo.path}\n")
    env = clean_env(GIT_CONFIG_GLOBAL=str(gitconfig))
    # the hook is live: git itself runs it
    subprocess.run(["git", "status"], cwd=repo.path, env=env, capture_output=True)
    assert canary.exists()
    canary.unlink()
    for args, new in (
        ([], "the working tree"),
        (["--staged"], "the index"),
        (["HEAD", "HEAD"], "HEAD"),
    ):
        run = schemadiff(*args, cwd=repo.path, env=env)
        assert (run.code, run.err) == (0, NONE.format("HEAD", new))
    assert not canary.exists()


def test_a_link_whose_target_holds_a_nul_byte_is_left_out(repo: GitRepo) -> None:
    committed(repo, ONE)
    _crafted_branch(repo, [("120000", "nul", _blob(repo, "app\0/etc/passwd"))])
    run = schemadiff("HEAD..evil", cwd=repo.path)
    assert (run.code, run.out, run.err) == (0, "", NONE.format("HEAD", "evil"))


def test_a_name_longer_than_a_file_system_holds_is_named(repo: GitRepo) -> None:
    committed(repo, ONE)
    long = "x" * 300
    _crafted_branch(repo, [("100644", long, _blob(repo, ""))])
    run = schemadiff("HEAD..evil", cwd=repo.path)
    assert run.code == 2
    assert run.err == (
        f"schemadiff: error: evil holds a file at '{long}' with a name longer than the 255 "
        "bytes a file system allows: git cannot check it out either. Inspect that commit "
        "(git ls-tree -r) before trusting it.\n"
    )


@needs_root
def test_config_the_environment_passes_to_git_is_kept(repo: GitRepo, tmp_path: Path) -> None:
    """A CI container trusts the checkout with GIT_CONFIG_COUNT; schemadiff adds its own
    settings after it instead of replacing it."""
    committed(repo, ONE)
    canary = tmp_path / "fsmonitor-ran"
    _foreign(repo, canary)
    env = clean_env(GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0="safe.directory", GIT_CONFIG_VALUE_0="*")
    run = schemadiff("HEAD", "HEAD", cwd=repo.path, env=env)
    assert (run.code, run.err) == (0, NONE.format("HEAD", "HEAD"))
    assert not canary.exists()
