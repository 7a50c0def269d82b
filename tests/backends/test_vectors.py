"""Vector search strategies, 8-bit and float16 scans with exact re-scoring, and snapshot recovery."""
from __future__ import annotations

import shutil
import sqlite3

import numpy as np
import pytest

from matcher.backends.embedded.backend import EmbeddedBackend
from matcher.backends.types import CandidateFilter, Record
from tests.backends.conformance import profile

DIM = 32
COUNTRIES = ["PT", "RO", "PL", "GR", "DE", "ES", "IT", "FR", "TR", "HR"]


def _records(n: int, seed: int = 1, prefix: str = "p") -> list[Record]:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((12, DIM))
    out = []
    for i in range(n):
        k = int(rng.integers(1, 4))
        v = centres[rng.integers(0, 12, k)] + 0.6 * rng.standard_normal((k, DIM))
        v = (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)
        # Country weights make filters of very different selectivity: PT ~ 40%, HR ~ 1%.
        c = COUNTRIES[min(int(rng.exponential(1.6)), len(COUNTRIES) - 1)]
        p = profile(f"{prefix}{i}", c, langs=("en",) if i % 3 else ("en", "pt"))
        out.append(Record(p, v, [f"idea:{j}" for j in range(k)]))
    return out


@pytest.fixture
def loaded(tmp_path):
    b = EmbeddedBackend(tmp_path / "d", DIM)
    recs = _records(3000)
    for i in range(0, len(recs), 500):
        b.upsert(recs[i:i + 500])
    yield b, recs
    b.close()


FILTERS = [CandidateFilter(open_only=False),                                  # 100%
           CandidateFilter(countries=["PT", "RO"]),                           # ~60%
           CandidateFilter(countries=["RO"], languages=["pt"]),               # ~8%
           CandidateFilter(countries=["HR", "TR"], languages=["pt"])]         # <1%


@pytest.mark.parametrize("flt", FILTERS, ids=["all", "broad", "narrow", "tiny"])
def test_graph_and_exact_strategies_give_the_same_top10(loaded, flt):
    b, recs = loaded
    rng = np.random.default_rng(3)
    for q in rng.choice(len(recs), 15, replace=False):
        queries = recs[q].vectors
        b.vectors.graph_min_rows, b.planner.exact_max_rows = 10**9, 10**9   # exact only
        exact = [(c.id, round(c.score, 5)) for c in b.vector_search(queries, flt, 10)]
        assert b.planner.last_strategy == "exact"
        b.vectors.graph_min_rows, b.planner.exact_max_rows = 100, -1        # graph first, always
        b.planner.graph_cost = (0, 0)
        graph = [(c.id, round(c.score, 5)) for c in b.vector_search(queries, flt, 10)]
        assert b.planner.last_strategy in ("graph", "fallback")
        assert graph == exact
    if flt.countries is None:
        assert b.planner.last_strategy == "graph"      # a broad filter really used the graph
    if flt.countries == ["HR", "TR"]:
        assert b.planner.last_strategy == "fallback"   # too few passed the graph: exact took over


def test_a_filter_that_rejects_the_query_neighbourhood_walks_the_graph_filtered(tmp_path):
    """Each country writes near its own centre (as texts of one language lie close), and the
    query leaves its own country out, as a partner query does: the nearest rows all fail the
    filter, so the search walks the graph with the filter instead of scanning every passing row."""
    rng = np.random.default_rng(4)
    centres = {c: rng.standard_normal(DIM) for c in COUNTRIES[:5]}
    recs = []
    for i in range(2500):
        c = COUNTRIES[i % 5]
        v = centres[c] + 0.8 * rng.standard_normal((1, DIM))
        recs.append(Record(profile(f"p{i}", c), (v / np.linalg.norm(v)).astype(np.float32), ["idea:0"]))
    b = EmbeddedBackend(tmp_path / "d", DIM)
    b.upsert(recs)
    flt = CandidateFilter(exclude_countries=["PT"])                       # 80% of profiles pass
    hits = 0
    for q in recs[0:100:5]:                                               # PT profiles
        b.vectors.graph_min_rows, b.planner.exact_max_rows = 10**9, 10**9
        exact = {c.id for c in b.vector_search(q.vectors, flt, 10)}
        b.vectors.graph_min_rows, b.planner.exact_max_rows = 100, -1
        b.planner.graph_cost = (0, 0)
        got = b.vector_search(q.vectors, flt, 10)
        assert b.planner.last_strategy == "filtered"
        assert all(not c.id.startswith("p") or int(c.id[1:]) % 5 for c in got)   # no PT profile
        hits += len(exact & {c.id for c in got})
    assert hits / 200 >= 0.95
    b.close()


