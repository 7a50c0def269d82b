"""sentence-transformers embedder for deployments that name a model (hub name or local path)."""
from __future__ import annotations

import numpy as np

from matcher.embeddings.base import Embedder
from matcher.errors import MatchingError


class SentenceTransformerEmbedder(Embedder):
    def __init__(self, model: str, threads: int = 1, e5_prefixes: bool | None = None):
        try:  # optional and heavy: loaded only by a deployment that names a model
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # optional dependency
            raise MatchingError("the sentence-transformers embedder needs "
                                "`pip install torch==2.13.0 sentence-transformers`") from exc
        torch.set_num_threads(max(1, threads))
        self._model = SentenceTransformer(model, device="cpu")
        dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim())
        self.model_id = f"st/{model}/symmetric"
        # e5 models were trained with "query: " on both sides of symmetric tasks (a teacher's
        # texts against another's, or against a short search); other models take no prefix.
        self._e5 = ("e5" in model.lower()) if e5_prefixes is None else e5_prefixes

    def _encode(self, texts: list[str]) -> np.ndarray:
        vecs = self._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True,
                                  batch_size=32, show_progress_bar=False)
        return np.ascontiguousarray(vecs, dtype=np.float32)

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return self._encode([f"query: {t}" if self._e5 else t for t in texts])

    def query(self, text: str) -> np.ndarray:
        return self._encode([f"query: {text}" if self._e5 else text])[0]
