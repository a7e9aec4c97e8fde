# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
ASSETS := graph/static/vendor/MANIFEST.json

.PHONY: run test lint typecheck unit bench assets schema clean

run: $(STAMP) $(ASSETS)
	$(VENV)/bin/portalgraph dev

test: $(STAMP) $(ASSETS) lint typecheck
	$(VENV)/bin/pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

unit: $(STAMP)
	$(VENV)/bin/pytest -q -m "not slow"

bench: $(STAMP) $(ASSETS)
	$(PY) -m bench

schema: $(STAMP)
	$(PY) -c "from graph.schema import schema; open('schema.graphql','w').write(schema.as_str() + '\n')"

assets: $(ASSETS)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

$(ASSETS): scripts/fetch_graphiql.py | $(STAMP)
	$(PY) scripts/fetch_graphiql.py

clean:
	rm -rf $(VENV) graph/static/vendor .mypy_cache .ruff_cache .pytest_cache
