"""The environment for git run on a repository of our own."""

from __future__ import annotations

import os


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without GIT_* (which would point git elsewhere: a hook or a test runner
    may have set GIT_DIR or GIT_INDEX_FILE), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(extra)
    return env
