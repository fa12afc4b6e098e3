#!/usr/bin/env bash
# Build the team dashboard benchmark data set.
#   bench/dashboard_build_data.sh postgresql 10000000   # database iw_bench on 127.0.0.1 (dropped and recreated)
#   bench/dashboard_build_data.sh sqlite 1000000        # instance/bench-dashboard.sqlite3 (recreated)
# Then measure with bench/dashboard_measure.py (same DATABASE_URL).
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-postgresql}
rows=${2:-10000000}
if [[ $backend == postgresql ]]; then
  PGHOST=${PGHOST:-127.0.0.1}
  db=${BENCH_DB:-iw_bench}
  psql -h "$PGHOST" -U postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  export DATABASE_URL="postgresql+psycopg://postgres@$PGHOST/$db"
else
  mkdir -p instance
  file=${BENCH_FILE:-instance/bench-dashboard.sqlite3}
  rm -f "$file" "$file-wal" "$file-shm"
  export DATABASE_URL="sqlite:///$PWD/$file"
fi
export IW_CONFIG=development
echo "DATABASE_URL=$DATABASE_URL"
.venv/bin/flask --app indirect_work db upgrade
time .venv/bin/flask --app indirect_work bulk-activities --rows "$rows"
if [[ $backend == postgresql ]]; then
  psql -h "$PGHOST" -U postgres -d "$db" -qc "VACUUM ANALYZE"
  # Parallel workers are separate, short-lived processes: without them all of a query's CPU time is
  # in the one backend that dashboard_measure.py reads (plans and timings were the same either way).
  psql -h "$PGHOST" -U postgres -qc "ALTER DATABASE $db SET max_parallel_workers_per_gather = 0"
fi
