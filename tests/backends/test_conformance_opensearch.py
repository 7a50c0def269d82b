"""The conformance suite on OpenSearch: on osmem-server and on the real node (tests/opensearch_node.py)."""
from __future__ import annotations

import pytest

from matcher.backends.opensearch.backend import OpenSearchBackend
from tests.backends.conformance import DIM, BackendConformance
from tests.backends.conftest import OSMEM_ANALYZERS


def _drop(b: OpenSearchBackend) -> None:
    for name in [*b.versions(), b.meta_index, b.contacts_index, b.standing_index]:
        b.client.indices.delete(index=name, ignore_unavailable=True)
    b.close()


class TestOsmem(BackendConformance):
    """Every path osmem-server implements; it has no k-NN and no percolator."""
    unsupported = frozenset({"knn", "percolator"})

    @pytest.fixture
    def backend(self, osmem, index_name):
        b = OpenSearchBackend(osmem.url, index_name, DIM, analyzers=OSMEM_ANALYZERS)
        yield b
        _drop(b)


@pytest.mark.opensearch
class TestRealNode(BackendConformance):
    """The whole suite, k-NN included, with a uuid-named index per test."""

    @pytest.fixture
    def backend(self, opensearch_url, index_name):
        b = OpenSearchBackend(opensearch_url, index_name, DIM, timeout=10.0)
        yield b
        _drop(b)
