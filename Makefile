PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: test lint format demo bench bench-flood

# Reinstalls only when requirements.txt changes, so rerunning any target is cheap and harmless.
$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# Two workers, one a core: the suite waits on servers and subprocesses as much as it computes.
# Tests are handed out one by one in pytest-django's order (rolled-back tests before the live
# server's, which empty the tables `migrate` filled); a module marked `xdist_group` goes whole
# to one worker, so its shared server or demo run starts once (xdist hands those out first).
TEST_WORKERS ?= 2

# Python's bytecode cache stays on even where the environment turns it off
# (PYTHONDONTWRITEBYTECODE): otherwise every test process, and every server or command a test
# starts, compiles the project again, about 2 s of CPU each.
test: $(BIN)/.installed
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

demo: $(BIN)/.installed
	$(BIN)/python scripts/demo.py

# Starts its own gunicorn instances on free loopback ports and fresh databases; prints figures
# and, after a full run, rewrites the tables of docs/performance.md.
bench: $(BIN)/.installed
	$(BIN)/python scripts/bench.py

# A 32-thread wrong-secret flood at /oauth/token (loopback, its own gunicorn and database) and
# a legitimate client's token and read times meanwhile; fails when a token takes 1 s or more.
bench-flood: $(BIN)/.installed
	$(BIN)/python scripts/flood_token.py
