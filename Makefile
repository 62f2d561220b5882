# OpenKAP: `make demo` runs a synthetic clinic, `make test` runs every check.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export OPENKAP_DATABASE_URL ?= sqlite:///$(CURDIR)/var/openkap.sqlite3

.PHONY: demo test lint typecheck unit bench serve clean system-deps

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "OpenKAP needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

system-deps:
	@scripts/system-deps.sh

demo: $(STAMP)
	$(BIN)/openkap db upgrade
	$(BIN)/openkap demo --patients 200 --seed 42
	@echo "OpenKAP is starting on http://127.0.0.1:8000 (Ctrl+C stops it)"
	$(BIN)/openkap serve --host 127.0.0.1 --port 8000

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks migrations
	$(BIN)/ruff format --check src tests benchmarks migrations

typecheck: $(STAMP)
	$(BIN)/mypy

# Tests must pass at any hour: the whole suite runs with the clock just after midnight (UTC), and
# the database tests again on SQLite just before it (browser, fuzzing and crash tests once).
DAY_EDGE_PASS := -q -k "not postgresql" -m "not e2e" --ignore=tests/reliability \
	--ignore=tests/api/test_schemathesis.py

test: $(STAMP) system-deps lint typecheck
	scripts/with-postgres.sh $(BIN)/pytest --clock 00:05
	scripts/with-postgres.sh $(BIN)/pytest --clock 23:55 $(DAY_EDGE_PASS)

bench: $(STAMP)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
