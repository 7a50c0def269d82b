"""The one place that picks a backend from settings."""
from __future__ import annotations

from matcher.backends.base import SearchBackend
from matcher.settings import Settings


def make_backend(settings: Settings, dim: int) -> SearchBackend:
    if settings.backend == "opensearch":
        from matcher.backends.opensearch import OpenSearchBackend
        return OpenSearchBackend(settings.opensearch_url, settings.opensearch_index, dim,
                                 timeout=settings.opensearch_timeout)
    from matcher.backends.embedded import EmbeddedBackend
    return EmbeddedBackend(settings.data_dir, dim)
