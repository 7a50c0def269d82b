"""OpenSearch adapter behaviour that only a real node shows: bulk-load settings under
overlapping loads, replicas on large upserts, the connection pool and the server-side timeout."""
from __future__ import annotations

import logging
import threading
import time

import pytest

from matcher.backends.opensearch import backend as osb
from matcher.backends.opensearch.backend import OpenSearchBackend
from matcher.backends.types import CandidateFilter
from tests.backends.conformance import DIM, profile, rec, unit

pytestmark = pytest.mark.opensearch


def _drop(b: OpenSearchBackend) -> None:
    for name in [*b.versions(), b.meta_index, b.contacts_index]:
        b.client.indices.delete(index=name, ignore_unavailable=True)
    b.close()


@pytest.fixture
def backend(opensearch_url, index_name):
    b = OpenSearchBackend(opensearch_url, index_name, DIM, timeout=10.0)
    yield b
    _drop(b)


def _settings(b: OpenSearchBackend) -> tuple:
    idx = b.current_index()
    s = b.client.indices.get_settings(index=idx, include_defaults=True)[idx]
    merged = s.get("defaults", {}).get("index", {}) | s["settings"]["index"]
    return merged.get("refresh_interval"), merged.get("number_of_replicas")


def test_overlapping_bulk_loads_leave_the_index_live(backend, opensearch_url):
    backend.upsert([rec(profile("a"), unit(1))])
    live = _settings(backend)
    other = OpenSearchBackend(opensearch_url, backend.index, DIM, timeout=10.0)
    first, second = backend.bulk_load(), other.bulk_load()
    first.__enter__()
    second.__enter__()   # starts while the first load has refreshes switched off
    first.__exit__(None, None, None)
    second.__exit__(None, None, None)
    other.close()
    assert _settings(backend) == live
    # A refresh=wait_for write returns at the next periodic refresh, not at its timeout.
    t0 = time.monotonic()
    backend.upsert([rec(profile("b"), unit(1, 1))])
    assert time.monotonic() - t0 < 5.0
    assert "b" in backend.filter_ids(CandidateFilter(), 10)


def test_large_upsert_keeps_the_live_index_replicas(backend, monkeypatch):
    backend.upsert([rec(profile("a"), unit(1))])
    _, replicas = _settings(backend)
    assert replicas == "1"
    seen = []
    real_bulk = backend.bulk.run

    def spy(actions, what, refresh):
        seen.append(_settings(backend))
        return real_bulk(actions, what, refresh)

    monkeypatch.setattr(backend.bulk, "run", spy)
    monkeypatch.setattr(osb, "LARGE_LOAD", 20)
    backend.upsert([rec(profile(f"p{i:03d}"), unit(1, i)) for i in range(40)])
    assert seen and all(s == ("-1", "1") for s in seen), seen   # no refreshes, same replicas
    assert _settings(backend)[1] == "1" and _settings(backend)[0] != "-1"
    assert backend.count() == 41


def test_pool_serves_concurrent_searches_without_discarding(backend, caplog):
    backend.upsert([rec(profile(f"p{i}"), unit(1, i)) for i in range(10)])
    caplog.set_level(logging.WARNING, logger="urllib3.connectionpool")
    errors = []

    def search():
        try:
            for _ in range(5):
                backend.vector_search(unit(1, 1)[None, :], CandidateFilter(), 5)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=search) for _ in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    full = [r for r in caplog.records if "pool is full" in r.getMessage()]
    assert not full, f"{len(full)} connections discarded: the pool is smaller than the threads"


def test_searches_carry_a_server_side_timeout(opensearch_url, index_name):
    b = OpenSearchBackend(opensearch_url, index_name, DIM, timeout=2.0)
    try:
        b.upsert([rec(profile("a"), unit(1))])
        sent = []
        real = b.client.transport.perform_request

        def spy(method, url, params=None, body=None, **kw):
            if url.endswith("/_search"):
                sent.append(body)
            return real(method, url, params=params, body=body, **kw)

        b.client.transport.perform_request = spy
        assert [c.id for c in b.vector_search(unit(1)[None, :], CandidateFilter(), 3)] == ["a"]
        assert b.keyword_search("garden", CandidateFilter(), 3)
        assert b.filter_ids(CandidateFilter(), 3) == ["a"]
        assert len(sent) == 3 and all(body["timeout"] == "1600ms" for body in sent)
    finally:
        _drop(b)
