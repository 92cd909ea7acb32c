"""Benchmarks of the performance contract; run with `make bench`."""
