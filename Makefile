# Quickstart targets: each one sets up the virtual environment it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint docs package bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/redline analyze examples/donbas-2026.yaml

test: $(BIN)/.installed  # one worker per CPU; a test module's tests stay on one worker
	$(BIN)/python -m pytest -q -n auto --dist loadfile

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests

docs: $(BIN)/.installed  # the site with the API reference, in site/ (a broken reference fails)
	$(BIN)/mkdocs build --strict

package: $(BIN)/.installed  # build, check and install the wheel in a clean environment
	PYTHON=$(PYTHON) VENV=$(VENV) bash .ci/check-package

clean:
	rm -rf $(VENV) build dist site *.egg-info src/*.egg-info
