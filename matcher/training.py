"""Fitting the learned ranking: grouped cross-validation across datasets, then one fit on all."""
from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from matcher.evaluation import METRICS, Query, score, training_rows
from matcher.features import FEATURES, Teachers, pair_features
from matcher.model import Model
from matcher.ranking import typical_hubs

C = 0.1          # inverse L2 strength; 0.01-10 moved nDCG@10 by under 0.02 on the dev sets
# How much each dataset counts in a partner-model fit, relative to a real-project set (1.0).
# The generated set counts a quarter: of 1, 0.5, 0.25 and 0.1 it gives the highest sum of both
# sets' cross-validated nDCG@10 (docs/quality.md, "Fitting without fooling ourselves").
SET_WEIGHTS = {"evaldev": 0.25}


def fit(x: np.ndarray, y: np.ndarray, features: tuple[str, ...] = FEATURES, c: float = C,
        provenance: dict | None = None, weight: np.ndarray | None = None) -> Model:
    """Logistic regression on standardised features."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    lr = LogisticRegression(C=c, max_iter=5000).fit((x - mean) / scale, y, sample_weight=weight)
    return Model(tuple(features), mean, scale, lr.coef_[0].copy(), float(lr.intercept_[0]), provenance or {})


def cross_validate(sets: dict[str, list[Query]], groups: dict[str, dict[str, str]], folds: int = 5,
                   features: tuple[str, ...] = FEATURES, modes: tuple[str, ...] = ("model", "full"),
                   c: float = C, weights: dict[str, float] | None = None) -> dict[str, dict[str, dict[str, list[float]]]]:
    """Grouped k-fold over the union of `sets`: a fold holds whole groups (projects), so no
    model is scored on pairs it was fitted on. Returns set -> mode -> metric -> one value per fold."""
    items = [(name, q) for name, qs in sets.items() for q in qs]
    keys = np.array(fold_keys(items, groups))
    out = {name: {m: {k: [] for k in METRICS} for m in modes} for name in sets}
    for train, test in GroupKFold(folds).split(items, groups=keys):
        x, y, w = balanced_rows([items[i] for i in train], features, weights)
        model = fit(x, y, features, c, weight=w)
        for name in sets:
            held = [items[i][1] for i in test if items[i][0] == name]
            if not held:
                continue
            for mode in modes:
                for k, v in score(held, mode, model).items():
                    out[name][mode][k].append(v)
    return out


def fold_keys(items: list[tuple[str, Query]], groups: dict[str, dict[str, str]]) -> list[str]:
    """The group each (set name, query) item is folded by: its dataset and project. Sets of one
    dataset (`<dataset>/<search field>`) share them, so a project's searches by title and by
    interests are held out together, never one fitted on while the other is scored."""
    return [f"{name.partition('/')[0]}:{groups[name].get(q.qid, q.qid)}" for name, q in items]


def balanced_rows(items: list[tuple[str, Query]], features: tuple[str, ...],
                  weights: dict[str, float] | None = None):
    """Training rows of (set name, query) items, weighted so that every set counts as much as
    any other, times its entry in `weights` (default 1): the generated set holds three times
    the real one's queries and would otherwise teach the model its generator."""
    xs, ys, ws = [], [], []
    names = sorted({name for name, _ in items})
    for name in names:
        x, y = training_rows([q for n, q in items if n == name], features)
        share = set_weight(name, weights)
        xs.append(x), ys.append(y), ws.append(np.full(len(y), share / max(1, len(y))))
    w = np.concatenate(ws)
    return np.concatenate(xs), np.concatenate(ys), w * len(w) / len(names)


def set_weight(name: str, weights: dict[str, float] | None) -> float:
    """A set's entry in `weights`; a set measured among a background is named
    `<dataset>+<background>` and counts as its dataset does."""
    return (weights or {}).get(name.partition("+")[0], 1.0)


def fit_all(sets: dict[str, list[Query]], cv: dict, features: tuple[str, ...] = FEATURES,
            c: float = C, weights: dict[str, float] | None = None) -> Model:
    """One model on every query of every set, with its provenance (data, date, CV scores); a
    partner model also gets its small-index weights (`as_in_small_index`)."""
    x, y, w = balanced_rows([(name, q) for name, qs in sets.items() for q in qs], features, weights)
    summary = {name: {m: {k: round(float(np.mean(v)), 4) for k, v in metrics.items()}
                      for m, metrics in per_mode.items()} for name, per_mode in cv.items()}
    model = fit(x, y, features, c, weight=w, provenance={
        "data": {name: len(qs) for name, qs in sets.items()}, "pairs": int(len(y)),
        "positives": int(y.sum()),
        "weighting": {name: set_weight(name, weights) for name in sets},
        "date": dt.date.today().isoformat(), "c": c, "cross_validation": summary})
    model = dataclasses.replace(model, hubness=mean_hubness([q for qs in sets.values() for q in qs]))
    if tuple(features) != FEATURES:      # the search model ranks no partner lists
        return model
    small = {name: [as_in_small_index(q, model) for q in qs] for name, qs in sets.items()}
    x, y, w = balanced_rows([(name, q) for name, qs in small.items() for q in qs], features, weights)
    return dataclasses.replace(model, small=fit(x, y, features, c, weight=w))


def as_in_small_index(q: Query, model: Model) -> Query:
    """A partner query with its pairs' features as an index too small to measure hubness and
    whitening computes them (matcher/ranking.py, MIN_REFERENCE), from `model`'s typical ones."""
    c = q.cands
    dim = c.pool.vecs.shape[1]
    feats = pair_features(Teachers.from_records([c.me], dim), c.pool, typical_hubs(model, 1, dim),
                          typical_hubs(model, len(c.pool), dim))
    return dataclasses.replace(q, cands=dataclasses.replace(c, feats={k: v[0] for k, v in feats.items()}))


def mean_hubness(queries: list[Query]) -> dict[str, float]:
    """Per unit kind, the mean of a pair's cosine less its hubness-discounted cosine over every
    candidate of `queries`: the mean hubness of the pairs a model is fitted on."""
    out = {}
    for kind in ("profile", "idea", "interests"):
        gaps = [np.asarray(q.cands.feats[kind]) - np.asarray(q.cands.feats[kind + "_hub"]) for q in queries]
        out[kind] = round(float(np.concatenate(gaps).mean()), 6) if gaps else 0.0
    return out
