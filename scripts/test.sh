#!/usr/bin/env bash
# Runs the whole suite in one pytest process: unit, integration (real HTTP, real SQLite,
# real PostgreSQL, real pcscd + vpcd) and browser tests (real headless Chromium, async
# Playwright: see tests/browser/README.md). Extra arguments go to pytest, e.g.
# `scripts/test.sh -m "not browser"` or `scripts/test.sh tests/browser`.
set -euo pipefail
cd "$(dirname "$0")/.."
export MADOGUCHI_TEST_ARTIFACTS="${MADOGUCHI_TEST_ARTIFACTS:-$(pwd)/test-artifacts}"
mkdir -p "$MADOGUCHI_TEST_ARTIFACTS"
exec .venv/bin/python -m pytest "$@"
