# paperscope — `make run` and `make test` are the Quick start; both install into .venv first.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# `make model` only: its own venv, so torch never enters .venv. TORCH_INDEX: an extra index with
# CPU-only torch wheels, for machines whose pip would otherwise pick a CUDA build.
MODEL_VENV ?= .venv-model
TORCH_INDEX ?=

.PHONY: install run test chromium lint format bench model clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

run: install
	$(VENV)/bin/paperscope demo
	$(VENV)/bin/paperscope serve --host $(HOST) --port $(PORT)

# Browser tests drive Debian's chromium (never a browser downloaded by Playwright): installed with
# apt when missing. loadgroup keeps them on one xdist worker, so one demo site serves them all.
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

test: install chromium
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if command -v apt-get >/dev/null; then \
	    $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium; \
	  else echo "no $(CHROMIUM) and no apt-get: the browser tests will be skipped"; fi; \
	fi

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format src tests bench
	$(VENV)/bin/ruff check --fix src tests bench

# Every benchmark, each writing its figures (command, machine, date) into docs/benchmarks.md.
# The 1M-paper runs take long (the first run also embeds 100k papers for real vectors, cached).
bench: install
	$(PY) bench/ingest.py --records 1000000 --record docs/benchmarks.md
	$(PY) bench/relevance.py --split test --record
	$(PY) bench/web.py --record docs/benchmarks.md
	$(PY) bench/digests.py --subscribers 10000 --record
	$(PY) bench/vectors.py ann --sizes 10000 100000 1000000 --ef 128 256 400 --record
	$(PY) bench/search_latency.py --sizes 10000,100000,1000000 --record

# Re-export the shipped embedding model (verified upstream weights -> ONNX fp32 + int8).
model:
	$(PYTHON) -m venv $(MODEL_VENV)
	$(MODEL_VENV)/bin/python -m pip install -q $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) 'torch==2.13.0' -e '.[model]'
	$(MODEL_VENV)/bin/python tools/export_model.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
