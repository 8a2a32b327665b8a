"""The shape of the ``real-shape`` repository (see ``realrepo``) and its history, planned
first: which commit does what (cheap: the targets need it before anything is built)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from benchmarks.harness import BenchError

PACKAGE = "app.models"
"""What the unit imports: the package the locator names."""
TABLES = 200
FRONTEND_FILES = 900
"""At the root; adds outrun deletes (see frontend_change), so HEAD holds about 1,000."""
OLD_ERA = 0.15
MODEL_SHARE = 0.05
PYTHON_SHARE = 0.10
BLAME_CHANGES = 4
"""Column adds to the blamed table after the commit that adds it."""
SEED = 20261203

DOMAINS = ("accounts", "billing", "catalog", "orders", "inventory", "shipping", "support", "crm")
NEW_DOMAINS = ("reports", "audit", "notifications", "integrations", "marketing", "loyalty")
AREAS = ("checkout", "cart", "profile", "search", "admin", "dashboard", "orders", "help")
PARTS = ("widgets", "forms", "pages", "hooks")
LANGUAGES = ("en", "de", "fr", "es", "ja")
LEGACY = "legacy_dependency_v1"
"""What the old era's models import: not installed anywhere, so those commits do not import."""


@dataclass(frozen=True)
class Step:
    kind: str
    """frontend, python, model or legacy-end (the commit that ends the old era)."""
    detail: str = ""
    """For model steps: column, table or module; for the blamed table, "blame-table"."""


@dataclass(frozen=True)
class Plan:
    commits: int
    steps: tuple[Step, ...]
    """Commits 2..commits (commit 1, the root, writes the whole tree)."""
    legacy_end: int
    """The commit that removes the legacy import: the first whose models import."""

    @property
    def blame_changes(self) -> int:
        """Schema-changing commits of the blamed table: the one adding it and its column adds."""
        return sum(1 for step in self.steps if step.detail.startswith("blame"))


def shares(commits: int) -> list[str]:
    """The kinds of commits 2..commits, shuffled: MODEL_SHARE model, PYTHON_SHARE python."""
    count = commits - 1
    models, python = round(count * MODEL_SHARE), round(count * PYTHON_SHARE)
    kinds = ["model"] * models + ["python"] * python + ["frontend"] * (count - models - python)
    random.Random(SEED).shuffle(kinds)
    return kinds


def model_detail(rng: random.Random) -> str:
    draw = rng.random()
    return "column" if draw < 0.75 else "table" if draw < 0.94 else "module"


def plan_history(commits: int) -> Plan:
    """Which commit does what. The last one changes the models (HEAD~1..HEAD has a diff); the
    first model commit after the old era adds the blamed table, and BLAME_CHANGES later column
    adds, spread over the rest, go to it."""
    rng = random.Random(SEED + 1)
    kinds = shares(commits)
    legacy_end = max(2, round(commits * OLD_ERA))
    kinds[legacy_end - 2] = "legacy-end"
    if kinds[-1] != "model":
        last_model = max(i for i, kind in enumerate(kinds) if kind == "model")
        kinds[last_model], kinds[-1] = kinds[-1], "model"
    details = [model_detail(rng) if kind == "model" else "" for kind in kinds]
    modern = [i for i, kind in enumerate(kinds) if kind == "model" and i > legacy_end - 2]
    if len(modern) < 2:
        raise BenchError(f"{commits} commits leave too few model changes to blame a table")
    details[modern[0]] = "blame-table"
    later = modern[1:]
    for step in range(min(BLAME_CHANGES, len(later))):
        details[later[(step * len(later)) // BLAME_CHANGES]] = "blame-column"
    steps = tuple(Step(kind, detail) for kind, detail in zip(kinds, details, strict=True))
    return Plan(commits, steps, legacy_end)
