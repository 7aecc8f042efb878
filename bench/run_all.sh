#!/usr/bin/env bash
# Run every benchmark (about 20-25 minutes on two cores). Results: bench/results/*.json, chart: docs/perf-p95.svg.
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres) and Redis on 127.0.0.1:6379 (databases 14/15 are the bench's).
# Run as root to get --priority (nice -10) on a shared machine; otherwise set PRIORITY=0.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PRIORITY=${PRIORITY:-10}
DB=${BENCH_DB:-undersigned_bench}
PG="postgresql+psycopg://postgres@127.0.0.1:5432/$DB"
SWEEP=${SWEEP:-25,50,100,200,300,400}
COMMON=(--seconds 15 --warmup 5 --settle-seconds 15 --priority "$PRIORITY")
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%FT%TZ)"
echo "== engine: merge_edit time per edit against letter size"
timeout 900 "$PY" bench/engine_speed.py
echo "== snapshot interval: reading a revision's text for K = 10, 50, 200"
timeout 900 "$PY" bench/snapshot_interval.py
echo "== drafting, one gunicorn process, SQLite"
timeout 900 "$PY" bench/drafting_load.py --drafters 25,50,100,160 "${COMMON[@]}" \
    --output bench/results/scale-sqlite-1proc.json
for S in 1 2; do
    echo "== drafting, $S gunicorn process(es), PostgreSQL ($DB), Redis message queue for 2"
    psql -U postgres -h 127.0.0.1 -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
    timeout 900 "$PY" bench/drafting_load.py --server-processes "$S" --database-url "$PG" --drafters "$SWEEP" \
        "${COMMON[@]}" --output "bench/results/scale-pg-${S}proc.json"
done
echo "== memory per idle connected drafter (N = 0, 100, 400)"
timeout 600 "$PY" bench/drafting_load.py --memory --drafters 0,100,400 --priority "$PRIORITY" \
    --output bench/results/scale-memory.json
echo "== chart"
"$PY" bench/plot_p95.py "PG, 1 process=bench/results/scale-pg-1proc.json" \
    "PG, 2 processes=bench/results/scale-pg-2proc.json" \
    "SQLite, 1 process=bench/results/scale-sqlite-1proc.json" --output docs/perf-p95.svg
echo "== signing throughput and public page views (PostgreSQL, gunicorn)"
timeout 600 "$PY" bench/signing_load.py --seconds 10
echo "== review: reading, blame and diff speed"
timeout 900 "$PY" bench/review_speed.py
