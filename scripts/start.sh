#!/usr/bin/env bash
# Quick start: set everything up, then serve the app with demo data on http://127.0.0.1:5000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/python wsgi.py
