#!/usr/bin/env bash
# Run the whole test suite (Python, JavaScript units and browser tests), on SQLite and PostgreSQL.
# Extra arguments go to pytest, e.g. scripts/test.sh -k drafting
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f static/dist/drafting.js ] || npm run --silent build
.venv/bin/pybabel compile -d app/translations >/dev/null
.venv/bin/ruff check .
exec .venv/bin/python -m pytest -n 2 --dist loadgroup --durations=15 "$@"
