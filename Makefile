# 株洲目标进度监测数据仓库 — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Re-install whenever the pins change.
INSTALL_STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
UV_VERSION := 0.9.30
# The report's partial plotly.js build (scatter and bar: all it draws), from the npm registry; the
# same plotly.js version as the pinned Python plotly package (dagster_project/report/bundle.py).
PLOTLY_JS_VERSION := 4.1.1
PLOTLY_JS := $(VENV)/npm/node_modules/plotly.js-basic-dist-min/plotly-basic.min.js

export GX_ANALYTICS_ENABLED := false
export DAGSTER_DISABLE_TELEMETRY := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: setup browser run test lint format ui docs bench clean

setup: $(INSTALL_STAMP) $(PLOTLY_JS)

$(PLOTLY_JS):
	@# without npm the report inlines the full 4.8 MB bundle instead (and says so)
	@if command -v npm >/dev/null 2>&1; then \
		npm install -s --prefix $(VENV)/npm --no-save --no-audit --no-fund --no-package-lock \
			"plotly.js-basic-dist-min@$(PLOTLY_JS_VERSION)"; \
	else \
		echo "npm not found: the report will inline the full plotly.js bundle"; \
	fi

$(INSTALL_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# uv installs the pinned set ~4x faster than pip; fall back to pip if uv cannot be had.
	@if $(BIN)/python -m pip install -q "uv==$(UV_VERSION)" >/dev/null 2>&1; then \
		$(BIN)/uv pip install --python $(BIN)/python -q -e ".[dev]"; \
	else \
		$(BIN)/python -m pip install -q -e ".[dev]"; \
	fi
	@rm -f $(VENV)/.installed-*
	@touch $@

## make run: set up, then ingest the bundled sample releases and build, check and publish everything.
run: setup
	$(BIN)/pmw run --sample

## make browser: Debian's Chromium (headless browser tests) and a CJK font so the Chinese report renders.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
		apt-get update && apt-get install -y chromium fonts-wqy-microhei; \
	fi

## make test: set up, then run the whole test suite (pytest, including dbt build and tests).
test: setup browser
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check dagster_project tests scripts
	$(BIN)/ruff format --check dagster_project tests scripts
	cd dbt && ../$(BIN)/sqlfluff lint models

format: setup
	$(BIN)/ruff format dagster_project tests scripts
	$(BIN)/ruff check --fix dagster_project tests scripts

## make ui: the Dagster UI on http://127.0.0.1:3000
ui: setup
	$(BIN)/pmw ui

docs: setup
	$(BIN)/pmw dbt-docs

## make bench: the national-scale benchmark (long; not part of make test), writes BENCHMARKS.md.
## A smaller run: make bench BENCH_ARGS="--scale 0.1" (see python -m dagster_project.bench --help)
bench: setup
	$(BIN)/python -m dagster_project.bench $(BENCH_ARGS)

clean:
	rm -rf var dbt/target dbt/logs
