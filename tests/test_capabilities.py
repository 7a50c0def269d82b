"""Optional capabilities are protocols (matcher/backends/types.py, matcher/embeddings/base.py):
each implementation has exactly the ones callers test it for."""
from __future__ import annotations

import inspect

from prometheus_client import CollectorRegistry, Histogram

from api.observability import TimedEmbedder
from matcher.backends.embedded.backend import EmbeddedBackend
from matcher.backends.opensearch.backend import OpenSearchBackend
from matcher.backends.types import BulkLoading, Reindexing, Replicated
from matcher.embeddings.base import Forgetting
from matcher.embeddings.cache import CachedEmbedder
from tests.fakes import ThemeEmbedder


def test_each_backend_has_its_own_capabilities(tmp_path):
    embedded = EmbeddedBackend(tmp_path / "d", 8)
    try:
        assert isinstance(embedded, Replicated) and not embedded.follower
        assert not isinstance(embedded, BulkLoading) and not isinstance(embedded, Reindexing)
    finally:
        embedded.close()
    remote = OpenSearchBackend("http://127.0.0.1:9", "caps", 8)   # no request is made
    assert isinstance(remote, BulkLoading) and isinstance(remote, Reindexing)
    assert not isinstance(remote, Replicated)


def test_erasure_reaches_the_cache_behind_the_timing_wrapper(tmp_path):
    cache = CachedEmbedder(ThemeEmbedder(), tmp_path / "emb.sqlite")
    cache.passages(["music in the park"])
    timed = TimedEmbedder(cache, Histogram("t", "t", ["kind"], registry=CollectorRegistry()))
    assert not isinstance(ThemeEmbedder(), Forgetting)
    # Seen without __getattr__, as isinstance sees it from Python 3.12.
    assert inspect.getattr_static(timed, "forget") and isinstance(timed, Forgetting)
    timed.forget(["music in the park"])
    cache.passages(["music in the park"])
    assert cache.misses == 2


def test_search_texts_are_encoded_once_while_they_stay_in_memory(tmp_path, monkeypatch):
    import matcher.embeddings.cache as cache_module
    inner = ThemeEmbedder()
    calls = []
    monkeypatch.setattr(inner, "query", lambda text: calls.append(text) or ThemeEmbedder().query(text))
    monkeypatch.setattr(cache_module, "QUERIES_KEPT", 2)
    cache = CachedEmbedder(inner, None)
    first = cache.query("robots")
    assert (cache.query("robots") == first).all() and calls == ["robots"]
    cache.query("music"), cache.query("water")      # "robots" is the oldest of three: dropped
    cache.query("robots")
    assert calls == ["robots", "music", "water", "robots"]
    assert not first.flags.writeable
