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

# With the test extra: the real Mermaid parser for the Markdown report's diagrams
# (tests/mermaid/check.mjs), the versions tests/mermaid/package-lock.json pins, in .venv/mermaid.
# Installed again only when that lock file changes.
case ",${EXTRAS:-}," in
  *,test,*)
    mermaid="$root/.venv/mermaid"
    lock="$root/tests/mermaid/package-lock.json"
    if ! command -v npm >/dev/null; then
      echo "npm not found: the Mermaid syntax tests will be skipped (install Node.js and npm)" >&2
    elif ! cmp -s "$lock" "$mermaid/installed.lock"; then
      mkdir -p "$mermaid"
      cp "$root/tests/mermaid/package.json" "$lock" "$mermaid/"
      (cd "$mermaid" && npm ci --no-audit --no-fund --loglevel=error) >&2 \
        || { echo "npm ci of the Mermaid parser failed" >&2; exit 1; }
      cp "$lock" "$mermaid/installed.lock"
    fi
    ;;
esac
