"""A teacher's encoded features, and the pair features the learned ranking reads.

One representation serves every scorer: a partner query (one teacher against a candidate pool),
a consortium, a campaign cohort (blocks of teachers against all of them) and the evaluation.
`Teachers` holds any number of teachers as numpy columns; `pair_features` turns two of them
into one matrix per feature, and `matcher/model.py` scores those matrices.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from models import AgeRange, Profile, taxonomy
from models.languages import INDEX as LANG_INDEX

if TYPE_CHECKING:
    from matcher.backends.types import Record

EPOCH = dt.date(1970, 1, 1)
LANG_WORDS = (len(LANG_INDEX) + 63) // 64
SUBJECT_INDEX = {s: i for i, s in enumerate(taxonomy.subjects())}

# Unit kinds: a row is one idea, the interests, or the profile (the normalised mean of the
# others), so ideas are compared with ideas and interests with interests.
IDEA, INTERESTS, PROFILE = 0, 1, 2
PROFILE_UNIT = "profile"
# An idea (or interests) cosine from which explanations say "similar project idea"
# (docs/quality.md, Reasons).
SIMILAR_IDEA = 0.87


def unit_kind(name: str) -> int:
    return IDEA if name.startswith("idea:") else PROFILE if name == PROFILE_UNIT else INTERESTS


def with_profile_row(vectors: np.ndarray, units: list[str]) -> tuple[np.ndarray, list[str]]:
    """Unit vectors plus the profile row: the normalised mean of the idea and interest rows.
    Comparing these means ranks a whole profile, where one idea or the interests alone miss.
    Rows that already hold a profile row are returned as they are."""
    vectors = np.asarray(vectors, np.float32)
    if not len(vectors) or PROFILE_UNIT in units:
        return vectors, list(units)
    mean = vectors.mean(axis=0)
    mean /= max(float(np.linalg.norm(mean)), 1e-9)
    return np.vstack([vectors, mean[None, :]]), [*units, PROFILE_UNIT]


# -- bitmasks -----------------------------------------------------------------------------

def _bits(indices, words: int) -> np.ndarray:
    out = np.zeros(words, np.uint64)
    for i in indices:
        out[i // 64] |= np.uint64(1) << np.uint64(i % 64)
    return out


def age_bits(ranges: list[AgeRange]) -> np.ndarray:
    """Pupil ages 0..99 as a 2-word bitmask: overlap of ranges becomes a bitwise AND."""
    return _bits({a for r in ranges for a in range(r.from_, r.to + 1)}, 2)


def lang_bits(codes: list[str]) -> np.ndarray:
    return _bits([LANG_INDEX[c] for c in codes if c in LANG_INDEX], LANG_WORDS)


def subject_bits(labels: list[str]) -> np.ndarray:
    return _bits([SUBJECT_INDEX[s] for s in labels if s in SUBJECT_INDEX], 1)


def lang_code(lang: str | None) -> int:
    """The language of a profile's texts as a small int; -1 when unknown."""
    return LANG_INDEX.get(lang or "", -1)


def text_language(ideas: list) -> str | None:
    """The language most of a profile's ideas were detected in (items with `lang`, or dicts)."""
    langs = [i.get("lang") if isinstance(i, dict) else i.lang for i in ideas]
    langs = [x for x in langs if x]
    return max(langs, key=langs.count) if langs else None


def popcount(bits: np.ndarray) -> np.ndarray:
    """Set bits per row of a (n,) or (n, words) uint64 bitmask."""
    c = np.bitwise_count(bits)
    return c.sum(axis=-1) if c.ndim > 1 else c


def today_days(today: dt.date | None = None) -> int:
    return ((today or dt.date.today()) - EPOCH).days


# -- teachers as columns ------------------------------------------------------------------

