# Two commands do all the set-up on a fresh clone: `make demo` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
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
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode --no-deps -e .
	touch $@

demo: install
	$(BIN)/tokenrank demo

test: install
	$(BIN)/python -m pytest

bench: install
	@for f in bench/*.py; do $(BIN)/python $$f; done

# Re-resolve the pinned stack after editing dependencies in pyproject.toml.
lock: install
	$(BIN)/uv pip compile --quiet --python-version 3.11 --extra dev pyproject.toml -o requirements.lock

clean:
	rm -rf $(VENV) .tokenrank .tokenrank-demo .prefect
