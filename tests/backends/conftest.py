"""Shared fixtures for backend tests: an osmem-server on 127.0.0.1 and the marker registry.

The real node (`opensearch_url`) comes from tests/conftest.py."""
from __future__ import annotations

import uuid

import pytest

from matcher.backends.opensearch import requests as rq

# The analyzers osmem-server implements; the real mapping uses every built-in one.
OSMEM_ANALYZERS = {code: name for code, name in rq.ANALYZERS.items()
                   if name in {"english", "french", "german", "italian", "portuguese", "russian",
                               "spanish", "cjk"}}


def pytest_configure(config):
    config.addinivalue_line("markers", "knn: needs k-NN vector search (not in osmem-server)")


@pytest.fixture(scope="session")
def osmem():
    """One osmem-server process for the session, on 127.0.0.1 (an ephemeral port)."""
    osmem_server = pytest.importorskip("osmem_server")
    server = osmem_server.OsmemServer.start(addr="127.0.0.1:0")
    yield server
    server.close()


@pytest.fixture
def index_name() -> str:
    """A fresh index name per test, so tests never see each other's data."""
    return f"tm-test-{uuid.uuid4().hex[:12]}"
