"""Benchmarks and their data generators (``python -m bench``), not run by ``make test``."""
