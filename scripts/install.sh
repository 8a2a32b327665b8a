#!/usr/bin/env bash
# Create .venv if it is missing and install the project (with EXTRAS, e.g. "test") into it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
if [ ! -x "$root/.venv/bin/python" ]; then
  "$python" -m venv "$root/.venv"
fi
spec="$root"
[ -n "${EXTRAS:-}" ] && spec="$root[$EXTRAS]"
"$root/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec" 2>&1 \
  | grep -v "^WARNING: Location" >&2 || true
"$root/.venv/bin/python" -c "import schemadiff" || { echo "install failed" >&2; exit 1; }
