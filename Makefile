# pathjax: two entry points for a fresh machine.
#   make demo  -> sets up .venv; three cohorts and a therapy through an OGTT (pathjax_demo/)
#   make test  -> sets up .venv and runs lint + the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint slow bench clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/pathjax demo --out pathjax_demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks notebooks
	$(BIN)/ruff format --check src tests benchmarks notebooks

test: $(STAMP) lint
	$(BIN)/python -m pytest -q

slow: $(STAMP)
	PATHJAX_SLOW=1 $(BIN)/python -m pytest -q -m slow

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_ensemble.py

clean:
	rm -rf $(VENV) pathjax_demo .pytest_cache
