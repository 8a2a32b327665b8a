"""Settings: ``[tool.schemadiff]``, command-line overrides and what Alembic's files say.

For one side, every value comes from the first of: the command line; the ``[tool.schemadiff]``
of that side's tree (or the working tree's when that side has none); Alembic's own files
(read by ``alembicfiles``, never executed) and what env.py imports or takes from a Flask app
(``discover``); the defaults.
"""

from __future__ import annotations

from typing import Any, cast

from schemadiff.alembicfiles import Finder, Reader, read_alembic
from schemadiff.config import keys
from schemadiff.config.hints import FLASK_APP_PROBLEM, env_extras, merge_hints, no_metadata_message
from schemadiff.config.keys import KEYS, MAX_TIMEOUT, Overrides, parse_pyproject
from schemadiff.config.settings import (
    DEFAULT_DIALECT,
    DEFAULT_LEVELS,
    DEFAULT_PATHS,
    DEFAULT_TIMEOUT,
    SNAPSHOT_NAME,
    Settings,
    default_paths,
)
from schemadiff.errors import ConfigError

__all__ = [
    "DEFAULT_DIALECT",
    "DEFAULT_LEVELS",
    "DEFAULT_PATHS",
    "DEFAULT_TIMEOUT",
    "FLASK_APP_PROBLEM",
    "KEYS",
    "MAX_TIMEOUT",
    "SNAPSHOT_NAME",
    "Overrides",
    "Settings",
    "default_paths",
    "parse_pyproject",
    "resolve",
]


def resolve(
    read: Reader,
    fallback: Reader | None,
    overrides: Overrides,
    label: str,
    finders: tuple[Finder | None, Finder | None] = (None, None),
) -> Settings:
    """The settings of one side; ``fallback`` reads the working tree when the side is not it;
    ``finders`` look for files on the side and on the working tree."""
    file_values = keys.file_values(read, fallback, label)
    hints = read_alembic(read, label, finders[0])
    if hints.metadata is None and fallback is not None:
        hints = merge_hints(hints, read_alembic(fallback, "the working tree", finders[1]))
    values: dict[str, Any] = {}
    hints = env_extras(hints, read, fallback)
    for key in ("metadata", "dialect", "paths", "script_location", "version_locations", "imports"):
        if getattr(hints, key):
            values[key] = getattr(hints, key)
    if hints.render_as_batch is not None:
        values["render_as_batch"] = hints.render_as_batch
    given = keys.given(overrides)
    if "metadata" in file_values or "metadata" in given:
        # env.py's side-effect imports go with env.py's MetaData only (`import = []` opts out)
        values.pop("imports", None)
    if given.get("sandbox", file_values.get("sandbox")) == "strict":
        file_values = {k: v for k, v in file_values.items() if k not in keys.LOOSENING}
    if "check" in given:  # --rule sets a rule's level; the file's other levels stay
        levels = dict(cast(tuple[tuple[str, str], ...], file_values.get("check", ())))
        levels.update(cast(tuple[tuple[str, str], ...], given["check"]))
        given["check"] = tuple(sorted(levels.items()))
    values.update(file_values)
    values.update(given)
    if not values.get("metadata"):
        raise ConfigError(no_metadata_message(hints, label))
    if "paths" not in values:
        values["paths"] = default_paths(
            (*values["metadata"], *values.get("imports", ())), finders[0]
        )
    return Settings(**values)
