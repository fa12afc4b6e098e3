#!/usr/bin/env bash
# Sets up, then runs the linter, the format check and the type check with the venv's tools.
# All three always run, so one run shows every problem; it exits non-zero if any of them failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

failed=()
.venv/bin/ruff check . || failed+=("ruff check")
.venv/bin/ruff format --check . || failed+=("ruff format --check")
.venv/bin/mypy indirect_work || failed+=("mypy")

if [ ${#failed[@]} -gt 0 ]; then
  echo "lint failed: ${failed[*]}" >&2
  exit 1
fi
echo "lint: ruff check, ruff format --check and mypy are clean"
