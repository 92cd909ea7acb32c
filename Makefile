# tfhub: `make demo` (the main job, offline) and `make test` (both TensorFlow lanes).
# Each target creates the virtual environments it needs when they are missing.

PYTHON ?= python3
VENV := .venv
VENV_TF215 := .venv-tf215
VENV_NOTF := .venv-notf
PIP_FLAGS := -q --disable-pip-version-check
# --durations=15: every lane's output shows where its time went.
PYTEST_FLAGS ?= -q -ra --durations=15
# Test processes per lane (pytest-xdist); 1 runs the old serial way. Tests that share
# state across processes carry @pytest.mark.xdist_group and stay on one worker.
PYTEST_WORKERS ?= 2
PYTEST_PARALLEL = $(if $(filter-out 0 1,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS) --dist loadgroup)

.PHONY: demo test test-fast lint test-main test-tf215 test-notf test-latest lock bench browser aria2 nginx clean help

help:
	@echo "make demo   - build example models, serve them on 127.0.0.1, resolve, load, infer (offline)"
	@echo "make test   - the whole test suite on TF 2.21 (.venv) and TF 2.15 (.venv-tf215),"
	@echo "              and the TensorFlow-free part of it without TensorFlow (.venv-notf); lint first"
	@echo "make test-fast - every test that needs no TensorFlow, without it (.venv-notf)"
	@echo "              tests run on PYTEST_WORKERS=2 processes; PYTEST_WORKERS=1 runs them serially;"
	@echo "              PYTEST_FLAGS (default: -q -ra --durations=15) go to every pytest run"
	@echo "make lint   - ruff over the tree, mypy over the public API (both configured in pyproject.toml)"
	@echo "make bench  - benchmarks side by side with tensorflow_hub; rewrites docs/benchmarks.md"
	@echo "make lock   - rewrite requirements/lock-*.txt from the lane inputs (newest releases they admit)"
	@echo "make test-latest - the canary: the suite against the newest releases, locks ignored"

# Each lane installs exactly its lock (every transitive package pinned, with hashes),
# then the project itself with no dependency resolution and no build isolation, so no
# step takes whatever the registry serves today. `make lock` rewrites the locks.
LOCK_TF221 := requirements/lock-tf221.txt
LOCK_TF215 := requirements/lock-tf215.txt
LOCK_NOTF := requirements/lock-notf.txt
LOCK_EXTRAS := --extra test --extra fast --extra serve
UV := .venv-tools/bin/uv

# $(1): venv dir, $(2): lock file
define make_venv
	@test -x $(1)/bin/python || $(PYTHON) -m venv $(1)
	$(1)/bin/python -m pip install $(PIP_FLAGS) --require-hashes --no-deps -r $(2)
	$(1)/bin/python -m pip install $(PIP_FLAGS) --no-deps --no-build-isolation -e .
	$(1)/bin/python tools/check_lock.py $(2)
	@touch $@
endef

$(VENV)/.tfhub-installed: pyproject.toml $(LOCK_TF221)
	$(call make_venv,$(VENV),$(LOCK_TF221))

$(VENV_TF215)/.tfhub-installed: pyproject.toml $(LOCK_TF215)
	$(call make_venv,$(VENV_TF215),$(LOCK_TF215))

# The TensorFlow-free lane: what `pip install "tfhub[serve]"` users have.
$(VENV_NOTF)/.tfhub-installed: pyproject.toml $(LOCK_NOTF)
	$(call make_venv,$(VENV_NOTF),$(LOCK_NOTF))

$(UV): requirements/tools.txt
	@test -x .venv-tools/bin/python || $(PYTHON) -m venv .venv-tools
	.venv-tools/bin/python -m pip install $(PIP_FLAGS) -r requirements/tools.txt
	@touch $@

# $(1): lock file, $(2): lane inputs
define compile_lock
	$(UV) pip compile -q --python-version 3.11 --generate-hashes --upgrade $(LOCK_EXTRAS) \
	  pyproject.toml $(2) requirements/build.txt -o $(1)
endef

lock: $(UV)
	$(call compile_lock,$(LOCK_TF221),requirements/tf221.txt requirements/peers-tf221.txt)
	$(call compile_lock,$(LOCK_TF215),requirements/tf215.txt requirements/peers-tf215.txt)
	$(call compile_lock,$(LOCK_NOTF),)

