# Quick start: `make demo` (simulate + run + serve), `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(PYTHON) -m uv
HOME_DIR ?= .complaint-trace
DEMO_ARGS ?= --days 3 --tickets-per-day 400 --cells 2000 --seed 7
DAGSTER_PORT ?= 3000
API_PORT ?= 8000

.PHONY: install demo test lint bench bench-quick soak clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen
	@touch $@

demo: install
	$(BIN)/python -m complaint_trace.demo --home $(HOME_DIR) $(DEMO_ARGS) \
		--dagster-port $(DAGSTER_PORT) --api-port $(API_PORT)

lint: install
	$(BIN)/ruff check .

test: lint
	$(BIN)/pytest -q

bench: install
	$(BIN)/python -m bench.run --size day

bench-quick: install
	$(BIN)/python -m bench.run --size quick

# many seeded delivery histories (re-deliveries, kills, retries) against clean runs
SOAK_SEQUENCES ?= 20
soak: install
	$(BIN)/python -m tests.faults.soak --sequences $(SOAK_SEQUENCES)

clean:
	rm -rf $(VENV) $(HOME_DIR) dbt_project/target dbt_project/logs
