"""Saved searches and arrivals: which saved searches a new profile reaches, and that deciding by
the bound, without running the searches, changes no alert."""
from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np
import pytest

from matcher import search
from matcher.alerts import match, saved_searches
from matcher.alerts.store import AlertStore
from matcher.backends.types import CandidateFilter
from models import Profile, SearchRequest
from tests.fakes import profile


def _add(m, store, *dicts):
    match.upsert(m, store, [Profile.model_validate(d) for d in dicts])


def test_a_saved_search_is_alerted_by_a_newcomer_it_finds(world, store):
    s = store.save_search("nss", {"text": "robots", "filters": {"country": ["PL", "HR"]}, "k": 10}, "daily", 5)
    _add(world, store, profile("pl1", "PL", "robots"), profile("it1", "IT", "robots"))
    got = store.alerts("search", s.id)
    assert [a.newcomer for a in got] == ["pl1"]          # it1 fails the country filter
    assert got[0].reasons[0]["code"] == "matches_search"


def test_the_backend_keeps_the_standing_filters_of_the_stored_searches_only(world, store):
    """Saved searches written while the backend was out of step (a crash between the two
    writes) are put right before the first arrival is matched."""
    kept = store.save_search("nss", {"text": "robots", "filters": {"country": ["PL"]}, "k": 10}, "daily", 5)
    world.backend.put_standing("deleted-meanwhile", CandidateFilter())
    _add(world, store, profile("pl1", "PL", "robots"))
    assert world.backend.standing_keys() == {kept.id}
    assert [a.newcomer for a in store.alerts("search", kept.id)] == ["pl1"]
    assert store.alerts("search", "deleted-meanwhile") == []


def _robots_world(make_matcher):
    """Two teachers on robots, two on robots and another theme (farther from "robots"), two on other themes."""
    return make_matcher([profile("r0", "PT", "robots"), profile("r1", "RO", "robots"),
                         profile("x0", "DE", "robots and history"), profile("x1", "FR", "robots and poetry"),
                         profile("h1", "ES", "history"), profile("p1", "AT", "poetry")])


def _count_runs(monkeypatch) -> list[str]:
    ran, real = [], search.ranked
    monkeypatch.setattr(search, "ranked", lambda m, req, flt: ran.append(req.text) or real(m, req, flt))
    return ran


def test_the_bound_gives_a_newcomer_the_probability_its_search_gives(make_matcher):
    m = _robots_world(make_matcher)
    c = search.candidates(m, "robots", CandidateFilter())
    recs = m.backend.get_many(c.pool.ids)
    got = [search.probabilities(m, c.q[None, :], c.raw[None, :], m.teachers([recs[pid]]))[0] for pid in c.pool.ids]
    assert np.allclose(got, c.prob, atol=1e-6)


def _club_world(make_matcher):
    """Six teachers on robots, whose texts are nearer to "robots" than any newcomer's below (no
    newcomer joins the search's feedback), and four on other themes."""
    return make_matcher([profile(f"r{i}", c, "robots") for i, c in enumerate(("PT", "RO", "DE", "FR", "ES", "AT"))]
                        + [profile(f"o{i}", c, x) for i, (c, x) in enumerate(zip(("BE", "CZ", "SE", "FI"),
                                                                               ("history", "poetry", "water", "music")))])


def test_a_saved_search_with_a_bound_places_newcomers_as_its_own_run_does(make_matcher, store, monkeypatch):
    """Once a search has run, a newcomer's place among its stored candidates decides without
    running it: the newcomers its own page holds are alerted, with the score and reasons the
    page gives them, and each newcomer joins the stored candidates."""
    m = _club_world(make_matcher)
    s = match.save_search(m, store, "nss", {"text": "robots", "k": 8}, "daily", 5)
    rows = len(store.search(s.id).scores) // 8
    ran = _count_runs(monkeypatch)
    arrivals = [profile("n1", "GR", "robots club"), profile("n2", "HR", "poetry"),
                profile("n3", "IT", "coding and robotics"), profile("n4", "PL", "water")]
    for d in arrivals:
        _add(m, store, d)
        got = {a.newcomer: a for a in store.alerts("search", s.id)}
        shown = {r.profile.id: r for r in search.ranked(m, SearchRequest(text="robots", k=8), CandidateFilter())[0].results}
        assert (d["id"] in got) == (d["id"] in shown)
        if d["id"] in got:
            # the stored BM25 scores keep the index statistics of the moment each was stored
            assert got[d["id"]].score == pytest.approx(shown[d["id"]].score, abs=0.01)
            assert got[d["id"]].reasons == [x.model_dump() for x in shown[d["id"]].reasons]
    assert sorted(got) == ["n1", "n3"]
    assert len(ran) == len(arrivals)                         # the checks above, none by an arrival
    assert len(store.search(s.id).scores) // 8 == rows + len(arrivals)


