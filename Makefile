# The README's two commands: `make run` and `make test`. Everything else is a step they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements/lock.txt
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-fast lint bench system-deps prepare clean cluster

install: $(STAMP)

$(STAMP): $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(LOCK)
	touch $(STAMP)

# Migrations at every start keep the schema current; collected static files get gzip variants.
prepare: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py collectstatic --noinput -v 0

run: prepare
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} HOST=$(HOST) PORT=$(PORT) bin/serve

# The shipped topology on this machine (testing/cluster.py): HAProxy + 3 daphne + Redis +
# PostgreSQL on free ports; Ctrl-C stops every part.
cluster: install system-deps
	$(BIN)/python bin/cluster

# Debian packages the full suite drives for real: a browser, redis-server, PostgreSQL.
system-deps:
	bash bin/ensure-system-packages

# One run, one summary: engine, services, consumer, security, load, scale-out (real Redis and
# PostgreSQL), then the browser tests (e2e/conftest.py orders them last; they use no ORM, so
# Django's async-safety check stays on for everything).
test: install system-deps
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest tests -m "not services and not cluster"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	CALC_RATE_LIMIT=0 $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles
