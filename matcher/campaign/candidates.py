"""Candidate edges for a cohort: every pair scored at once with the Matcher's own formula, top-K kept.

Why pairwise within the cohort, not `Matcher.partners` per participant: partners() searches the
whole index and keeps its best 200 profiles, most of them outside the cohort, so a cohort member
can miss compatible cohort partners; and 10,000 calls at tens of ms each take minutes. Scoring
the cohort pairwise is exact (no compatible pair is missed, so "unmatched" really means it) and
O(n^2) in numpy blocks: 10^8 pairs in a few seconds. The formula is ranking.pair_features with
use_kw=False, the same score Matcher.pair_score gives; tests/campaign pin that they agree.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from matcher import ranking
from matcher.backends.base import Record
from matcher.pool import pairing_rows

BLOCK = 256


def _bits(sets: list[set[int]], size: int) -> np.ndarray:
    """Sets of small integers as 0/1 float32 rows, shape (n, size): intersections become BLAS products."""
    out = np.zeros((len(sets), max(1, size)), np.float32)
    for i, s in enumerate(sets):
        out[i, list(s)] = 1.0
    return out


def _inter(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Size of a[i] & b[j] for a block of rows a against all rows b -> (r, n); exact in float32
    (counts stay below 2^24)."""
    return a @ b.T


class Cohort:
    """Column arrays of a cohort's profiles for vectorised compatibility and scores."""

    def __init__(self, records: list[Record]):
        self.records = records
        self.ids = [r.profile.id for r in records]
        n = len(records)
        profiles = [r.profile for r in records]
        codes: dict[str, int] = {}
        self.country = np.array([codes.setdefault(p.school.country, len(codes)) for p in profiles])
        schools: dict[str, int] = {}
        self.school = np.array([schools.setdefault(p.school.id, len(schools)) for p in profiles])
        self.open = np.array([p.open_to_partners for p in profiles])
        langs: dict[str, int] = {"en": 0}
        lang_sets = [{langs.setdefault(x, len(langs)) for x in p.languages} for p in profiles]
        self.lang = _bits(lang_sets, len(langs))
        self.lang_non_en = self.lang.copy()
        self.lang_non_en[:, 0] = 0.0
        subjects: dict[str, int] = {}
        self.subj = _bits([{subjects.setdefault(s, len(subjects)) for s in p.subjects} for p in profiles],
                          len(subjects))
        self.years = _bits([ranking._years(p) for p in profiles], 100)
        self.n_subj = self.subj.sum(axis=1)
        self.n_years = self.years.sum(axis=1)
        # Pairing rows (ideas, else every unit), stacked in owner order for block max-reductions.
        rows, owner = [], []
        for i, r in enumerate(records):
            for j in pairing_rows(r.units):
                rows.append(r.vectors[j])
                owner.append(i)
        dim = records[0].vectors.shape[1] if n and records[0].vectors.ndim == 2 else 1
        self.units = np.array(rows, np.float32).reshape(-1, dim)
        self.owner = np.array(owner, np.int64)
        self.has_units = np.zeros(n, bool)
        self.has_units[self.owner] = True
        self.start = np.searchsorted(self.owner, np.arange(n))  # first unit row of each owner

    def __len__(self) -> int:
        return len(self.ids)

    def best_cos(self, i0: int, i1: int) -> np.ndarray:
        """Best idea-pair cosine between rows i0..i1 and everyone, (i1-i0, n); -inf without ideas."""
        n = len(self)
        out = np.full((i1 - i0, n), -np.inf, np.float32)
        mine = np.flatnonzero(self.has_units[i0:i1]) + i0
        if not len(mine) or not len(self.units):
            return out
        lo, hi = self.start[mine[0]], self.start[mine[-1]] + np.count_nonzero(self.owner == mine[-1])
        sims = self.units[lo:hi] @ self.units.T                       # (my units, all units)
        col_owners = np.flatnonzero(self.has_units)
        cols = np.maximum.reduceat(sims, self.start[col_owners], axis=1)
        row_starts = self.start[mine] - lo
        both = np.maximum.reduceat(cols, row_starts, axis=0)
        out[np.ix_(mine - i0, col_owners)] = both
        return out

    def block(self, i0: int, i1: int, cal: ranking.Calibration,
              allow_same_country: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(compatible mask, reciprocal score) of rows i0..i1 against every participant."""
        sl = slice(i0, i1)
        shared_lang = _inter(self.lang[sl], self.lang)
        shared_years = _inter(self.years[sl], self.years)
        ok = (shared_lang > 0) & (shared_years > 0)
        ok &= self.school[sl, None] != self.school[None, :]
        if not allow_same_country:
            ok &= self.country[sl, None] != self.country[None, :]
        ok &= self.open[sl, None] & self.open[None, :]
        ok[np.arange(i1 - i0), np.arange(i0, i1)] = False
        sem = cal.array(self.best_cos(i0, i1).astype(np.float64))
        lang = ranking.lang_fit(_inter(self.lang_non_en[sl], self.lang_non_en), shared_lang)
        shared_subj = _inter(self.subj[sl], self.subj)
        with np.errstate(divide="ignore", invalid="ignore"):
            subj_ab = np.where(self.n_subj[sl, None] > 0, shared_subj / self.n_subj[sl, None], 0.0)
            subj_ba = np.where(self.n_subj[None, :] > 0, shared_subj / self.n_subj[None, :], 0.0)
            age_ab = np.where(self.n_years[sl, None] > 0, shared_years / self.n_years[sl, None], 0.0)
            age_ba = np.where(self.n_years[None, :] > 0, shared_years / self.n_years[None, :], 0.0)
        fit_ab = ranking.fit(sem, 0.0, subj_ab, age_ab, lang, use_kw=False)
        fit_ba = ranking.fit(sem, 0.0, subj_ba, age_ba, lang, use_kw=False)
        return ok, np.where(ok, ranking.harmonic(fit_ab, fit_ba), 0.0)


def top_k_edges(cohort: Cohort, cal: ranking.Calibration, k: int,
                progress: Callable[[float], None] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each participant's best `k` compatible partners, as deduplicated (a, b, score) arrays
    (the union of both sides' lists; a < b)."""
    n = len(cohort)
    A, B, S = [], [], []
    for i0 in range(0, n, BLOCK):
        i1 = min(n, i0 + BLOCK)
        ok, score = cohort.block(i0, i1, cal)
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
