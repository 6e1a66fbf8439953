# Loam — the two commands a newcomer needs: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
LOCALES := src/loam/locale

.PHONY: run test lint install dev messages extract vendor worker clean screenshots

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $(STAMP)

$(DEVSTAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(DEVSTAMP)

install: $(STAMP) messages

dev: $(DEVSTAMP) messages

## Compile the gettext catalogs (.po → .mo).
messages: $(STAMP)
	$(BIN)/pybabel compile -d $(LOCALES) -D messages

## Re-extract the strings to translate into the catalogs.
extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -o $(LOCALES)/messages.pot src/loam
	$(BIN)/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) -D messages --no-fuzzy-matching

## Set up, migrate, load the demo company when empty, and serve on http://127.0.0.1:8000
run: install
	$(BIN)/loam db upgrade
	$(BIN)/loam demo --if-empty
	@echo ""
	@echo "  Loam is running on http://127.0.0.1:8000"
	@echo "  Demo logins (password loam-demo): admin, director, ar1, ar2, sr1, fr1, finance1"
	@echo ""
	$(BIN)/loam serve

worker: install
	$(BIN)/loam worker

lint: dev
	$(BIN)/ruff check src tests migrations benchmarks
	$(BIN)/ruff format --check src tests migrations benchmarks

## Lint, then every test: SQLite, PostgreSQL when LOAM_TEST_DATABASE_URL is set, and the browser tests.
test: dev lint
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider tests
	@if [ -n "$$LOAM_TEST_DATABASE_URL" ]; then \
	  echo "== the same suite on PostgreSQL =="; \
	  LOAM_TEST_BACKEND=postgresql $(BIN)/python -m pytest -n 2 -p no:cacheprovider -m "not e2e" tests; \
	fi

## Refresh docs/screenshots/ (the demo company, through Debian's Chromium).
screenshots: dev
	$(BIN)/python scripts/screenshots.py docs/screenshots

vendor:
	bash scripts/vendor.sh

clean:
	rm -rf $(VENV) var .pytest_cache
