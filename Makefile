# Bygdestöd: the two commands a new developer needs are `make run` and `make test`.
# Both bootstrap everything (virtualenv, pinned dependencies, front-end assets) on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

.PHONY: run test test-sqlite test-postgres lint bench bootstrap assets catalogs browser postgres lock clean

run: bootstrap
	$(BIN)/python -m app migrate
	$(BIN)/python -m app load-demo
	@$(BIN)/python -m app logins
	@echo "Bygdestöd körs på http://127.0.0.1:8000  (avsluta med Ctrl+C)"
	$(BIN)/uvicorn --factory app.main:create_app --host 127.0.0.1 --port 8000 \
		--http httptools --loop uvloop --no-access-log

# The whole suite runs twice, once per database; both runs happen even if the first fails,
# and the target fails if either did.
test: bootstrap browser postgres lint
	@status=0; \
	$(MAKE) --no-print-directory test-sqlite || status=1; \
	$(MAKE) --no-print-directory test-postgres || status=1; \
	if [ $$status -ne 0 ]; then echo "FAILED on at least one database"; fi; \
	exit $$status

test-sqlite: bootstrap browser
	@echo "== Test suite on SQLite"
	BYGD_TEST_DATABASE=sqlite $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: bootstrap browser postgres
	@echo "== Test suite on PostgreSQL"
	BYGD_TEST_DATABASE=$(PG_URL) $(BIN)/pytest $(PYTEST_ARGS)

lint: bootstrap
	$(BIN)/ruff check .

# The HTTP benchmark (bench/run.py) on PostgreSQL: generates the data set for BENCH_SCALE
# (1 = 100 000 applications; 0.1 for a quicker run) once, reuses it while its scale marker
# matches, and writes the results into docs/benchmarks.md. Not part of `make test`.
BENCH_SCALE ?= 1
BENCH_ARGS ?=
bench: bootstrap postgres
	$(BIN)/python -m bench.run --scale $(BENCH_SCALE) $(BENCH_ARGS)

bootstrap: $(VENV)/.installed assets catalogs

$(VENV)/.installed: requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.lock
	touch $@

assets: static/vendor/htmx.min.js

# A stamp inside node_modules, so that a missing or outdated node_modules (axe-core for the
# accessibility tests) is installed again even when static/vendor is up to date.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/htmx.min.js: node_modules/.installed
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $@

# The English catalogue: extract every marked message from the code and templates, merge new
# ones into app/locale/en (as untranslated entries, which tests/test_i18n.py refuses), compile.
LOCALES := app/locale
EN_PO := $(LOCALES)/en/LC_MESSAGES/messages.po
EN_MO := $(EN_PO:.po=.mo)
I18N_SOURCES := $(shell find app templates -name '*.py' -o -name '*.html') babel.cfg
catalogs: $(EN_MO)

$(EN_MO): $(I18N_SOURCES) $(EN_PO) $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -o $(LOCALES)/messages.pot --add-location=file \
		--sort-output --no-wrap --add-comments=TRANSLATORS: --project=Bygdestöd app templates
	$(BIN)/pybabel -q update -i $(LOCALES)/messages.pot -d $(LOCALES) -l en --no-wrap \
		--no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date
	$(BIN)/pybabel -q compile -d $(LOCALES) -l en
	@touch $@

postgres:
	@scripts/ensure-postgres.sh

browser:
	@scripts/ensure-chromium.sh

# Resolve pyproject.toml's direct pins into full locks in a scratch venv: requirements.lock for
# running (the Docker image), requirements-dev.lock adding the test and lint tools.
LOCK_VENV := /tmp/bygdestod-lock
PYPROJECT_DEPS = $(PYTHON) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
	print('\n'.join($(1)))"
lock:
	rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	$(call PYPROJECT_DEPS,p['dependencies']) > $(LOCK_VENV)/runtime.in
	$(call PYPROJECT_DEPS,p['optional-dependencies']['dev']) > $(LOCK_VENV)/dev.in
	$(LOCK_VENV)/bin/pip install --quiet -r $(LOCK_VENV)/runtime.in
	$(LOCK_VENV)/bin/pip freeze > requirements.lock
	$(LOCK_VENV)/bin/pip install --quiet -r $(LOCK_VENV)/dev.in
	$(LOCK_VENV)/bin/pip freeze > requirements-dev.lock
	rm -rf $(LOCK_VENV)

clean:
	rm -rf $(VENV) node_modules static/vendor var .pytest_cache .ruff_cache $(EN_MO) $(LOCALES)/messages.pot
