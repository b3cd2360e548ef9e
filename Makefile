# Plain entry points. `make plan` and `make test` set up the environment when it is missing.
STACK ?= aws-prod
# uv from PATH, or installed from PyPI into .tools/ when the machine has none.
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv/.synced

.PHONY: plan test lint bench env golden mutation

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet "uv>=0.5,<1"

$(VENV): pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode
	touch $@

env: $(VENV)

plan: $(VENV)
	$(UV) run --frozen tdce plan $(STACK)

test: $(VENV)
	$(UV) run --frozen pytest

lint: $(VENV)
	$(UV) run --frozen ruff check .

bench: $(VENV)
	$(UV) run --frozen python benchmarks/plan_scaling.py
	$(UV) run --frozen python benchmarks/plan_overhead.py aws-prod

# Regenerate the golden inventories of the example stacks; review `git diff tests/golden` before committing.
golden: $(VENV)
	$(UV) run --frozen python -m tests.golden

# Mutation testing of the matrix and the pack's rules (slow; not part of `make test`): prints the kill rate.
mutation: $(VENV)
	rm -rf mutants
	$(UV) run --frozen mutmut run --max-children 2 || true
	$(UV) run --frozen mutmut export-cicd-stats
	$(UV) run --frozen python -m tests.mutation_report mutants/mutmut-cicd-stats.json
