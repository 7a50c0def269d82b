"""The one ranking: hard constraints, the learned pair score, responsiveness and diversity.

Every backend only returns candidates; the order users see is decided here, so the
embedded and the OpenSearch backends rank the same candidates the same way.
"""
from __future__ import annotations

import itertools
import math
import threading

import numpy as np

from matcher import model as learned
from matcher.backends.base import SearchBackend
from matcher.backends.types import CandidateFilter, Record
from matcher.features import IDEA, INTERESTS, PROFILE, Teachers, hubness, pair_features, today_days
from matcher.neutral import (LanguageSpace, SpreadReference, language_neutral, language_space, neutral_profiles,
                             neutral_spread, spread_reference, without_directions)
from models import Profile

HUB_REFERENCE = 256           # reference teachers for hubness: a fixed spread of the index
# Teachers whose profile rows the language means and each teacher's spread of language-neutral
# cosines are measured on, of which the hubness reference is a spread: a mean row per language
# needs more rows than a mean cosine needs teachers, and a spread measured on 2,048 teachers
# rather than 256 ranks better on every dev set (docs/quality.md, Each teacher's own units).
LANG_REFERENCE = 2048
# Teachers whose hubness the scorer keeps; when full, the oldest quarter is forgotten, so a
# large index keeps most of what its recent queries measured.
HUB_CACHE = 200_000
# Below this many reference teachers the mean cosine measures a small index's few themes, not
# how close a text sits to everything: in four teachers, three on recycling, it would discount
# the recycling teachers below one on robots. Every teacher then gets the typical hubness and
# language-neutral cosine of the pairs the model was fitted on, and the model's small-index part,
# fitted on features computed that way, scores the pairs.
MIN_REFERENCE = 100
# How much of the index's mean row a vector query leaves out (docs/quality.md, Candidates).
CENTRING = 0.7
# What `Scorer.hubs` keeps per teacher: its hubness per unit kind and the mean and spread of its
# language-neutral cosines to the reference; then the mean and spread of each idea row's.
CACHED = ("profile", "idea", "interests", "lang_mean", "lang_sd")


def compatible(a: Profile, b: Profile, allow_same_country: bool = False) -> bool:
    """The default hard constraints, symmetric."""
    return (a.id != b.id and a.school.id != b.school.id
            and (allow_same_country or a.school.country != b.school.country)
            and bool(set(a.languages) & set(b.languages))
            and bool(a.years & b.years)
            and a.open_to_partners and b.open_to_partners)


