# 株洲目标进度监测数据仓库 — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Re-install whenever the pins change.
INSTALL_STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
BYTECODE_STAMP := $(VENV)/.bytecode-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
UV_VERSION := 0.9.30
# The report's partial plotly.js build (scatter and bar: all it draws), from the npm registry; the
# same plotly.js version as the pinned Python plotly package (dagster_project/report/bundle.py).
PLOTLY_JS_VERSION := 4.1.1
PLOTLY_JS := $(VENV)/npm/node_modules/plotly.js-basic-dist-min/plotly-basic.min.js
# Delta Lake's jars (and Hive's hive-llap-common, which the pyspark wheel leaves out: the pom says why) for the
# local Spark cluster (scripts/cluster.py), from Maven Central; without them
# (no mvn, no network) the Spark tables are Parquet (docs/cluster.md).
SPARK_JARS := $(VENV)/spark-jars/.copied

export GX_ANALYTICS_ENABLED := false
export DAGSTER_DISABLE_TELEMETRY := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: setup browser cluster-packages spark-up spark-down run test lint format ui docs bench clean

setup: $(INSTALL_STAMP) $(BYTECODE_STAMP) $(PLOTLY_JS) cluster-packages $(SPARK_JARS)

## cluster-packages: Java 17 (Spark), Maven (Delta's jars) and PostgreSQL (Dagster's storage) from
## Debian's packages, installed only when missing (as `make browser` installs Chromium).
cluster-packages:
	@if ! command -v java >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1 \
		|| ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y openjdk-17-jre-headless maven postgresql; \
		else echo "Spark and PostgreSQL need: apt-get install openjdk-17-jre-headless maven postgresql (as root)"; fi; \
	fi

$(SPARK_JARS): scripts/cluster_delta_jars.pom.xml
	@mkdir -p $(VENV)/spark-jars
	@if mvn -B -q -f scripts/cluster_delta_jars.pom.xml dependency:copy-dependencies -DincludeScope=runtime \
		-DincludeGroupIds=io.delta,org.apache.hive -DoutputDirectory=$(CURDIR)/$(VENV)/spark-jars; then touch $@; \
	else echo "Delta Lake's jars could not be had: the Spark tables will be Parquet (docs/cluster.md)"; fi

## make spark-up / spark-down: a local standalone Spark cluster (master, worker, Thrift server) and a
## PostgreSQL server on 127.0.0.1 (scripts/cluster.py; state and logs in var/cluster/).
spark-up: setup
	$(BIN)/python scripts/cluster.py up

spark-down:
	$(BIN)/python scripts/cluster.py down

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
	@# Bytecode is compiled at install (uv does not by default): the first `pmw` command of a fresh
	@# checkout would otherwise compile Dagster, pandas and GX (tens of seconds) before doing anything.
	@# uv rebuilds pyspark's sdist on every install here (the registry's answers do not let it reuse
	@# the cached build) and keeps each build: ~2.8 GB per setup, which filled a CI machine's disk.
	@# Pruning after the install drops the builds nothing points to any more.
	@if $(BIN)/python -m pip install -q "uv==$(UV_VERSION)" >/dev/null 2>&1; then \
		$(BIN)/uv pip install --python $(BIN)/python -q --compile-bytecode -e ".[dev,spark]" && \
		$(BIN)/uv cache prune -q; \
	else \
		$(BIN)/python -m pip install -q -e ".[dev,spark]"; \
	fi
	@rm -f $(VENV)/.installed-*
	@touch $@

# Bytecode for every installed package and the project, written once at install. Python would cache
# it on first import, but not where PYTHONDONTWRITEBYTECODE is set (as on this machine): then every
# `pmw` command compiled Dagster, pandas and Great Expectations from source (~25 s of a 30 s ingest).
$(BYTECODE_STAMP): $(INSTALL_STAMP)
	@$(BIN)/python -m compileall -q -j 0 "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" dagster_project scripts >/dev/null 2>&1 || true
	@rm -f $(VENV)/.bytecode-*
	@touch $@

## make run: set up, then ingest the bundled sample releases and build, check and publish everything.
run: setup
	$(BIN)/pmw run --sample

## make browser: Debian's Chromium (headless browser tests) and a CJK font so the Chinese report renders.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
		apt-get update && apt-get install -y chromium fonts-wqy-microhei; \
	fi

## make test: set up, then run the whole test suite (pytest, including dbt build and tests) on two
## workers; the pipeline runs the end-to-end tests share are built once, in the background
## (tests/conftest.py). One process: $(BIN)/pytest -q (same tests, about twice as long).
test: setup browser
	$(BIN)/pytest -q -n 2 --dist loadscope --durations=10

## ruff reads every Python file of the repo (pyproject.toml [tool.ruff]: what it leaves out), so a new
## package is linted without editing a list here or in tests/test_lint.py
lint: setup
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	@mkdir -p var  # the dbt profile points at var/warehouse.duckdb, which the templater opens
	cd dbt && ../$(BIN)/sqlfluff lint models

format: setup
	$(BIN)/ruff format
	$(BIN)/ruff check --fix

## make ui: the Dagster UI on http://127.0.0.1:3000
ui: setup
	$(BIN)/pmw ui

docs: setup
	$(BIN)/pmw dbt-docs

## make bench: the national-scale benchmark (long; not part of make test), writes BENCHMARKS.md.
## A smaller run: make bench BENCH_ARGS="--scale 0.1" (see python -m bench --help);
## only the time of one `pmw ingest` of a small file: make bench BENCH_ARGS="--cli-only"
## then the Spark engine beside DuckDB at 1% (a local cluster; SPARK_BENCH_ARGS="--spark-scale 0.02")
bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)
	$(BIN)/python -m bench --spark $(SPARK_BENCH_ARGS)

clean:
	rm -rf var dbt/target dbt/logs