def test_a_shared_keyword_places_a_newcomer_whatever_the_vector_says(make_matcher, store, monkeypatch):
    m = _club_world(make_matcher)
    s = match.save_search(m, store, "nss", {"text": "robots", "k": 8}, "daily", 5)
    monkeypatch.setattr(search, "probabilities", lambda m, qs, raws, me: np.zeros(len(qs)))
    ran = _count_runs(monkeypatch)
    _add(m, store, profile("m2", "PL", "poetry"))
    _add(m, store, profile("m4", "HR", "music", interests=["robots club"]))
    assert ran == []
    assert [a.newcomer for a in store.alerts("search", s.id)] == ["m4"]


def test_a_newcomer_that_joins_a_searchs_feedback_runs_it(make_matcher, store, monkeypatch):
    """The search expands its text towards its nearest profiles: a newcomer among them changes
    the search itself, so no stored figure can rule it out."""
    others = ("music", "history", "poetry", "water", "recycling", "music")
    m = make_matcher([profile(f"r{i}", c, f"robots and {x}")     # the five nearest to "robots" are half on it
                      for i, (c, x) in enumerate(zip(("PT", "RO", "DE", "FR", "ES", "AT"), others))]
                     + [profile("h1", "BE", "history")])
    match.save_search(m, store, "nss", {"text": "robots", "k": 3}, "daily", 5)
    monkeypatch.setattr(search, "probabilities", lambda m, qs, raws, me: np.zeros(len(qs)))
    monkeypatch.setattr(m.backend, "keyword_scores", lambda me, texts: [0.0] * len(texts))
    ran = _count_runs(monkeypatch)
    _add(m, store, profile("m2", "PL", "poetry"))
    assert ran == []
    _add(m, store, profile("r9", "GR", "Robotsklubben"))
    assert ran == ["robots"]


def test_a_newcomer_the_nearest_profile_search_does_not_return_is_placed_without_a_run(make_matcher, store,
                                                                                       monkeypatch):
    """Nearer to the text than the fifth profile that expands it, a newcomer changes nothing where
    the backend's nearest-profile search (a graph's walk, at scale) does not return it among the
    five: the search does not see it either, so its stored place decides, as the run would."""
    others = ("music", "history", "poetry", "water", "recycling", "music")
    m = make_matcher([profile(f"r{i}", c, f"robots and {x}")
                      for i, (c, x) in enumerate(zip(("PT", "RO", "DE", "FR", "ES", "AT"), others))]
                     + [profile("h1", "BE", "history")])
    s = match.save_search(m, store, "nss", {"text": "robots", "k": 3}, "daily", 5)
    real, asked = search.nearest, []
    monkeypatch.setattr(search, "nearest", lambda m, q, exclude_ids=None: asked.append(q) or [
        c for c in real(m, q, exclude_ids) if c.id != "r9"])
    ran = _count_runs(monkeypatch)
    _add(m, store, profile("r9", "GR", "robots"))
    assert ran == [] and len(asked) == 1
    page = search.ranked(m, SearchRequest(text="robots", k=3), CandidateFilter())[0].results
    assert [a.newcomer for a in store.alerts("search", s.id)] == [r.profile.id for r in page if r.profile.id == "r9"]
    assert any(r.profile.id == "r9" for r in page)           # on the page: the check alerted it