class Scorer:
    """Scores pairs of teachers with the learned model.

    It keeps the index's hubness reference (a fixed spread of its teachers, drawn again when the
    index has grown or shrunk by a fifth), the directions its languages pull texts along
    (`language_space`) and what `neutral_spread` needs, both measured on a wider spread, and each
    scored teacher's hubness against the reference and spread against the wider one, until the
    teacher is written again."""

    def __init__(self, backend: SearchBackend, model: learned.Model | None = None):
        self.backend, self.model = backend, model or learned.load()
        self._lock = threading.Lock()
        self._ref: Teachers | None = None
        self._ref_count = -1
        self._hubs: dict[str, tuple[float, ...]] = {}
        self._mean: np.ndarray | None = None
        self._space: LanguageSpace | None = None
        self._spread: SpreadReference | None = None

    def reference(self) -> Teachers:
        n = self.backend.count()
        with self._lock:
            if self._ref is None or abs(n - self._ref_count) > max(20, self._ref_count // 5):
                ids = spread(self.backend.filter_ids(CandidateFilter(open_only=False), 20_000), LANG_REFERENCE)
                recs = self.backend.get_many(ids)
                wide = Teachers.from_records([recs[i] for i in ids if i in recs], self.backend.dim)
                self._ref = wide.take(spread(list(range(len(wide))), HUB_REFERENCE))
                self._ref_count, self._hubs = n, {}
                self._mean = self._ref.vecs.mean(axis=0, dtype=np.float32) if len(self._ref.vecs) else None
                self._space = language_space(wide) if len(wide) > 1 else None
                self._spread = (spread_reference(neutral_profiles(wide, self._space), wide.ids)
                                if self._space is not None else None)
            return self._ref

    def centred(self, queries: np.ndarray) -> np.ndarray:
        """Query rows less `CENTRING` times the reference teachers' mean row and, in an index
        large enough to measure them in, without the language directions (`language_space`),
        renormalised. Every e5 text shares that direction, and the texts closest to it (hubs)
        come close to every query; leaving it out of the query discounts a candidate by how near
        it sits to the mean, the same correction `*_hub` makes, in a form any vector index can
        search. Without the language directions a query no longer favours texts in its own
        language: projecting them out of the query alone is projecting them out of both sides
        of the dot product."""
        self.reference()
        mean, space = self._mean, self._space
        if mean is None or not len(queries):
            return queries
        q = np.asarray(queries, np.float32) - np.float32(CENTRING) * mean
        if space is not None and len(space.basis) and not self.small_index():
            q = without_directions(q, space.basis)
        norms = np.linalg.norm(q, axis=1, keepdims=True)
        return np.where(norms > 1e-6, q / np.maximum(norms, 1e-6), queries).astype(np.float32)

    def hubs(self, t: Teachers) -> dict[str, np.ndarray]:
        """Hubness of every teacher in `t` and the spread of its language-neutral cosines
        (`neutral_spread`), from the cache where known, and its language-neutral profile row
        under "lang"; per row of `t`, its language-neutral copy under "rows_lang" and, for idea
        and profile rows, the mean and spread of its cosines under "rows_mean" and "rows_sd".
        The rows are read before the cache may be emptied, so a full cache, or another thread
        forgetting a teacher, never loses a row this call needs."""
        self.reference()
        with self._lock:
            ref, space, wide = self._ref, self._space, self._spread
            rows = [self._hubs.get(pid) for pid in t.ids]
        if self.small_index() or space is None:
            return typical_hubs(self.model, len(t), self.backend.dim)
        measured = np.flatnonzero(t.kind != INTERESTS)      # idea and profile rows
        rows_lang = np.zeros_like(t.vecs)
        rows_lang[measured] = language_neutral(t.vecs[measured], space)
        lang = np.zeros((len(t), t.vecs.shape[1]), np.float32)
        prof = np.flatnonzero(t.kind == PROFILE)
        lang[t.owner[prof]] = rows_lang[prof]
        ideas = np.flatnonzero(t.kind == IDEA)
        count = np.bincount(t.owner[ideas], minlength=len(t))
        size = len(CACHED) + 2 * count
        missing = [i for i, row in enumerate(rows) if row is None or len(row) != size[i]]
        if missing:
            some = t.take(missing) if len(missing) < len(t) else t
            fresh = hubness(some, ref)
            fresh["lang_mean"], fresh["lang_sd"] = neutral_spread(lang[missing], some.ids, wide)
            r = np.flatnonzero(some.kind == IDEA)
            mean, sd = neutral_spread(rows_lang[t.rows_of(missing)[0][r]], [some.ids[o] for o in some.owner[r]], wide)
            ends = np.cumsum(count[missing])
            with self._lock:
                over = len(self._hubs) + len(missing) - HUB_CACHE
                if over > 0:    # dicts keep insertion order: the first keys are the oldest
                    for pid in list(itertools.islice(self._hubs, max(over, HUB_CACHE // 4))):
                        del self._hubs[pid]
                for at, i in enumerate(missing):
                    own = slice(ends[at] - count[i], ends[at])
                    rows[i] = np.concatenate([[fresh[k][at] for k in CACHED], mean[own], sd[own]])
                    self._hubs[t.ids[i]] = rows[i]
        # Each teacher's cached row is its CACHED values, then its idea rows' means, then their spreads.
        flat = np.concatenate(rows) if rows else np.zeros(0)
        start = np.cumsum(size) - size
        out = flat[start[:, None] + np.arange(len(CACHED))].reshape(len(t), len(CACHED))
        hubs = {k: out[:, j] for j, k in enumerate(CACHED)}
        # float32, as the rows: `best_topic_z` works on matrices of row pairs.
        rows_mean, rows_sd = np.full(len(t.vecs), np.nan, np.float32), np.full(len(t.vecs), np.nan, np.float32)
        owner = t.owner[ideas]
        at = start[owner] + len(CACHED) + np.arange(len(ideas)) - (np.cumsum(count) - count)[owner]
        rows_mean[ideas], rows_sd[ideas] = flat[at], flat[at + count[owner]]
        rows_mean[prof], rows_sd[prof] = hubs["lang_mean"][t.owner[prof]], hubs["lang_sd"][t.owner[prof]]
        return {**hubs, "lang": lang, "rows_lang": rows_lang, "rows_mean": rows_mean, "rows_sd": rows_sd}

    def text_rows(self, texts: np.ndarray) -> np.ndarray:
        """(n, dim) search texts' own vectors made `language_neutral`, as `text_lang` compares
        them with the profile rows of `hubs()["lang"]`. In an index too small to measure the
        language directions in, every text gets the same row, so the feature moves no candidate."""
        texts = np.asarray(texts, np.float32).reshape(-1, self.backend.dim)
        self.reference()
        space = self._space
        if self.small_index() or space is None:
            return typical_hubs(self.model, len(texts), self.backend.dim)["lang"]
        return language_neutral(texts, space)

    def measure(self, t: Teachers) -> dict[str, np.ndarray]:
        """Hubness of teachers that are not cached (a search's query): against the reference, or
        the model's typical hubness in an index too small to have one. A search's language-neutral
        row comes from `text_rows`."""
        ref = self.reference()
        if self.small_index():
            return typical_hubs(self.model, len(t), self.backend.dim)
        return hubness(t, ref)

    def forget(self, ids: list[str]) -> None:
        """Drop the cached hubness of teachers just written: their texts may have changed."""
        with self._lock:
            for pid in ids:
                self._hubs.pop(pid, None)

    def features(self, a: Teachers, b: Teachers, hubs_a: dict[str, np.ndarray] | None = None,
                 hubs_b: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
        """`pair_features` of a and b, with either side's `hubs` where the caller has them."""
        return pair_features(a, b, self.hubs(a) if hubs_a is None else hubs_a,
                             self.hubs(b) if hubs_b is None else hubs_b)

    def small_index(self) -> bool:
        """Whether the index is too small to measure hubness and language directions in (the
        one test of it). Features are computed with the reference drawn, so the index is not
        counted again."""
        ref = self._ref if self._ref is not None else self.reference()
        return len(ref) < MIN_REFERENCE

    def probability(self, feats: dict[str, np.ndarray], model: learned.Model | None = None) -> np.ndarray:
        """The learned probability of pairs (or of a search's candidates, with the search model
        as `model`) from their `features`: by the model's small-index weights where the index is
        too small to measure hubness and language directions in."""
        model = model or self.model
        return (model.small if model.small is not None and self.small_index() else model).probability(feats)

    def score(self, a: Teachers, b: Teachers, hubs_a: dict[str, np.ndarray] | None = None,
              hubs_b: dict[str, np.ndarray] | None = None) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """(features, the model's probability) of every pair (a[i], b[j])."""
        feats = self.features(a, b, hubs_a, hubs_b)
        return feats, self.probability(feats)

    def pair(self, a: Record, b: Record) -> tuple[dict[str, np.ndarray], float]:
        feats, p = self.score(Teachers.from_records([a], self.backend.dim),
                              Teachers.from_records([b], self.backend.dim))
        return feats, float(p[0, 0])


def spread(items: list, n: int) -> list:
    """At most `n` of `items`, evenly spaced from the first."""
    return items[::max(1, len(items) // n)][:n]


def typical_hubness(model: learned.Model) -> dict[str, float]:
    """The mean hubness of the pairs `model` was fitted on, per kind: as the model file gives it,
    else a kind's mean cosine less its mean discounted cosine among the model's features."""
    if model.hubness:
        return {name: float(model.hubness.get(name, 0.0)) for name in ("profile", "idea", "interests")}
    mean = dict(zip(model.features, model.mean))
    return {name: float(mean[name] - mean[name + "_hub"]) if name in mean and name + "_hub" in mean
            else 0.0 for name in ("profile", "idea", "interests")}


def typical_lang(model: learned.Model) -> float:
    """The mean language-neutral profile cosine of the pairs `model` was fitted on, as the model
    file gives it, else its feature's mean (0 without either)."""
    if "lang" in model.hubness:
        return float(model.hubness["lang"])
    return float(dict(zip(model.features, model.mean)).get("profile_lang", 0.0))


def typical_hubs(model: learned.Model, n: int, dim: int) -> dict[str, np.ndarray]:
    """`Scorer.hubs` for `n` teachers of an index too small to measure them in: every teacher
    the typical hubness, and one same row whose cosine with itself is the typical
    language-neutral cosine, read with a mean of 0 and a spread of 1, so those features move no
    pair."""
    out = {name: np.full(n, h) for name, h in typical_hubness(model).items()}
    out["lang_mean"], out["lang_sd"] = np.zeros(n), np.ones(n)
    out["lang"] = np.zeros((n, dim), np.float32)
    out["lang"][:, 0] = np.sqrt(max(0.0, typical_lang(model)))
    return out


def responsiveness(pool: Teachers, today: int) -> np.ndarray:
    """A factor in [0.61, 1.05] per candidate (`today` in days since 1970): recent activity and
    answering raise; floods of unanswered requests lower; a profile nobody has contacted yet
    gets a small cold-start lift."""
    days = np.maximum(0, today - pool.active)
    factor = np.where(pool.active > 0, 0.85 + 0.15 * np.exp(-days / 180), 0.9)
    factor = factor * np.where(np.isnan(pool.rate), 1.0, 0.9 + 0.1 * np.nan_to_num(pool.rate))
    flooded = np.maximum(0.8, 1.0 - 0.02 * (pool.received - pool.answered))
    return factor * np.where(pool.received == 0, 1.05,                 # cold start: fair exposure
                             np.where(pool.received > 5, flooded, 1.0))  # already flooded: demote


def rank(pool: Teachers, prob: np.ndarray, full: bool = True, spread: bool = True,
         today: int | None = None) -> tuple[list[int], np.ndarray]:
    """Pool positions best first and each one's key. `full` weighs the learned probability by
    responsiveness and, with `spread`, keeps any country to a third of the first ten."""
    if not full:
        return np.argsort(-prob, kind="stable").tolist(), prob
    keys = prob * responsiveness(pool, today_days() if today is None else today)
    order = np.argsort(-keys, kind="stable").tolist()          # ties keep retrieval order
    return (diversify(order, lambda i: int(pool.country[i]), k=10) if spread else order), keys


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
