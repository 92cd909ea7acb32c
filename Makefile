# tfhub: `make demo` (the main job, offline) and `make test` (both TensorFlow lanes).
# Each target creates the virtual environments it needs when they are missing.

PYTHON ?= python3
VENV := .venv
VENV_TF215 := .venv-tf215
PIP_FLAGS := -q --disable-pip-version-check
PYTEST_FLAGS ?= -q -ra

.PHONY: demo test test-main test-tf215 bench browser clean help

help:
	@echo "make demo   - build example models, serve them on 127.0.0.1, resolve, load, infer (offline)"
	@echo "make test   - the whole test suite on TF 2.21 (.venv) and TF 2.15 (.venv-tf215)"
	@echo "make bench  - benchmarks side by side with tensorflow_hub; rewrites docs/benchmarks.md"

# $(1): venv dir, $(2): TensorFlow pins, $(3): interoperability peers
define make_venv
	@test -x $(1)/bin/python || $(PYTHON) -m venv $(1)
	$(1)/bin/python -m pip install $(PIP_FLAGS) --upgrade pip
	$(1)/bin/python -m pip install $(PIP_FLAGS) -r $(2) -r $(3) -e ".[test]"
	@touch $@
endef

$(VENV)/.tfhub-installed: pyproject.toml requirements/tf221.txt requirements/peers-tf221.txt
	$(call make_venv,$(VENV),requirements/tf221.txt,requirements/peers-tf221.txt)

$(VENV_TF215)/.tfhub-installed: pyproject.toml requirements/tf215.txt requirements/peers-tf215.txt
	$(call make_venv,$(VENV_TF215),requirements/tf215.txt,requirements/peers-tf215.txt)

demo: $(VENV)/.tfhub-installed
	$(VENV)/bin/python examples/demo.py

# Headless Chromium renders the model host's catalog pages in the tests; without apt
# (or root) those tests skip and say why.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "== installing Debian's chromium (for the catalog page tests)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	      || echo "== chromium could not be installed: the browser tests will skip"; \
	  else echo "== chromium is missing and apt is unavailable (or not root): the browser tests will skip"; fi; }

test: browser $(VENV)/.tfhub-installed $(VENV_TF215)/.tfhub-installed
	@status=0; \
	echo "== lane: TensorFlow 2.21 (.venv)"; \
	$(VENV)/bin/python -m pytest $(PYTEST_FLAGS) || status=1; \
	echo "== lane: TensorFlow 2.15 (.venv-tf215)"; \
	$(VENV_TF215)/bin/python -m pytest $(PYTEST_FLAGS) || status=1; \
	exit $$status

test-main: $(VENV)/.tfhub-installed
	$(VENV)/bin/python -m pytest $(PYTEST_FLAGS)

test-tf215: $(VENV_TF215)/.tfhub-installed
	$(VENV_TF215)/bin/python -m pytest $(PYTEST_FLAGS)

bench: $(VENV)/.tfhub-installed $(VENV_TF215)/.tfhub-installed
	$(VENV)/bin/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(VENV_TF215) .bench build src/*.egg-info
