# Governance portal: developer and CI entry points.
#
#   make run    demo on http://127.0.0.1:8000 (SQLite, filesystem broker, Celery worker + beat);
#               make run PORT=8001 for another port
#   make test   everything CI checks: lint, types, templates, migrations, deploy check, compose
#               file, pytest
#   make lint   ruff check + ruff format --check, mypy, djLint --check
#   make fmt    ruff format + ruff check --fix, djLint --reformat

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON := .venv/bin/python
CELERY := .venv/bin/celery
RUFF   := .venv/bin/ruff
MYPY   := .venv/bin/mypy
DJLINT := .venv/bin/djlint

export UV_COMPILE_BYTECODE := 1
# --frozen: install exactly what uv.lock says (and never rewrite it) when there is a lock.
UV_SYNC_FLAGS := $(if $(wildcard uv.lock),--frozen,)

# Services the test suite talks to (bin/ensure-services brings them up on this machine).
# Only the test target exports them: `make run` stays on the local settings' SQLite.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/governance
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
DATABASE_URL ?= $(TEST_DATABASE_URL)
REDIS_URL ?= $(TEST_REDIS_URL)

# The demo's port on 127.0.0.1.
PORT ?= 8000

# The demo installs only what the portal runs: no pytest, Playwright or ruff. --inexact leaves
# what `make test` added, so switching between the two installs nothing twice.
DEMO_SYNC_FLAGS := --no-dev --inexact

# bin/uv installs uv first when it is missing.
define uv_sync
	bin/uv sync $(UV_SYNC_FLAGS) $(1)
endef

.PHONY: help sync sync-dev run test lint fmt

help:
	@echo "make run   - demo portal on http://127.0.0.1:8000 with a Celery worker and beat (PORT=8001: another port)"
	@echo "make test  - lint, types, templates, migration check, deploy check, compose check and pytest"
	@echo "make lint  - ruff check and ruff format --check, mypy, djLint --check"
	@echo "make fmt   - ruff format and ruff check --fix, djLint --reformat"

sync:
	$(call uv_sync,$(DEMO_SYNC_FLAGS))

sync-dev:
	$(call uv_sync,--group dev)

# Demo: governance.settings.local is manage.py's default, so no settings are set here.
# The port is checked first: runserver is the last to start and would otherwise fail after the
# migrations, the demo data and the worker's e-mails. The worker runs in the background with an
# embedded beat (--quiet: no banner) and is stopped when runserver ends (Ctrl-C included).
run: export PORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)
run:
	$(eval port_problem := $(shell bin/check-port '$(PORT)'))
	$(if $(port_problem),$(error $(port_problem)))
	$(call uv_sync,$(DEMO_SYNC_FLAGS))
	@bin/ensure-pdf-libraries
	@# var/broker*: the filesystem:// Celery transport of governance.settings.local.
	@mkdir -p var/broker var/broker-processed
	$(PYTHON) manage.py compile_translations
	$(PYTHON) manage.py migrate --noinput
	@# seed_demo refuses when DEBUG is off, as in production; the demo runs with DEBUG off too.
	$(PYTHON) manage.py seed_demo --force
	$(CELERY) -A governance --quiet worker -B --concurrency=2 -s var/celerybeat-schedule & worker=$$!; trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; $(PYTHON) manage.py runserver 127.0.0.1:$(PORT)

test: export DATABASE_URL := $(DATABASE_URL)
test: export REDIS_URL := $(REDIS_URL)
test: sync-dev
	bin/ensure-system-packages
	bin/ensure-services
	$(RUFF) check .
	$(RUFF) format --check .
	$(MYPY)
	$(DJLINT) --check templates
	DJANGO_SETTINGS_MODULE=governance.settings.test $(PYTHON) manage.py compile_translations
	DJANGO_SETTINGS_MODULE=governance.settings.test $(PYTHON) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=governance.settings.production \
		DJANGO_SECRET_KEY="$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(48))')" \
		DJANGO_ALLOWED_HOSTS=portal.example \
		DJANGO_CSRF_TRUSTED_ORIGINS=https://portal.example \
		DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
		CELERY_BROKER_URL=redis://127.0.0.1:6379/1 \
		$(PYTHON) manage.py check --deploy --fail-level WARNING
	DJANGO_SECRET_KEY=dummy POSTGRES_PASSWORD=dummy docker-compose config -q
	.venv/bin/pytest

lint: sync-dev
	$(RUFF) check .
	$(RUFF) format --check .
	$(MYPY)
	$(DJLINT) --check templates

fmt: sync-dev
	$(RUFF) format .
	$(RUFF) check --fix .
	$(DJLINT) --reformat templates
