# newsroom: `make demo` runs the pipeline against the demo portal, `make test` runs every test.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test test-integration lint format airflow bench clean-venv

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[airflow,dev]'
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

# Real services (tests/integration): a Debian WordPress on loopback; installs its packages when root.
test-integration: install
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

clean-venv:
	rm -rf $(VENV)
