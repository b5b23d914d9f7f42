# eventsys: `make run` serves the app, `make test` runs every test. Both set up what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
# Recipes see them too: an unset PUBLIC_BASE_URL follows them, so printed and e-mailed links use this port.
export HOST PORT

VENDOR := static/vendor

.PHONY: run test lint system-packages clean bench bench-register bench-checkin

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@ $(VENV)/.installed

# The door page's QR decoder (barcode-detector and the zxing-wasm it pins), from the npm registry
# (package-lock.json), served from static/vendor/ by the app itself, never from a CDN.
$(VENDOR)/.installed: package.json package-lock.json scripts/vendor-static.mjs
	@scripts/ensure-system-packages.sh nodejs npm
	npm ci --no-audit --no-fund --loglevel=error
	node scripts/vendor-static.mjs
	touch $@

run: $(VENV)/.installed $(VENDOR)/.installed
	$(FLASK) db upgrade
	$(FLASK) seed-demo --attendees 60
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --threads 4 --access-logfile - app:app

system-packages:
	@scripts/ensure-system-packages.sh postgresql chromium

test: $(VENV)/.test-installed $(VENDOR)/.installed system-packages
	$(BIN)/ruff check .
	node --test tests/js/
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache node_modules $(VENDOR)

bench: bench-register bench-checkin

bench-register: $(VENV)/.test-installed
	@scripts/ensure-system-packages.sh wrk
	cd bench && ../$(BIN)/python registrations.py

bench-checkin: $(VENV)/.test-installed
	@scripts/ensure-system-packages.sh wrk
	cd bench && ../$(BIN)/python checkins.py
