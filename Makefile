# The two commands a newcomer needs: `make run` and `make test`.
# Both create .venv and install the project on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

# The embedded default: a SQLite file in data/, created and upgraded, with the demo
# loaded the first time; the overdue cases (the supervisor's first view); then one process
# that serves the answer pages on http://127.0.0.1:8000 and runs the schedule, in
# development mode (--dev: the shipped public secrets are accepted, with a warning).
run: $(STAMP)
	$(BIN)/clms init
	$(BIN)/clms demo --if-empty
	$(BIN)/clms list --overdue --limit 20
	PREFECT_SERVER_ANALYTICS_ENABLED=false $(BIN)/clms serve --dev

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy cannot follow the editable install's mapping of states/, adapters/ and workflows/
# into clms: it checks a tree of links laid out as installed.
typecheck: $(STAMP)
	rm -rf build/typecheck && mkdir -p build/typecheck/clms
	ln -s $(CURDIR)/clms/* build/typecheck/clms/
	ln -s $(CURDIR)/states build/typecheck/clms/states
	ln -s $(CURDIR)/adapters build/typecheck/clms/adapters
	ln -s $(CURDIR)/workflows build/typecheck/clms/workflows
	cd build/typecheck && $(CURDIR)/$(BIN)/mypy --config-file $(CURDIR)/pyproject.toml -p clms

# The figures of benchmarks/RESULTS.md: a transition, and the daily check beside its
# raw-SQL floor on SQLite and on a throw-away PostgreSQL (BENCH_CASES=1000000 for the
# national scale; about an hour on 2 cores).
BENCH_CASES ?= 200000
bench: $(STAMP)
	$(BIN)/python benchmarks/transition.py
	$(BIN)/python benchmarks/check.py $(BENCH_CASES)
	$(BIN)/python benchmarks/check.py $(BENCH_CASES) --postgresql

clean:
	rm -rf $(VENV) data build *.egg-info
