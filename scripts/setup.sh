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

# System packages from Debian: Chromium for the browser tests (never a downloaded browser build),
# Pango and fonts for the PDF delivery packet (WeasyPrint), nginx for the multi-process tests.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  missing=()
  for package in chromium libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core nginx-light; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    # Keep packages from starting services (nginx would listen on every interface): tests start their own.
    policy_added=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy_added=1
    fi
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null || echo "Could not install ${missing[*]}: some tests will be skipped outside CI." >&2
    [ "$policy_added" = 1 ] && rm -f /usr/sbin/policy-rc.d
  fi
fi

.venv/bin/pybabel compile -d app/translations >/dev/null
.venv/bin/flask --app wsgi db upgrade
.venv/bin/flask --app wsgi seed-demo