def test_selectivity_picks_the_strategy(loaded):
    b, recs = loaded
    b.vectors.graph_min_rows, b.planner.exact_max_rows = 100, 200
    b.vector_search(recs[0].vectors, FILTERS[0], 10)
    assert b.planner.last_strategy == "graph"
    b.vector_search(recs[0].vectors, FILTERS[3], 10)
    assert b.planner.last_strategy == "exact"


class _Rows:
    """The sizes the planner reads, of an index too large to build in a test."""
    graph, graph_min_rows = object(), 20_000

    def __init__(self, live: int, dim: int):
        self.live, self.dim = live, dim


class _Share:
    def __init__(self, frac: float):
        self.frac = frac

    def estimate(self) -> float:
        return self.frac

    def mask(self) -> np.ndarray:
        return np.ones(1, bool)


@pytest.mark.parametrize("dim, frac, k, strategy", [
    (384, 0.30, 250, "graph"),     # a teacher's own filters, the served pool: ask 1,250 rows
    (384, 1.00, 10, "graph"),
    (384, 0.03, 250, "exact"),     # own filters and one country: ask 12,500 rows, 80k pass
    (384, 0.009, 10, "exact"),
    (64, 0.20, 200, "graph"),      # 6.7 ms against 27.8 ms for the scan
    (64, 0.05, 200, "exact"),      # 25 ms against 9 ms for the scan
])
def test_the_planner_picks_the_cheaper_strategy_at_1m(monkeypatch, dim, frac, k, strategy):
    """At 2.67M rows (1M profiles) a teacher's own filters with the served pool stay on the graph
    (a ~17 ms walk at 384-d, where the exact scan reads ~800k rows), and narrow filters or deep
    asks scan; the 64-d cases were timed on bench/alerts.py's index built with `--dim 64`."""
    from matcher.backends.embedded import vector_search
    planner = vector_search.VectorSearch()
    monkeypatch.setattr(planner, "_graph_search", lambda *a: [(0, 1.0)])
    monkeypatch.setattr(vector_search, "_exact_search", lambda *a: [(1, 1.0)])
    got = planner.search(_Rows(2_670_000, dim), np.ones((1, dim), np.float32), _Share(frac), k)
    assert got == ([(0, 1.0)] if strategy == "graph" else [(1, 1.0)])


def test_scanned_rows_are_rescored_to_exact_float32_scores(loaded):
    """The exact scan reads float16 rows, then the graph's 8-bit codes once a graph exists
    (the float16 copy is dropped); either way the returned scores are exact float32 ones."""
    b, recs = loaded
    q = recs[7].vectors
    flt = CandidateFilter(open_only=False)

    def check():
        got = b.vector_search(q, flt, 20)
        assert b.planner.last_strategy == "exact" and len(got) == 20
        for c in got:
            r = next(x for x in recs if x.profile.id == c.id)
            assert c.score == pytest.approx(float((r.vectors @ q.T).max()), abs=1e-6)
        return [c.id for c in got]

    assert b.vectors.graph is None and b.vectors.vecs.dtype == np.float16
    from_f16 = check()
    b.vectors.graph_min_rows, b.planner.exact_max_rows = 100, 10**9   # a graph, but exact scans
    b.vectors.sync_graph()
    assert b.vectors.graph is not None and b.vectors.vecs is None
    assert b.vectors.graph.codes().dtype == np.uint8
    from_codes = check()
    assert len(set(from_f16) & set(from_codes)) >= 19     # 8 bits reorder only near-ties


