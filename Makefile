# The two commands: `make demo` (the whole pipeline on the bundled samples, then the UI) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.paragon-installed
# pytest-xdist processes; each gets its own Redis databases (tests/conftest.py) and its own PostgreSQL databases
PYTEST_WORKERS ?= auto

.PHONY: demo test system-deps services venv lint bench clean

demo: system-deps $(STAMP)
	$(VENV)/bin/paragon demo

test: system-deps $(STAMP) services tests/e2e/node_modules
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

system-deps:
	@scripts/install-system-deps.sh

services:
	@scripts/start-services.sh

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	@# tesserocr from source, linked to the system tesseract: the in-process engine reads as the command does
	$(PY) -m pip install -q --no-binary tesserocr 'tesserocr>=2.6' \
		|| echo "tesserocr could not be built: the reader will run the tesseract command (slower)"
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

# axe-core for the browser tests' accessibility checks (pinned by tests/e2e/package-lock.json)
tests/e2e/node_modules: tests/e2e/package.json tests/e2e/package-lock.json
	npm ci --prefix tests/e2e --no-audit --no-fund --silent
	@touch $@

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: system-deps $(STAMP) services
	$(PY) -m bench.run_all

clean:
	rm -rf var build *.egg-info .pytest_cache
