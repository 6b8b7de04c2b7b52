# Two commands do all the set-up on a fresh clone: `make demo` and `make test`.
SHELL := /bin/bash
# The interpreter the virtual environment is built from (CPython 3.11 and 3.13 are tested): the default
# `python3` gets `.venv`, any other one its own `.venv-X.Y`, e.g. `make test PYTHON=python3.13`.
PYTHON ?= python3
PY_VERSION = $(or $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null),$(error PYTHON=$(PYTHON) is not a working Python interpreter))
VENV ?= $(if $(filter python3,$(PYTHON)),.venv,.venv-$(PY_VERSION))
BIN := $(VENV)/bin
export TOKENRANK_HOME ?= $(CURDIR)/.tokenrank
export TOKENRANK_DEMO_HOME ?= $(CURDIR)/.tokenrank-demo
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120

.PHONY: install demo test bench lock clean

install: $(VENV)/.installed

# uv installs the locked stack in seconds; bytecode is compiled because
# PYTHONDONTWRITEBYTECODE would otherwise make every `import prefect` slow.
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode --no-deps -e .
	touch $@

# The repo's own modules are not in site-packages, so the install does not compile them, and with
# PYTHONDONTWRITEBYTECODE no process caches them: every `tokenrank` process (and each test's subprocess) would
# compile them again, ~0.45 s of CPU each. Compiled here whenever a source changed; Python still recompiles a
# file edited since (it checks the source's timestamp).
PACKAGES := flows transforms warehouse tests bench
$(VENV)/.bytecode: $(VENV)/.installed $(shell find $(PACKAGES) -name '*.py')
	$(BIN)/python -m compileall -q -j 0 $(PACKAGES)
	touch $@

demo: install $(VENV)/.bytecode
	$(BIN)/tokenrank demo

# Three workers on two cores: the end-to-end tests spend minutes waiting (pacing, leases, their workers), so a
# third worker keeps both cores busy meanwhile. Every worker uses the run's one Prefect server; the tests that
# change what its clients share run in one xdist group (tests/conftest.py, DEPLOYMENTS_GROUP).
# PYTHONDONTWRITEBYTECODE is unset for the run so that pytest caches the test modules it rewrites for its
# assertions (tests/**/__pycache__, ignored by git): collecting the suite takes 3 s instead of 8, in every worker.
# Work goes out in collection order, the tests that wait first (tests/conftest.py), not largest group first: a big
# xdist group ahead of them started the many-machines test 87 s late, and the run ended on it.
test: install $(VENV)/.bytecode
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n 3 --dist loadgroup --no-loadscope-reorder

# One table: every command timed beside its floor (bench/speed.py; README "Speed"). bench/bench_derived.py times
# each derived table on its own.
bench: install $(VENV)/.bytecode
	$(BIN)/python bench/speed.py

# Re-resolve the pinned stack after editing dependencies in pyproject.toml: one set of versions for every
# supported Python (markers where a package is needed only on some), so a lock made on 3.11 installs on 3.13.
lock: install
	$(BIN)/uv pip compile --quiet --universal --fork-strategy fewest --python-version 3.11 --extra dev \
		pyproject.toml -o requirements.lock

clean:
	rm -rf .venv .venv-* .tokenrank .tokenrank-demo .tokenrank-cache .prefect
