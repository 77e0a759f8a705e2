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

## run: with TELEGRAM_BOT_TOKEN set, serve Telegram; without it, a terminal chat
run: $(STAMP)
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ] || grep -qs '^ *TELEGRAM_BOT_TOKEN *= *[^ ]' .env; then \
		$(PY) -m bot run; \
	else \
		$(PY) -m bot chat; \
	fi

## test: ruff plus the whole test suite
test: $(STAMP)
	$(PY) -m ruff check bot tests bench
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check bot tests bench
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
