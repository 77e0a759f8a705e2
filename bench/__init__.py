"""Benchmarks with their recorded figures (bench/RESULTS.md). Run with `make bench`."""
