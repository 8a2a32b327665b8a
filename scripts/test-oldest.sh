#!/usr/bin/env bash
# The tests that write and run migrations again, against the oldest Alembic the package allows
# (pyproject.toml's "alembic>=X"), in .venv-oldest: the suite in .venv gets the newest.
# Reinstalled only when pyproject.toml changes. Extra pytest arguments are passed on.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
floor=$(sed -n 's/^ *"alembic>=\([0-9.]*\)".*/\1/p' pyproject.toml)
venv="$root/.venv-oldest"
[ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"
if ! cmp -s pyproject.toml "$venv/installed.pyproject.toml"; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$root[test]" \
    "alembic==$floor" 2>&1 | grep -v "^WARNING: Location" >&2 || true
  cp pyproject.toml "$venv/installed.pyproject.toml"
fi
"$venv/bin/python" -c "import alembic, sys; sys.exit(alembic.__version__ != '$floor')" \
  || { echo "alembic $floor is not what $venv holds" >&2; exit 1; }
exec "$venv/bin/python" -m pytest -p no:cacheprovider \
  tests/test_migrations.py tests/test_flask_migrate.py tests/test_coverage.py "$@"
