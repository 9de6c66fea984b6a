# The two commands of the README: `make demo` (the main job) and `make test`.
# Both create or refresh the project's virtualenv (.venv) first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= 2

.PHONY: venv demo test test-slow export templates lab report bench tutorials

$(STAMP): settings.ini setup.py pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -U pip setuptools wheel packaging
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

demo: venv
	$(BIN)/cosface_demo $(if $(NAME),--name $(NAME)) $(if $(DATA),--data $(DATA)) $(if $(LFW_ROOT),--lfw_root $(LFW_ROOT)) $(if $(PAIRS),--pairs $(PAIRS)) $(DEMO_ARGS)

test: venv
	$(BIN)/python -m pytest -n $(JOBS) tests $(PYTEST_ARGS)

test-slow: venv
	COSFACE_SLOW=1 $(BIN)/python -m pytest -n $(JOBS) tests $(PYTEST_ARGS)

export: venv
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean

templates: venv
	$(BIN)/python -c "from cosface.templates import sync_templates; print('rewrote the parameters cell of:', sync_templates() or 'nothing (in sync)')" && $(BIN)/nbdev_clean

report: venv
	$(BIN)/cosface_report $(KIND) $(ARGS)

lab: venv
	$(BIN)/jupyter lab --allow-root --no-browser --ip 127.0.0.1 nbs

# Benchmarks print tables and write JSON to benchmarks/results/ (figures, not timed tests); summary.py prints them as one table.
# BENCH_ARGS go to the training-step benchmark (e.g. BENCH_ARGS="--backbones mobilefacenet --batch 32 --steps 3"),
# PEER_ARGS to the side-by-side IResNet-50 step against arcface_torch; MODEL=<.keras> adds the export latency benchmark.
bench: venv
	$(BIN)/python benchmarks/train_step.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/peer_step.py $(PEER_ARGS)
	$(BIN)/python benchmarks/pipeline.py
	$(BIN)/python benchmarks/naive_keras.py
	$(BIN)/python benchmarks/evaluation.py
	$(BIN)/python benchmarks/alignment.py
	$(BIN)/python benchmarks/memory.py
	$(if $(MODEL),$(BIN)/python benchmarks/inference.py --model $(MODEL))
	$(BIN)/python benchmarks/summary.py

# The tutorials (nbs/tutorials/), executed and published under reports/ with their code.
tutorials: venv
	$(BIN)/cosface_report --batch experiments/tutorials.yaml
