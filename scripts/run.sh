#!/usr/bin/env bash
# Sets up, migrates a local SQLite database, loads the demo data and serves the app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

export IW_CONFIG=${IW_CONFIG:-development}
PORT=${PORT:-8000}
.venv/bin/flask --app indirect_work db upgrade
.venv/bin/flask --app indirect_work seed-demo
if [ -n "${IW_REDIS_URL:-}" ]; then
  # Jobs (email, reminders) go through Redis: run a worker beside the web server.
  .venv/bin/flask --app indirect_work run-jobs &
fi
echo
echo "Indirect Work is running at http://127.0.0.1:${PORT}/  (Ctrl+C to stop)"
echo
exec .venv/bin/gunicorn -c gunicorn.conf.py --workers 2 --bind "127.0.0.1:${PORT}" wsgi:app
