#!/usr/bin/env bash
# Run every benchmark with its defaults (a few minutes on two cores). Results: bench/results/*.json.
# Extra arguments go to the drafting load test, e.g. bench/run_all.sh --server wsgi --drafters 100
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%FT%TZ)"
echo "== engine: merge_edit time per edit against letter size"
timeout 900 "$PY" bench/engine_speed.py
echo "== snapshot interval: reading a revision's text for K = 10, 50, 200"
timeout 900 "$PY" bench/snapshot_interval.py
echo "== real-time drafting load test (gunicorn, SQLite)"
timeout 3000 "$PY" bench/drafting_load.py --wait-quiet 120 "$@"
