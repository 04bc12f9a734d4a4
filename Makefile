.PHONY: help run test unit lint bench
help:            ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'
run:             ## install, migrate, seed and serve the shop with a local Stripe server
	bash scripts/run.sh
test:            ## install what the tests need and run the whole suite
	bash scripts/test.sh
unit:            ## the pure credit tests only (fast)
	INSTALLMALL_TRAIN_PYTHON="$${INSTALLMALL_TRAIN_PYTHON:-$(CURDIR)/.venv-train/bin/python}" .venv/bin/python -m pytest tests/unit -q
lint:            ## ruff format + check, mypy (strict on credit/), import-linter layer contracts
	bash scripts/lint.sh
bench:           ## run the benchmarks
	.venv/bin/python bench/credit_math.py && .venv/bin/python bench/decision.py && .venv/bin/python bench/web.py
