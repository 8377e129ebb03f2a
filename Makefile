# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CREW := $(VENV)/bin/crew-lsp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test venv test-deps editors prometheus real-pi client package vscode-e2e-deps bench schemas clean

# The venv is rebuilt only when pyproject.toml changes (stamp files make it idempotent).
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[test]'
	touch $@

venv: $(VENV)/.installed

test-deps: $(VENV)/.installed-test

demo: venv
	@echo "== crew-lsp check examples/clean (a valid project)"
	$(CREW) check examples/clean
	@echo "== crew-lsp check examples/broken (every silent misreading, as diagnostics)"
	@$(CREW) check examples/broken || echo "   (exit status 1: errors found, as intended in this sample)"
	@echo "== crew-lsp run: the default team on a copy of examples/clean (embedded scaffold runtime)"
	rm -rf build/demo && mkdir -p build && cp -r examples/clean build/demo
	$(CREW) run --cwd build/demo --runtime scaffold "Write a getting-started page for the greeting module"
	@echo "== the run's files"
	@find build/demo/.crew/state build/demo/.crew/artifacts -type f | sort | sed 's/^/   /'
	@echo "== crew-lsp runs list"
	$(CREW) runs list --cwd build/demo

# Real LSP clients for the end-to-end editor tests (Debian packages; installed once).
editors:
	@command -v nvim >/dev/null && command -v emacs >/dev/null && test -d /usr/share/emacs/site-lisp/elpa/eglot-1.9 -o -n "$$(ls -d /usr/share/emacs/site-lisp/elpa/eglot-* 2>/dev/null)" \
	  || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq neovim emacs-nox elpa-eglot >/dev/null; }

# promtool and a real Prometheus server for the telemetry tests (Debian package; installed once).
prometheus:
	@command -v promtool >/dev/null && command -v prometheus >/dev/null \
	  || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq prometheus >/dev/null; }

# The real `pi` CLI for the pi-runtime tests, driven offline against a scripted model server.
PI_BIN := build/pi/node_modules/.bin/pi
$(PI_BIN):
	mkdir -p build/pi
	cd build/pi && npm install --silent --no-audit --no-fund @mariozechner/pi-coding-agent@0.73 >/dev/null
real-pi: $(PI_BIN)

# The VS Code extension (client/): npm ci only when package-lock.json changes, then lint, type
# check, bundle with esbuild and the unit tests (node's test runner).
CLIENT_DEPS := client/node_modules/.installed
$(CLIENT_DEPS): client/package-lock.json
	cd client && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# the config schema the extension contributes through jsonValidation (a copy: the package holds only client/)
client/schemas/config.schema.json: schemas/config.schema.json
	mkdir -p client/schemas && cp $< $@

client: $(CLIENT_DEPS) client/schemas/config.schema.json
	cd client && npm run -s lint && npm run -s typecheck && npm run -s bundle && npm test --silent

# build/crew-lsp.vsix: the extension with crew-lsp and its Python dependencies in bundled/libs
# (@vscode/vsce 3.x: vsce 4 needs Node 22). pydantic-core is compiled, so the package targets linux-x64.
# The README's screenshots (media/screenshots, taken by the end-to-end test) travel in the package and
# its links stay relative, so VS Code's extension page shows them without a repository URL.
package: client venv
	cd client && sh scripts/bundle-python.sh $(abspath $(PY)) $(CURDIR) $(abspath build/bundle-python)
	mkdir -p build
	cd client && npx vsce package --no-dependencies --skip-license --allow-missing-repository \
	  --no-rewrite-relative-links --target linux-x64 --out $(abspath build/crew-lsp.vsix)

# A real VS Code for the end-to-end test of the .vsix (tests/editors/test_vscode.py): code-server and
# Debian chromium, installed into the user's cache by tests/e2e/vscode/install-code-server.sh (which
# keeps a finished install), and playwright-core to drive the browser (npm ci only when its
# package-lock.json changes).
CODE_SERVER_HOME ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/crew-e2e/code-server
CODE_SERVER := $(CODE_SERVER_HOME)/node_modules/.bin/code-server
VSCODE_E2E := tests/e2e/vscode
$(VSCODE_E2E)/node_modules/.installed: $(VSCODE_E2E)/package-lock.json
	cd $(VSCODE_E2E) && npm ci --no-audit --no-fund --loglevel=error
	touch $@
vscode-e2e-deps: $(VSCODE_E2E)/node_modules/.installed
	@bash $(VSCODE_E2E)/install-code-server.sh $(CODE_SERVER_HOME) >/dev/null

# CREW_EDITORS_REQUIRED=1: a missing editor fails its test instead of skipping it.
test: test-deps editors prometheus real-pi client package vscode-e2e-deps
	PI_REAL_BIN=$(abspath $(PI_BIN)) CREW_CODE_SERVER=$(CODE_SERVER) CREW_EDITORS_REQUIRED=1 $(PY) -m pytest -q

bench: venv
	$(PY) bench/check.py
	$(PY) bench/lsp.py
	$(PY) bench/scale.py
	$(PY) bench/language.py
	$(PY) bench/engine.py
	$(PY) bench/hostile.py
	$(PY) bench/telemetry.py
	$(PY) bench/redact.py
	$(PY) bench/memory.py --size 10000
	$(PY) bench/memory.py --size 10000 --compacted

schemas: venv
	$(CREW) schemas --out schemas

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis client/node_modules client/out client/dist client/bundled client/schemas \
	  $(VSCODE_E2E)/node_modules build/e2e
