"""The texts of the ``real-shape`` repository's files (see ``realrepo``): frontend files, the
application's non-model Python, its settings, pyproject.toml, Alembic's files and revisions."""

from __future__ import annotations

from pathlib import Path

from benchmarks.generator.models import MODULE_HEADER
from benchmarks.generator.realplan import DOMAINS


def frontend_text(path: str, revision: int) -> str:
    name = Path(path).stem
    if path.endswith(".js"):
        lines = ["import { h } from '../../lib/render.js';", ""]
        lines += [f"export const REVISION = {revision};", ""]
        lines += [f"export function {name.replace('-', '_')}(props) {{"]
        lines += [f"  return h('div', {{ class: '{name}', key: props.id }}, props.label);", "}"]
        return "\n".join(lines) + "\n"
    if path.endswith(".css"):
        rules = [
            f".{name}-{i} {{ margin: {i + revision}px; color: #{revision:06x}; }}" for i in (1, 2)
        ]
        return "\n".join(rules) + "\n"
    entries = ", ".join(f'"{name}.key{i}": "text {i} r{revision}"' for i in range(4))
    return f"{{{entries}}}\n"


def python_text(path: str, revision: int) -> str:
    if path == "app/settings.py":
        return SETTINGS.format(revision=revision)
    name = Path(path).stem
    if path.startswith("app/api/"):
        return API_MODULE.format(name=name, revision=revision, service=DOMAINS[len(name) % 8])
    return SERVICE_MODULE.format(name=name, revision=revision)


SETTINGS = '''\
"""Application settings, read once at start-up (revision {revision})."""

from __future__ import annotations

import os

DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://localhost/app")
PAGE_SIZE = {revision} % 50 + 10
FEATURES = frozenset(os.environ.get("APP_FEATURES", "").split(","))
'''

API_MODULE = '''\
"""HTTP handlers for {name} (revision {revision})."""

from __future__ import annotations

from app import settings
from app.models import Base
from app.services import {service}


def list_{name}(page: int = 0) -> dict[str, object]:
    size = settings.PAGE_SIZE
    return {{"page": page, "size": size, "revision": {revision}, "service": {service}.NAME}}


def describe_{name}() -> list[str]:
    return sorted(Base.metadata.tables)
'''

SERVICE_MODULE = '''\
"""Business rules for {name} (revision {revision})."""

from __future__ import annotations

from app import settings

NAME = "{name}"
REVISION = {revision}


def apply_{name}(values: dict[str, int]) -> dict[str, int]:
    limit = settings.PAGE_SIZE * {revision}
    return {{key: min(value, limit) for key, value in values.items()}}
'''

MODELS_HEADER = MODULE_HEADER.replace("from models.base", "from app.models.base")

PYPROJECT = """\
[project]
name = "shop"
version = "3.1"
requires-python = ">=3.10"
dependencies = ["sqlalchemy>=2", "alembic"]

[tool.schemadiff]
metadata = "app.models:Base.metadata"
dialect = "postgresql"
"""

ALEMBIC_INI = """\
[alembic]
script_location = migrations
prepend_sys_path = .
sqlalchemy.url = postgresql://localhost/app
"""

ENV_PY = '''\
"""Alembic's environment: the application's models are the target."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from app.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    section = config.get_section(config.config_ini_section, {})
    engine = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
'''

SCRIPT_MAKO = '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
'''

MIGRATION = '''\
"""{message}

Revision ID: {revision}
Revises: {down}
"""
from alembic import op
import sqlalchemy as sa

revision = "{revision}"
down_revision = {down_repr}


def upgrade() -> None:
    {upgrade}


def downgrade() -> None:
    pass
'''
