# Two entry points: `make html` builds the site, `make test` builds it strictly and
# runs every check and test. Both bootstrap .venv from pyproject.toml.
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-stamp
SPHINX  := $(PY) -m sphinx
OUT     := _build/html
# Warnings fail the build: a need that fails to be created is silently dropped
# from needs.json otherwise, and the checks would never see it. Pages are read and written on every
# core (-j auto): the same pages, 14 % faster at 100 projects on 2 cores (no difference on this site).
STRICT  := -W --keep-going -n -E -q -j auto -d _build/doctrees

.PHONY: html new-site browser-tools test checks unit preview new check bench screenshots messages clean pdf

$(STAMP): pyproject.toml
	@./scripts/ensure-system-packages graphviz pango fonts
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

# Build into $(NEW), check it, and swap it in only when the build and the policy checks pass:
# a broken source or a failing project never leaves a site in $(OUT) that looks published.
# The yearly reports' PDFs are made before the swap: the published year pages link to them.
# `make html` runs the policy's rules; `make test` also the browser checks (axe, the Nu checker).
NEW     := $(OUT).new
CHECK   := DATAETIK_NEEDS_JSON=$(NEW)/needs.json $(PY) -m pytest checks --junitxml=_build/checks.xml
SWAP    := rm -rf $(OUT) && mv $(NEW) $(OUT) && echo "Site built and checked: $(OUT)/index.html"

new-site: $(STAMP)
	@rm -rf $(NEW)
	$(SPHINX) -b html $(STRICT) . $(NEW)
	$(PY) -m dataetik.pdf $(NEW)

html: new-site
	$(CHECK) -q -m "not browser"
	@$(SWAP)

browser-tools:
	@./scripts/ensure-system-packages chromium jre node
	@./scripts/ensure-node-packages

checks: new-site browser-tools
	$(CHECK)
	@$(SWAP)

unit: $(STAMP)
	$(PY) -m pytest tests

# The policy checks (a compliance report, also as JUnit XML) on the new site, then the machinery's tests.
test: checks
	$(PY) -m pytest tests

preview: $(STAMP)
	$(VENV)/bin/sphinx-autobuild -b html -d _build/preview-doctrees . _build/preview

new: $(STAMP)
	$(VENV)/bin/dataetik new

check: $(STAMP)
	$(VENV)/bin/dataetik check

# Each year's annual report as a PDF beside its page, to attach to the council's case: the html
# build writes the print versions, WeasyPrint (on pango, from Debian) lays them out on A4.
# The yearly reports as PDF (the html build makes them too, beside each year's page).
pdf: html

bench: $(STAMP)
	$(PY) bench/build_scaling.py 100 300 1000 --skip-plain-above 300

screenshots: html
	@./scripts/ensure-system-packages chromium
	$(PY) scripts/screenshots.py

# The message catalogue (dataetik.i18n): extract every msgid into the .pot, then add new
# ones to the Danish .po and drop those no longer used. Translate the empty msgstr entries;
# the .mo files are compiled when used.
messages: $(STAMP)
	$(VENV)/bin/pybabel extract -k _ -k N_ -k Nn_:1,2 -k ngettext:1,2 -o dataetik/locale/dataetik.pot dataetik
	$(VENV)/bin/pybabel update -i dataetik/locale/dataetik.pot -d dataetik/locale -D dataetik -l da --ignore-obsolete --no-fuzzy-matching

clean:
	rm -rf _build
