# The whole set-up on a fresh machine: `make run` and `make test` (see README).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export CREDITREG_DATABASE_URL ?= sqlite:///var/creditreg.db

.PHONY: install run test lint bench lock clean

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "creditreg needs Python >= 3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

## Migrate the demo SQLite database under ./var, load the demo data, serve on :8000.
run: install
	$(BIN)/creditreg db upgrade
	$(BIN)/creditreg demo load
	@$(BIN)/python -c 'from creditreg.config import Settings; from creditreg.web.reports import font_available, font_missing_message; f = Settings().report_font_file; font_available(f) or print("note: " + font_missing_message(f))'
	$(BIN)/creditreg serve --host 127.0.0.1 --port 8000

lint: install
	$(BIN)/ruff check creditreg tests bench
	$(BIN)/ruff format --check creditreg tests bench
	$(BIN)/mypy creditreg
	$(BIN)/lint-imports --no-cache

## Lint, types, and the whole suite on SQLite and PostgreSQL.
test: lint
	$(BIN)/pytest -n 2 --dist loadgroup -q -p no:cacheprovider

## Benchmarks (not tests): print figures beside the raw database's.
bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

## Rebuild requirements.lock from pyproject.toml (needs the package registry).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --disable-pip-version-check -e '.[dev]'
	.lock-venv/bin/pip freeze --exclude-editable --disable-pip-version-check | grep -v '^-e ' > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