@pytest.mark.parametrize("k,pool", [(1, None), (2, None), (3, None), (2, 8)])
def test_the_bound_changes_no_saved_search_alert(make_matcher, tmp_path, monkeypatch, k, pool):
    """The same arrivals, matched with the bound and by running every saved search, raise the
    same alerts; with a pool smaller than the index, the pool's reach takes part."""
    themes = ("recycling", "music", "robots", "history")
    countries = ("PT", "RO", "DE", "FR", "ES", "IT", "PL", "GR", "HR", "AT", "BE", "CZ")
    arrivals = [profile(f"n{i}", countries[(i + 5) % len(countries)], themes[(i * 3) % 4]) for i in range(10)]
    texts = ["robots", "recycling plastic", "music", "histoire", "robots and music"]
    got, runs = {}, {}
    for bounded in (True, False):
        m = make_matcher([profile(f"t{i}", c, themes[i % 4]) for i, c in enumerate(countries)])
        m.pool_size = pool or m.pool_size
        st = AlertStore(tmp_path / f"alerts-{bounded}")
        with monkeypatch.context() as mp:
            if not bounded:
                mp.setattr(saved_searches, "placements", lambda *a: {})
            ran = _count_runs(mp)
            ids = [st.save_search("nss", {"text": t, "k": k}, "daily", 5).id for t in texts]
            for d in arrivals:
                _add(m, st, d)
        got[bounded], runs[bounded] = sorted((texts[ids.index(a.recipient)], a.newcomer)
                                             for a in st.alerts("search")), len(ran)
        st.close()
    assert got[True] == got[False] and got[True]
    assert runs[True] < runs[False]


def test_an_arrival_runs_at_most_max_search_runs_saved_searches(make_matcher, store, monkeypatch):
    """Over the cap, a search the newcomer changes is left with no bound, so the next arrival
    that passes its filters runs it."""
    m = _robots_world(make_matcher)
    texts = ("robots", "poetry", "water")              # topics: none names a teacher's idea
    ids = [match.save_search(m, store, "nss", {"text": t, "k": 3}, "daily", 5).id for t in texts]
    with monkeypatch.context() as mp:
        mp.setattr(saved_searches, "placements",
                   lambda m, me, found: {s.id: saved_searches.Placed(-1, None) for s in found})
        mp.setattr(saved_searches, "MAX_SEARCH_RUNS", 2)
        ran = _count_runs(mp)
        _add(m, store, profile("r9", "GR", "robots and poetry"))
    assert len(ran) == 2
    left = [i for i, t in zip(ids, texts) if t not in ran]
    assert [store.search(i).probe for i in left] == [None]
    ran = _count_runs(monkeypatch)
    _add(m, store, profile("m2", "PL", "music"))
    assert ran == [texts[ids.index(left[0])]]


def test_a_newcomers_place_is_the_one_the_search_gives_it(make_matcher):
    """`place` puts a candidate, taken out of a search's candidates and given back its scores,
    where the search's fused order has it when it comes last among equals, the BM25 scores
    rescaled when it has the best."""
    m = _robots_world(make_matcher)
    for text in ("robots", "robots and poetry", "history"):
        c = search.candidates(m, text, CandidateFilter())
        raw = c.feats["bm25"] * c.kw_best
        for i in range(len(c.pool)):
            last = [*(j for j in range(len(c.pool)) if j != i), i]
            keys = search.fused(SimpleNamespace(prob=c.prob[last], feats={"bm25": c.feats["bm25"][last]}, named=None))
            scores = np.stack([c.prob[last[:-1]], raw[last[:-1]]], axis=1).astype(np.float32)
            ahead = int((keys[:-1] > keys[-1]).sum())
            assert saved_searches.place(scores, float(c.prob[i]), float(raw[i])) == (ahead, keys[-1])


def test_a_newcomer_tied_with_stored_candidates_is_placed_after_them():
    """Probabilities that tie (they saturate at 1 on tight clusters) leave the newcomer behind
    the stored candidates it ties, as far back as a run could put it."""
    scores = np.array([[1.0, 0.0]] * 12, np.float32)
    assert saved_searches.place(scores, 1.0, 0.0)[0] == 12


def test_a_strong_keyword_places_a_newcomer_the_model_puts_last():
    scores = np.array([[0.9 - 0.1 * i, 0.0] for i in range(6)], np.float32)   # no candidate shares a word
    assert saved_searches.place(scores, 0.01, 0.0)[0] == 6
    assert saved_searches.place(scores, 0.01, 2.5)[0] == 0  # the only keyword match comes first
    strong = np.array([[0.9 - 0.1 * i, 4.0 * (i < 3)] for i in range(6)], np.float32)
    assert saved_searches.place(strong, 0.01, 1.9)[0] == 6  # under half the best BM25 counts for nothing
    assert saved_searches.place(strong, 0.01, 9.0)[0] == 0  # the best BM25 of all: the others' fall to under half


