# Helpathon — the two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install run serve-prod test test-fast chromium pdf-deps bench messages check clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

# Debian's Chromium for the browser tests (never a browser download).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# Pango and a font for WeasyPrint's PDFs, from Debian (most machines have them already).
pdf-deps:
	@ldconfig -p | grep -q 'libpangoft2-1.0.so.0' && fc-list 2>/dev/null | grep -qi dejavu || { \
	  echo "Installing Debian's Pango and DejaVu fonts for PDF output"; \
	  apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fontconfig >/dev/null; }

run: install pdf-deps
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py seed_demo_ideas
	$(PY) manage.py seed_demo_results
	@# The background worker (themes, mass mail) runs beside the server and stops with it.
	$(PY) manage.py db_worker --interval 2 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(VENV)/bin/uvicorn helpathon.asgi:application --host 127.0.0.1 --port $(PORT)

# Production-like, for tests and benchmarks: gunicorn with WEB_CONCURRENCY (2) uvicorn workers
# (deploy/gunicorn.conf.py) and the background worker, on 127.0.0.1:$(PORT), DEBUG off, JSON logs.
# Needs DATABASE_URL (PostgreSQL) and REDIS_URL; SECRET_KEY from the environment, else one made
# once into var/secret_key (for this machine only). See README, "Deployment".
serve-prod: install pdf-deps
	@case "$$DATABASE_URL" in postgres://*|postgresql://*|pgsql://*) ;; *) \
	  echo "make serve-prod: DATABASE_URL must be a PostgreSQL URL (postgres://user@host:5432/name); several server processes and the background worker share the database." >&2; exit 2;; esac
	@test -n "$$REDIS_URL" || { \
	  echo "make serve-prod: REDIS_URL must be set (redis://127.0.0.1:6379/0); the server processes pass live events to each other through it." >&2; exit 2; }
	@test -n "$$SECRET_KEY" || { test -s var/secret_key || { mkdir -p var && umask 077 && head -c 48 /dev/urandom | base64 > var/secret_key; }; \
	  echo "make serve-prod: no SECRET_KEY given; using var/secret_key, generated once for this machine (set SECRET_KEY in production)." >&2; }
	export DEBUG=0 SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret_key)}" PORT=$(PORT) DATABASE_POOL="$${DATABASE_POOL:-1}"; \
	  $(PY) manage.py migrate --noinput && \
	  $(PY) manage.py collectstatic --noinput --verbosity 0 && { \
	  $(PY) manage.py db_worker --interval 2 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(VENV)/bin/gunicorn --config deploy/gunicorn.conf.py; }

# The browser tests run in a process of their own: Playwright's event loop makes Django's
# async-safety check useless for everything else in that process.
test: install chromium pdf-deps
	$(PY) manage.py makemigrations --check --dry-run >/dev/null
	$(PY) -m pytest -m "not e2e" -n 2 $(PYTEST_ARGS)
	$(PY) -m pytest -m e2e $(PYTEST_ARGS)

# Everything but the browser tests.
test-fast: install
	$(PY) -m pytest -m "not e2e" -n 2 $(PYTEST_ARGS)

# Benchmarks (never part of `make test`): SQLite, then PostgreSQL on a scratch database. Pages and
# writes (run.py) run with the per-person write limits off on their server only; BENCH_REQUESTS,
# BENCH_WRITE_REQUESTS, BENCH_SECONDS, BENCH_CONCURRENCY size them (see tests/bench/run.py).
BENCH_PG_DB ?= helpathon_bench
bench: install
	$(PY) tests/bench/bench_themes.py
	$(PY) tests/bench/bench_ranking.py
	$(PY) tests/bench/run.py
	psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $(BENCH_PG_DB)" -c "CREATE DATABASE $(BENCH_PG_DB)"
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(BENCH_PG_DB) $(PY) tests/bench/run.py
	$(PY) tests/bench/bench_evaluation.py
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(BENCH_PG_DB) $(PY) tests/bench/bench_evaluation.py
	@# Results: template pages and documents, the report, open data (2,000 ideas, 20 templates).
	$(PY) tests/bench/bench_results.py
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(BENCH_PG_DB) $(PY) tests/bench/bench_results.py
	@# Live fan-out: 1,000 / 5,000 / 10,000 viewers on one process, 10,000 on two behind Redis (SQLite).
	$(PY) tests/bench/bench_live.py
	@# One file and one table of every figure above: bench-results/summary.json.
	$(PY) tests/bench/summary.py

messages: install
	cd helpathon && ../$(PY) ../manage.py makemessages -l de -l en --no-obsolete --ignore='static/*'
	cd helpathon && ../$(PY) ../manage.py compilemessages

check: install
	$(PY) manage.py check
	DEBUG=0 SECRET_KEY=$$(head -c 48 /dev/urandom | base64) SECURE_SSL_REDIRECT=1 SECURE_HSTS_SECONDS=31536000 SECURE_COOKIES=1 \
	  SITE_URL=https://helpathon.example $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules staticfiles var test-artifacts
