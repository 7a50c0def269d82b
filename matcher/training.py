"""Fitting the learned ranking: grouped cross-validation across datasets, then one fit on all.

A dataset comes alone (its own profiles) or among a background of unjudged teachers, named
`<dataset>+<background>`. Sets alone teach the model to score one candidate at a time, which
calibrates its probability; sets among a background teach it to rank each real partner above
every other candidate of its pool, the order a large index asks of it.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Callable

import numpy as np
from scipy.optimize import brentq
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from matcher.evaluation import METRICS, Query, score, training_rows
from matcher.features import FEATURES, Teachers, pair_features, query_teacher, search_features
from matcher.model import Model
from matcher.ranking import typical_hubs

C = 0.1          # inverse L2 strength; 0.01-10 moved nDCG@10 by under 0.02 on the dev sets
# How much each dataset counts in a partner-model fit, relative to a real-project set (1.0).
# The generated set measures its generator, so the real set's cross-validated nDCG@10 sets its
# weight: of 0, 0.05, 0.1, 0.15 and 0.25, a twentieth gives the real set's highest, alone and
# among the 2,000-teacher sample, and no other beats it on any fold assignment (docs/quality.md,
# "Fitting without fooling ourselves"). On the real set it is within noise of a fit on that set
# alone, and it keeps more of the generated set's figures.
SET_WEIGHTS = {"evaldev": 0.05}
# The share of a partner-model fit that ranks pairs among a background (the rest scores the sets
# alone). Under 3 random grouped fold assignments, with the generated set at a quarter, 0.7
# against none (pointwise only), nDCG@10:
# projects-dev 0.768 -> 0.759 alone, 0.689 -> 0.708 among the 2,000-teacher sample; evaldev
# 0.588 -> 0.599 and 0.371 -> 0.384 (0.5: 0.759, 0.705, 0.598, 0.383; docs/quality.md).
PAIRWISE_SHARE = 0.7


def fit(x: np.ndarray, y: np.ndarray, features: tuple[str, ...] = FEATURES, c: float = C,
        provenance: dict | None = None, weight: np.ndarray | None = None,
        pairs: tuple[np.ndarray, np.ndarray] | None = None) -> Model:
    """Logistic regression on standardised features. With `pairs` (differences of two candidates'
    features, the better one first, and their weights), PAIRWISE_SHARE of the fit orders each
    pair and the rest scores the rows of `x`, which alone set the intercept."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    xs = (x - mean) / scale
    if pairs is None or not len(pairs[0]):
        lr = LogisticRegression(C=c, max_iter=5000).fit(xs, y, sample_weight=weight)
        return Model(tuple(features), mean, scale, lr.coef_[0].copy(), float(lr.intercept_[0]), provenance or {})
    d, dw = pairs[0] / scale, pairs[1]
    w = np.ones(len(y)) if weight is None else weight
    # Each pair in both orders, so the pairs' part has no intercept to learn; the last column
    # is an intercept on the rows of `x` only, set again unpenalised once the weights are fitted.
    rows = np.vstack([np.c_[xs, np.ones(len(xs))], np.c_[d, np.zeros(len(d))], np.c_[-d, np.zeros(len(d))]])
    labels = np.r_[y, np.ones(len(d)), np.zeros(len(d))]
    half = PAIRWISE_SHARE / 2 * dw / dw.sum()
    weights = np.r_[(1 - PAIRWISE_SHARE) * w / w.sum(), half, half]
    lr = LogisticRegression(C=c, max_iter=5000, fit_intercept=False).fit(
        rows, labels, sample_weight=weights * len(weights))
    coef = lr.coef_[0][:-1].copy()
    return Model(tuple(features), mean, scale, coef, calibrated_intercept(xs @ coef, y, w), provenance or {})


