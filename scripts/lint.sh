#!/usr/bin/env bash
# Lint: formatting, ruff (line length enforced), mypy --strict on credit/,
# mypy (check_untyped_defs) on shop/, and the import-linter layer contracts.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/ruff ] || bash scripts/install-dev.sh
.venv/bin/ruff format --check .
.venv/bin/ruff check .
.venv/bin/mypy --strict credit
.venv/bin/mypy
.venv/bin/lint-imports
