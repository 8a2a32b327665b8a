#!/usr/bin/env bash
# The main job on a built-in example: install into .venv, build a two-commit repository from
# examples/demo, and show what the second commit did to the schema.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install.sh"

repo=$(mktemp -d "${TMPDIR:-/tmp}/schemadiff-demo.XXXXXX")
trap 'rm -rf "$repo"' EXIT
commit() {
  git -C "$repo" add -A
  git -C "$repo" -c user.name=demo -c user.email=demo@example.com -c commit.gpgsign=false \
    commit -q -m "$1"
}
git -C "$repo" init -q
cp "$root/examples/demo/pyproject.toml" "$repo/"
cp -R "$root/examples/demo/v1/." "$repo/"
commit "shop: first models"
rm -rf "$repo/shop"
cp -R "$root/examples/demo/v2/." "$repo/"
commit "shop: invoices, phone numbers, wider emails"

echo "\$ schemadiff HEAD~1..HEAD   (in a fresh example repository)" >&2
"$root/.venv/bin/schemadiff" -C "$repo" HEAD~1..HEAD
