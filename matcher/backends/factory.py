"""The one place that picks a backend from settings."""
from __future__ import annotations

from matcher.backends.base import SearchBackend
from matcher.settings import Settings


def make_backend(settings: Settings, dim: int, follow: bool = False) -> SearchBackend:
    if settings.backend == "opensearch":
        from matcher.backends.opensearch.backend import OpenSearchBackend
        return OpenSearchBackend(settings.opensearch_url, settings.opensearch_index, dim,
                                 timeout=settings.opensearch_timeout,
                                 pool_size=settings.opensearch_pool_size)
    from matcher.backends.embedded.backend import EmbeddedBackend
    from matcher.errors import DirectoryInUse
    try:
        return EmbeddedBackend(settings.data_dir, dim)
    except DirectoryInUse:
        if settings.workers < 2 and not follow:  # another command holds the directory: say so
            raise
        # One of this server's own worker processes is the writer, or a reader asked: follow it.
        return EmbeddedBackend(settings.data_dir, dim, follower=True)
