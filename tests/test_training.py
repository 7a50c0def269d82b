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
