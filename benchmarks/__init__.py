"""Benchmark scripts: each prints the project's figure beside the raw-SQL floor.

Run them with `make benchmark` or `.venv/bin/python benchmarks/run_all.py`; the results are kept
in docs/benchmarks.md. They are scripts, not timed tests: a shared machine makes timings too
noisy to assert.
"""
