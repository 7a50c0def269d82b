"""Reindex on the real node: the copy runs as a polled task, catch-up pages without a cap, and
writes that continue through the copy and the alias swap are all in the new version."""
from __future__ import annotations

import threading
import time

import pytest

from matcher.backends.opensearch import reindex as os_reindex
from matcher.backends.opensearch import requests as rq
from matcher.backends.opensearch.backend import OpenSearchBackend
from matcher.backends.types import CandidateFilter
from tests.backends.conformance import DIM, profile, rec, unit, varied

pytestmark = pytest.mark.opensearch


@pytest.fixture
def backend(opensearch_url, index_name):
    b = OpenSearchBackend(opensearch_url, index_name, DIM, timeout=10.0, backoff=0.05)
    yield b
    for name in [*b.versions(), b.meta_index, b.contacts_index]:
        b.client.indices.delete(index=name, ignore_unavailable=True)
    b.close()


def _version(p_id: str, n: int):
    return rec(profile(p_id, interests=(f"version {n}",)), unit(1, n % 7))


def test_copy_is_a_polled_task(backend, monkeypatch):
    backend.upsert([rec(p, unit(1, i)) for i, p in enumerate(varied())])
    calls = {"reindex": [], "tasks": 0}
    real_reindex, real_task = backend.client.reindex, backend.client.tasks.get

    def reindex(*a, **kw):
        calls["reindex"].append(kw.get("wait_for_completion"))
        return real_reindex(*a, **kw)

    def task(*a, **kw):
        calls["tasks"] += 1
        return real_task(*a, **kw)

    monkeypatch.setattr(backend.client, "reindex", reindex)
    monkeypatch.setattr(backend.client.tasks, "get", task)
    assert backend.reindex() == f"{backend.index}-v2"
    assert calls["reindex"] == [False] and calls["tasks"] >= 1
    assert set(backend.filter_ids(CandidateFilter(open_only=False), 20)) == {p.id for p in varied()}


def test_catch_up_pages_past_the_result_window(backend, monkeypatch):
    backend.upsert([_version(f"a{i}", 0) for i in range(4)])
    monkeypatch.setattr(rq, "MAX_WINDOW", 3)          # a small stand-in for 10,000
    monkeypatch.setattr(os_reindex, "PAGE", 3, raising=False)
    real_write, done = os_reindex._write, []

    def write_then_upsert(*args):
        real_write(*args)
        if not done:  # ten profiles arrive while the new version is being filled
            done.append(1)
            backend.upsert([_version(f"late{i}", 1) for i in range(10)])

    monkeypatch.setattr(os_reindex, "_write", write_then_upsert)
    backend.reindex(rebuild=True)
    assert backend.count() == 14
    assert all(backend.get(f"late{i}") is not None for i in range(10))


@pytest.mark.parametrize("rebuild", [False, True])
def test_writes_during_reindex_and_swap_are_kept(backend, monkeypatch, rebuild):
    backend.upsert([_version(f"p{i:02d}", 0) for i in range(30)])
    latest: dict[str, int] = {f"p{i:02d}": 0 for i in range(30)}
    stop, errors, lock = threading.Event(), [], threading.Lock()

    def writer(t: int):
        n = 0
        while not stop.is_set():
            n += 1
            ids = [f"w{t}-{n}", f"p{(t * 10 + n) % 30:02d}"]  # a new profile and an update
            try:
                with lock:  # version numbers must reach the cluster in order per profile
                    backend.upsert([_version(i, n + 1000 * t) for i in ids])
                    latest.update({i: n + 1000 * t for i in ids})
            except Exception as exc:  # noqa: BLE001 - any failure is a bug here
                errors.append(exc)

    # A slow alias swap: a cluster-state update that takes a while under load.
    real_swap = backend.client.indices.update_aliases

    def slow_swap(*a, **kw):
        time.sleep(1.5)
        return real_swap(*a, **kw)

    monkeypatch.setattr(backend.client.indices, "update_aliases", slow_swap)
    threads = [threading.Thread(target=writer, args=(t,)) for t in range(3)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)
        backend.reindex(rebuild=rebuild)
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors
    assert backend.current_index() == f"{backend.index}-v2"
    got = backend.get_many(list(latest))
    missing = sorted(set(latest) - set(got))
    stale = sorted(i for i, r in got.items() if r.profile.interests != [f"version {latest[i]}"])
    assert not missing and not stale, f"lost {missing}, stale {stale}"
    assert backend.count() == len(latest)


def test_reindex_swaps_alias_and_keeps_answering(backend):
    backend.upsert([rec(p, unit(1, i)) for i, p in enumerate(varied())])
    backend.record_contact("a", "b")
    errors, counts, stop = [], [], threading.Event()

    def reader():
        while not stop.is_set():
            try:
                counts.append(backend.count())
                backend.keyword_search("river", CandidateFilter(open_only=False), 20)
            except Exception as exc:  # noqa: BLE001 - any failure during the swap is a bug
                errors.append(exc)

    t = threading.Thread(target=reader)
    t.start()
    try:
        assert backend.reindex() == f"{backend.index}-v2"
        assert backend.reindex(rebuild=True) == f"{backend.index}-v3"
    finally:
        stop.set()
        t.join()
    assert not errors and counts and set(counts) == {8}
    assert backend.current_index() == f"{backend.index}-v3"
    assert backend.versions() == [f"{backend.index}-v2", f"{backend.index}-v3"]  # keep=1 old one
    aliases = backend.client.indices.get_alias(name=backend.index)
    assert list(aliases) == [f"{backend.index}-v3"]
    got = backend.get("a")
    assert got.profile == varied()[0] and got.vectors.shape == (1, DIM)
    assert backend.get("b").received == 1  # counters live outside the versions
    assert set(backend.filter_ids(CandidateFilter(open_only=False), 20)) == {p.id for p in varied()}
