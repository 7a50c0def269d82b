"""Searches run side by side with writes: nothing fails, nothing is torn, every write is findable."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from matcher.backends.embedded.backend import EmbeddedBackend
from matcher.backends.embedded.rwlock import RWLock
from matcher.backends.types import CandidateFilter
from matcher.errors import BackendUnavailable
from tests.backends.test_vectors import DIM, _records


def test_readers_share_and_a_writer_runs_alone():
    lock, seen = RWLock(), []
    both_in = threading.Barrier(2, timeout=5)

    def reader():
        with lock.read():
            both_in.wait()            # two readers hold the lock at the same time, or this breaks
            seen.append("both in")

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == ["both in", "both in"]

    order = []
    with lock.write():
        t = threading.Thread(target=lambda: (lock.read().__enter__(), order.append("read")))
        t.start()
        time.sleep(0.2)
        order.append("write done")
    t.join(5)
    assert order == ["write done", "read"]   # the reader waited for the writer


def test_a_reader_cannot_upgrade():
    lock = RWLock()
    with lock.read():
        try:
            with lock.write():
                raise AssertionError("upgraded")
        except RuntimeError as exc:
            assert "reader" in str(exc)
    with lock.write(), lock.read(), lock.write():   # the writer may nest both
        pass


def test_searches_during_upserts_and_deletes(tmp_path):
    b = EmbeddedBackend(tmp_path / "d", DIM)
    b.vectors.graph_min_rows, b.planner.exact_max_rows = 200, 100   # the graph answers broad filters
    base = _records(1500, seed=2)
    b.upsert(base[:1000])
    extra = _records(400, seed=3, prefix="x")
    errors: list[BaseException] = []
    stop = threading.Event()
    queries = [r.vectors for r in base[:50]]

    def search():
        rng = np.random.default_rng(threading.get_ident() % 1000)
        try:
            while not stop.is_set():
                q = queries[int(rng.integers(len(queries)))]
                hits = b.vector_search(q, CandidateFilter(open_only=False), 10)
                recs = b.get_many([h.id for h in hits])
                for h in hits:   # a hit is either gone (deleted since) or whole: document and vectors
                    r = recs.get(h.id)
                    assert r is None or (r.profile.id == h.id and len(r.vectors) == len(r.units) > 0)
                b.keyword_search("recycling plastic", CandidateFilter(open_only=False), 5)
        except BaseException as exc:   # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    readers = [threading.Thread(target=search) for _ in range(3)]
    for t in readers:
        t.start()
    try:
        for i in range(0, len(extra), 40):
            b.upsert(extra[i:i + 40])
            b.upsert(base[1000 + i // 40 * 50:1000 + (i // 40 + 1) * 50])
            b.delete([f"p{j}" for j in range(i, i + 40)])
    finally:
        stop.set()
        for t in readers:
            t.join(30)
    assert not errors, errors[0]
    assert b.vectors.graph is not None and b.vectors.graph.rows == b.vectors.n   # built, and kept current
    for r in extra[::25] + base[1000::60]:    # every acknowledged write is findable by its own vector
        hits = b.vector_search(r.vectors, CandidateFilter(open_only=False), 5)
        assert r.profile.id in [h.id for h in hits]
    gone = {f"p{j}" for j in range(0, 400)}
    hits = {h.id for q in queries for h in b.vector_search(q, CandidateFilter(open_only=False), 20)}
    assert not hits & gone
    assert b.count() == 1500 + 400 - 400 == b.keyword.count()
    b.close()


def test_concurrent_upserts_share_keyword_commits_and_are_searchable_on_return(tmp_path):
    from tests.backends.conformance import profile, rec

    b = EmbeddedBackend(tmp_path / "d", DIM)
    real, commits = b.keyword._writer, []

    class SlowCommits:   # a commit as slow as on a loaded disk, so writers pile up behind it
        def __getattr__(self, name):
            return getattr(real, name)

        def commit(self):
            commits.append(1)
            time.sleep(0.05)
            return real.commit()

    b.keyword._writer = SlowCommits()
    rng = np.random.default_rng(4)
    missing: list[str] = []

    def write(i: int) -> None:
        word = f"zebra{i}"
        b.upsert([rec(profile(f"g{i}", ideas=((f"A project about {word}", "en"),)),
                      rng.standard_normal(DIM).astype(np.float32))])
        if f"g{i}" not in [c.id for c in b.keyword_search(word, CandidateFilter(open_only=False), 5)]:
            missing.append(f"g{i}")

    threads = [threading.Thread(target=write, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert missing == []                   # each write was searchable when its call returned
    assert len(commits) < 24, len(commits)  # and writers shared commits
    assert b.get_meta("keyword_seq") == str(b.store.seq)
    b.close()
    again = EmbeddedBackend(tmp_path / "d", DIM)
    assert again.count() == again.keyword.count() == 24
    again.close()


def test_closing_waits_for_a_read_in_flight_and_later_reads_fail_cleanly(tmp_path):
    """A campaign job still reading while the server shuts down: `close` waits for the read
    instead of closing the connection under it, and a read after it gets BackendUnavailable."""
    b = EmbeddedBackend(tmp_path, DIM)
    b.upsert(_records(3))
    inside, release, got = threading.Event(), threading.Event(), []

    def read():
        with b.store.snapshot() as db:
            inside.set()
            release.wait(5)
            got.append(db.execute("SELECT count(*) FROM profiles").fetchone()[0])

    reader = threading.Thread(target=read)
    reader.start()
    assert inside.wait(5)
    closer = threading.Thread(target=b.close)
    closer.start()
    closer.join(0.3)
    assert closer.is_alive()                  # the read is still in flight: close waits
    release.set()
    reader.join(5), closer.join(5)
    assert got == [3] and not closer.is_alive()
    with pytest.raises(BackendUnavailable):
        b.get_many(["p0"])
