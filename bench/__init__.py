"""Benchmarks: figures printed and written to bench/results.md, never timed in tests."""