@dataclass
class Teachers:
    """Row i describes teacher `ids[i]`; `vecs` holds every unit row, grouped by teacher:
    `owner[r]` is the row's teacher (non-decreasing) and `kind[r]` its unit kind."""
    ids: list[str]
    country: np.ndarray     # any integer code per country, equal codes = same country
    stype: np.ndarray       # school type code
    tlang: np.ndarray       # language of the profile's texts (lang_code); -1 unknown
    langs: np.ndarray       # (n, words) uint64 bitmask of working languages
    subjects: np.ndarray    # (n,) uint64 bitmask over the subject taxonomy
    ages: np.ndarray        # (n, 2) uint64 bitmask of pupil ages 0..99
    active: np.ndarray      # days since 1970-01-01 of last activity; 0 = unknown
    rate: np.ndarray        # response rate in [0, 1]; NaN = unknown
    received: np.ndarray    # contact requests received
    answered: np.ndarray
    vecs: np.ndarray        # (rows, dim) float32
    owner: np.ndarray       # (rows,) int64
    kind: np.ndarray        # (rows,) int8: IDEA, INTERESTS or PROFILE

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_records(cls, records: list["Record"], dim: int) -> "Teachers":
        """Teachers from fetched records (backends without stored columns, scorers, tests)."""
        countries = {c: i for i, c in enumerate(taxonomy.countries())}
        stypes = {t: i for i, t in enumerate(taxonomy.school_types())}
        vecs, owner, kind = [], [], []
        for i, r in enumerate(records):
            v, names = with_profile_row(r.vectors, r.units)
            vecs.extend(v)
            owner.extend([i] * len(names))
            kind.extend(unit_kind(u) for u in names)
        ps = [r.profile for r in records]
        return cls(
            ids=[p.id for p in ps],
            country=np.array([countries[p.school.country] for p in ps], np.int64),
            stype=np.array([stypes[p.school.type] for p in ps], np.int64),
            tlang=np.array([lang_code(text_language(p.ideas)) for p in ps], np.int64),
            langs=np.array([lang_bits(p.languages) for p in ps], np.uint64).reshape(len(ps), LANG_WORDS),
            subjects=np.array([subject_bits(p.subjects)[0] for p in ps], np.uint64),
            ages=np.array([age_bits(p.age_groups) for p in ps], np.uint64).reshape(len(ps), 2),
            active=np.array([(p.last_active - EPOCH).days if p.last_active else 0 for p in ps], np.int64),
            rate=np.array([np.nan if p.response_rate is None else p.response_rate for p in ps], np.float64),
            received=np.array([r.received for r in records], np.int64),
            answered=np.array([r.answered for r in records], np.int64),
            vecs=np.array(vecs, np.float32).reshape(len(vecs), dim),
            owner=np.array(owner, np.int64), kind=np.array(kind, np.int8))

    def rows_of(self, at) -> tuple[np.ndarray, np.ndarray]:
        """(rows, their owner in `take(at)`) of the teachers at positions `at`, in that order."""
        pos = np.full(len(self), -1, np.int64)
        pos[np.asarray(at, np.int64)] = np.arange(len(at))
        rows = np.flatnonzero(pos[self.owner] >= 0)
        rows = rows[np.argsort(pos[self.owner[rows]], kind="stable")]
        return rows, pos[self.owner[rows]]

    def take(self, at) -> "Teachers":
        """The teachers at positions `at` (sorted or not), with their rows."""
        at = np.asarray(at, np.int64)
        rows, owner = self.rows_of(at)
        return Teachers([self.ids[i] for i in at], self.country[at], self.stype[at], self.tlang[at],
                        self.langs[at], self.subjects[at], self.ages[at], self.active[at], self.rate[at],
                        self.received[at], self.answered[at], self.vecs[rows], owner, self.kind[rows])


def compatible(a: Teachers, b: Teachers, allow_same_country: bool = False) -> np.ndarray:
    """(len(a), len(b)) hard constraints from the columns: a shared working language and
    overlapping pupil ages, another country unless allowed. Identity, school and the open flag
    are the caller's: the backends' filters already apply them to candidates."""
    ok = ((a.langs[:, None, :] & b.langs[None, :, :]) != 0).any(-1)
    ok &= ((a.ages[:, None, :] & b.ages[None, :, :]) != 0).any(-1)
    if not allow_same_country:
        ok &= a.country[:, None] != b.country[None, :]
    return ok


# -- unit similarities ------------------------------------------------------------------------

def max_sims(a: Teachers, b: Teachers, kind: int) -> np.ndarray:
    """(len(a), len(b)) best cosine between a's and b's rows of `kind`; NaN where one side has none."""
    out = np.full((len(a), len(b)), np.nan, np.float32)
    ra, rb = np.flatnonzero(a.kind == kind), np.flatnonzero(b.kind == kind)
    if not len(ra) or not len(rb):
        return out
    oa, ob, sims = best_by_owner(a.vecs[ra] @ b.vecs[rb].T, a.owner[ra], b.owner[rb])
    out[np.ix_(oa, ob)] = sims
    return out


