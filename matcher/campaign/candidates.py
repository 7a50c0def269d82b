"""Candidate edges for a cohort: every pair scored at once with the Matcher's own model, top-K kept.

Why pairwise within the cohort, not `Matcher.partners` per participant: partners() searches the
whole index and keeps its best candidates, most of them outside the cohort, so a cohort member
can miss compatible cohort partners; and 10,000 calls at tens of ms each take minutes. Scoring
the cohort pairwise is exact (no compatible pair is missed, so "unmatched" really means it) and
O(n^2) in numpy blocks. The features and the model are the ones every ranking uses
(matcher/features.py, matcher/model.py); tests/campaign pin that a block's score equals
Matcher.pair_score.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from matcher import features
from matcher.backends.types import Record
from matcher.ranking import Scorer

BLOCK = 128


class Cohort:
    """A cohort's teachers as feature columns, scored block by block against all of them."""

    def __init__(self, records: list[Record], scorer: Scorer):
        self.records, self.scorer = records, scorer
        self.ids = [r.profile.id for r in records]
        self.teachers = features.Teachers.from_records(records, scorer.backend.dim)
        schools: dict[str, int] = {}
        self.school = np.array([schools.setdefault(r.profile.school.id, len(schools)) for r in records])
        self.open = np.array([r.profile.open_to_partners for r in records], bool)
        self.hubs = scorer.hubs(self.teachers)

    def __len__(self) -> int:
        return len(self.ids)

    def best_cos(self, i0: int, i1: int) -> np.ndarray:
        """Best idea-pair cosine between rows i0..i1 and everyone, (i1-i0, n) (near misses)."""
        return features.unit_sims(self.teachers.take(np.arange(i0, i1)), self.teachers)["idea"]

    def block(self, i0: int, i1: int, allow_same_country: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(compatible mask, learned score) of rows i0..i1 against every participant."""
        at = np.arange(i0, i1)
        a = self.teachers.take(at)
        ok = features.compatible(a, self.teachers, allow_same_country)
        ok &= self.school[at, None] != self.school[None, :]
        ok &= self.open[at, None] & self.open[None, :]
        ok[np.arange(i1 - i0), at] = False
        hubs_a = features.take_hubs(self.teachers, self.hubs, at)
        prob = self.scorer.probability(features.pair_features(a, self.teachers, hubs_a, self.hubs))
        return ok, np.where(ok, prob, 0.0)

    def scores(self, i: int, js) -> np.ndarray:
        """The learned score of row i against distinct rows `js` only (0 where incompatible): the pairs a
        top-K list left out, without scoring i against the whole cohort."""
        js = np.asarray(js, np.int64)
        a, b = self.teachers.take(np.array([i])), self.teachers.take(js)
        ok = features.compatible(a, b)[0]
        ok &= (self.school[js] != self.school[i]) & self.open[js] & self.open[i] & (js != i)
        hubs_a = features.take_hubs(self.teachers, self.hubs, [i])
        hubs_b = features.take_hubs(self.teachers, self.hubs, js)
        prob = self.scorer.probability(features.pair_features(a, b, hubs_a, hubs_b))[0]
        return np.where(ok, prob, 0.0)


def top_k_edges(cohort: Cohort, k: int,
                progress: Callable[[float], None] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each participant's best `k` compatible partners, as deduplicated (a, b, score) arrays
    (the union of both sides' lists; a < b)."""
    n = len(cohort)
    A, B, S = [], [], []
    for i0 in range(0, n, BLOCK):
        i1 = min(n, i0 + BLOCK)
        ok, score = cohort.block(i0, i1)
        score = np.where(ok, score, -1.0)
        kk = min(k, n - 1) if n > 1 else 0
        if kk <= 0:
            break
        idx = np.argpartition(-score, kk - 1, axis=1)[:, :kk] if kk < n else np.argsort(-score, axis=1)
        rows = np.repeat(np.arange(i0, i1), idx.shape[1])
        cols = idx.ravel()
        vals = score[rows - i0, cols]
        keep = vals > 0
        A.append(np.minimum(rows[keep], cols[keep]))
        B.append(np.maximum(rows[keep], cols[keep]))
        S.append(vals[keep])
        if progress:
            progress(i1 / n)
    if not A:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    a, b, s = np.concatenate(A), np.concatenate(B), np.concatenate(S)
    key = a * n + b
    _, first = np.unique(key, return_index=True)
    return a[first], b[first], s[first]
