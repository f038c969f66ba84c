#!/usr/bin/env bash
# Regenerate the initial migration from the models (allowed while nothing is deployed:
# the schema has no production data yet). Review the result: autogenerate is a draft.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f migrations/versions/*.py
DATABASE_URL="sqlite:///$tmp/empty.sqlite3" .venv/bin/flask --app wsgi db migrate -m "initial schema" --rev-id 0001_initial > "$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
rm -rf "$tmp"
ls migrations/versions/
