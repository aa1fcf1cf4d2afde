"""Benchmarks of suno-mock-server; run `python3 dev.py bench` (see run.py)."""
