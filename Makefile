# Plain entry points; `make` alone lists them. `make plan` installs only what the plan needs
# (the runtime packages); `make test` and `make lint` add the dev group (pytest, moto, ruff, zizmor).
STACK ?= aws-prod
# uv from PATH, or installed from PyPI into .tools/ when the machine has none.
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
RUNTIME := .venv/.runtime-synced
DEV := .venv/.dev-synced
# `make plan` syncs without --compile-bytecode: compiling every module of pulumi_aws and
# pulumi_gcp up front cost more than the plan itself on a fresh clone, and Python compiles the
# thousand it imports on first use (docs/command-line.md, "Set-up times"). The dev environment
# compiles: the suite starts dozens of fresh interpreters, and where PYTHONDONTWRITEBYTECODE is
# set none of them would keep what it compiled.
SYNC := $(UV) sync --frozen --quiet

.DEFAULT_GOAL := help
.PHONY: help plan test lint bench env golden mutation

help:
	@echo "make plan     the offline plan of a stack: STACK=gcp-prod make plan (default $(STACK))"
	@echo "make test     the test suite"
	@echo "make lint     ruff, and zizmor on the GitHub workflows"
	@echo "make bench    the plan's benchmarks: scaling with the pools, overhead over a flat replay"
	@echo "make env      the development environment in .venv (what make test installs)"
	@echo "make mutation mutation testing of the channel matrix and the policy pack (slow), with the kill rate"
	@echo "make golden   regenerate the example stacks' golden inventories (review git diff tests/golden)"
	@echo "Each sets up .venv when needed: uv from PATH, else from PyPI into .tools/."

.tools/bin/uv:
	@echo "installing uv from PyPI into .tools/ (none on PATH)"
	@python3 -m venv .tools
	@.tools/bin/pip install --quiet --quiet --disable-pip-version-check "uv>=0.5,<1"

# --inexact: a plan after `make test` keeps the test tools instead of removing them.
$(RUNTIME): pyproject.toml uv.lock | $(UV)
	@echo "installing the runtime packages into .venv (uv sync --no-dev)"
	@$(SYNC) --no-dev --inexact
	@touch $@

$(DEV): pyproject.toml uv.lock | $(UV)
	@echo "installing the runtime and development packages into .venv (uv sync --compile-bytecode)"
	@$(SYNC) --compile-bytecode
	@touch $@ $(RUNTIME)

env: $(DEV)

# PYTHONDONTWRITEBYTECODE= : where the variable is set, every plan would compile the thousand
# modules it imports again instead of once (docs/command-line.md, "Set-up times").
plan: $(RUNTIME)
	@PYTHONDONTWRITEBYTECODE= $(UV) run --frozen --no-sync tdce plan $(STACK)

# PYTHONDONTWRITEBYTECODE= : pytest keeps the test modules it rewrites for assert messages only
# where Python may write bytecode; where the variable is set, every run and worker rewrites them
# all again (a few seconds each). --dist worksteal: each worker starts on a contiguous half of the
# suite and takes from the other's queue only when its own runs dry, so a module's tests mostly
# share one worker's cached plans and started pack processes (0 to 9 s faster than the default
# round-robin `load` in five paired runs; README, Development).
test: $(DEV)
	PYTHONDONTWRITEBYTECODE= $(UV) run --frozen --no-sync pytest -n auto --dist worksteal

lint: $(DEV)
	$(UV) run --frozen --no-sync ruff check .
	$(UV) run --frozen --no-sync zizmor --offline .github/workflows/

bench: $(RUNTIME)
	$(UV) run --frozen --no-sync python benchmarks/plan_scaling.py
	$(UV) run --frozen --no-sync python benchmarks/plan_overhead.py aws-prod

# Regenerate the golden inventories of the example stacks; review `git diff tests/golden` before committing.
golden: $(DEV)
	$(UV) run --frozen --no-sync python -m tests.golden

# Mutation testing of the matrix and the pack's rules (slow; not part of `make test`): prints the kill rate.
mutation: $(DEV)
	rm -rf mutants
	$(UV) run --frozen --no-sync mutmut run --max-children 2 || true
	$(UV) run --frozen --no-sync mutmut export-cicd-stats
	$(UV) run --frozen --no-sync python -m tests.mutation_report mutants/mutmut-cicd-stats.json
