"""The one ranking: pair features, calibration, reciprocal fusion, responsiveness and diversity.

Every backend only returns candidates; the order users see is decided here, so the
embedded and the OpenSearch backends rank the same candidates the same way.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from matcher.backends.base import Record
from matcher.pool import EN, Pool, pairing_rows, popcount
from models import Profile

# Weights of one direction's fit (what the asking teacher wants from a partner), chosen on
# the development set (docs/quality.md): comparable pupil ages matter as much as official
# advice says; BM25 across languages mostly adds noise, so it mainly feeds candidates.
W_SEM, W_KW, W_SUBJ, W_AGE, W_LANG = 0.45, 0.02, 0.20, 0.33, 0.0


@dataclass
class Calibration:
    """Cosine statistics of unrelated pairs in this index; e5 cosines sit in a narrow band,
    so similarity is used as a z-score against them, never as a fixed cut-off."""
    mean: float = 0.80
    std: float = 0.05

    MIDPOINT = 2.5  # the z that counts as half similar; same-theme pairs sit well above

    def __call__(self, cos: float) -> float:
        z = (cos - self.mean) / max(self.std, 1e-4)
        return 1.0 / (1.0 + math.exp(-(z - self.MIDPOINT)))

    def array(self, cos: np.ndarray) -> np.ndarray:
        """The same curve over an array of cosines; -inf (a side without ideas) gives 0."""
        z = (cos - self.mean) / max(self.std, 1e-4)
        return np.where(np.isfinite(cos),
                        1.0 / (1.0 + np.exp(-(np.nan_to_num(z, neginf=-50.0) - self.MIDPOINT))), 0.0)

    @classmethod
    def from_vectors(cls, vecs: np.ndarray) -> "Calibration":
        if len(vecs) < 20:
            return cls()
        sims = vecs @ vecs.T
        off = sims[~np.eye(len(vecs), dtype=bool)]
        return cls(float(off.mean()), float(off.std()))


@dataclass
class PairFeatures:
    cos: float = 0.0              # best idea-pair cosine
    best_pair: tuple[int, int] = (-1, -1)
    sem: float = 0.0              # calibrated
    kw: float = 0.0               # BM25 normalised by the best in the pool
    ages: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    fit_ab: float = 0.0           # how well B fits what A asks for
    fit_ba: float = 0.0
    score: float = 0.0


def shared_ages(a: Profile, b: Profile) -> list[str]:
    out = []
    for x in a.age_groups:
        for y in b.age_groups:
            lo, hi = max(x.from_, y.from_), min(x.to, y.to)
            if lo <= hi:
                out.append(f"{lo}-{hi}")
    return list(dict.fromkeys(out))


def _years(p: Profile) -> set[int]:
    """Pupil ages taught, as a set (the campaign's vectorised scorer builds bitmasks from it)."""
    return {y for y in range(100) if p.years >> y & 1}


def compatible(a: Profile, b: Profile, allow_same_country: bool = False) -> bool:
    """The default hard constraints, symmetric."""
    return (a.id != b.id and a.school.id != b.school.id
            and (allow_same_country or a.school.country != b.school.country)
            and bool(set(a.languages) & set(b.languages))
            and bool(a.years & b.years)
            and a.open_to_partners and b.open_to_partners)


def fit(sem, kw, subj, age, lang, use_kw: bool = True):
    """One direction's fit from its parts, each in [0, 1]; scalars or numpy arrays alike.
    The only copy of the weights' formula: pairs, candidate pools and campaign cohorts use it."""
    kw_w = W_KW if use_kw else 0.0
    total = W_SEM + kw_w + W_SUBJ + W_AGE + W_LANG
    return (W_SEM * sem + kw_w * kw + W_SUBJ * subj + W_AGE * age + W_LANG * lang) / total


def direction_fit(a: Profile, b: Profile, f: PairFeatures, use_kw: bool = True) -> float:
    """How well `b` fits what `a` asks for: a's subjects, a's pupils' ages, a's languages."""
    subj = len(set(a.subjects) & set(b.subjects)) / len(a.subjects) if a.subjects else 0.0
    ya = a.years
    age = (ya & b.years).bit_count() / ya.bit_count() if ya else 0.0
    lang = float(lang_fit(len([x for x in f.languages if x != "en"]), len(f.languages)))
    return fit(f.sem, f.kw, subj, age, lang, use_kw)


def lang_fit(non_en, shared):
    """The language part of a fit from counts of shared languages (scalars or arrays): sharing
    one other than English matters more to the teachers who ask for it."""
    return np.where(np.asarray(non_en) > 0, 1.0, np.where(np.asarray(shared) > 0, 0.6, 0.0))


def harmonic(x, y):
    """Harmonic mean of two fits, 0 when either is 0 (scalars or arrays)."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((x > 0) & (y > 0), 2 * x * y / (x + y), 0.0)


def best_pairs(a: Record, others: list[Record]) -> list[tuple[float, int, int]]:
    """For each record in `others`, (best idea-pair cosine, row in a, row in it), in one product."""
    ra = pairing_rows(a.units)
    rows = [pairing_rows(b.units) for b in others]
    if not ra or not others:
        return [(0.0, -1, -1)] * len(others)
    stacked = [b.vectors[r] for b, r in zip(others, rows) if r]
    if not stacked:
        return [(0.0, -1, -1)] * len(others)
    sims = a.vectors[ra] @ np.vstack(stacked).T           # (ideas of a, all candidate rows)
    out, at = [], 0
    for r in rows:
        if not r:
            out.append((0.0, -1, -1))
            continue
        block = sims[:, at:at + len(r)]
        i, j = np.unravel_index(int(np.argmax(block)), block.shape)
        out.append((float(block[i, j]), ra[i], r[j]))
        at += len(r)
    return out


def pair_features(a: Record, b: Record, cal: Calibration, kw: float = 0.0,
                  use_kw: bool = True, best: tuple[float, int, int] | None = None) -> PairFeatures:
    f = PairFeatures(kw=kw)
    cos, i, j = best if best is not None else best_pairs(a, [b])[0]
    if i >= 0:
        f.cos, f.best_pair = cos, (i, j)
        f.sem = cal(cos)
    f.languages = [x for x in a.profile.languages if x in b.profile.languages]
    f.subjects = [s for s in a.profile.subjects if s in b.profile.subjects]
    f.ages = shared_ages(a.profile, b.profile)
    f.fit_ab = direction_fit(a.profile, b.profile, f, use_kw)
    f.fit_ba = direction_fit(b.profile, a.profile, f, use_kw)
    f.score = float(harmonic(f.fit_ab, f.fit_ba))
    return f


@dataclass
class PoolScores:
    """Features of every candidate in a pool against one asking profile, as arrays."""
    cos: np.ndarray               # best idea-pair cosine (0 when either side has no unit)
    sem: np.ndarray
    kw: np.ndarray
    shared_subjects: np.ndarray
    fit_ab: np.ndarray
    fit_ba: np.ndarray
    score: np.ndarray             # reciprocal: harmonic mean of the two fits


def score_pool(me: Pool, pool: Pool, cal: Calibration, kw: np.ndarray | None = None,
               use_kw: bool = True) -> PoolScores:
    """pair_features for a whole pool at once: `me` is a one-row pool, `kw` the normalised BM25."""
    n = len(pool)
    kw = np.zeros(n) if kw is None else np.asarray(kw, np.float64)
    cos = np.zeros(n)
    if len(me.vecs) and len(pool.vecs):
        best_row = (me.vecs @ pool.vecs.T).max(axis=0)                     # per candidate row
        owners, starts = np.unique(pool.owner, return_index=True)
        cos[owners] = np.maximum.reduceat(best_row, starts)
        has = np.zeros(n, bool)
        has[owners] = True
        sem = cal.array(np.where(has, cos, -np.inf))
    else:
        sem = np.zeros(n)
    shared_subj = popcount(me.subjects[0] & pool.subjects)
    shared_years = popcount(me.ages[0] & pool.ages)
    lang = lang_fit(popcount(me.langs[0] & pool.langs & ~EN), popcount(me.langs[0] & pool.langs))
    my_subj, my_years = int(popcount(me.subjects)[0]), int(popcount(me.ages)[0])
    their_subj, their_years = popcount(pool.subjects), popcount(pool.ages)
    with np.errstate(divide="ignore", invalid="ignore"):
        fit_ab = fit(sem, kw, shared_subj / my_subj if my_subj else 0.0,
                     shared_years / my_years if my_years else 0.0, lang, use_kw)
        fit_ba = fit(sem, kw, np.where(their_subj > 0, shared_subj / their_subj, 0.0),
                     np.where(their_years > 0, shared_years / their_years, 0.0), lang, use_kw)
    return PoolScores(cos, sem, kw, shared_subj, fit_ab, fit_ba, harmonic(fit_ab, fit_ba))


def responsiveness(pool: Pool, today: int) -> np.ndarray:
    """A factor in [0.61, 1.05] per candidate (`today` in days since 1970): recent activity and
    answering raise; floods of unanswered requests lower; a profile nobody has contacted yet
    gets a small cold-start lift."""
    days = np.maximum(0, today - pool.active)
    factor = np.where(pool.active > 0, 0.85 + 0.15 * np.exp(-days / 180), 0.9)
    factor = factor * np.where(np.isnan(pool.rate), 1.0, 0.9 + 0.1 * np.nan_to_num(pool.rate))
    flooded = np.maximum(0.8, 1.0 - 0.02 * (pool.received - pool.answered))
    return factor * np.where(pool.received == 0, 1.05,                 # cold start: fair exposure
                             np.where(pool.received > 5, flooded, 1.0))  # already flooded: demote


def diversify(items: list, country_of, k: int, share: float = 1 / 3) -> list:
    """Reorder so no country has more than `share` of the first `k` slots when others exist."""
    cap = max(1, math.floor(k * share + 1e-9))
    out, deferred, counts = [], [], {}
    for item in items:
        if len(out) == k:
            break
        c = country_of(item)
        if counts.get(c, 0) >= cap:
            deferred.append(item)
            continue
        counts[c] = counts.get(c, 0) + 1
        out.append(item)
    out += deferred[:k - len(out)]  # too few other countries: the best deferred fill the page
    chosen = {id(it) for it in out}
    return out + [it for it in items if id(it) not in chosen]
