# Quick start: `make demo` (simulate + run + serve), `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(PYTHON) -m uv
HOME_DIR ?= .complaint-trace
DEMO_ARGS ?= --days 3 --tickets-per-day 400 --cells 2000 --seed 7
DAGSTER_PORT ?= 3000
API_PORT ?= 8000

.PHONY: install browser demo test lint bench bench-quick soak messages screenshots clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml uv.lock web/package.json web/package-lock.json connectors/standard/_pm_plain.c
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen --compile-bytecode  # .pyc written once: PYTHONDONTWRITEBYTECODE may be set, and every process would compile its imports
	npm ci --prefix web --silent  # the pages' browser assets, served locally (no CDN)
	@touch $@

demo: install
	$(BIN)/python -m complaint_trace.demo --home $(HOME_DIR) $(DEMO_ARGS) \
		--dagster-port $(DAGSTER_PORT) --api-port $(API_PORT)

lint: install
	$(BIN)/ruff check .

# Debian's Chromium for the browser tests (Playwright cannot download a browser here);
# fonts-noto-cjk draws the Chinese labels. Installed once, as root, from the distribution.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		[ "$$(id -u)" = 0 ] || { echo "make browser: install chromium and fonts-noto-cjk (needs root)"; exit 1; }; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

# one worker per core, each test file on one worker (its module fixtures are built once),
# handed out in collection order: the slowest files first (tests/conftest.py, SLOW_FILES)
test: lint browser
	$(BIN)/pytest -q -n auto --dist loadfile --no-loadscope-reorder

bench: install
	$(BIN)/python -m bench.run --size day

bench-quick: install
	$(BIN)/python -m bench.run --size quick

# many seeded delivery histories (re-deliveries, kills, retries) against clean runs
SOAK_SEQUENCES ?= 20
soak: install
	$(BIN)/python -m tests.faults.soak --sequences $(SOAK_SEQUENCES)

# the pages' message catalogue: extract the ids from api/ui, merge them into the zh_CN catalogue
messages: install
	$(BIN)/pybabel extract -F api/ui/babel.cfg -k N_ --no-location -o api/ui/locale/messages.pot api/ui
	$(BIN)/pybabel update -i api/ui/locale/messages.pot -d api/ui/locale -l zh_CN -w 100 --ignore-obsolete --no-fuzzy-matching
	rm api/ui/locale/messages.pot

# docs/screenshots/: a ticket page, the workbench, a Data Docs page (network off)
screenshots: install browser
	$(BIN)/python -m tests.ui.screenshots

clean:
	rm -rf $(VENV) $(HOME_DIR) dbt_project/target dbt_project/logs
