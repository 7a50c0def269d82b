"""Several processes on one data directory: a follower sees every write of the writer, erasures
included, and never writes a file itself."""
from __future__ import annotations

import numpy as np
import pytest

from matcher.backends.embedded.backend import EmbeddedBackend
from matcher.backends.factory import make_backend
from matcher.backends.types import CandidateFilter, Record
from matcher.errors import BackendUnavailable, DirectoryInUse
from matcher.settings import Settings
from tests.backends.conformance import profile

DIM = 16
EVERYONE = CandidateFilter(open_only=False)


def _records(ids, seed: int, word: str = "garden") -> list[Record]:
    rng = np.random.default_rng(seed)
    out = []
    for i, pid in enumerate(ids):
        v = rng.standard_normal((2, DIM)).astype(np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        p = profile(pid, ["PT", "RO", "PL", "GR"][i % 4], ideas=((f"Our {word} project {pid}", "en"),
                                                               ("Pupils write letters", "en")))
        out.append(Record(p, v, ["idea:0", "idea:1"]))
    return out


def _view(b: EmbeddedBackend, queries: list[np.ndarray]) -> tuple:
    """Everything a search can see, in a comparable form."""
    flt = CandidateFilter(countries=["PT", "RO"])
    vec = tuple(tuple((c.id, round(c.score, 5)) for c in b.vector_search(q, f, 5))
                for q in queries for f in (EVERYONE, flt))
    kw = tuple(tuple(sorted(c.id for c in b.keyword_search(w, f, 50)))
               for w in ("garden", "orchard", "letters") for f in (EVERYONE, flt))
    return b.count(), tuple(sorted(b.filter_ids(EVERYONE, 10_000))), vec, kw


@pytest.fixture
def pair(tmp_path):
    d = tmp_path / "d"
    writer = EmbeddedBackend(d, DIM)
    writer.upsert(_records([f"p{i}" for i in range(300)], seed=1))
    writer.checkpoint()
    writer.upsert(_records([f"q{i}" for i in range(40)], seed=2))  # after the snapshot: replayed on open
    follower = EmbeddedBackend(d, DIM, follower=True)
    yield writer, follower, d
    follower.close()
    writer.close()


def test_a_follower_sees_what_the_writer_has_at_open_and_after_each_write(pair):
    writer, follower, _ = pair
    queries = [r.vectors for r in _records(["x", "y", "z"], seed=7)]
    assert follower.health()["role"] == "follower" and writer.health()["role"] == "writer"
    assert _view(follower, queries) == _view(writer, queries)

    writer.upsert(_records([f"p{i}" for i in range(0, 300, 7)], seed=3, word="orchard"))   # updates
    writer.upsert(_records([f"n{i}" for i in range(25)], seed=4, word="orchard"))          # new ones
    writer.record_contact("p1", "p2", answered=True)
    writer.delete(["p5", "q3", "n0"])
    seen = _view(follower, queries)
    assert seen == _view(writer, queries)
    assert seen[0] == 300 + 40 + 25 - 3
    assert not {"p5", "q3", "n0"} & set(seen[1])
    assert "n1" in {pid for hits in seen[3] for pid in hits}                  # BM25 follows too
    pool = follower.features(["p2"], EVERYONE)
    assert (pool.received[0], pool.answered[0]) == (1, 1)                     # contact counters


def test_an_erased_profile_leaves_every_index_of_the_follower(pair):
    writer, follower, _ = pair
    target = writer.get("p10")
    assert target is not None and "p10" in follower.filter_ids(EVERYONE, 10_000)
    writer.delete(["p10"])
    q = target.vectors
    assert "p10" not in {c.id for c in follower.vector_search(q, EVERYONE, 400)}
    assert "p10" not in {c.id for c in follower.keyword_search("garden project p10", EVERYONE, 400)}
    assert "p10" not in follower.filter_ids(EVERYONE, 10_000)
    assert follower.get("p10") is None and follower.count() == 339


def test_a_follower_writes_nothing(pair):
    writer, follower, d = pair
    before = sorted(str(p.relative_to(d)) for p in (d / "snapshots").rglob("*"))
    with pytest.raises(BackendUnavailable):
        follower.upsert(_records(["w"], seed=5))
    with pytest.raises(BackendUnavailable):
        follower.delete(["p1"])
    with pytest.raises(BackendUnavailable):
        follower.record_contact("p1", "p2")
    follower.close()
    assert sorted(str(p.relative_to(d)) for p in (d / "snapshots").rglob("*")) == before
    assert writer.get("p1") is not None


def test_the_factory_follows_only_for_a_server_of_several_workers(tmp_path):
    s1 = Settings(data_dir=tmp_path / "d", workers=1)
    s2 = Settings(data_dir=tmp_path / "d", workers=2)
    first = make_backend(s2, DIM)
    try:
        assert not first.follower
        with pytest.raises(DirectoryInUse):       # a second command on a busy directory is refused
            make_backend(s1, DIM)
        second = make_backend(s2, DIM)            # a second worker of the same server follows
        assert second.follower
        second.close()
    finally:
        first.close()


def test_a_failed_keyword_reload_is_retried_by_the_next_search(pair, monkeypatch):
    """A reload can race the writer's segment merge; the follower must not give up on the commit."""
    writer, follower, _ = pair
    writer.upsert(_records(["late"], seed=6, word="meadow"))
    real, calls = follower.keyword.refresh, []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("segment file vanished")
        real()

    monkeypatch.setattr(follower.keyword, "refresh", flaky)
    follower.count()                                     # catches up; the reload fails once
    assert "late" in follower.filter_ids(EVERYONE, 10_000)
    assert "late" in {c.id for c in follower.keyword_search("meadow", EVERYONE, 10)}
    assert len(calls) == 2
