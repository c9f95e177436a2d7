# newsroom: `make demo` runs the pipeline against the demo portal, `make test` runs every test.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Versions of a resolved, tested install (Airflow 3.3.2, Python 3.11); see constraints/ for the official file.
CONSTRAINTS ?= constraints/airflow-3.3.2-python3.11.txt

.PHONY: install install-celery demo test test-integration lint format airflow bench wheel constraints clean-venv

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[embedded,airflow,dev]' --constraint $(CONSTRAINTS)
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/newsroom demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

# Real services (tests/integration): a Debian WordPress on loopback (installs its packages when root); the
# built wheel in a fresh venv; Airflow with two Celery workers (the machine's Redis and PostgreSQL).
test-integration: install-celery
	bash scripts/wordpress/install-packages.sh
	$(BIN)/pytest tests/integration

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

airflow: install
	bash scripts/airflow.sh

bench: install
	$(BIN)/python benchmarks/dedupe_bench.py
	$(BIN)/python benchmarks/search_bench.py
	$(BIN)/python benchmarks/sitemap_memory_bench.py
	$(BIN)/python benchmarks/first_night_bench.py
	$(BIN)/python ../shared/tools/score_extraction.py
	$(BIN)/python benchmarks/unseen_pages.py

# What the Celery deployment needs beyond `make install`: the Celery provider, a Redis client, asyncpg.
install-celery: install
	$(BIN)/python -m pip install --quiet -e '.[embedded,celery,dev]' --constraint $(CONSTRAINTS)

# The wheel the Dockerfile installs (dist/newsroom-<version>-py3-none-any.whl).
wheel: install
	rm -rf dist && $(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .

# Re-pin constraints/ from the current venv (after a tested upgrade of Airflow or a dependency).
constraints: install-celery
	{ sed -n '1,4p' $(CONSTRAINTS); $(BIN)/pip freeze --exclude-editable | grep -v '^newsroom'; } > $(CONSTRAINTS).new
	mv $(CONSTRAINTS).new $(CONSTRAINTS)

clean-venv:
	rm -rf $(VENV)
