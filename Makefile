# The two commands: `make run` serves the app, `make test` checks everything.
# Both set up whatever is missing first (scripts/setup.sh), and are quiet when nothing needs doing.
SHELL := /bin/bash
.DEFAULT_GOAL := run
VENV ?= .venv
PYTHON := $(VENV)/bin/python

.PHONY: run test setup lint benchmark

setup:
	@bash scripts/setup.sh

run: setup
	@bash scripts/serve.sh

test: setup
	@bash scripts/check.sh

lint:
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

# Benchmarks (results in docs/benchmarks.md); installs wrk when missing. Arguments for
# benchmarks/run_all.py go in ARGS, e.g. make benchmark ARGS="--only routing --runs 1".
benchmark: setup
	@bash scripts/benchmark.sh $(ARGS)