demo: $(VENV)/.tfhub-installed
	$(VENV)/bin/python examples/demo.py

# Headless Chromium renders the model host's catalog pages in the tests; without apt
# (or root) those tests skip and say why.
# $(1): command, $(2): Debian package, $(3): what it is for, $(4): what happens without it.
define apt_tool
	@command -v $(1) >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "== installing Debian's $(2) ($(3))"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null \
	      || echo "== $(2) could not be installed: $(4)"; \
	  else echo "== $(1) is missing and apt is unavailable (or not root): $(4)"; fi; }
endef

browser:
	$(call apt_tool,chromium,chromium,for the catalog page tests,the browser tests will skip)

# The parallel-download floor of the capped-link benchmark (`aria2c -x8`, then tar).
aria2:
	$(call apt_tool,aria2c,aria2,the benchmark's parallel-download floor,the capped-link figure has no floor)

# The reference static server of the serve-load figure (sendfile on, benchmarks/nginx.py).
nginx:
	$(call apt_tool,nginx,nginx-light,the serve-load figure's reference server,the serve-load figure has no nginx row)

# $(1): lane name, $(2): venv dir, $(3): test paths (default: the whole suite).
# Runs the tests and prints the lane's time.
define run_lane
	echo "== lane: $(1) ($(2))"; t0=$$(date +%s); \
	$(2)/bin/python -m pytest $(PYTEST_FLAGS) $(PYTEST_PARALLEL) $(3) || status=1; \
	echo "== lane: $(1) took $$(( $$(date +%s) - t0 )) s";
endef

# ruff (bugs, not style) over the tree; mypy over the public API. Both read pyproject.toml.
lint: $(VENV)/.tfhub-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# The no-TF lane collects the whole suite: a test that imports TensorFlow is skipped there
# with its reason (tests/support/tensorflow_free.py); everything else runs.
test: lint browser $(VENV)/.tfhub-installed $(VENV_TF215)/.tfhub-installed $(VENV_NOTF)/.tfhub-installed
	@status=0; \
	$(call run_lane,TensorFlow 2.21,$(VENV)) \
	$(call run_lane,TensorFlow 2.15,$(VENV_TF215)) \
	$(call run_lane,no TensorFlow,$(VENV_NOTF)) \
	exit $$status

test-fast: browser $(VENV_NOTF)/.tfhub-installed
	@status=0; $(call run_lane,no TensorFlow,$(VENV_NOTF)) exit $$status

test-notf: test-fast

# The canary: the same suite against the newest releases the lane inputs admit, locks
# ignored, so an upstream break is seen on purpose. Not part of CI.
VENV_LATEST := .venv-latest
VENV_LATEST_TF215 := .venv-latest-tf215

# $(1): venv dir, $(2): lane inputs
define make_latest_venv
	rm -rf $(1) && $(PYTHON) -m venv $(1)
	$(1)/bin/python -m pip install $(PIP_FLAGS) --upgrade -r requirements/build.txt
	$(1)/bin/python -m pip install $(PIP_FLAGS) --upgrade $(foreach f,$(2),-r $(f)) -e ".[test,fast,serve]"
endef

test-latest: browser
	$(call make_latest_venv,$(VENV_LATEST),requirements/tf221.txt requirements/peers-tf221.txt)
	$(call make_latest_venv,$(VENV_LATEST_TF215),requirements/tf215.txt requirements/peers-tf215.txt)
	@status=0; \
	$(call run_lane,TensorFlow 2.21 newest,$(VENV_LATEST)) \
	$(call run_lane,TensorFlow 2.15 newest,$(VENV_LATEST_TF215)) \
	exit $$status

test-main: $(VENV)/.tfhub-installed
	$(VENV)/bin/python -m pytest $(PYTEST_FLAGS) $(PYTEST_PARALLEL)

test-tf215: $(VENV_TF215)/.tfhub-installed
	$(VENV_TF215)/bin/python -m pytest $(PYTEST_FLAGS) $(PYTEST_PARALLEL)

bench: aria2 nginx $(VENV)/.tfhub-installed $(VENV_TF215)/.tfhub-installed
	$(VENV)/bin/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(VENV_TF215) $(VENV_NOTF) $(VENV_LATEST) $(VENV_LATEST_TF215) .venv-tools .bench build src/*.egg-info .mypy_cache .ruff_cache