def calibrated_intercept(s: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """The unpenalised intercept of a logistic model with scores `s` fixed: the one at which the
    rows' weighted mean probability is their weighted share of positives."""
    gap = lambda b: float(np.sum(w * (1 / (1 + np.exp(-(s + b))) - y)))  # noqa: E731
    return float(brentq(gap, -60.0, 60.0))


def dataset_of(name: str) -> str:
    """The dataset a set's name starts with: sets are named `<dataset>`, `<dataset>/<search
    field>` or `<dataset>+<background>` (its queries ranked among a background)."""
    return name.partition("/")[0].partition("+")[0]


def among_background(name: str) -> bool:
    """Whether a set's queries were ranked among a background (`<dataset>+<background>`)."""
    return "+" in name.partition("/")[0]


def fit_items(items: list[tuple[str, Query]], features: tuple[str, ...] = FEATURES, c: float = C,
              weights: dict[str, float] | None = None, provenance: dict | None = None) -> Model:
    """A model fitted on (set name, query) items: the sets alone scored a candidate at a time,
    the sets among a background in pairs. Without a set alone, the background's sets are
    scored a candidate at a time. A `provenance` given gets the rows' and pairs' counts."""
    alone = [(name, q) for name, q in items if not among_background(name)]
    among = [(name, q) for name, q in items if among_background(name)]
    x, y, w = balanced_rows(alone or among, features, weights)
    pairs = pair_rows(among, features, weights) if alone and among else None
    if provenance is not None:
        provenance = {**provenance, "pairs": int(len(y)), "positives": int(y.sum()),
                      "pairwise_share": PAIRWISE_SHARE if pairs is not None else 0.0}
    return fit(x, y, features, c, provenance, w, pairs)


def cross_validate(sets: dict[str, list[Query]], groups: dict[str, dict[str, str]], folds: int = 5,
                   features: tuple[str, ...] = FEATURES, modes: tuple[str, ...] = ("model", "full"),
                   c: float = C, weights: dict[str, float] | None = None) -> dict[str, dict[str, dict[str, list[float]]]]:
    """Grouped k-fold over the union of `sets`: a fold holds whole groups (projects), so no
    model is scored on pairs it was fitted on. Returns set -> mode -> metric -> one value per fold."""
    items = [(name, q) for name, qs in sets.items() for q in qs]
    keys = np.array(fold_keys(items, groups))
    out = {name: {m: {k: [] for k in METRICS} for m in modes} for name in sets}
    for train, test in GroupKFold(folds).split(items, groups=keys):
        model = fit_items([items[i] for i in train], features, c, weights)
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
    dataset (`<dataset>/<search field>`, `<dataset>+<background>`) share them, so a project's
    searches by title and by interests, or its queries alone and among a background, are held
    out together, never one fitted on while the other is scored."""
    return [f"{dataset_of(name)}:{groups[name].get(q.qid, q.qid)}" for name, q in items]


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


def pair_rows(items: list[tuple[str, Query]], features: tuple[str, ...],
              weights: dict[str, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """For every query of `items`, the features of each top-grade partner less those of each
    other candidate of its pool (the asking teacher left out), and the pairs' weights: every
    query's pairs count the same within its set, and every set as `balanced_rows` counts it."""
    ds, ws = [], []
    for name in sorted({name for name, _ in items}):
        diffs = []
        for q in [q for n, q in items if n == name]:
            x, y = training_rows([q], features)
            if y.any() and not y.all():
                diffs.append((x[y][:, None, :] - x[~y][None, :, :]).reshape(-1, len(features)))
        if diffs:
            w = np.concatenate([np.full(len(d), 1.0 / len(d)) for d in diffs])
            ds.append(np.concatenate(diffs)), ws.append(w * set_weight(name, weights) / w.sum())
    if not ds:
        return np.zeros((0, len(features))), np.zeros(0)
    return np.concatenate(ds), np.concatenate(ws)


def set_weight(name: str, weights: dict[str, float] | None) -> float:
    """A set's entry in `weights`, by its dataset: a set among a background counts as its dataset does."""
    return (weights or {}).get(dataset_of(name), 1.0)


def fit_all(sets: dict[str, list[Query]], cv: dict, features: tuple[str, ...] = FEATURES,
            c: float = C, weights: dict[str, float] | None = None,
            small_index: Callable[[Query, Model], Query] | None = None) -> Model:
    """One model on every query of every set, with its provenance (data, date, CV scores). With
    `small_index` (`as_in_small_index`, or `search_as_in_small_index` with a partner model),
    which gives a query's features as an index too small to measure hubness and language
    directions computes them from the fitted model, also its small-index weights, fitted on the
    sets alone: an index that small has no background."""
    items = [(name, q) for name, qs in sets.items() for q in qs]
    alone = {name: qs for name, qs in sets.items() if not among_background(name)} or sets
    summary = {name: {m: {k: round(float(np.mean(v)), 4) for k, v in metrics.items()}
                      for m, metrics in per_mode.items()} for name, per_mode in cv.items()}
    model = fit_items(items, features, c, weights, provenance={
        "data": {name: len(qs) for name, qs in sets.items()},
        "weighting": {name: set_weight(name, weights) for name in sets},
        "date": dt.date.today().isoformat(), "c": c, "cross_validation": summary})
    model = dataclasses.replace(model, hubness=mean_hubness([q for qs in alone.values() for q in qs]))
    if small_index is None:
        return model
    small = [(name, small_index(q, model)) for name, qs in alone.items() for q in qs]
    x, y, w = balanced_rows(small, features, weights)
    return dataclasses.replace(model, small=fit(x, y, features, c, weight=w))


def as_in_small_index(q: Query, model: Model) -> Query:
    """A partner query with its pairs' features as an index too small to measure hubness and
    language directions computes them (matcher/ranking.py, MIN_REFERENCE), from `model`'s typical ones."""
    c = q.cands
    dim = c.pool.vecs.shape[1]
    feats = pair_features(Teachers.from_records([c.me], dim), c.pool, typical_hubs(model, 1, dim),
                          typical_hubs(model, len(c.pool), dim))
    return dataclasses.replace(q, cands=dataclasses.replace(c, feats={k: v[0] for k, v in feats.items()}))


def search_as_in_small_index(q: Query, partner: Model) -> Query:
    """A search with its candidates' features as an index too small to measure hubness and
    language directions computes them: every side `partner`'s typical hubness, and one `text_lang`
    (and `text_lang_z`) for every candidate. Without the language-neutral cosine to carry the
    topic, the search model's full weights rank a candidate lower the closer all its rows are to
    the text."""
    c = q.cands
    n, dim = len(c.pool), c.pool.vecs.shape[1]
    one = typical_hubs(partner, 1, dim)
    feats = search_features(query_teacher(c.q), c.pool, one, typical_hubs(partner, n, dim), one["lang"],
                            c.feats["bm25"])
    return dataclasses.replace(q, cands=dataclasses.replace(c, feats={k: v[0] for k, v in feats.items()}))


def mean_hubness(queries: list[Query]) -> dict[str, float]:
    """Per unit kind, the mean of a pair's cosine less its hubness-discounted cosine over every
    candidate of `queries`: the mean hubness of the pairs a model is fitted on; and under "lang"
    their mean language-neutral profile cosine."""
    out = {}
    for kind in ("profile", "idea", "interests"):
        gaps = [np.asarray(q.cands.feats[kind]) - np.asarray(q.cands.feats[kind + "_hub"]) for q in queries]
        out[kind] = round(float(np.concatenate(gaps).mean()), 6) if gaps else 0.0
    langs = [np.asarray(q.cands.feats["profile_lang"]) for q in queries if "profile_lang" in q.cands.feats]
    if langs:
        out["lang"] = round(float(np.concatenate(langs).mean()), 6)
    return out
