#!/usr/bin/env bash
# Installs everything the project needs into .venv and builds the front-end assets.
# Python packages come from requirements/dev.lock (exact versions, hash-checked); the project itself is
# then installed editable, without dependencies, so the lock alone decides what is in the venv.
# Safe to re-run; it installs again only when the lock or pyproject.toml has changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
LOCK=requirements/dev.lock
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml "$LOCK" | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --require-hashes -r "$LOCK"
  .venv/bin/python -m pip install --quiet --no-deps -e .
  rm -f .venv/.installed-*
  touch "$stamp"
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
