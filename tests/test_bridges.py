"""Partners of partners: paths through a teacher's best candidates raise a candidate's probability."""
from __future__ import annotations

import numpy as np
import pytest

from matcher import bridges
from matcher.evaluation import Query, ranking_of
from tests.fakes import profile


def test_a_path_raises_a_probability_and_keeps_it_one():
    prob = np.array([0.9, 0.2, 0.0, 1.0])
    paths = np.array([0.5, 0.6, 1.0, 0.3])
    out = bridges.combine(prob, paths, weight=0.5)
    assert out == pytest.approx([1 - 0.1 * 0.75, 1 - 0.8 * 0.7, 0.5, 1.0])
    assert (out >= prob).all() and (out <= 1.0).all()
    assert bridges.combine(prob, np.zeros(4)) == pytest.approx(prob)


def test_paths_run_through_the_best_linked_teachers_and_never_through_a_candidate_itself():
    prob = np.array([0.8, 0.1, 0.6, 0.05, 0.3])
    at = np.array([4, 0, 2])                      # linked teachers, not in order of probability
    link_prob = np.array([[0.0, 0.9, 0.1, 0.2, 1.0],     # teacher 4 with the pool
                          [1.0, 0.5, 0.4, 0.1, 0.3],     # teacher 0
                          [0.2, 0.1, 1.0, 0.7, 0.6]])    # teacher 2
    # the two best by prob are 0 (0.8) and 2 (0.6); teacher 4 (0.3) is left out
    expect = [0.6 * 0.2, max(0.8 * 0.5, 0.6 * 0.1), 0.8 * 0.4, max(0.8 * 0.1, 0.6 * 0.7), max(0.8 * 0.3, 0.6 * 0.6)]
    assert bridges.path_strength(prob, at, link_prob, n=2) == pytest.approx(expect)
    assert bridges.path_strength(prob, at[:0], link_prob[:0]) == pytest.approx(np.zeros(5))


def test_a_candidate_close_to_the_teachers_best_match_gains_more_than_one_far_from_it(make_matcher):
    both = [{"title": t, "text": f"A project about {t} with pupils"} for t in ("recycling", "robots")]
    m = make_matcher([profile("a", "PT", "recycling"), profile("b", "RO", ideas=both),
                      profile("c", "DE", "robots"), profile("d", "FR", "music"), profile("e", "ES", "recycling")])
    c = m.candidates(m.record("a"))
    at = {pid: i for i, pid in enumerate(c.pool.ids)}
    assert [c.pool.ids[i] for i in c.links.at[:2]] == ["e", "b"]   # the best matches by the pair model
    assert c.prob == pytest.approx(bridges.bridged(c.direct, c.links.at, m.scorer.probability(c.links.feats)))
    gain = c.prob - c.direct
    assert c.direct[at["c"]] < 1e-6 and gain[at["c"]] > 0.01         # robots, reached through b
    assert gain[at["d"]] < 1e-6 and (gain >= 0).all()                 # music, reached through nobody


def test_a_model_fitted_elsewhere_ranks_with_its_own_paths(make_matcher):
    m = make_matcher([profile("a", "PT", "recycling"), profile("b", "RO", "recycling robots"),
                      profile("c", "DE", "robots"), profile("d", "FR", "music"), profile("e", "ES", "robots music")])
    c = m.candidates(m.record("a"), links=10)
    assert len(c.links.at) == len(c.pool) == 4                 # every candidate linked, for other models
    q = Query("a", {"c": 2}, c)
    small = m.scorer.model.small                               # what an index this small scores with
    assert ranking_of(q, "model", small) == ranking_of(q, "model")
    flat = small.__class__(small.features, small.mean, small.scale, small.coef * 0.0, small.intercept, {})
    keys = bridges.bridged(flat.probability(c.feats), c.links.at, flat.probability(c.links.feats))
    assert keys == pytest.approx(np.full(4, keys[0]))         # one probability everywhere: ties
    assert ranking_of(q, "model", flat) == c.pool.ids          # ... keep the pool's order
