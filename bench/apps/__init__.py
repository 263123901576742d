"""Baseline ASGI apps the benchmarks compare the calculator against, under the same daphne flags."""
