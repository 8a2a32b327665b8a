#!/usr/bin/env bash
# ruff (lint and format), mypy strict on src, benchmarks and testsupport, and the import-linter
# layer contracts.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin="$root/.venv/bin"
"$bin/ruff" check src tests scripts examples benchmarks testsupport
"$bin/ruff" format --check src tests scripts examples benchmarks testsupport
"$bin/mypy"
"$bin/lint-imports"
