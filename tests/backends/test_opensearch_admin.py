"""OpenSearch adapter paths beyond the conformance suite, on osmem-server: versioned indexes,
bulk-load settings, per-item bulk errors and retries, error translation, timeouts and recovery
without a restart. Reindex needs the tasks API: tests/backends/test_opensearch_reindex.py."""
from __future__ import annotations

import socket
import time

import numpy as np
import pytest

from matcher.backends.opensearch import requests as rq
from matcher.backends.opensearch.backend import OpenSearchBackend
from matcher.backends.types import CandidateFilter
from matcher.errors import BackendUnavailable, InvalidProfile, InvalidQuery, MatchingError
from tests.backends.conformance import DIM, profile, rec, unit, varied
from tests.backends.conftest import OSMEM_ANALYZERS
from tests.backends.proxy import FaultyProxy


@pytest.fixture
def backend(osmem, index_name):
    b = OpenSearchBackend(osmem.url, index_name, DIM, analyzers=OSMEM_ANALYZERS, backoff=0.01)
    yield b
    for name in [*b.versions(), b.meta_index, b.contacts_index]:
        b.client.indices.delete(index=name, ignore_unavailable=True)


def _load(b, n=8):
    b.upsert([rec(p, unit(1, i)) for i, p in enumerate(varied()[:n])])


def test_first_write_creates_v1_behind_alias(backend):
    assert backend.current_index() is None and backend.versions() == []
    _load(backend)
    assert backend.current_index() == f"{backend.index}-v1"
    mapping = backend.client.indices.get_mapping(index=backend.current_index())
    props = next(iter(mapping.values()))["mappings"]["properties"]
    assert props["ages"]["type"] == "integer_range" and props["units"]["type"] == "nested"
    assert props["units"]["properties"]["vector"]["method"]["engine"] == "lucene"


def test_bulk_load_suspends_refresh_and_new_index_replicas_then_restores(backend):
    _load(backend, 1)
    idx = backend.current_index()

    def settings():
        s = backend.client.indices.get_settings(index=idx)[idx]["settings"]["index"]
        return s.get("refresh_interval"), s.get("number_of_replicas")

    before = settings()
    with backend.bulk_load():   # the live index keeps its replicas
        assert settings() == ("-1", before[1])
        backend.upsert([rec(profile("z"), unit(1))])
    assert settings() == before
    with backend.bulk_load(new_index=True):
        assert settings() == ("-1", "0")
    assert settings() == before
    assert backend.get("z") is not None and "z" in backend.filter_ids(CandidateFilter(), 20)


def test_per_item_bulk_errors_are_reported(backend, osmem):
    _load(backend, 1)
    # A writer with more analyzers than the index was created with: its Finnish idea needs a
    # field this strict mapping lacks, so that item fails while the English one is stored.
    wide = OpenSearchBackend(osmem.url, backend.index, DIM)
    fi = profile("fi", ideas=(("Kierrätämme muovia koulussa", "fi"),))
    ok = profile("ok")
    with pytest.raises(InvalidProfile) as info:
        wide.upsert([rec(fi, unit(1)), rec(ok, unit(1))])
    assert [d["id"] for d in info.value.details] == ["fi"]
    assert info.value.details[0]["status"] == 400 and info.value.details[0]["error"]
    assert backend.get("ok") is not None and backend.get("fi") is None


def test_bulk_retries_429_items_with_backoff(backend, osmem):
    _load(backend, 1)
    proxy = FaultyProxy(osmem.url)
    try:
        b = OpenSearchBackend(proxy.url, backend.index, DIM, analyzers=OSMEM_ANALYZERS, backoff=0.01)
        proxy.reject_bulk_items = 2
        b.upsert([rec(profile("r1"), unit(1)), rec(profile("r2"), unit(1))])
        assert proxy.bulk_calls == 3 and set(b.get_many(["r1", "r2"])) == {"r1", "r2"}
        proxy.reject_bulk_items = 99
        with pytest.raises(BackendUnavailable) as info:
            b.upsert([rec(profile("r3"), unit(1))])
        assert info.value.details[0]["status"] == 429
    finally:
        proxy.close()


@pytest.mark.parametrize("status", [401, 403, 429, 500, 503])
def test_cluster_refusals_become_backend_unavailable(backend, osmem, status):
    _load(backend, 1)
    proxy = FaultyProxy(osmem.url)
    try:
        b = OpenSearchBackend(proxy.url, backend.index, DIM, analyzers=OSMEM_ANALYZERS,
                              retries=1, backoff=0.01)
        proxy.status = status
        for call in (b.count, lambda: b.get("a"), lambda: b.filter_ids(CandidateFilter(), 5),
                     lambda: b.upsert([rec(profile("q"), unit(1))])):
            with pytest.raises(BackendUnavailable) as info:
                call()
            assert info.value.status == 503 and info.value.retry_after >= 1
            assert isinstance(info.value.__cause__, Exception)  # chained `from exc`
        proxy.status = None  # the cluster is back: the same object works again
        assert b.count() == 1
    finally:
        proxy.close()


def test_bad_request_is_invalid_query(backend):
    _load(backend, 1)
    with pytest.raises(InvalidQuery):  # osmem has no knn: a 400 from the server
        backend.vector_search(unit(1)[None, :], CandidateFilter(), 5)
    with pytest.raises(InvalidProfile):
        backend.upsert([rec(profile("w"), np.ones((1, DIM + 1), np.float32))])


def test_unreachable_cluster_fails_fast():
    b = OpenSearchBackend("http://127.0.0.1:1", "tm-nowhere", DIM)
    for call in (b.count, b.health, lambda: b.get_meta("model_id"), lambda: b.get("x"),
                 lambda: b.keyword_search("river", CandidateFilter(), 5),
                 lambda: b.upsert([rec(profile("x"), unit(1))])):
        t0 = time.monotonic()
        with pytest.raises(BackendUnavailable):
            call()
        assert time.monotonic() - t0 < 2.0


def test_silent_cluster_times_out():
    # Accepts connections (kernel backlog) but never answers: only the read timeout ends it.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    try:
        b = OpenSearchBackend(f"http://127.0.0.1:{sock.getsockname()[1]}", "tm-silent", DIM, timeout=0.5)
        t0 = time.monotonic()
        with pytest.raises(BackendUnavailable, match="timed out"):
            b.count()
        assert time.monotonic() - t0 < 1.5
    finally:
        sock.close()


def test_recovers_after_cluster_restart(index_name):
    from osmem_server import OsmemServer
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = OsmemServer.start(addr=f"127.0.0.1:{port}")
    b = OpenSearchBackend(server.url, index_name, DIM, analyzers=OSMEM_ANALYZERS)
    b.upsert([rec(profile("a"), unit(1))])
    server.close()
    with pytest.raises(BackendUnavailable):
        b.count()
    server = OsmemServer.start(addr=f"127.0.0.1:{port}")  # a new, empty cluster on the same address
    try:
        assert b.count() == 0
        b.upsert([rec(profile("b"), unit(1))])
        assert b.get("b") is not None
    finally:
        server.close()


def test_errors_are_ours():
    assert issubclass(BackendUnavailable, MatchingError)
    assert rq.mapping(4)["mappings"]["dynamic"] == "strict"
