# Two entry points: `make run` (the app) and `make test` (lint, then the suite). Both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST := QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q
LINTED := desktop_search tests benchmarks

.PHONY: run cli test test-fast lint bench bundle clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
	$(BIN)/python -m compileall -q desktop_search  # as a wheel's install does: no compiling on first import
	@bash packaging/ensure-qt-libs.sh $(BIN)/python
	@bash packaging/ensure-ocr.sh
	@bash packaging/ensure-test-tools.sh
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/desktop-search gui $(ARGS)

cli: $(STAMP)
	$(BIN)/desktop-search $(ARGS)

# The tests read only the repository (tests/fixtures), never ../shared.
test: lint
	$(PYTEST) $(PYTEST_ARGS)

# The inner loop: no Qt window, nothing marked slow.
test-fast: $(STAMP)
	$(PYTEST) -m "not gui and not slow" $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

bundle: $(STAMP)
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[bundle]'
	$(BIN)/pyinstaller --noconfirm packaging/desktop-search.spec

clean:
	rm -rf $(VENV) build dist
