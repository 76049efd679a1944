# The two commands a newcomer needs: `make run` (demo service) and `make test` (whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTANCE ?= instance
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test fast install services browser bench clean

$(BIN)/okrsync: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(BIN)/okrsync

# The public URL follows HOST and PORT unless OKRSYNC_BASE_URL is set (the demo's sign-in line uses it).
RUN_ENV = OKRSYNC_INSTANCE_PATH=$(INSTANCE) OKRSYNC_BASE_URL=$${OKRSYNC_BASE_URL:-http://$(HOST):$(PORT)}

run: install
	$(RUN_ENV) $(BIN)/okrsync db upgrade
	$(RUN_ENV) $(BIN)/okrsync demo
	$(RUN_ENV) $(BIN)/okrsync serve --host $(HOST) --port $(PORT)

services:
	bash scripts/ensure-services.sh

browser:
	bash scripts/ensure-chromium.sh

# In parallel, one xdist worker per core; --dist loadfile keeps each test module on one worker, so
# module-scoped fixtures (a browser module's Chromium, a module's demo store) are built once.
# Each worker has a Redis database of its own (tests/worker_redis.py), hence at most 12 workers.
test: install services browser
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -q -p no:cacheprovider -n auto --maxprocesses 12 --dist loadfile

# The loop to run on every change: SQLite only, no PostgreSQL, Redis, browser or slow tests.
# Compiled and assertion-rewritten modules are kept in __pycache__ (gitignored) even where the
# environment sets PYTHONDONTWRITEBYTECODE: without them every xdist worker parses and rewrites
# every test module again on every run (about 8 s of CPU per worker).
fast: install
	PYTHONDONTWRITEBYTECODE= OKRSYNC_TEST_STORES=sqlite $(BIN)/pytest -q -p no:cacheprovider -n auto \
		-m "not slow and not browser and not redis and not postgres"

bench: install services
	$(BIN)/python bench/api.py

clean:
	rm -rf $(VENV) $(INSTANCE) .pytest_cache test-artifacts
