# Two entry points: `make run` (the app) and `make test` (the suite). Both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run cli test lint bench bundle clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
	@bash packaging/ensure-qt-libs.sh
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/desktop-search gui $(ARGS)

cli: $(STAMP)
	$(BIN)/desktop-search $(ARGS)

test: $(STAMP)
	$(BIN)/ruff check desktop_search tests benchmarks
	QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check desktop_search tests benchmarks
	$(BIN)/ruff format --check desktop_search tests benchmarks

bundle: $(STAMP)
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[bundle]'
	$(BIN)/pyinstaller --noconfirm packaging/desktop-search.spec

clean:
	rm -rf $(VENV) build dist