def best_by_owner(values: np.ndarray, owner_a: np.ndarray, owner_b: np.ndarray) -> tuple[np.ndarray, ...]:
    """(teachers along the rows, teachers along the columns, the best value of each pair of them)
    of `values` between rows owned by `owner_a` and rows owned by `owner_b` (both non-decreasing)."""
    oa, sa = np.unique(owner_a, return_index=True)
    ob, sb = np.unique(owner_b, return_index=True)
    if len(sb) < len(owner_b):
        values = np.maximum.reduceat(values, sb, axis=1)
    if len(sa) < len(owner_a):
        values = np.maximum.reduceat(values, sa, axis=0)
    return oa, ob, values


KINDS = {"idea": IDEA, "interests": INTERESTS, "profile": PROFILE}


def unit_sims(a: Teachers, b: Teachers) -> dict[str, np.ndarray]:
    """Best cosine per kind; a missing idea or interests side falls back to the profile rows."""
    prof = max_sims(a, b, PROFILE)
    out = {"profile": np.nan_to_num(prof, nan=0.0)}
    for name in ("idea", "interests"):
        s = max_sims(a, b, KINDS[name])
        out[name] = np.where(np.isnan(s), out["profile"], s)
    return out


def own_columns(ids: list[str], ref_ids: list[str]) -> np.ndarray:
    """Per teacher of `ids`, its column among the reference teachers `ref_ids`; -1 if none. A
    teacher's own column is left out of its means over the reference."""
    at = {pid: j for j, pid in enumerate(ref_ids)}
    return np.array([at.get(pid, -1) for pid in ids], np.int64)


def hubness(t: Teachers, ref: Teachers) -> dict[str, np.ndarray]:
    """Per teacher and kind, the mean best cosine to the reference teachers (itself left out).
    Some texts sit close to everything (hubs); the ranking discounts a pair's cosine by both
    sides' hubness, as CSLS does for cross-lingual retrieval. The mean runs over every reference
    teacher, not the nearest few: a teacher's nearest are often its real partners, and a
    discount by them would push exactly the teachers with partners down."""
    own = own_columns(t.ids, ref.ids)
    inside = np.flatnonzero(own >= 0)
    n = len(ref) - (own >= 0)
    out = {}
    for name, s in unit_sims(t, ref).items():
        total = s.sum(axis=1, dtype=np.float64)
        total[inside] -= s[inside, own[inside]]
        out[name] = np.where(n > 0, total / np.maximum(n, 1), 0.0)
    return out


def topic_rows(t: Teachers) -> np.ndarray:
    """The rows that say what each teacher wants to do together: its idea rows, or its profile
    row where it has none."""
    idea = t.kind == IDEA
    has_idea = np.zeros(len(t), bool)
    has_idea[t.owner[idea]] = True
    return np.flatnonzero(idea | ((t.kind == PROFILE) & ~has_idea[t.owner]))


def take_hubs(t: Teachers, hubs: dict[str, np.ndarray], at) -> dict[str, np.ndarray]:
    """`Scorer.hubs` of `t` for the teachers `t.take(at)` holds: per teacher, and per row for
    the keys that start with "rows_"."""
    at = np.asarray(at, np.int64)
    rows = t.rows_of(at)[0] if any(k.startswith("rows_") for k in hubs) else None
    return {k: v[rows] if k.startswith("rows_") else v[at] for k, v in hubs.items()}


# -- pair features ----------------------------------------------------------------------------

# The partner model's features. `pair_features` also gives `profile_hub`, which only the search
# model reads (for partners it adds nothing beside the language-neutral cosine), and
# `profile_lang`, the cosine `profile_lang_z` reads in each side's units (docs/quality.md,
# "Choosing the features").
FEATURES = ("profile", "idea", "idea_hub", "interests", "interests_hub",
            "subjects", "subjects_jaccard", "ages", "same_text_lang", "same_school_type",
            "profile_hub_same_lang", "idea_hub_same_lang", "interests_hub_same_lang", "profile_lang_z",
            "idea_lang_z")
