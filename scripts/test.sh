#!/usr/bin/env bash
# Sets up and runs the whole test suite on SQLite and PostgreSQL, with the browser tests.
# Extra arguments go to pytest (e.g. scripts/test.sh -k capture -x).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# Browser tests use Debian's Chromium; install it when we can (root), otherwise they skip.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Chromium from Debian packages for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "Could not install chromium; browser tests will skip"
fi

export IW_TEST_POSTGRES_URL=${IW_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/test}
exec .venv/bin/python -m pytest "$@"
