# frontwatch: everything a fresh machine needs is installed by these targets.
#   make run    - the local stack on the seeds (Kafka, feed connector, stream job, dispatcher, receiver)
#   make test   - install what the tests need and run the whole suite
#   make bench  - run every benchmark, one JSON line per figure

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test bench setup provision clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

provision: setup
	$(BIN)/frontwatch provision

run: provision
	$(BIN)/frontwatch run

test: provision
	.ci/ensure-postgres
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: provision
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var
