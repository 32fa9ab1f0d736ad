# CPIE Naturaliste — the two commands that matter: `make run` and `make test`.
# Every target installs or starts what it needs and is safe to run twice.

SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
RUN_DIR := .run
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := postgresql-15-postgis-3 postgresql-15-postgis-3-scripts postgresql-client-15 \
	gdal-bin libgdal32 libgeos-c1v5 libproj25 redis-server redis-tools chromium fonts-liberation \
	nodejs
PYTEST_ARGS ?=

.PHONY: run test services system venv node vendor migrate data worker stop lint audit bench backup restore clean help

help:
	@echo "make run      install, set up the database and demo data, serve http://127.0.0.1:8000"
	@echo "make test     same set-up, then the whole test suite (real PostGIS, Redis, Chromium)"
	@echo "make services start the project-local PostgreSQL+PostGIS and Redis"
	@echo "make bench    benchmarks (bench/)"
	@echo "make vendor   copy the served npm packages (package-lock.json) into static/vendor/"
	@echo "make audit    known vulnerabilities of requirements.txt (pip-audit)"
	@echo "make backup   dump of the database (pg_dump -Fc) and of the files, in backups/"
	@echo "make restore FILE=backups/….dump DB=nom   restore a dump into a new database"
	@echo "make stop     stop the local worker, database and Redis"

## Debian packages (PostGIS, GDAL/GEOS/PROJ, Redis, Chromium): installed only when missing.
system: $(RUN_DIR)/.system-ok
$(RUN_DIR)/.system-ok:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installation des paquets Debian :$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@mkdir -p $(RUN_DIR) && touch $@

## Virtualenv with the pinned requirements (re-installed when requirements.txt changes),
## installed by uv: the same packages as pip installs, in 10 s instead of 95 s here.
venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check uv
	$(VENV)/bin/uv pip install -q --python $(PY) -r requirements.txt
	@touch $@

## Test-only npm packages (axe-core for the accessibility suite, never served): installed
## from package-lock.json, again only when the lock changes.
node: node_modules/.installed
node_modules/.installed: package-lock.json | $(RUN_DIR)/.system-ok
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends npm; }
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

## Browser libraries served by the pages, installed by npm (package-lock.json) and copied
## into static/vendor/, which is committed: a fresh clone serves them with no npm and no
## internet. Run after changing their version in package.json; tests/test_vendor.py checks
## that the committed copies are the locked packages' files.
VENDOR_VECTORGRID := static/vendor/leaflet.vectorgrid
vendor: node
	mkdir -p $(VENDOR_VECTORGRID)
	cp node_modules/leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js $(VENDOR_VECTORGRID)/

services: system
	@./scripts/services.sh

migrate: venv services
	$(PY) manage.py migrate --noinput -v 0

## Reference data (communes, taxa, nomenclatures) and the 2019–2021 demo: idempotent.
data: migrate
	$(PY) manage.py load_demo

worker: venv services
	@if [ -f $(RUN_DIR)/celery.pid ] && kill -0 $$(cat $(RUN_DIR)/celery.pid) 2>/dev/null; then \
	  echo "Worker Celery déjà lancé (pid $$(cat $(RUN_DIR)/celery.pid))"; \
	else \
	  $(VENV)/bin/celery -A cpie_naturaliste worker -B -l info -c 2 --detach \
	    --pidfile=$(CURDIR)/$(RUN_DIR)/celery.pid --logfile=$(CURDIR)/$(RUN_DIR)/celery.log && \
	  echo "Worker Celery lancé (journal : $(RUN_DIR)/celery.log)"; \
	fi

run: data worker
	$(PY) manage.py collectstatic --noinput -v 0
	@$(PY) manage.py demo_accounts
	@echo "Application : http://127.0.0.1:8000"
	$(PY) manage.py runserver 127.0.0.1:8000

test: venv node services lint
	$(PY) manage.py makemigrations --check --dry-run
	@# Each test database is a copy of one migrated template (tests/db_template.py, which
	@# also makes the demo's templates: tests/demo_db.py); the tests marked serial run after
	@# the others, alone on the cluster (5: none selected).
	export DJANGO_SETTINGS_MODULE=cpie_naturaliste.settings.test && \
	TEST_DB_TEMPLATE=$$($(PY) -m tests.db_template) && export TEST_DB_TEMPLATE && \
	$(VENV)/bin/pytest -n 2 --dist worksteal --create-db -m "not serial" $(PYTEST_ARGS) && \
	{ $(VENV)/bin/pytest -n 0 --create-db -m serial $(PYTEST_ARGS) || [ $$? = 5 ]; }

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

bench: venv services
	$(PY) -m bench

## Known vulnerabilities of the pinned requirements (asks PyPI's JSON API: needs the network).
audit: venv
	$(VENV)/bin/pip-audit -r requirements.txt --no-deps --disable-pip

backup: venv services
	$(PY) manage.py backup

restore: venv services
	@test -n "$(FILE)" -a -n "$(DB)" || { echo "Usage : make restore FILE=backups/….dump DB=nouvelle_base"; exit 2; }
	$(PY) manage.py restore "$(FILE)" --database "$(DB)"

stop:
	-@[ -f $(RUN_DIR)/celery.pid ] && kill $$(cat $(RUN_DIR)/celery.pid) 2>/dev/null; rm -f $(RUN_DIR)/celery.pid
	-@[ -f $(RUN_DIR)/redis.pid ] && kill $$(cat $(RUN_DIR)/redis.pid) 2>/dev/null
	-@[ -d $(RUN_DIR)/pg/data ] && ( [ "$$(id -u)" = 0 ] && runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D $(RUN_DIR)/pg/data -m fast stop \
	  || /usr/lib/postgresql/15/bin/pg_ctl -D $(RUN_DIR)/pg/data -m fast stop )

clean: stop
	rm -rf $(RUN_DIR) $(VENV)
