"""The revision file, written through Alembic's ``ScriptDirectory``.

So alembic.ini's ``script_location``, ``version_locations``, ``file_template``,
``truncate_slug_length``, ``post_write_hooks`` and the project's ``script.py.mako`` all apply.
The differences from ``alembic revision``: the file is written atomically and never over an
existing one; the revision files are read with ``ast``, never imported (this process is not
the sandbox); a post-write hook that fails is an error, and the file it failed on is kept;
an ``alembic.ini`` without ``script_location`` next to an ``env.py`` (Flask-Migrate's
``migrations/alembic.ini``) has its own folder as the script location, as Flask-Migrate says.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import types
from argparse import Namespace
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import util as alembic_util
from alembic.config import Config
from alembic.script import ScriptDirectory, write_hooks
from alembic.script.revision import RevisionError as RevisionMapError
from mako.template import Template  # type: ignore[import-untyped]

from schemadiff import atomic, revisions
from schemadiff.errors import SchemadiffError
from schemadiff.escape import printable
from schemadiff.migrate.render import Python
from schemadiff.model import RevisionTarget


@dataclass(frozen=True, slots=True)
class Written:
    path: Path
    revision: str
    parents: tuple[str, ...]
    """The new revision's down revisions."""


class RevisionError(SchemadiffError):
    """Alembic's script directory refused the new revision."""


class HookFailed(RevisionError):
    """A post-write hook failed on the revision file, which stays: it is the user's to fix."""


class _AtomicScriptDirectory(ScriptDirectory):
    written: Path | None = None

    def _generate_template(self, src: Path | str, dest: Path | str, **kw: Any) -> None:
        """Render next to ``dest``, then link it into place: a reader never sees half a file,
        and an existing file stays as it is. The temporary file is made inside the clean-up
        scope, so no exception (Ctrl-C, SIGTERM, a full disk) leaves it behind. Alembic
        before 1.16 passes both paths as strings."""
        src, dest = Path(src), Path(dest)
        try:
            atomic.create(dest, lambda: _rendered(src, self.output_encoding, kw))
        except FileExistsError:
            raise RevisionError(
                f"{dest} already exists; schemadiff does not overwrite it. "
                "Choose another --rev-id or message."
            ) from None
        except OSError as error:
            raise _unwritable(dest, error) from None
        self.written = dest


def _rendered(template: Path, encoding: str, values: dict[str, Any]) -> bytes:
    """The revision file's text, as Alembic's ``template_to_file`` renders it, but without
    its bare ``except:``, which turns Ctrl-C into "Template rendering failed" and leaves a
    traceback file in the system temporary directory."""
    try:
        text: str = Template(filename=str(template)).render_unicode(**values)  # noqa: S702
    except Exception as error:  # the project's own script.py.mako (Python source, not HTML)
        first = (str(error).splitlines() or [""])[0]  # Flask's errors run on for a paragraph
        raise RevisionError(
            f"Alembic's template {template} failed to render: {type(error).__name__}: {first}"
        ) from None
    return text.encode(encoding)


def _unwritable(dest: Path, error: OSError) -> RevisionError:
    """The user's disk, not our bug: a read-only, full or forbidden versions directory."""
    return RevisionError(
        f"Cannot write the revision {dest} in {dest.parent}: {error.strerror or error}. "
        "Make the versions directory writable, or free space on its device."
    )


def write(target: RevisionTarget, code: Python) -> Written:
    assert target.config is not None
    _exists(target.config)
    with _inside(target.config.parent), _stdout_to_stderr(), _read_not_run(), _hooks_checked():
        scripts = _scripts(target.config)
        head = _head(scripts, target)
        rev_id = target.rev_id or alembic_util.rev_id()
        _unused(scripts, rev_id)
        labels = None if head and head.endswith("@head") else target.branch_label
        try:
            script = scripts.generate_revision(
                rev_id,
                target.message,
                head=head,
                branch_labels=labels,
                upgrades=code.upgrade,
                downgrades=code.downgrade,
                imports="\n".join(code.imports),
            )
        except HookFailed:
            raise  # the file is written and stays
        except (alembic_util.CommandError, RevisionMapError) as error:
            _remove(scripts)  # Alembic refuses some revisions only once their file is written
            raise RevisionError(f"Alembic refused the new revision: {error}") from None
        except OSError as error:  # Alembic's own mkdir of the versions directory
            _remove(scripts)
            where = error.filename or "the versions directory"
            raise RevisionError(
                f"Cannot write the revision in {where}: {error.strerror or error}."
            ) from None
        except BaseException:
            _remove(scripts)
            raise
    assert script is not None
    down = script.down_revision
    parents = (down,) if isinstance(down, str) else tuple(down or ())
    return Written(Path(script.path), script.revision, parents)


def heads(target: RevisionTarget) -> tuple[str, ...]:
    """The heads of the project's revisions, as the new revision would see them now."""
    assert target.config is not None
    _exists(target.config)
    with _inside(target.config.parent), _stdout_to_stderr(), _read_not_run():
        return tuple(_scripts(target.config).get_heads())


def _remove(scripts: ScriptDirectory) -> None:
    written = getattr(scripts, "written", None)
    if written is not None:
        written.unlink(missing_ok=True)


def _unused(scripts: ScriptDirectory, rev_id: str) -> None:
    if rev_id in {s.revision for s in scripts.walk_revisions()}:
        raise RevisionError(f"Revision {rev_id} already exists. Choose another --rev-id.")


