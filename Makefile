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

help:
	@echo "make run    - install, migrate, load the fixtures and serve http://$(HOST):$(PORT)/"
	@echo "make test   - lint, migrations check and the test suite (what CI runs)"
	@echo "make fixtures / fixtures-check - rebuild / verify fixtures/*.json from fixtures/curation/"

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

pytest: install browser
	$(VENV)/bin/pytest

fixtures: install
	$(PY) manage.py build_fixtures

fixtures-check: install
	$(PY) manage.py build_fixtures --check

reset-local-db:
	rm -f db.sqlite3