# Features computed beside the shipped models' own, which a model file may still read.
OTHER_FEATURES = ("profile_lang", "text_lang")


def pair_features(a: Teachers, b: Teachers, hub_a: dict[str, np.ndarray],
                  hub_b: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every feature of every pair (a[i], b[j]) as (len(a), len(b)) arrays, symmetric in a and b.
    `hub_a` and `hub_b` hold each side's hubness per kind and, under "lang", its profile row
    made `language_neutral`, with that row's mean and spread of cosines to the reference under
    "lang_mean" and "lang_sd" (`Scorer.hubs`, `neutral_spread`).

    - profile, idea, interests: best cosine of those units; `*_hub` the same less half of each
      side's hubness;
    - profile_lang: the cosine of the two profile rows made `language_neutral`; `profile_lang_z`
      the same as a z-score on each side, less its mean cosine to the reference and over their
      spread, the two sides added; `idea_lang_z` the same for the best pair of `topic_rows`,
      each row in its own units ("rows_lang", "rows_mean", "rows_sd"; `profile_lang_z` where a
      side has no rows measured, as in an index too small to measure them in);
    - subjects, ages: the share of a's plus the share of b's subjects (pupil ages) the other has;
    - same_text_lang: their texts are in the same language (same-language texts score higher
      cosines with the same meaning; the model learns how much to discount);
    - `*_hub_same_lang`: `*_hub` where the texts share their language, else 0, so the model
      weighs a cosine between two texts in one language apart from one across languages;
    - same_school_type.
    """
    f = similarity_features(a, b, hub_a, hub_b)
    shared_subj = np.bitwise_count(a.subjects[:, None] & b.subjects[None, :]).astype(np.float64)
    sa, sb = popcount(a.subjects)[:, None], popcount(b.subjects)[None, :]
    shared_age = popcount(a.ages[:, None, :] & b.ages[None, :, :]).astype(np.float64)
    ya, yb = popcount(a.ages)[:, None], popcount(b.ages)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        f["subjects"] = (np.where(sa > 0, shared_subj / sa, 0.0) + np.where(sb > 0, shared_subj / sb, 0.0))
        union = sa + sb - shared_subj
        f["subjects_jaccard"] = np.where(union > 0, shared_subj / union, 0.0)
        f["ages"] = np.where(ya > 0, shared_age / ya, 0.0) + np.where(yb > 0, shared_age / yb, 0.0)
    f["same_text_lang"] = ((a.tlang[:, None] == b.tlang[None, :]) & (a.tlang[:, None] >= 0)).astype(np.float64)
    f["same_school_type"] = (a.stype[:, None] == b.stype[None, :]).astype(np.float64)
    for name in ("profile", "idea", "interests"):
        f[name + "_hub_same_lang"] = f[name + "_hub"] * f["same_text_lang"]
    f["profile_lang"] = (hub_a["lang"] @ hub_b["lang"].T).astype(np.float64)
    f["profile_lang_z"] = in_units(f["profile_lang"], hub_a, 0) + in_units(f["profile_lang"], hub_b, 1)
    f["idea_lang_z"] = (best_topic_z(a, b, hub_a, hub_b) if "rows_lang" in hub_a and "rows_lang" in hub_b
                        else f["profile_lang_z"])
    return f


def best_topic_z(a: Teachers, b: Teachers, hub_a: dict[str, np.ndarray],
                 hub_b: dict[str, np.ndarray]) -> np.ndarray:
    """(len(a), len(b)) the best pair of `topic_rows` by their language-neutral cosine read as a
    z-score on each side, in that row's own units, the two added. A teacher's ideas spread
    differently: a narrow one close to few others says more at the same cosine than a broad
    one close to many; 0 where a side has no rows."""
    out = np.zeros((len(a), len(b)))
    ra, rb = topic_rows(a), topic_rows(b)
    if not len(ra) or not len(rb):
        return out
    cos = hub_a["rows_lang"][ra] @ hub_b["rows_lang"][rb].T
    ma, sa, mb, sb = hub_a["rows_mean"][ra], hub_a["rows_sd"][ra], hub_b["rows_mean"][rb], hub_b["rows_sd"][rb]
    z = (cos - ma[:, None]) / sa[:, None]
    z += (cos - mb[None, :]) / sb[None, :]
    oa, ob, z = best_by_owner(z, a.owner[ra], b.owner[rb])
    out[np.ix_(oa, ob)] = z
    return out


def in_units(cos: np.ndarray, hubs: dict[str, np.ndarray], axis: int) -> np.ndarray:
    """Language-neutral cosines of pairs as z-scores of the teachers along `axis` (0: rows, 1:
    columns): less each one's mean cosine to the reference, over their spread ("lang_mean",
    "lang_sd" of `hubs`)."""
    shape = (-1, 1) if axis == 0 else (1, -1)
    return (cos - hubs["lang_mean"].reshape(shape)) / hubs["lang_sd"].reshape(shape)


def similarity_features(a: Teachers, b: Teachers, hub_a: dict[str, np.ndarray],
                        hub_b: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Best cosine per unit kind, and the same less half of each side's hubness (CSLS)."""
    f: dict[str, np.ndarray] = {}
    for name, s in unit_sims(a, b).items():
        f[name] = s
        f[name + "_hub"] = s - 0.5 * hub_a[name][:, None] - 0.5 * hub_b[name][None, :]
    return f


