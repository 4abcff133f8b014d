# The two commands of the README: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.13 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py

.PHONY: run test up install install-dev messages lint check-deploy bench worker beat clean a11y-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

messages: install
	DJANGO_DEBUG=1 $(MANAGE) compile_translations

## make run: the portal on http://127.0.0.1:$(PORT) with SQLite, demo data, in-process tasks.
run: install messages
	DJANGO_DEBUG=1 $(MANAGE) migrate --noinput
	DJANGO_DEBUG=1 $(MANAGE) seed_demo
	DJANGO_DEBUG=1 $(MANAGE) runserver 127.0.0.1:$(PORT)

# axe-core for the accessibility tests, from npm when npm is there (they skip without it).
tests/a11y/node_modules/axe-core/axe.min.js: tests/a11y/package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --silent --prefix tests/a11y; \
	else echo "npm not found: accessibility tests will skip"; fi

a11y-deps: tests/a11y/node_modules/axe-core/axe.min.js

## make test: the whole suite (SQLite unless DATABASE_URL / REDIS_URL are set).
test: install-dev messages a11y-deps
	$(BIN)/pytest $(PYTEST_ARGS)

## make up: gunicorn + Celery worker + Celery beat against DATABASE_URL and REDIS_URL.
up: install messages
	bash bin/up

worker: install
	$(BIN)/celery -A spinportal worker --loglevel=INFO

beat: install
	$(BIN)/celery -A spinportal beat --loglevel=INFO

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DJANGO_DEBUG=1 $(MANAGE) makemigrations --check --dry-run
	DJANGO_DEBUG=1 $(MANAGE) spectacular --validate --fail-on-warn --file /dev/null

check-deploy: install
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=ci-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=') \
	  DJANGO_ALLOWED_HOSTS=portal.spin.example SITE_URL=https://portal.spin.example \
	  $(MANAGE) check --deploy --fail-level WARNING

bench: install-dev
	$(BIN)/python bench/directory.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 .pytest_cache
