# Everyday commands. `make run` and `make test` are the README's two commands and
# must work on a fresh clone: each sets up what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test typecheck proxy-deps messages highlight-css bench bench-redis bench-history bench-recording lint format lock browser-deps clean

# Every install comes from the lock files (`make lock` writes them), checked against their
# hashes; the project itself goes in without dependencies, so nothing unlocked slips in.
# A stamp is renewed, and the venv reinstalled, whenever a lock file changes. pip itself is
# upgraded first: a current pip installs the locked set in about two thirds of the time.
$(VENV)/.runtime: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev: requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.runtime

# Rewrites both lock files from pyproject.toml's ranges, keeping every pin that still fits
# (run it after changing a dependency); `make lock UPGRADE=1` moves every pin to the newest
# release the ranges allow. The dev lock is constrained to the runtime lock's pins.
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
	$(if $(UPGRADE),--upgrade)
lock: $(VENV)/.dev
	$(PIP_COMPILE) --output-file requirements.txt pyproject.toml
	$(PIP_COMPILE) --extra dev --constraint requirements.txt --output-file requirements-dev.txt pyproject.toml

run: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py ensure_local_user --base-url http://$(HOST):$(PORT)
	@echo "Starting Prompt Playground on http://$(HOST):$(PORT)/ and an evaluation worker (Ctrl+C stops both)"
	@# The worker runs evaluations (manage.py eval_worker); it stops when the server does.
	$(BIN)/python manage.py eval_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/daphne -b $(HOST) -p $(PORT) playground.asgi:application

# Debian's Chromium for the browser tests (as root); Playwright cannot download its own
# here. `make test` does not run it: without chromium the browser tests are skipped
# (CI installs it in .ci/run, and there a missing chromium fails them).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Debian's Caddy, for the test that runs compose.yaml's proxy in front of two app processes
# (tests/test_compose.py; skipped without it, except in CI, whose .ci/run installs it).
proxy-deps:
	@command -v caddy >/dev/null 2>&1 || { \
		echo "Installing Debian's caddy for the compose test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq caddy >/dev/null; }

# The Simplified Chinese catalogue (playground/locale/zh_Hans): collects every marked string
# of the templates, the Python code and the page scripts into the .po files, keeping the
# translations already made, then compiles the .mo files the server reads (both are
# committed: `make run` and the image need no gettext). Needs Debian's gettext.
# tests/test_translations.py fails while a message is untranslated, fuzzy or not compiled.
MAKEMESSAGES = $(BIN)/python manage.py makemessages --locale zh_Hans --no-obsolete \
	--ignore '.venv/*' --ignore 'tests/*' --ignore 'bench/*' --ignore 'var/*' \
	--ignore 'staticfiles/*' --ignore 'static/vendor/*' --ignore 'node_modules/*'
messages: $(VENV)/.dev
	$(MAKEMESSAGES) --domain django
	$(MAKEMESSAGES) --domain djangojs
	$(BIN)/python manage.py compilemessages --locale zh_Hans --ignore '.venv/*'

# The code colours of both themes, from Pygments' styles (playground/export/highlight_css.py).
highlight-css: $(VENV)/.dev
	$(BIN)/python -m playground.export.highlight_css > static/playground/highlight.css

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev
	$(BIN)/mypy

test: $(VENV)/.dev lint typecheck
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

# The multi-worker mode (bench/workers.py: two daphne processes, Redis and PostgreSQL) runs
# after the single-process figures, even if they fail; BENCH_REDIS=0 leaves it out.
# Streams against the bare relay, the Redis two-process mode, what recording runs costs the
# streams (BENCH_RECORDING=0 skips it) and the history and usage pages over 100,000 runs
# (BENCH_HISTORY=0 skips it; about two minutes).
bench: $(VENV)/.dev
	$(BIN)/python -m bench.streams; status=$$?; \
	$(BIN)/python -m bench.workers || status=1; \
	[ "$${BENCH_RECORDING:-1}" = 0 ] || $(BIN)/python -m bench.recording || status=1; \
	[ "$${BENCH_HISTORY:-1}" = 0 ] || $(BIN)/python -m bench.history_pages || status=1; \
	exit $$status

bench-history: $(VENV)/.dev
	$(BIN)/python -m bench.history_pages

bench-recording: $(VENV)/.dev
	$(BIN)/python -m bench.recording

bench-redis: $(VENV)/.dev
	$(BIN)/python -m bench.workers

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles
