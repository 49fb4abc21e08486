# The README's two commands: `make demo` serves the demo catalog, `make test` runs everything.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export OPENDATA_DATA_DIR ?= instance
# `make demo PORT=8080`: the demo's port; links name it too unless OPENDATA_SITE_URL is set.
PORT ?= 5000

.PHONY: install bytecode demo test lint translations oidc-provider axe

$(VENV)/.installed: setup.cfg constraints.txt
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Bytecode of the project's own modules, so every process the tests or `serve` start reads it
# instead of compiling the sources again: pip compiles installed packages but not this
# editable checkout, and where PYTHONDONTWRITEBYTECODE is set Python never caches it itself
# (about 0.8 s of CPU per process start). A source edited later is compiled as usual.
bytecode: install
	$(PY) -m compileall -q -j 0 app datasets metadata publishers harvesters search_index >/dev/null

demo: bytecode
	$(VENV)/bin/opendata db upgrade
	$(VENV)/bin/opendata demo
	$(VENV)/bin/opendata serve --bind 127.0.0.1:$(PORT) --workers 2

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy datasets metadata publishers harvesters search_index
	$(VENV)/bin/mypy app

test: lint bytecode oidc-provider axe
	$(VENV)/bin/pytest -n 2 --dist loadgroup -q --durations=15 $(PYTEST_ARGS)

translations: install
	$(PY) -m app.catalogs

# The OpenID Connect provider the single sign-on tests run (Node.js; skipped without it).
oidc-provider:
	if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error; fi

# axe-core, injected into pages by the browser tests' accessibility checks (pinned in tests/browser/axe).
axe:
	if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/browser/axe --no-audit --no-fund --loglevel=error; fi
