# ccsp-analysis: the two commands of the quick start are `make report` and `make test`.
# Everything installs from scratch into .venv (python3 -m venv + pip, pinned by requirements/constraints.txt).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
CCSP   := $(VENV)/bin/ccsp
YEAR   ?= 2023-24
PIP_INSTALL := $(PY) -m pip install --disable-pip-version-check -q -c requirements/constraints.txt
DEMO_SOURCES := $(wildcard src/ccsp_analysis/demo/*.py) src/ccsp_analysis/schemas.py src/ccsp_analysis/taxonomy.py

.PHONY: help setup setup-test demo report test lab bench clean chromium lint

help:
	@echo "make report   set up and build the $(YEAR) assessment on the demo data"
	@echo "make test     set up (with test tools) and run the whole test suite"
	@echo "make lab      JupyterLab on notebooks/"
	@echo "make bench    performance benchmarks B1, B1w, B2, B3, B4, B5 (benchmarks/run.py; figures in README)"
	@echo "make clean    remove outputs, caches, demo data and the virtual environment"

$(VENV)/.stamp-run: pyproject.toml setup.py requirements/constraints.txt src/ccsp_analysis/sources/_linescan.c
	@echo "==> setting up .venv: ccsp-analysis and its pinned dependencies (first time: one to two minutes)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@start=$$(date +%s); $(PIP_INSTALL) -e . && echo "    installed in $$(( $$(date +%s) - start )) s"
	@touch $@

$(VENV)/.stamp-test: $(VENV)/.stamp-run
	@echo "==> adding the test tools (pytest, pytest-xdist, playwright, ruff, nbstripout)"
	@start=$$(date +%s); $(PIP_INSTALL) -e ".[test]" && echo "    installed in $$(( $$(date +%s) - start )) s"
	@touch $@

setup: $(VENV)/.stamp-run
setup-test: $(VENV)/.stamp-test

data/demo/DEMO.json: $(DEMO_SOURCES) | $(VENV)/.stamp-run
	@echo "==> generating the synthetic demo data in data/demo"
	@$(CCSP) data demo --out data/demo

demo: data/demo/DEMO.json

report: setup demo
	@echo "==> building the $(YEAR) assessment (dataset, sections, notebooks, pages)"
	@$(CCSP) run $(YEAR)

# Chromium for the browser tests: installed from Debian where we can (CI runs as root);
# the browser tests skip with a clear message where it is missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "==> installing Debian chromium for the browser tests (a minute or two)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will skip"; \
	  else echo "note: chromium not installed and not root; browser tests will skip"; fi; }

lint: setup-test
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/nbstripout --keep-id --verify notebooks/*.ipynb

# pytest exits 5 when it collected no tests: here that means a broken test selection, so it fails loudly.
# Two workers (pytest-xdist), a test file per worker at a time; the demo report is built once and shared.
test: setup-test demo chromium
	@echo "==> lint (ruff) and stripped notebooks (nbstripout --verify)"
	@$(VENV)/bin/ruff check src tests benchmarks
	@$(VENV)/bin/nbstripout --keep-id --verify notebooks/*.ipynb
	@echo "==> the test suite on two workers (pytest-xdist; a few minutes)"
	@$(PY) -m pytest -n 2 --dist loadfile; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests"; exit 1; fi; exit $$rc

lab: setup demo
	$(CCSP) lab

bench: setup-test demo
	$(PY) benchmarks/run.py --readme

clean:
	rm -rf outputs data/cache data/demo $(VENV) .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
