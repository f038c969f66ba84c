# Tsunagu — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
export FLASK_APP := wsgi

.PHONY: run test install clean-venv migration translations

# The venv is rebuilt only when pyproject.toml changes, so repeated runs are quiet.
$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Tsunagu needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
	@echo "Installing Tsunagu and its dependencies into $(VENV) ..."
	@$(BIN)/python -m pip install -q -e '.[dev]' > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	@touch $@

install: $(BIN)/.installed

# Sets up the database, seeds the demo programme when it is empty, starts the mail/job
# worker next to the web server, and stops the worker when the server stops.
# HTTPS=1 serves over TLS with a self-signed certificate (phones need HTTPS for the camera).
run: install
	@$(BIN)/flask db upgrade > $(VENV)/db-upgrade.log 2>&1 || { cat $(VENV)/db-upgrade.log; exit 1; }
	@$(BIN)/flask seed-demo --if-empty
	@bash scripts/run_dev.sh "$(HOST)" "$(PORT)"

test: install
	@if [ -f tests/js/package.json ] && [ ! -d tests/js/node_modules ] && command -v npm >/dev/null; then \
		(cd tests/js && npm ci --no-audit --no-fund --loglevel=error); fi
	@$(BIN)/python -m pytest $(PYTEST_ARGS)

migration: install
	@scripts/regen_migration.sh

clean-venv:
	rm -rf $(VENV)