def _state(b: EmbeddedBackend, recs: list[Record]) -> tuple:
    flt = CandidateFilter(countries=["PT", "PL", "RO"])
    hits = tuple((c.id, round(c.score, 6)) for r in recs[:10]
                 for c in b.vector_search(r.vectors, flt, 10))
    return b.count(), tuple(sorted(b.filter_ids(flt, 1000))), hits  # ties: any order


def _crash(b: EmbeddedBackend) -> None:
    """Let go of the files as a killed process would: no checkpoint."""
    b.keyword.close()
    b.store.close()


def test_snapshot_plus_replay_equals_a_fresh_load(tmp_path):
    d = tmp_path / "d"
    recs = _records(800)
    b = EmbeddedBackend(d, DIM)
    b.upsert(recs[:600])
    b.close()                                              # snapshot at this point
    b = EmbeddedBackend(d, DIM)
    assert b.opened_from == "snapshot"
    b.upsert(recs[600:])                                   # newer than the snapshot
    b.upsert(_records(50, seed=9, prefix="p"))             # replaces p0..p49 with new vectors
    b.delete([f"p{i}" for i in range(100, 130)])
    _crash(b)
    warm = EmbeddedBackend(d, DIM)
    assert warm.opened_from == "snapshot"
    got = _state(warm, recs[130:])
    _crash(warm)
    shutil.rmtree(d / "snapshots")
    cold = EmbeddedBackend(d, DIM)
    assert cold.opened_from == "sqlite"
    assert _state(cold, recs[130:]) == got
    cold.close()


def test_deletes_never_come_back_after_restart(tmp_path):
    d = tmp_path / "d"
    recs = _records(300)
    b = EmbeddedBackend(d, DIM)
    b.upsert(recs)
    b.close()
    b = EmbeddedBackend(d, DIM)
    b.delete(["p1", "p2"])
    _crash(b)                                              # deleted after the snapshot, no new one
    b = EmbeddedBackend(d, DIM)
    b.delete(["p3"])
    b.close()                                              # and deleted before one
    for _ in range(2):
        b = EmbeddedBackend(d, DIM)
        everyone = CandidateFilter(open_only=False)
        found = {c.id for r in recs[:5] for c in b.vector_search(r.vectors, everyone, 300)}
        assert not {"p1", "p2", "p3"} & (found | set(b.filter_ids(everyone, 1000)) | set(b.get_many(["p1", "p2", "p3"])))
        assert b.count() == 297
        b.close()
    # No snapshot file keeps an erased id.
    for f in (d / "snapshots").rglob("ids.npy"):
        assert not {"p1", "p2", "p3"} & set(np.load(f).tolist())


def test_an_erasure_the_snapshot_missed_is_made_there_on_open(tmp_path):
    """A delete that SQLite committed but the published generation never saw (a crash in
    between) is found when the store opens, and erased inside that generation then."""
    d = tmp_path / "d"
    b = EmbeddedBackend(d, DIM)
    b.upsert(_records(50))
    rows = b.vectors.rows_of_slot(b.slot["p7"])
    b.close()                                              # a generation that holds p7
    with sqlite3.connect(d / "profiles.sqlite") as db:
        db.execute("DELETE FROM profiles WHERE id = 'p7'")
        db.execute("DELETE FROM units WHERE id = 'p7'")
    db.close()
    b = EmbeddedBackend(d, DIM)
    try:
        assert b.opened_from == "snapshot" and b.get("p7") is None and b.count() == 49
        gen = d / "snapshots" / (d / "snapshots" / "CURRENT").read_text().strip()
        assert "p7" not in set(np.load(gen / "ids.npy").tolist())
        assert rows and not np.load(gen / "f16.npy")[rows].any()
    finally:
        b.close()


