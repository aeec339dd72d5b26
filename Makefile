# The two commands of the README:
#   make demo   set up, run the default scenario, and serve the app on http://127.0.0.1:8050
#   make test   set up (incl. Debian's chromium for browser tests) and run the whole test suite
.PHONY: demo test setup setup-test bench clean

RUNS ?= runs
PORT ?= 8050

demo: setup
	.venv/bin/twin run default -o $(RUNS)
	.venv/bin/twin app --runs $(RUNS) --host 127.0.0.1 --port $(PORT)

test: setup-test
	.venv/bin/python -m pytest -q

setup:
	bash scripts/setup.sh run

setup-test:
	bash scripts/setup.sh test

bench: setup-test
	.venv/bin/python benchmarks/bench_physics.py

clean:
	rm -rf .venv runs
