"""What Alembic's files say besides ``[tool.schemadiff]``: the side's hints merged with the
working tree's, and what env.py imports or takes from a Flask app (``discover``).
"""

from __future__ import annotations

from dataclasses import replace

from schemadiff import discover
from schemadiff.alembicfiles import AlembicHints, Reader
from schemadiff.config.settings import DEFAULT_PATHS
from schemadiff.discover import Locator

__all__ = ["FLASK_APP_PROBLEM", "env_extras", "merge_hints", "no_metadata_message"]


def env_extras(hints: AlembicHints, read: Reader, fallback: Reader | None) -> AlembicHints:
    """The hints, with what env.py (the side's, else the working tree's) does besides
    naming target_metadata: the modules it imports for their side effect (the side's own
    env.py only: another's may name modules this side does not have); and, when it takes the
    models from the Flask app, that app, found the way ``flask`` finds it."""
    path = f"{hints.script_location}/env.py"
    readers = [r for r in (read, fallback) if r is not None and hints.script_location]
    for reader in readers:
        source = reader(path)
        if source is None:
            continue
        if reader is read:
            hints = replace(hints, imports=discover.imports_from_env(source) or None)
        if hints.metadata is None and discover.takes_flask_app(source):
            app, why = discover.flask_app(reader, hints.paths or DEFAULT_PATHS)
            found = (app,) if app and Locator.parse(app) else None
            problem = None if found else f"{path} {FLASK_APP_PROBLEM}, and {why}"
            hints = replace(hints, metadata=found, problem=problem)
        break
    return hints


FLASK_APP_PROBLEM = "takes the models from the Flask app"


def merge_hints(own: AlembicHints, other: AlembicHints) -> AlembicHints:
    return AlembicHints(
        metadata=other.metadata,
        dialect=own.dialect or other.dialect,
        paths=own.paths or other.paths,
        problem=own.problem or other.problem,
        script_location=own.script_location or other.script_location,
        version_locations=own.version_locations or other.version_locations,
        render_as_batch=_first_said(own.render_as_batch, other.render_as_batch),
    )


def _first_said(own: bool | None, other: bool | None) -> bool | None:
    return other if own is None else own


def no_metadata_message(hints: AlembicHints, label: str) -> str:
    why = f" ({hints.problem})" if hints.problem else ""
    example = (
        "yourapp:create_app()"
        if hints.problem and f" {FLASK_APP_PROBLEM}, and " in hints.problem
        else "package.module:Base.metadata"
    )
    return (
        f'No MetaData to compare at {label}{why}. Set metadata = "{example}" '
        "under [tool.schemadiff] in pyproject.toml, or pass --metadata."
    )
