# The two commands from the README: `make run` and `make test`. Both create .venv and
# install the project into it first (quietly; fast when nothing changed).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench check eval report clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

## run: with TELEGRAM_BOT_TOKEN set (environment or .env), serve Telegram; else a terminal chat
run: $(STAMP)
	$(PY) -m bot start

## test: ruff, the type checker (mypy, on bot/) and the whole test suite
test: $(STAMP)
	$(PY) -m ruff check bot tests bench
	$(PY) -m mypy
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check bot tests bench
	$(PY) -m mypy
	$(PY) -m ruff format --check bot tests bench

format: $(STAMP)
	$(PY) -m ruff format bot tests bench
	$(PY) -m ruff check --fix bot tests bench

check: $(STAMP)
	$(PY) -m bot check

eval: $(STAMP)
	$(PY) -m bot eval tests/data/regression.jsonl

report: $(STAMP)
	$(PY) -m bot report

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
