"""Benchmarks: speed, memory, accuracy; each reports a ratio against a baseline measured in the same run."""

import os

# tesseract read in a benchmark's own process uses one OpenMP thread, as the workers do
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
