#!/usr/bin/env bash
# Runs the whole suite: unit, integration (real HTTP, real SQLite,
# real PostgreSQL, real pcscd + vpcd) and browser tests (real headless Chromium, async
# Playwright: see tests/browser/README.md). Extra arguments go to pytest, e.g.
# `scripts/test.sh -m "not browser"` or `scripts/test.sh tests/browser`.
#
# Test modules run on MADOGUCHI_TEST_WORKERS pytest-xdist workers (default 2; 0 runs in
# this process). Most of a browser or server test's time is spent waiting on another
# process, so two workers nearly halve the wall time even on two cores. `loadfile`
# keeps a module on one worker: its module-scoped servers and artifacts stay its own.
set -euo pipefail
cd "$(dirname "$0")/.."
export MADOGUCHI_TEST_ARTIFACTS="${MADOGUCHI_TEST_ARTIFACTS:-$(pwd)/test-artifacts}"
mkdir -p "$MADOGUCHI_TEST_ARTIFACTS"
WORKERS="${MADOGUCHI_TEST_WORKERS:-2}"
if [ "$WORKERS" = "0" ]; then
    exec .venv/bin/python -m pytest "$@"
fi
exec .venv/bin/python -m pytest -n "$WORKERS" --dist loadfile "$@"