SEARCH_FEATURES = ("profile", "profile_hub", "idea", "idea_hub", "interests", "interests_hub", "text_lang_z")


def query_teacher(q: np.ndarray) -> Teachers:
    """A search text as a teacher whose idea, interests and profile rows are all its vector; a
    (n, dim) array gives n such teachers, one per text."""
    q = np.asarray(q, np.float32)
    q = q.reshape(-1, q.shape[-1])
    n = len(q)
    same = lambda v, dtype: np.full(n, v, dtype)  # noqa: E731
    return Teachers(["?"] * n, same(-1, np.int64), same(-1, np.int64), same(-1, np.int64),
                    np.zeros((n, LANG_WORDS), np.uint64), same(0, np.uint64), np.zeros((n, 2), np.uint64),
                    same(0, np.int64), same(np.nan, np.float64), same(0, np.int64), same(0, np.int64),
                    np.repeat(q, 3, axis=0), np.repeat(np.arange(n, dtype=np.int64), 3),
                    np.tile(np.array([IDEA, INTERESTS, PROFILE], np.int8), n))


def search_features(q: Teachers, pool: Teachers, hub_q: dict[str, np.ndarray], hub_pool: dict[str, np.ndarray],
                    text: np.ndarray, bm25: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Search texts (`q`, expanded) against every candidate, as (len(q), len(pool)) arrays: the
    similarity features of a pair; `text_lang`, the cosine of each text's own vector with each
    candidate's profile row, both made `language_neutral` (`Scorer.text_rows`, given as `text`,
    and `Scorer.hubs`), and `text_lang_z` the same as a z-score on the candidate's side, as
    `profile_lang_z` reads it; and, for one text, BM25 over the pool's best."""
    f = similarity_features(q, pool, hub_q, hub_pool)
    f["text_lang"] = (np.asarray(text, np.float32) @ hub_pool["lang"].T).astype(np.float64)
    f["text_lang_z"] = in_units(f["text_lang"], hub_pool, 1)
    if bm25 is not None:
        f["bm25"] = np.asarray(bm25, np.float64).reshape(1, -1)
    return f


def best_unit_pair(a_vecs: np.ndarray, a_units: list[str], b_vecs: np.ndarray,
                   b_units: list[str]) -> tuple[float, int, int]:
    """(cosine, row in a, row in b) of the closest idea pair, else the closest interests pair;
    (-inf, -1, -1) when neither side has such rows. Explanations point at this pair."""
    for kind in (IDEA, INTERESTS):
        ra = [i for i, u in enumerate(a_units) if unit_kind(u) == kind]
        rb = [j for j, u in enumerate(b_units) if unit_kind(u) == kind]
        if ra and rb:
            sims = a_vecs[ra] @ b_vecs[rb].T
            i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
            return float(sims[i, j]), ra[i], rb[j]
    return float("-inf"), -1, -1


def shared_ages(a: Profile, b: Profile) -> list[str]:
    out = []
    for x in a.age_groups:
        for y in b.age_groups:
            lo, hi = max(x.from_, y.from_), min(x.to, y.to)
            if lo <= hi:
                out.append(f"{lo}-{hi}")
    return list(dict.fromkeys(out))
