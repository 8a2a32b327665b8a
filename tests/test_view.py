"""What a side's import is given (``view.view``) and how ``Repository.materialize`` writes it:
real repositories in tmp_path, the files checked on disk.

- Python files, and every file in a folder that holds one, are written; a frontend tree and
  a data folder without code are not, unless ``also`` names the folder; every folder is made.
- Links keep their rule (inside the tree only), files their executable bit, and a partial
  clone its own (absent Python fetched, other absent files skipped and named).
- The blobs are streamed in chunks: hundreds of files and a blob larger than a pipe's buffer
  come out byte for byte, and a failed read leaves the reader usable.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from schemadiff import gitrefs, view
from schemadiff.errors import GitError
from tests.conftest import GitRepo, git, new_repo, run_python

FRONTEND = 200


def application(repo: GitRepo) -> GitRepo:
    """Models in a package, data beside them and in a folder of its own, a frontend tree."""
    repo.write("app/__init__.py", "")
    repo.write("app/models/__init__.py", "from app.models.user import *  # noqa\n")
    repo.write("app/models/user.py", "NAME = 'user'\n")
    repo.write("app/models/enums.json", '["a", "b"]\n')
    repo.write("app/models/data/x.json", "{}\n")
    for i in range(FRONTEND):
        repo.write(f"frontend/src/part{i % 7}/deep/c{i}.js", f"export const c{i} = {i};\n")
    repo.commit("application")
    return repo


def written(tree: Path) -> tuple[set[str], set[str]]:
    """The files (and links) and the folders below ``tree``, as relative POSIX paths."""
    files, folders = set(), set()
    for folder, names, others in os.walk(tree):
        base = Path(folder).relative_to(tree)
        folders.update((base / n).as_posix() for n in names if not (Path(folder) / n).is_symlink())
        files.update((base / n).as_posix() for n in others)
        files.update((base / n).as_posix() for n in names if (Path(folder) / n).is_symlink())
    return files, folders


def materialized(
    repo: GitRepo, tree: Path, also: tuple[str, ...] = (), *, folders: bool = True
) -> list[str]:
    """HEAD's view written into ``tree`` (its folders made unless ``folders`` is false); the
    paths that could not be read."""
    opened = gitrefs.Repository(repo.path)
    try:
        side = opened.side("HEAD")
        files, made = view.view(opened.entries(side, ["."]), also)
        return opened.materialize(side, files, tree, made if folders else ())
    finally:
        opened.close()


def test_a_frontend_tree_is_left_out_but_its_folders_are_made(
    repo: GitRepo, tmp_path: Path
) -> None:
    application(repo)
    tree = tmp_path / "tree"
    tree.mkdir()
    assert materialized(repo, tree) == []
    files, folders = written(tree)
    assert files == {
        "app/__init__.py",
        "app/models/__init__.py",
        "app/models/user.py",
        "app/models/enums.json",
    }
    expected = {"app", "app/models", "app/models/data", "frontend", "frontend/src"}
    expected |= {f"frontend/src/part{i}" for i in range(7)}
    expected |= {f"frontend/src/part{i}/deep" for i in range(7)}
    assert folders == expected
    assert (tree / "app/models/enums.json").read_text() == '["a", "b"]\n'


def test_a_folder_without_code_still_imports_as_a_namespace_package(
    repo: GitRepo, tmp_path: Path
) -> None:
    """``import frontend.src`` works on the full tree (a namespace package): on the view too,
    since its folders are made; without them it would not."""
    application(repo)
    probe = "import frontend.src.part0.deep as m; print(list(m.__path__))"
    for folders, tree in ((True, tmp_path / "view"), (False, tmp_path / "files-only")):
        tree.mkdir()
        materialized(repo, tree, folders=folders)
        ran = run_python(tree, "-c", probe)
        if folders:
            assert (ran.returncode, ran.stdout) == (0, f"['{tree}/frontend/src/part0/deep']\n")
        else:
            assert "No module named 'frontend'" in ran.stderr


@pytest.mark.parametrize(
    "named", ["app/models/data", "./app/models/data/", "app/models/data/x.json"]
)
def test_a_data_folder_without_code_is_written_when_also_names_it(
    repo: GitRepo, tmp_path: Path, named: str
) -> None:
    application(repo)
    tree = tmp_path / "tree"
    tree.mkdir()
    materialized(repo, tree, also=(named,))
    files, _ = written(tree)
    assert (tree / "app/models/data/x.json").read_text() == "{}\n"
    assert not any(f.startswith("frontend/") for f in files)


def test_the_view_chooses_by_folder() -> None:
    paths = [
        "setup.py",
        "README.md",
        "lib/ext.cpython-311-x86_64-linux-gnu.so",
        "lib/table.csv",
        "docs/index.md",
        "docs/img/logo.png",
    ]
    entries = [gitrefs.Entry(p, 0o100644, None) for p in paths]
    entries.append(gitrefs.Entry("docs/latest", 0o120000, None))
    chosen, folders = view.view(entries, also=("docs/img",))
    assert [e.path for e in chosen] == [
        "setup.py",
        "README.md",  # beside setup.py, at the top
        "lib/ext.cpython-311-x86_64-linux-gnu.so",  # an extension module is Python
        "lib/table.csv",
        "docs/img/logo.png",  # docs/img is named; docs itself is not
        "docs/latest",  # a link, wherever it is
    ]
    assert folders == ["docs", "docs/img", "lib"]


def test_a_file_named_like_a_folder_is_refused_before_any_view(repo: GitRepo) -> None:
    """A crafted tree with a file ``dup`` and a folder ``dup``: refused as its files are
    listed, so no view (nor an answer from the cache) lets it pass for a clean import."""
    dup = git(repo.path, "hash-object", "-w", "--stdin", input="y\n")
    code = git(repo.path, "hash-object", "-w", "--stdin", input="x = 1\n")
    inner = git(repo.path, "mktree", input=f"100644 blob {code}\tb.py\n")
    top = git(repo.path, "mktree", input=f"100644 blob {dup}\tdup\n040000 tree {inner}\tdup\n")
    commit = git(repo.path, "commit-tree", top, "-m", "crafted")
    opened = gitrefs.Repository(repo.path)
    try:
        side = opened.side(commit)
        with pytest.raises(GitError, match=r"holds two entries for 'dup"):
            opened.entries(side, ["."])
    finally:
        opened.close()


def test_links_keep_their_rule_in_a_view(repo: GitRepo, tmp_path: Path) -> None:
    application(repo)
    (repo.path / "app/models/alias.json").symlink_to("enums.json")
    (repo.path / "app/models/out.json").symlink_to("../../../../outside.json")
    (repo.path / "frontend/latest").symlink_to("src")
    (tmp_path / "outside.json").write_text("secret\n")
    repo.write("app/tool.py", "")
    os.chmod(repo.path / "app/tool.py", 0o755)
    repo.commit("links and a script")
    tree = tmp_path / "tree"
    tree.mkdir()
    materialized(repo, tree)
    assert (tree / "app/models/alias.json").is_symlink()
    assert (tree / "app/models/alias.json").read_text() == '["a", "b"]\n'
    assert not (tree / "app/models/out.json").exists()
    assert not (tree / "app/models/out.json").is_symlink()
    assert (tree / "frontend/latest").is_symlink()  # a link may stand for a package: made
    assert sorted(p.name for p in (tree / "frontend/latest").iterdir()) == [
        f"part{i}" for i in range(7)
    ]
    assert os.stat(tree / "app/tool.py").st_mode & 0o111
    assert not os.stat(tree / "app/models/user.py").st_mode & 0o111


def test_a_partial_clone_fetches_code_and_skips_only_data_in_the_view(tmp_path: Path) -> None:
    origin = new_repo(tmp_path / "origin")
    application(origin)
    origin.write("app/models/user.py", "NAME = 'member'\n")
    origin.write("app/models/enums.json", '["c"]\n')
    origin.write("app/models/data/x.json", "[]\n")
    origin.write("frontend/src/part0/deep/c0.js", "export const c0 = -1;\n")
    origin.commit("newer")
    git(origin.path, "config", "uploadpack.allowFilter", "true")
    git(origin.path, "config", "uploadpack.allowAnySHA1InWant", "true")
    git(tmp_path, "clone", "-q", "--filter=blob:none", f"file://{origin.path}", "part")
    part = tmp_path / "part"
    absent = git(part, "rev-list", "--objects", "--missing=print", "HEAD~1^{tree}")
    assert sum(line.startswith("?") for line in absent.splitlines()) == 4  # HEAD~1's own
    opened = gitrefs.Repository(part)
    try:
        side = opened.side("HEAD~1")
        files, folders = view.view(opened.entries(side, ["."]))
        tree = tmp_path / "tree"
        tree.mkdir()
        skipped = opened.materialize(side, files, tree, folders)
    finally:
        opened.close()
    assert skipped == ["app/models/enums.json"]  # data in the view, absent, not fetched
    assert (tree / "app/models/user.py").read_text() == "NAME = 'user'\n"  # fetched
    assert not (tree / "app/models/enums.json").exists()
    assert (tree / "frontend/src/part0/deep").is_dir()


def test_hundreds_of_blobs_and_a_large_one_are_streamed_byte_for_byte(
    repo: GitRepo, tmp_path: Path
) -> None:
    count = 3 * 200 + 17  # past several chunks of ids
    for i in range(count):
        repo.write(f"pkg/m{i:04}.py", f"VALUE = {i}\n" + "# pad\n" * (i % 13))
    large = os.urandom(300_000)  # larger than any pipe's buffer, amid the stream
    (repo.path / "pkg/m0300.bin").write_bytes(large)
    repo.commit("many")
    tree = tmp_path / "tree"
    tree.mkdir()
    assert materialized(repo, tree) == []
    assert (tree / "pkg/m0300.bin").read_bytes() == large
    for i in range(count):
        expected = (repo.path / f"pkg/m{i:04}.py").read_bytes()
        assert (tree / f"pkg/m{i:04}.py").read_bytes() == expected


def test_a_failed_read_leaves_the_reader_usable(repo: GitRepo) -> None:
    repo.write("a.py", "A = 1\n")
    repo.write("b.py", "B = 2\n")
    repo.commit("two")
    opened = gitrefs.Repository(repo.path)
    try:
        a, b = opened.entries(opened.side("HEAD"), ["."])
        bogus = gitrefs.Entry("gone.py", 0o100644, "0" * 40)
        with pytest.raises(GitError, match=r"git cat-file could not read gone\.py"):
            list(opened.contents([a, bogus, b]))
        assert list(opened.contents([b, a])) == [b"B = 2\n", b"A = 1\n"]
    finally:
        opened.close()


def test_a_stream_left_half_read_does_not_shift_later_reads(repo: GitRepo) -> None:
    for i in range(450):
        repo.write(f"m{i:03}.py", f"V = {i}\n")
    repo.commit("many")
    opened = gitrefs.Repository(repo.path)
    try:
        entries = opened.entries(opened.side("HEAD"), ["."])
        started = opened.contents(entries)
        assert [next(started) for _ in range(3)] == [b"V = 0\n", b"V = 1\n", b"V = 2\n"]
        assert opened.content(entries[420]) == b"V = 420\n"  # 197 answers of the chunk unread
        assert list(opened.contents(entries[-2:])) == [b"V = 448\n", b"V = 449\n"]
    finally:
        opened.close()
