# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CREW := $(VENV)/bin/crew-lsp

.PHONY: demo test venv test-deps bench schemas clean

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
	-$(CREW) check examples/broken

test: test-deps
	$(PY) -m pytest -q

bench: venv
	$(PY) bench/check.py

schemas: venv
	$(CREW) schemas --out schemas

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
