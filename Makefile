# glassgrad: `make demo` runs every lab and writes out/report.html; `make test` runs the suite.
PY      ?= python3
VENV    := .venv
VPY     := $(VENV)/bin/python
PIP     := $(VPY) -m pip install -q --disable-pip-version-check
JOBS    ?= 2

.PHONY: demo test lint format bench peers clean help

help:
	@echo "make demo   - install into .venv, run every lab, write out/report.html"
	@echo "make test   - install test dependencies into .venv and run the whole suite"
	@echo "make lint   - ruff check + format check"
	@echo "make bench  - time glassgrad against PyTorch and NumPy (prints ratios)"

$(VPY):
	$(PY) -m venv $(VENV)

$(VENV)/.demo-deps: requirements-demo.txt pyproject.toml | $(VPY)
	$(PIP) -r requirements-demo.txt
	$(PIP) --no-deps -e .
	touch $@

$(VENV)/.test-deps: requirements-test.txt requirements-demo.txt pyproject.toml | $(VPY)
	$(PIP) -r requirements-test.txt
	$(PIP) --no-deps -e .
	touch $@

# The report's browser test needs a real headless Chromium (Debian packages).
chromium:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
	    || echo "warning: could not install chromium; browser tests will be skipped"; }

demo: $(VENV)/.demo-deps
	MPLBACKEND=Agg $(VPY) -m glassgrad tour --out out

test: $(VENV)/.test-deps chromium
	MPLBACKEND=Agg $(VPY) -m pytest -n $(JOBS) --dist loadgroup

lint: $(VENV)/.test-deps
	$(VENV)/bin/ruff check glassgrad tests bench tools
	$(VENV)/bin/ruff format --check glassgrad tests bench tools

format: $(VENV)/.test-deps
	$(VENV)/bin/ruff format glassgrad tests bench tools
	$(VENV)/bin/ruff check --fix glassgrad tests bench tools

bench: $(VENV)/.test-deps
	$(VPY) bench/run_all.py

peers: $(VENV)/.test-deps
	$(VPY) ../shared/bench/peers.py --peers torch --adapter-file bench/peers_adapter.py --quick

clean:
	rm -rf out .pytest_cache build *.egg-info
