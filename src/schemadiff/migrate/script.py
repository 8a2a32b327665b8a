"""The revision file, written through Alembic's ``ScriptDirectory``.

So alembic.ini's ``script_location``, ``version_locations``, ``file_template``,
``truncate_slug_length``, ``post_write_hooks`` and the project's ``script.py.mako`` all apply.
The one difference from ``alembic revision``: the file is written atomically and never over
an existing one.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from argparse import Namespace
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import util as alembic_util
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError as RevisionMapError
from mako.template import Template  # type: ignore[import-untyped]

from schemadiff.errors import SchemadiffError
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


class _AtomicScriptDirectory(ScriptDirectory):
    written: Path | None = None

    def _generate_template(self, src: Path, dest: Path, **kw: Any) -> None:
        """Render next to ``dest``, then link it into place: a reader never sees half a file,
        and an existing file stays as it is. The temporary file is made inside the clean-up
        scope, so no exception (Ctrl-C, SIGTERM, a full disk) leaves it behind."""
        temporary: str | None = None
        try:
            handle, temporary = tempfile.mkstemp(prefix=".schemadiff-", dir=dest.parent)
            os.close(handle)
            Path(temporary).write_bytes(_rendered(src, self.output_encoding, kw))
            os.chmod(temporary, 0o666 & ~_umask())  # as a plain open() would have made it
            with open(temporary, "rb") as written:
                os.fsync(written.fileno())
            _link(Path(temporary), dest)
            self.written = dest
        except OSError as error:
            raise _unwritable(dest, error) from None
        finally:
            if temporary is not None:
                os.unlink(temporary)


def _rendered(template: Path, encoding: str, values: dict[str, Any]) -> bytes:
    """The revision file's text, as Alembic's ``template_to_file`` renders it, but without
    its bare ``except:``, which turns Ctrl-C into "Template rendering failed" and leaves a
    traceback file in the system temporary directory."""
    try:
        text: str = Template(filename=str(template)).render_unicode(**values)  # noqa: S702
    except Exception as error:  # the project's own script.py.mako (Python source, not HTML)
        raise RevisionError(
            f"Alembic's template {template} failed to render: {type(error).__name__}: {error}"
        ) from None
    return text.encode(encoding)


def _unwritable(dest: Path, error: OSError) -> RevisionError:
    """The user's disk, not our bug: a read-only, full or forbidden versions directory."""
    return RevisionError(
        f"Cannot write the revision {dest} in {dest.parent}: {error.strerror or error}. "
        "Make the versions directory writable, or free space on its device."
    )


def _link(source: Path, dest: Path) -> None:
    try:
        os.link(source, dest)
    except FileExistsError:
        raise RevisionError(
            f"{dest} already exists; schemadiff does not overwrite it. "
            "Choose another --rev-id or message."
        ) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write(target: RevisionTarget, code: Python) -> Written:
    assert target.config is not None
    _exists(target.config)
    with _inside(target.config.parent), _stdout_to_stderr():
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
    with _inside(target.config.parent), _stdout_to_stderr():
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
    try:
        scripts = ScriptDirectory.from_config(config)
        scripts.__class__ = _AtomicScriptDirectory  # from_config builds the base class itself
        scripts.get_heads()  # reads every revision now, so its errors are told here
    except (alembic_util.CommandError, RevisionMapError) as error:
        raise RevisionError(f"Alembic cannot read {config_path}: {error}") from None
    except Exception as error:  # a revision file that does not import
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