def _exists(config_path: Path) -> None:
    if not config_path.is_file():
        raise RevisionError(
            f"No Alembic configuration at {config_path}. Run `alembic init migrations`, "
            "or point at yours with -c."
        )


def _scripts(config_path: Path) -> ScriptDirectory:
    config = Config(str(config_path), cmd_opts=Namespace(quiet=True))
    if not config.get_main_option("script_location") and (config_path.parent / "env.py").is_file():
        config.set_main_option("script_location", str(config_path.parent))
    try:
        scripts = ScriptDirectory.from_config(config)
        scripts.__class__ = _AtomicScriptDirectory  # from_config builds the base class itself
        scripts.get_heads()  # reads every revision now, so its errors are told here
    except (alembic_util.CommandError, RevisionMapError) as error:
        raise RevisionError(f"Alembic cannot read {config_path}: {error}") from None
    except Exception as error:  # a revision file that cannot be read
        raise RevisionError(
            f"Alembic could not load the revisions of {config_path}: "
            f"{type(error).__name__}: {error}"
        ) from None
    return scripts


def _head(scripts: ScriptDirectory, target: RevisionTarget) -> str | None:
    """The revision the new one follows: the one head, or the one the user picked."""
    if target.head is not None:
        return target.head
    if target.branch_label and _is_branch(scripts, target.branch_label):
        return f"{target.branch_label}@head"
    heads = scripts.get_heads()
    if len(heads) > 1:
        listed = ", ".join(sorted(heads))
        raise RevisionError(
            f"The migrations have {len(heads)} heads ({listed}). Pick one with --head, "
            "or run `alembic merge heads` first."
        )
    return None


def _is_branch(scripts: ScriptDirectory, label: str) -> bool:
    return any(label in script.branch_labels for script in scripts.walk_revisions())


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Alembic's messages and post-write hooks' output go to stderr: stdout carries the path."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


@contextlib.contextmanager
def _inside(directory: Path) -> Iterator[None]:
    """Alembic reads relative paths in alembic.ini from the current directory."""
    before = Path.cwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(before)


@contextlib.contextmanager
def _read_not_run() -> Iterator[None]:
    """Alembic learns a revision file's ``revision``, ``down_revision``, ``branch_labels`` and
    ``depends_on`` from its module: here that module is made from the file's literal
    assignments, read with ``ast``. Importing the files would run the project's code in
    this process, outside the sandbox and without ``[tool.schemadiff.env]``. Alembic looks
    ``util.load_python_file`` up at each call, in every version we support."""
    with _replaced(alembic_util, load_python_file=_revision_module):
        yield


@contextlib.contextmanager
def _replaced(module: types.ModuleType, **values: object) -> Iterator[None]:
    """``module``'s attributes set to ``values`` for the block, then restored."""
    before = {name: getattr(module, name) for name in values}
    for name, value in values.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for name, value in before.items():
            setattr(module, name, value)


def _revision_module(
    directory: str | os.PathLike[str], filename: str | os.PathLike[str]
) -> types.ModuleType:
    path = Path(directory, filename)
    if path.suffix != ".py":
        raise RevisionError(
            f"{path} is a compiled revision file: schemadiff reads revision files as source. "
            "Turn sourceless off in alembic.ini, or keep the .py files."
        )
    source = path.read_bytes()
    module = types.ModuleType(path.stem, revisions.docstring(source))
    module.__file__ = str(path)
    for name, value in revisions.literals(source).items():
        setattr(module, name, value)
    return module


@contextlib.contextmanager
def _hooks_checked() -> Iterator[None]:
    """Alembic ignores a post-write hook's exit status; here a failure is a ``HookFailed``
    naming the hook and the kept file. Its stderr still reaches ours, and its last line is
    told. Alembic looks ``_invoke`` and ``subprocess`` up in ``write_hooks`` at each call."""
    invoke = write_hooks._invoke

    def checked(kind: str, path: str | os.PathLike[str], options: Any) -> Any:
        name = printable(str(options.get("_hook_name", kind)))
        try:
            return invoke(kind, path, options)
        except (_HookExit, alembic_util.CommandError) as error:
            raise HookFailed(
                f"the revision was written to {os.path.abspath(path)}; the post-write hook "
                f"'{name}' failed: "
                f"{printable(str(error))}"
            ) from None

    process = types.SimpleNamespace(run=_run_hook, DEVNULL=subprocess.DEVNULL, PIPE=subprocess.PIPE)
    with _replaced(write_hooks, _invoke=checked, subprocess=process):
        yield


class _HookExit(Exception):
    """A hook's command exited with a failure; the message is its last stderr line."""


def _run_hook(command: list[str], **kw: Any) -> subprocess.CompletedProcess[bytes]:
    captured = "stderr" not in kw  # a hook with ignore_output sends it to DEVNULL
    if captured:
        kw["stderr"] = subprocess.PIPE
    try:
        done: subprocess.CompletedProcess[bytes] = subprocess.run(command, **kw)  # noqa: PLW1510
    except OSError as error:  # not the versions directory's: the hook's program
        raise _HookExit(f"cannot run {command[0]}: {error.strerror or error}") from None
    text = (done.stderr or b"").decode("utf-8", "replace") if captured else ""
    sys.stderr.write(text)
    if done.returncode != 0:
        lines = [line for line in text.splitlines() if line.strip()]
        raise _HookExit(lines[-1].strip() if lines else f"it exited with {done.returncode}")
    return done
