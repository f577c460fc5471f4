# The two commands a newcomer needs: `make run` and `make test`.
# Both create .venv and install the project on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck bench translations clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

# The embedded default: a SQLite file in data/, created and upgraded, with the demo and
# its users loaded the first time (their passwords printed then, once); then one process
# that serves the login page, the staff pages, the API and the answer pages on
# http://127.0.0.1:8000 and runs the schedule, in development mode (--dev: the shipped
# public secrets are accepted, with a warning).
run: $(STAMP)
	$(BIN)/clms init
	$(BIN)/clms demo --if-empty
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

# The pages' msgids, read from clms/web by babel.cfg, into messages.pot and merged into each
# language's catalogue; the pages compile the .po files when they start, so nothing else.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --add-location=file --sort-by-file \
		--project=CLMS --copyright-holder="CLMS contributors" -o clms/web/locale/messages.pot .
	$(BIN)/pybabel update --ignore-obsolete \
		-i clms/web/locale/messages.pot -d clms/web/locale

clean:
	rm -rf $(VENV) data build *.egg-info
