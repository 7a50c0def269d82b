"""Fitting the learned ranking: how much each dataset counts."""
from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("sklearn")

from matcher.evaluation import Query  # noqa: E402
from matcher.training import balanced_rows, fit  # noqa: E402

FEATS = ("profile", "idea")


def _query(qid: str, partner: str, others: int) -> Query:
    ids = [partner, *(f"{qid}-x{i}" for i in range(others))]
    rng = np.random.default_rng(len(qid))
    cands = SimpleNamespace(pool=SimpleNamespace(ids=ids),
                            feats={f: rng.random(len(ids)) for f in FEATS})
    return Query(qid, {partner: 2}, cands)


def _set_totals(name_a: str, name_b: str, weights: dict | None) -> tuple[float, float]:
    items = [(name_a, _query("a1", "pa", 9)), (name_a, _query("a2", "pb", 9)),
             (name_b, _query("b1", "pc", 39))]
    x, y, w = balanced_rows(items, FEATS, weights)
    assert len(x) == len(y) == len(w) == 10 + 10 + 40
    return float(w[:20].sum()), float(w[20:].sum())   # rows come set by set, in name order


def test_every_set_counts_the_same_whatever_its_size():
    a, b = _set_totals("made", "real", None)
    assert a == pytest.approx(b)


def test_a_weighted_set_counts_its_share():
    a, b = _set_totals("made", "real", {"made": 0.25})
    assert a == pytest.approx(0.25 * b)


def test_a_set_inside_a_background_keeps_its_datasets_weight():
    a, b = _set_totals("made+sample", "real+sample", {"made": 0.25})
    assert a == pytest.approx(0.25 * b)


def test_fit_learns_the_sign_of_a_telling_feature():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = x[:, 0] > 0.5
    model = fit(x, y, FEATS)
    assert model.coef[0] > 0 and abs(model.coef[1]) < model.coef[0] / 4


def test_the_fitted_model_keeps_the_mean_hubness_of_its_pairs():
    """A model that reads no `profile_hub` still knows the profile hubness its pairs had, which
    the scorer gives every teacher of an index too small to measure it."""
    from matcher.model import Model
    from matcher.ranking import typical_hubness
    from matcher.training import fit_all
    rng = np.random.default_rng(1)
    queries = []
    for i, hub in enumerate((0.8, 0.9)):
        ids = [f"p{i}", *(f"q{i}-x{j}" for j in range(19))]
        cos = {k: rng.uniform(0.8, 0.95, len(ids)) for k in ("profile", "idea", "interests")}
        feats = {**cos, **{k + "_hub": v - hub for k, v in cos.items()}}
        queries.append(Query(f"q{i}", {f"p{i}": 2}, SimpleNamespace(pool=SimpleNamespace(ids=ids), feats=feats)))
    model = fit_all({"real": queries}, {}, features=FEATS)
    assert model.hubness == pytest.approx({"profile": 0.85, "idea": 0.85, "interests": 0.85})
    again = Model.from_dict(model.to_dict())
    assert typical_hubness(again) == pytest.approx(model.hubness)
    assert again.fingerprint() == model.fingerprint()


def test_the_small_index_weights_travel_with_the_model_and_name_it():
    """`small` survives save and load, and other small-index weights make another fingerprint."""
    from matcher.model import Model
    rng = np.random.default_rng(2)
    x = rng.normal(size=(200, 2))
    main, small = fit(x, x[:, 0] > 0, FEATS), fit(x, x[:, 1] > 0, FEATS)
    model = Model(main.features, main.mean, main.scale, main.coef, main.intercept, small=small)
    again = Model.from_dict(model.to_dict())
    assert again.small is not None and np.allclose(again.small.coef, small.coef)
    assert again.fingerprint() == model.fingerprint() != main.fingerprint()
    other = Model(main.features, main.mean, main.scale, main.coef, main.intercept, small=main)
    assert other.fingerprint() != model.fingerprint()


def test_a_projects_searches_by_title_and_by_interests_share_a_fold():
    from matcher.training import fold_keys
    groups = {"pd/title": {"a": "g1", "b": "g1"}, "pd/interests": {"a": "g1", "b": "g1"}, "ed/title": {"a": "g1"}}
    items = [("pd/title", _query("a", "b", 1)), ("pd/interests", _query("a", "b", 1)),
             ("pd/interests", _query("b", "a", 1)), ("ed/title", _query("a", "x", 1))]
    keys = fold_keys(items, groups)
    assert keys[0] == keys[1] == keys[2] != keys[3]


def test_a_datasets_queries_alone_and_among_a_background_share_a_fold():
    from matcher.training import fold_keys
    groups = {"pd": {"a": "g1", "b": "g2"}, "pd+sample": {"a": "g1", "b": "g2"}}
    items = [("pd", _query("a", "x", 1)), ("pd+sample", _query("a", "x", 1)), ("pd+sample", _query("b", "x", 1))]
    keys = fold_keys(items, groups)
    assert keys[0] == keys[1] != keys[2]


def test_pair_rows_put_each_partner_against_every_other_candidate():
    from matcher.training import pair_rows
    q = _query("a1", "pa", 3)
    d, w = pair_rows([("real+sample", q)], FEATS)
    x = np.stack([q.cands.feats[f] for f in FEATS], axis=1)
    assert np.allclose(d, x[0] - x[1:])                       # the partner is the pool's first
    assert w == pytest.approx(np.full(3, 1 / 3))
    d, w = pair_rows([("made+sample", _query("b1", "pb", 9)), ("real+sample", q)], FEATS, {"made": 0.25})
    assert len(d) == 9 + 3 and w[:9].sum() == pytest.approx(0.25 * w[9:].sum())


def test_sets_among_a_background_teach_the_order_and_sets_alone_the_probability():
    """Among a background the partner is told apart by the second feature only; alone, the first
    feature tells it. The fitted model weighs both, and its intercept comes from the sets alone:
    their mean probability stays near their share of partners."""
    from matcher.training import fit_items
    rng = np.random.default_rng(3)

    def query(qid: str, telling: int) -> Query:
        ids = [f"{qid}-p", *(f"{qid}-x{i}" for i in range(19))]
        feats = {f: rng.normal(size=len(ids)) for f in FEATS}
        feats[FEATS[telling]][0] += 3.0
        return Query(qid, {f"{qid}-p": 2}, SimpleNamespace(pool=SimpleNamespace(ids=ids), feats=feats))
    alone = [("real", query(f"a{i}", 0)) for i in range(40)]
    among = [("real+sample", query(f"b{i}", 1)) for i in range(40)]
    pointwise, both = fit_items(alone, FEATS), fit_items(alone + among, FEATS)
    assert abs(pointwise.coef[1]) < pointwise.coef[0] / 4
    assert both.coef[0] > 0 and both.coef[1] > both.coef[0] / 4
    x = np.stack([np.concatenate([q.cands.feats[f] for _, q in alone]) for f in FEATS], axis=1)
    assert both.probability({f: x[:, i] for i, f in enumerate(FEATS)}).mean() == pytest.approx(1 / 20, abs=0.03)
