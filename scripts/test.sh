#!/usr/bin/env bash
# Install everything the tests need and run the whole suite:
# unit tests, integration tests on SQLite and PostgreSQL (when one answers on
# 127.0.0.1:5432 or TEST_DATABASE_URL is set; required under CI=true), and the
# browser tests in the system Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-dev.sh
export INSTALLMALL_TRAIN_PYTHON="${INSTALLMALL_TRAIN_PYTHON:-$PWD/.venv-train/bin/python}"
exec .venv/bin/python -m pytest "$@"
