# Bygdestöd: the two commands a new developer needs are `make run` and `make test`.
# Both bootstrap everything (virtualenv, pinned dependencies, front-end assets) on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

.PHONY: run test test-sqlite test-postgres lint bootstrap assets postgres lock clean

run: bootstrap
	$(BIN)/python -m app migrate
	$(BIN)/python -m app load-demo
	@$(BIN)/python -m app logins
	@echo "Bygdestöd körs på http://127.0.0.1:8000  (avsluta med Ctrl+C)"
	$(BIN)/uvicorn --factory app.main:create_app --host 127.0.0.1 --port 8000 \
		--http httptools --loop uvloop --no-access-log

# The whole suite runs twice, once per database; both runs happen even if the first fails,
# and the target fails if either did.
test: bootstrap postgres lint
	@status=0; \
	$(MAKE) --no-print-directory test-sqlite || status=1; \
	$(MAKE) --no-print-directory test-postgres || status=1; \
	if [ $$status -ne 0 ]; then echo "FAILED on at least one database"; fi; \
	exit $$status

test-sqlite: bootstrap
	@echo "== Test suite on SQLite"
	BYGD_TEST_DATABASE=sqlite $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: bootstrap postgres
	@echo "== Test suite on PostgreSQL"
	BYGD_TEST_DATABASE=$(PG_URL) $(BIN)/pytest $(PYTEST_ARGS)

lint: bootstrap
	$(BIN)/ruff check .

bootstrap: $(VENV)/.installed assets

$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

assets: static/vendor/htmx.min.js

static/vendor/htmx.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $@

postgres:
	@scripts/ensure-postgres.sh

# Resolve pyproject.toml's direct pins (runtime + dev) into a full lock in a scratch venv.
lock:
	rm -rf /tmp/bygdestod-lock && $(PYTHON) -m venv /tmp/bygdestod-lock
	$(PYTHON) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
	print('\n'.join(p['dependencies'] + p['optional-dependencies']['dev']))" > /tmp/bygdestod-lock/req.in
	/tmp/bygdestod-lock/bin/pip install --quiet -r /tmp/bygdestod-lock/req.in
	/tmp/bygdestod-lock/bin/pip freeze > requirements.lock
	rm -rf /tmp/bygdestod-lock

clean:
	rm -rf $(VENV) node_modules static/vendor var .pytest_cache .ruff_cache
