#!/usr/bin/env bash
# Set up everything on a fresh clone: .venv/, Python and front-end packages, the browser for the
# browser tests (Debian's Chromium, when run as root), compiled translations, the database schema
# and the demo data. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements-dev.txt

if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
fi
npm run --silent build

# Debian's Chromium for the browser tests (never a downloaded browser build).
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's Chromium for the browser tests..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
    || echo "Could not install Chromium: browser tests will be skipped outside CI." >&2
fi

.venv/bin/pybabel compile -d app/translations >/dev/null
.venv/bin/flask --app wsgi db upgrade
.venv/bin/flask --app wsgi seed-demo
