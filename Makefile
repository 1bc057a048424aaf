# Two commands: `make run` serves the dashboard, `make test` runs every check.
# Both install the pinned, tested versions (constraints.txt) into .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench install clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/playground run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_surfaces.py
	$(BIN)/python benchmarks/bench_race.py
	$(BIN)/python benchmarks/bench_ewa.py
	$(BIN)/python benchmarks/bench_training.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
