#!/usr/bin/env bash
# Install everything into .venv, then lint (ruff, mypy strict, import-linter) and run the whole
# suite, PostgreSQL tests included: tests/conftest.py starts and stops a throwaway server.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
EXTRAS=test "$root/scripts/install.sh"
"$root/scripts/lint.sh"
exec "$root/.venv/bin/python" -m pytest "$@"
