"""The Embedder interface: texts in, L2-normalised float32 rows out."""
from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np


class Embedder(ABC):
    """Encodes passages (profile texts) and queries (free-text searches).

    Profile-to-profile matching is symmetric, so both sides are encoded as passages;
    only a teacher's free-text search is encoded as a query (e5's `query:` prefix).
    """

    dim: int
    model_id: str  # recorded in the index; vectors from different models never mix

    @abstractmethod
    def passages(self, texts: list[str]) -> np.ndarray:
        """Shape (len(texts), dim)."""

    @abstractmethod
    def query(self, text: str) -> np.ndarray:
        """Shape (dim,)."""