def test_a_search_whose_stored_candidates_grew_past_twice_the_pool_runs(make_matcher, store, monkeypatch):
    m = _robots_world(make_matcher)
    s = match.save_search(m, store, "nss", {"text": "robots", "k": 3}, "daily", 5)
    ran = _count_runs(monkeypatch)
    _add(m, store, profile("m2", "PL", "water"))
    assert ran == []
    grown = np.ones((2 * m.pool_size + 1, 2), np.float32).tobytes()     # many newcomers skipped, all ahead
    kept = store.search(s.id)
    store.commit_arrival("x", [], probes={s.id: (kept.probe, grown, kept.join_at, kept.reach_vec, kept.reach_kw)})
    _add(m, store, profile("m3", "HR", "water"))
    assert ran == ["robots"] and len(store.search(s.id).scores) < len(grown)


def test_a_newcomer_outside_a_searchs_pool_is_not_alerted_and_does_not_join_its_candidates(make_matcher, store, monkeypatch):
    m = _robots_world(make_matcher)
    m.pool_size = 2                                          # each leg is full: entering takes a score
    s = match.save_search(m, store, "nss", {"text": "robots", "k": 3}, "daily", 5)
    kept = store.search(s.id)
    assert kept.reach_vec > -1.0 and kept.reach_kw > 0.0
    never = 2.0                                              # no newcomer joins its feedback
    store.commit_arrival("x", [], probes={s.id: (kept.probe, kept.scores, never, kept.reach_vec, kept.reach_kw)})
    first = lambda scores, prob, bm25: np.r_[np.zeros(len(scores)), 1.0]     # noqa: E731
    monkeypatch.setattr(saved_searches, "fused_keys", first)         # the fused place alone would alert it
    ran = _count_runs(monkeypatch)
    _add(m, store, profile("m2", "PL", "water"))
    assert store.alerts("search", s.id) == [] and store.search(s.id).scores == kept.scores
    _add(m, store, profile("r9", "GR", "robots"))
    assert [a.newcomer for a in store.alerts("search", s.id)] == ["r9"] and ran == []


def test_a_newcomer_at_the_edge_of_a_searchs_pool_runs_it(make_matcher, store, monkeypatch):
    """The least cosine that entered the pool rises as newcomers enter it: placed on the page
    within `EDGE` over it, only the run can tell whether the newcomer is in."""
    m = _robots_world(make_matcher)
    m.pool_size = 2
    s = match.save_search(m, store, "nss", {"text": "robots", "k": 3}, "daily", 5)
    kept = store.search(s.id)
    never = 2.0                                              # no newcomer joins its feedback
    store.commit_arrival("x", [], probes={s.id: (kept.probe, kept.scores, never, kept.reach_vec, kept.reach_kw)})
    monkeypatch.setattr(m.backend, "keyword_scores", lambda me, texts: [0.0] * len(texts))
    first = lambda scores, prob, bm25: np.r_[np.zeros(len(scores)), 1.0]     # noqa: E731
    monkeypatch.setattr(saved_searches, "fused_keys", first)         # placed first: on the page if in the pool
    ran = _count_runs(monkeypatch)
    for pid, over in (("m2", 2 * saved_searches.EDGE), ("m3", saved_searches.EDGE / 2)):
        monkeypatch.setattr(m, "reach_scores", lambda me, queries, over=over: np.full(len(queries), kept.reach_vec + over))
        _add(m, store, profile(pid, "PL", "water"))
        assert ran == ([] if pid == "m2" else ["robots"])


def test_the_saved_searches_are_checked_while_the_newcomers_keyword_leg_runs(world, store, monkeypatch):
    """The keyword leg runs on another thread from the start of an arrival, so the two take the
    longer of their times, not the sum; the subscribers then read its matches as before."""
    match.subscribe(world, store, "pt1", "k1", "daily", 5, 10)
    s = match.save_search(world, store, "nss", {"text": "recycling", "k": 10}, "daily", 5)
    checking = threading.Event()
    overlapped = []
    keyword_search, reach = world.backend.keyword_search, match.reach_searches

    def slow_leg(*a, **kw):
        overlapped.append(checking.wait(timeout=5))     # False if the check waits for this leg
        return keyword_search(*a, **kw)

    def check(*a, **kw):
        checking.set()
        return reach(*a, **kw)
    monkeypatch.setattr(world.backend, "keyword_search", slow_leg)
    monkeypatch.setattr(match, "reach_searches", check)
    _add(world, store, profile("pl1", "PL", "recycling"))
    assert overlapped[0] is True
    assert [a.newcomer for a in store.alerts("profile", "pt1")] == ["pl1"]
    assert [a.newcomer for a in store.alerts("search", s.id)] == ["pl1"]
