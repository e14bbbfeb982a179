# govbuy — two commands: `make run` (set up + demo server) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEV := GOVBUY_DEBUG=true

.PHONY: run test setup serve lint format messages check-deploy clean bench fuzz

run: setup ## set up everything, migrate SQLite under var/, load demo data, serve
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py load_demo
	$(DEV) $(BIN)/python manage.py demo_logins --url http://$(HOST):$(PORT)/
	$(DEV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# One test process per CPU (pytest-xdist); `make test PYTEST_ARGS="-n 0 -k …"` runs in one.
PYTEST_ARGS ?= -n auto

test: setup ## the whole suite; GOVBUY_DATABASE_URL=postgres://… for PostgreSQL
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# schemathesis against a live server with the demo data, as a purchaser, a finance
# bureau and anonymous: fails on a server error or a schema violation (see .ci/fuzz).
fuzz: setup ## FUZZ_EXAMPLES=10 per operation; FUZZ_PG=postgres://… to fuzz on PostgreSQL
	bash .ci/fuzz

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: setup ## extract strings to the .po files and compile the .mo files
	$(DEV) $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --no-location -i '.venv/*' -i 'node_modules/*' -i 'var/*' -i '*/tests/*' -i 'conftest.py'
	$(BIN)/python -m govbuy.core.i18n compile

check-deploy: setup
	GOVBUY_SECRET_KEY=ci-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH GOVBUY_ALLOWED_HOSTS=govbuy.example.org \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

# Micro-benchmarks on var/bench.sqlite3; with GOVBUY_DATABASE_URL=postgres://… the pages at
# size (200,000 purchases generated once, gunicorn): see bench/size.py and bench/RESULTS.md.
BENCH_ARGS ?=
bench: setup ## GOVBUY_DATABASE_URL=postgres://… for the size scenario; BENCH_ARGS="--purchases N"
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules var
