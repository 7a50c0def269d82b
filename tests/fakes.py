"""A deterministic theme embedder for ranking tests that need exact control over similarity."""
from __future__ import annotations

import hashlib

import numpy as np

from matcher.embeddings.base import Embedder

THEMES = ("music", "recycling", "robots", "history", "poetry", "water")


class ThemeEmbedder(Embedder):
    """Texts naming a theme word point along that theme's axis, plus small per-text noise."""

    dim = 16
    model_id = "test/theme-embedder"

    def _one(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha1(text.encode()).digest()[:4], "little")
        v = np.random.default_rng(seed).normal(scale=0.05, size=self.dim)
        for i, theme in enumerate(THEMES):
            if theme in text.lower():
                v[i] += 1.0
        return (v / np.linalg.norm(v)).astype(np.float32)

    def passages(self, texts):
        return np.array([self._one(t) for t in texts], np.float32).reshape(-1, self.dim)

    def query(self, text):
        return self._one(text)


def profile(pid: str, country: str, theme: str = "music", subjects=("Music",), ages=((7, 11),),
            languages=("en",), **extra) -> dict:
    return {"id": pid, "name": pid, "email": f"{pid}@x.example",
            "school": {"id": f"school-{pid}", "name": f"School {pid}", "country": country, "type": "primary"},
            "subjects": list(subjects), "age_groups": [{"from": a, "to": b} for a, b in ages],
            "languages": list(languages), "ideas": [{"title": theme, "text": f"A project about {theme} with pupils"}],
            "last_active": "2026-11-01", **extra}
