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
# The compiled message catalogues (English is the source; .mo files are built, never kept in git).
CATALOG_PO := translations/zh_Hans_CN/LC_MESSAGES/messages.po
CATALOG_MO := $(CATALOG_PO:.po=.mo)

.PHONY: assets catalog run test lint system-packages fonts clean bench bench-register bench-checkin bench-backoffice bench-mail

# The badge and door-list PDFs' fonts (Latin, Chinese/Japanese, Korean), from Debian, never fetched at run time.
PDF_FONTS := fonts-dejavu-core fonts-droid-fallback fonts-nanum
FONT_DIR := /usr/share/fonts/truetype
FONT_FILES := $(FONT_DIR)/dejavu/DejaVuSans.ttf $(FONT_DIR)/droid/DroidSansFallbackFull.ttf $(FONT_DIR)/nanum/NanumGothic.ttf

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@ $(VENV)/.installed

# Every static file that is not in git, built once: the door page's QR decoder (barcode-detector
# and the zxing-wasm it pins), from the npm registry (package-lock.json), served from static/vendor/
# by the app itself, never from a CDN. Nothing to do when nothing changed. A deployment runs
# `make assets` once before `gunicorn app:app`. No install scripts: nothing is fetched beyond the lock.
assets: $(VENDOR)/.installed fonts $(CATALOG_MO)

$(CATALOG_MO): $(CATALOG_PO) | $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d translations -l zh_Hans_CN

# After adding or changing words in the code or templates: extract them and merge them into the
# catalogue, then translate the new entries (tests/test_translations.py fails on any left empty).
catalog: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --sort-output --no-location -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations -l zh_Hans_CN --no-fuzzy-matching --ignore-obsolete
	rm translations/messages.pot

# Files, not a phony recipe: with the fonts in place there is nothing to do (make --question assets).
fonts: $(FONT_FILES)

$(FONT_FILES):
	@scripts/ensure-system-packages.sh $(PDF_FONTS)

node_modules/.installed: package.json package-lock.json
	@scripts/ensure-system-packages.sh nodejs npm
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.installed: node_modules/.installed scripts/vendor-static.mjs
	node scripts/vendor-static.mjs
	touch $@

run: $(VENV)/.installed assets
	$(FLASK) db upgrade
	$(FLASK) seed-demo --attendees 60
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(BIN)/gunicorn app:app  # gunicorn.conf.py: HOST:PORT, threaded workers, the redacted access log

# PostgreSQL and Chromium for the tests; Java for the HTML validator (vnu.jar, a devDependency);
# poppler-utils (pdftotext, pdftoppm) to read the PDFs back.
system-packages: fonts
	@scripts/ensure-system-packages.sh postgresql chromium default-jre-headless poppler-utils

test: $(VENV)/.test-installed assets system-packages
	$(BIN)/ruff check .
	node --test tests/js/
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache node_modules $(VENDOR)

bench: bench-register bench-checkin bench-backoffice bench-mail

bench-register: $(VENV)/.test-installed
	@scripts/ensure-system-packages.sh wrk
	cd bench && ../$(BIN)/python registrations.py

bench-checkin: $(VENV)/.test-installed
	@scripts/ensure-system-packages.sh wrk
	cd bench && ../$(BIN)/python checkins.py

# The offline door's dataset at 10,000 tickets: keys, build, size, refresh (bench/offline_dataset.py).
bench-offline: $(VENV)/.test-installed
	cd bench && ../$(BIN)/python offline_dataset.py

# No wrk: one request at a time, timed from Python (see bench/backoffice.py).
bench-backoffice: $(VENV)/.test-installed
	cd bench && ../$(BIN)/python backoffice.py

# The outbox into a local SMTP sink, against plain smtplib: `make bench-mail MESSAGES=10000`.
MESSAGES ?= 2000
bench-mail: $(VENV)/.test-installed
	cd bench && ../$(BIN)/python mail_throughput.py $(MESSAGES)
