# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
FIXTURES := $(sort $(wildcard fixtures/*.json))

.DEFAULT_GOAL := help
.PHONY: help install browser run test lint format migrations-check pytest fixtures fixtures-check reset-local-db
.PHONY: serve check-deploy load-deps loadtest bench-deps bench

help:
	@echo "make run    - install, migrate, load the fixtures and serve http://$(HOST):$(PORT)/"
	@echo "make test   - lint, migrations check and the test suite (what CI runs)"
	@echo "make fixtures / fixtures-check - rebuild / verify fixtures/*.json from fixtures/curation/"
	@echo "make serve  - production: collectstatic, then gunicorn (needs DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS)"
	@echo "make loadtest - gunicorn under wrk, 64 connections for 60 s, curators writing (PostgreSQL, loopback)"
	@echo "make bench - the benchmark at 1,000, 10,000 and 100,000 events (PostgreSQL, Redis, wrk)"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): requirements.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(INSTALLED)

# Browser tests drive Debian's Chromium with Playwright; never a downloaded browser.
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; }

run: export DJANGO_DEBUG ?= 1
run: install
	$(PY) manage.py migrate --noinput
ifneq ($(FIXTURES),)
	$(PY) manage.py loaddata $(FIXTURES)
endif
	@echo ""
	@echo "To sign in to http://$(HOST):$(PORT)/admin/, create an account in another terminal:"
	@echo "    $(PY) manage.py createsuperuser"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

# Test runs never need a real secret; production refuses to start without one.
test lint format migrations-check pytest fixtures fixtures-check: export DJANGO_SECRET_KEY ?= test-only-secret-key-not-for-production

test: lint migrations-check pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

pytest: install browser load-deps
	$(VENV)/bin/pytest

fixtures: install
	$(PY) manage.py build_fixtures

fixtures-check: install
	$(PY) manage.py build_fixtures --check

reset-local-db:
	rm -f db.sqlite3


# Production -------------------------------------------------------------------------------------
# gunicorn with production settings and whitenoise's compressed, hashed static files, against
# DATABASE_URL (or db.sqlite3). Behind a reverse proxy that terminates TLS: see README "Deployment".
WORKERS ?= $(or $(WEB_CONCURRENCY),3)
BIND ?= 127.0.0.1:8000
serve: install
	@test -n "$$DJANGO_SECRET_KEY" || { echo "make serve: set DJANGO_SECRET_KEY (a long random value) in the environment" >&2; exit 1; }
	@test -n "$$DJANGO_ALLOWED_HOSTS" || { echo "make serve: set DJANGO_ALLOWED_HOSTS (the site's host names) in the environment" >&2; exit 1; }
	DJANGO_DEBUG=0 $(PY) manage.py check --deploy
	DJANGO_DEBUG=0 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=0 $(PY) manage.py collectstatic --noinput --verbosity 0
	DJANGO_DEBUG=0 exec $(VENV)/bin/gunicorn timeline.wsgi --bind $(BIND) --workers $(WORKERS) \
	  --worker-class gthread --threads 4 --access-logfile - --forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}"

# `check --deploy` with production-like variables (what tests/test_security.py asserts).
check-deploy: install
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=$$($(PY) -c "import secrets; print(secrets.token_urlsafe(50))") \
	  DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-timeline.example.org} \
	  $(PY) manage.py check --deploy --fail-level WARNING

# Load test: wrk from Debian, like the browser tests' chromium.
load-deps:
	@command -v wrk >/dev/null || { \
	  echo "Installing Debian's wrk for the load test"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends wrk; }

LOAD_SECONDS ?= 60
LOAD_CONNECTIONS ?= 64
loadtest: export DJANGO_SECRET_KEY ?= load-test-only-secret-key-not-for-production
loadtest: install load-deps
	$(PY) manage.py loadtest --seconds $(LOAD_SECONDS) --connections $(LOAD_CONNECTIONS) --json artifacts/loadtest.json

# Benchmark (README, "Performance"): gunicorn + PostgreSQL + Redis under wrk at 1,000, 10,000 and
# 100,000 events, cached and uncached; results in timeline/benchmark_results/. Needs Redis on 127.0.0.1.
BENCH_SIZES ?= 1000,10000,100000
BENCH_SECONDS ?= 10
bench-deps: load-deps
bench: export DJANGO_SECRET_KEY ?= bench-only-secret-key-not-for-production
bench: install bench-deps
	$(PY) manage.py benchmark --sizes $(BENCH_SIZES) --seconds $(BENCH_SECONDS)
