"""A deterministic hashing embedder for tests and benchmarks only: fast, offline, and meaningless.

Words (and their 3-letter prefixes) are hashed into signed buckets, so texts that share
words get similar vectors. There is no cross-lingual understanding: never serve it to users.
"""
from __future__ import annotations

import re
import zlib

import numpy as np

from matcher.embeddings.base import Embedder

_WORD = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder(Embedder):
    def __init__(self, dim: int = 384):
        self.dim = dim
        self.model_id = f"hash-{dim}"

    def _one(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, np.float32)
        words = _WORD.findall(text.lower())
        for w in words + [w[:3] for w in words if len(w) > 3]:
            h = zlib.crc32(w.encode("utf-8"))
            v[h % self.dim] += 1.0 if (h >> 16) & 1 else -1.0
        n = float(np.linalg.norm(v))
        if n == 0:
            v[0] = 1.0  # an empty text still needs a unit vector
            return v
        return v / n

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.vstack([self._one(t) for t in texts])

    def query(self, text: str) -> np.ndarray:
        return self._one(text)
