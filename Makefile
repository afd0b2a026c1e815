# The two commands of the README: `make run` and `make test`. Both install what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test bench lint typecheck clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	IMK_DEMO=1 $(PY) -m wallet serve

# Tests run on every core (pytest-xdist); TEST_JOBS=0 runs them in this process.
TEST_JOBS ?= auto
test: $(STAMP)
	$(PY) -m pytest -q -n $(TEST_JOBS)
	$(PY) -m mypy
	$(PY) -m ruff check wallet tests bench

# The benchmarks' own dependencies (segno, the QR code renderer ours is compared with).
BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install -q -e '.[test,bench]'
	touch $(BENCH_STAMP)

# The wallet listing runs even when a figure above it misses its target; either failing
# fails `make bench`.
bench: $(BENCH_STAMP)
	$(PY) -m bench; status=$$?; \
	$(PY) -m bench.wallet_listing || status=1; \
	$(PY) -m bench.sd_jwt || status=1; \
	$(PY) -m bench.status || status=1; \
	$(PY) -m bench.shares || status=1; \
	$(PY) -m bench.batches || status=1; exit $$status

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache
