# The two commands a newcomer needs: `make run` (local mode) and `make test` (the whole suite).
# Both install what they need first, from the lock file, into .venv.

VENV ?= .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.8
# aws-cdk-lib runs on the machine's Node.js (20 on our dev and CI machines). jsii still works on it
# but prints a large end-of-life banner on every synth; docs/decisions.md records the choice.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: install run test test-fast lint format synth bench clean bytecode console console-test

$(VENV)/.installed: pyproject.toml uv.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(VENV)/bin/uv sync --frozen
	touch $@

install: $(VENV)/.installed  ## create .venv from uv.lock

# No bytecode step first: local mode writes the bytecode of what it imports, as it imports it
# (local/marketing_local/main.py), so a fresh clone's first start shows its banner in seconds.
# The staff console (console/, TypeScript): npm installs it from its lock file, and it is built again
# only when its sources, its lock file or the API's OpenAPI document changed. The document is written
# from the API's code first (only if it changed): the console's API types are generated from it, so
# a field the API changes breaks this build, not a marketer's session.
CONSOLE_SOURCES = $(shell find console/src console/public -type f 2>/dev/null) \
	$(wildcard console/index.html console/vite.config.ts console/tsconfig*.json console/package.json)

console/node_modules/.installed: console/package-lock.json
	cd console && npm ci --no-audit --no-fund --loglevel=error
	touch $@

console/dist/index.html: console/node_modules/.installed console/openapi.json $(CONSOLE_SOURCES)
	cd console && npm run --silent build

console: install  ## build the staff console (when its sources or the API changed)
	$(VENV)/bin/mkt-local openapi --out console/openapi.json
	@$(MAKE) --no-print-directory console/dist/index.html

console-test: console  ## the console's unit tests (vitest)
	cd console && npm test --silent

run: install console  ## start local mode (Ctrl-C stops it; it keeps its data, `mkt-local run --clean` starts empty)
	$(VENV)/bin/mkt-local run

# Two test processes (the machines have two cores); the end-to-end tests share one local stack and
# the infrastructure tests one synth, each kept to one process by its xdist group. The slowest
# tests are printed at the end of every run, so the suite's time stays visible.
PYTEST_PARALLEL := -n 2 --dist loadgroup --durations=15

test: install lint bytecode console-test  ## lint, then every test: console, unit, integration, infra, end-to-end
	$(VENV)/bin/pytest $(PYTEST_PARALLEL)

test-fast: install lint bytecode  ## the inner loop: lint, unit and integration tests
	$(VENV)/bin/pytest $(PYTEST_PARALLEL) tests/unit tests/integration

# Bytecode for the installed packages and the project, for the test processes: where
# PYTHONDONTWRITEBYTECODE is set, every process the tests start (functions, cold-start probes) would
# otherwise compile again each module it imports. compileall skips what is up to date, so only the first
# run takes long (about 25 s on two cores; aws_cdk is most of it), and says so first. A file that does
# not compile (a package's sample for another Python) is only left to be compiled on import, as before.
bytecode: install
	@echo "Compiling Python bytecode for the tests (only the first run takes long)…"
	-$(PY) -m compileall -q -j 0 $$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') \
		functions layers/shared/python local cli infra bench tests > /dev/null

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

synth: install  ## synthesize the CDK app into cdk.out (no AWS account needed)
	$(PY) -m infra.app

bench: install  ## every benchmark, then one table of figures, targets and verdicts (bench/all.py)
	$(PY) bench/all.py

clean:
	rm -rf $(VENV) cdk.out build .pytest_cache .ruff_cache console/node_modules console/dist
