"""Helpers that start real servers (daphne, Redis, PostgreSQL) for tests and benchmarks."""
