#!/usr/bin/env bash
# Install everything into .venv, then lint (ruff, mypy strict, import-linter) and run the whole
# suite, PostgreSQL tests included: tests/conftest.py starts and stops a throwaway server;
# then, for a whole run, scripts/test-oldest.sh (the migration tests on the oldest Alembic).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
EXTRAS=test "$root/scripts/install.sh"
"$root/scripts/lint.sh"
"$root/.venv/bin/python" -m pytest "$@"
# A whole run also runs the migration tests on the oldest Alembic allowed: about 3 min more
# (116 tests; 1.5 min more the first time, to fill .venv-oldest).
if [ $# -eq 0 ]; then
  "$root/scripts/test-oldest.sh" -q
fi
