#!/usr/bin/env bash
# Re-extract messages, merge them into every catalogue, compile, then check.
# Usage (from anywhere): app/translations/update.sh
# New msgids arrive with an empty msgstr (no fuzzy guesses); translate them in
# app/translations/<lang>/LC_MESSAGES/messages.po and run this script again.
# The check step fails until every message is translated and none is fuzzy.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
PYTHON="${PYTHON:-.venv/bin/python}"
TRANSLATIONS=app/translations

"$PYBABEL" extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
    --project=Undersigned \
    -o "$TRANSLATIONS/messages.pot" .
"$PYBABEL" update -i "$TRANSLATIONS/messages.pot" -d "$TRANSLATIONS" \
    --no-fuzzy-matching
"$PYBABEL" compile -d "$TRANSLATIONS" --statistics

"$PYTHON" "$TRANSLATIONS/check.py"
