# make run   install everything and serve http://127.0.0.1:8000 (SQLite, seed bank, admin key printed)
# make test  install everything and run the whole test suite
#
# Installing is idempotent: the stamp file is rebuilt only when pyproject.toml changes.
# torch is pinned and installed first: 2.13.0 is the CPU build available offline here,
# and every later requirement accepts it, so pip never fetches a CUDA build.

PYTHON ?= python3.11
VENV   ?= .venv
TORCH  ?= torch==2.13.0
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.quizsvc-installed

.PHONY: install run test bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install --disable-pip-version-check "$(TORCH)"
	$(BIN)/pip install --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

run: install
	$(BIN)/quizsvc init
	$(BIN)/gunicorn -c quizsvc/gunicorn_conf.py "quizsvc:create_app()"

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) instance .pytest_cache
