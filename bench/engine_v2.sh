#!/usr/bin/env bash
# The drafting engine's four figures (issue 10): one letter, N drafters at Etherpad's typing rate,
# protocol version 2, on each server we ship. Results: bench/results/engine-v2-*.json and a table
# per configuration on standard output (with the load generators' own CPU).
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres) and Redis on 127.0.0.1:6379.
# SWEEP (default 25,50,80,100,160,200,300), BENCH_SECONDS (20), PRIORITY (10: nice -10 as root; 0 otherwise).
# The load generator is bench/drafting_worker.mjs (Node; GENERATOR=python for the older one).
# With ANCHORS (default /tmp/anchors-harness: a copy of ../shared/anchors after its ./setup.sh), Hocuspocus
# runs the same sweep last, so both sets of figures come from one run on one machine.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PRIORITY=${PRIORITY:-10}
SWEEP=${SWEEP:-25,50,80,100,160,200,300}
SECONDS_EACH=${BENCH_SECONDS:-20}
DB=${BENCH_DB:-undersigned_bench}
PG="postgresql+psycopg://postgres@127.0.0.1:5432/$DB"
GENERATOR=${GENERATOR:-node}
ANCHORS=${ANCHORS:-/tmp/anchors-harness}
COMMON=(--drafters "$SWEEP" --seconds "$SECONDS_EACH" --warmup 5 --settle-seconds 20 --priority "$PRIORITY" --protocol 2
    --generator "$GENERATOR")
fresh_pg() { psql -U postgres -h 127.0.0.1 -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"; }
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%FT%TZ), $(git rev-parse --short HEAD)"
echo "== 1. python wsgi.py, SQLite (the quick start)"
timeout 1200 "$PY" bench/drafting_load.py --server wsgi "${COMMON[@]}" --output bench/results/engine-v2-wsgi-sqlite.json
echo "== 2. gunicorn, SQLite"
timeout 1200 "$PY" bench/drafting_load.py "${COMMON[@]}" --output bench/results/engine-v2-gunicorn-sqlite.json
echo "== 3. gunicorn, PostgreSQL"
fresh_pg
timeout 1200 "$PY" bench/drafting_load.py --database-url "$PG" "${COMMON[@]}" \
    --output bench/results/engine-v2-gunicorn-pg.json
echo "== 4. two gunicorn processes, PostgreSQL, Redis"
fresh_pg
timeout 1200 "$PY" bench/drafting_load.py --server-processes 2 --database-url "$PG" "${COMMON[@]}" \
    --output bench/results/engine-v2-gunicorn2-pg.json
echo "== memory: server RSS per idle drafter (gunicorn, SQLite)"
timeout 600 "$PY" bench/drafting_load.py --memory --drafters 0,100,300 --output bench/results/engine-v2-memory.json
if [ -x "$ANCHORS/run.sh" ] && [ -d "$ANCHORS/node_modules/@hocuspocus/server" ]; then
    echo "== anchor: Hocuspocus (Yjs), same load, $ANCHORS"
    (cd "$ANCHORS" && ./run.sh yjs "${SWEEP//,/ }" "$SECONDS_EACH" 5)
else
    echo "== anchor skipped: no set-up harness at $ANCHORS (cp -r ../shared/anchors $ANCHORS && $ANCHORS/setup.sh)"
fi