def test_erasure_overwrites_the_rows_inside_the_graph_and_its_snapshot(tmp_path):
    """The graph keeps its own 8-bit copy of every row: erasing a profile zeroes that copy too,
    in memory and in the next snapshot, and the graph never returns the row again."""
    d = tmp_path / "d"
    recs = _records(600)
    b = EmbeddedBackend(d, DIM)
    b.vectors.graph_min_rows = 100
    b.upsert(recs)
    b.vector_search(recs[0].vectors, CandidateFilter(open_only=False), 10)   # builds the graph
    rows = b.vectors.rows_of_slot(b.slot["p5"])
    assert b.vectors.graph is not None and b.vectors.graph.codes()[rows].any()
    b.delete(["p5"])
    assert not b.vectors.graph.codes()[rows].any()
    b.close()
    b = EmbeddedBackend(d, DIM)
    g = b.vectors.graph
    assert g is not None and not g.codes()[rows].any()
    assert g.live == b.vectors.n - b.vectors.dead
    labels = g.search(recs[5].vectors, 600)
    assert not set(rows) & set(labels.tolist())
    b.close()


def test_post_filtered_bm25_equals_the_filtered_query(tmp_path):
    """The embedded backend checks unfiltered BM25 hits against the columns when that is
    cheaper; the list must be the one the filtered tantivy query gives."""
    from tests.backends.conformance import profile

    words = ["garden", "robots", "music", "water", "birds", "poems", "maths", "recycling", "theatre"]
    rng = np.random.default_rng(8)
    b = EmbeddedBackend(tmp_path / "d", DIM)
    recs = []
    for i, r in enumerate(_records(1500, seed=9)):
        text = " ".join(rng.choice(words, 6))
        p = profile(f"p{i}", r.profile.school.country, langs=r.profile.languages,
                    ages=("6-9",) if i % 2 else ("12-15",), ideas=((f"Our class {text}", "en"),))
        recs.append(Record(p, r.vectors, r.units))
    b.upsert(recs)
    filters = FILTERS + [CandidateFilter(exclude_countries=["PT"], languages=["pt"], ages=[recs[1].profile.age_groups[0]]),
                         CandidateFilter(countries=["PT", "RO"], languages=["ro"], ages=[recs[1].profile.age_groups[0]])]
    search, calls, paths = b.keyword.search, [], set()

    def recording(q, flt, k, lang=None):
        calls.append(flt)
        return search(q, flt, k, lang)
    b.keyword.search = recording
    for flt in filters:
        for q in ["garden robots", "music water birds poems", "recycling"]:
            want = [(pid, round(s, 4)) for pid, s in search(q, flt, 20)]
            calls.clear()
            got = [(c.id, round(c.score, 4)) for c in b.keyword_search(q, flt, 20)]
            assert got == want, (flt, q)
            paths.add(tuple("filtered" if f is flt else "countries" if f.countries else "exclusions"
                            for f in calls))
    # The paths compared: a cheap first query that was enough (exclusions only for a broad
    # filter, countries too for a narrow one), one that was not, and the filtered query alone.
    assert {("exclusions",), ("countries",), ("countries", "filtered"), ("filtered",)} <= paths, paths
    b.close()


def test_the_hits_checked_instead_of_the_filtered_query_grow_with_the_index():
    """A filter passing a quarter of the profiles asks 1,000 hits for 125: at 100k profiles the
    filtered query runs, at 1M the hits of the exclusions alone are checked."""
    from matcher.backends.embedded import keyword_plan
    calls = []

    class Index:
        def search(self, text, flt, k, lang=None):
            calls.append(flt)
            return []
    flt = CandidateFilter(exclude_countries=["PT"], languages=["pt"])
    for profiles in (100_000, 1_000_000):
        keyword_plan.search(Index(), "recycling", flt, 125, None, 0.25, lambda ids: ids, profiles)
    assert calls[0] is flt
    assert calls[1].languages is None and calls[1].exclude_countries == ["PT"]
