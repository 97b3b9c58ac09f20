# recsearch — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup test run bench quality index mutate clean

setup: $(STAMP)

# torch first, pinned: its CPU wheel is on local disk here, an open range pulls a CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "torch>=2.2,<2.14"
	$(PY) -m pip install -q -e ".[st,test]"
	touch $(STAMP)

test: setup
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(PY) -m pytest -q

run: setup
	HF_HUB_OFFLINE=1 $(VENV)/bin/recsearch search "تعويض ضحايا الاتجار" -k 5

bench: setup
	HF_HUB_OFFLINE=1 $(PY) benchmarks/bench_query.py
	HF_HUB_OFFLINE=1 $(PY) benchmarks/bench_scale.py

# what each part of the pipeline adds, on the dev queries (README "Quality")
quality: setup
	HF_HUB_OFFLINE=1 $(PY) benchmarks/quality.py

# rebuild the shipped collection and index; byte-identical when nothing they read changed (the
# build time is the last commit's)
index: setup
	HF_HUB_OFFLINE=1 $(VENV)/bin/recsearch corpus build
	HF_HUB_OFFLINE=1 SOURCE_DATE_EPOCH=$$(git log -1 --format=%ct) $(VENV)/bin/recsearch index build -q

# mutation testing of the six modules of [tool.mutmut] (a full run: about 2.5-3 h on two cores): mutmut's run,
# then every mutant it left alive run again in a fresh interpreter (scripts/mutation_score.py
# says why); prints the score per module, writes the survivors to mutants/survivors.txt
mutate: setup
	$(PY) -m pip install -q "mutmut>=3.2,<4"
	HF_HUB_OFFLINE=1 $(VENV)/bin/mutmut run
	$(PY) scripts/mutation_score.py

clean:
	rm -rf $(VENV) .pytest_cache build dist src/*.egg-info mutants
