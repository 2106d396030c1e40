# 整改进展看板 — developer commands. See README.md.
#
#   make run    create .venv if needed, install, start the dashboard
#   make test   lint + type check + every test (real-browser tests included)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
DEV     := $(VENV)/.dev-installed

.DEFAULT_GOAL := help
.PHONY: help venv run serve bundle test lint fmt bench data clean

help:
	@echo "make run    start the dashboard at http://localhost:8501"
	@echo "make serve  production settings (ui.launch.PRODUCTION_FLAGS) on 127.0.0.1:8501"
	@echo "make bundle offline install bundle dist/zhenggai-dashboard-<version>.tar.gz"
	@echo "make test   ruff + mypy + pytest (system packages: see README and .ci/run)"
	@echo "make lint   ruff check, ruff format --check, mypy, lint-imports (layers)"
	@echo "make fmt    ruff format + ruff check --fix"
	@echo "make bench  run scripts/bench.py"
	@echo "make data   rebuild data/*.xlsx with scripts/build_workbook.py"
	@echo "make venv   create $(VENV) and install the project with requirements-dev.txt"
	@echo "make clean  remove caches and test output (keeps $(VENV))"

venv: $(DEV)

# Create the virtual environment. On Debian/Ubuntu the system python3 needs
# the python3-venv package for this (ensurepip); a half-made .venv is removed.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "error: '$(PYTHON) -m venv' failed; on Debian/Ubuntu: sudo apt-get install python3-venv" >&2; \
	  exit 1; }

# Reinstall only when a requirements file or pyproject.toml changes. `make run` needs
# only the runtime dependencies; `make test` adds the development ones. The project's
# own packages are installed editable, so the tree is what runs.
$(RUNTIME): requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --disable-pip-version-check --no-deps -e .
	touch $@

$(DEV): $(RUNTIME) requirements-dev.txt
	$(BIN)/python -m pip install --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(RUNTIME)
	$(BIN)/streamlit run dashboard.py

# One process with the production settings, as each systemd instance runs it
# (deploy/systemd/zhenggai@.service): the options are ui.launch.PRODUCTION_FLAGS.
serve: $(RUNTIME)
	$(BIN)/python -m ui.launch dashboard.py 8501

# The offline install bundle (deploy/README.md): wheels for CPython 3.11 and 3.12,
# install.sh, run.sh. Needs the network to download the wheels.
bundle: $(RUNTIME)
	$(BIN)/python scripts/bundle.py --out dist

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest

fmt: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: venv
	$(BIN)/python scripts/bench.py

data: venv
	$(BIN)/python scripts/build_workbook.py

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis .benchmarks test-output
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
