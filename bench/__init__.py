"""Benchmarks: one command each (``python -m bench.<name>``), all with ``python -m bench``."""
