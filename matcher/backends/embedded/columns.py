"""Per-profile columns in numpy: any CandidateFilter becomes one vectorised mask, and the
ranking reads its features (matcher/features.py) without fetching documents."""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import replace

import numpy as np

from matcher.backends.types import CandidateFilter
from matcher.features import (EPOCH, LANG_WORDS, SUBJECT_INDEX, _bits, age_bits, lang_bits, lang_code,
                              subject_bits, text_language)
from models import Profile, taxonomy

_COUNTRY = {c: i for i, c in enumerate(taxonomy.countries())}
_SUBJECT = SUBJECT_INDEX
_STYPE = {t: i for i, t in enumerate(taxonomy.school_types())}
_LANG_WORDS = LANG_WORDS
_ARRAYS = ("alive", "country", "stype", "tlang", "school", "open", "langs", "subjects", "ages", "active",
           "rate", "received", "answered")
# The columns `evaluate` reads: the only ones the selectivity sample gathers.
_FILTERED = ("alive", "country", "stype", "school", "open", "langs", "subjects", "ages")
# The selectivity sample is drawn again once the columns have grown by this share: until then a
# new profile's slot is outside it, and a write to a slot inside it refreshes that row of the
# gathered copy, so an estimate after each write does not gather the whole sample again
# (~2.3 ms of every partner query at 1M profiles while profiles arrive).
SAMPLE_REDRAW = 1 / 64


def _any_bits(col: np.ndarray, at, bits: np.ndarray) -> np.ndarray:
    """Rows `at` of `col` sharing a bit with `bits`. Only the words the query uses are read, one
    column at a time: gathering whole rows of a 2-D column first costs ~4x more."""
    words = np.flatnonzero(bits)
    if not len(words):
        return np.zeros(len(col[at, 0]), bool)
    out = (col[at, words[0]] & bits[words[0]]) != 0
    for w in words[1:]:
        out |= (col[at, w] & bits[w]) != 0
    return out


def _codes_in(col: np.ndarray, table: dict[str, int], values: list[str]) -> np.ndarray:
    """Rows of a code column holding one of `values`, by table lookup (np.isin costs ~3 ms more
    over 1M rows)."""
    lut = np.zeros(len(table) + 1, bool)   # a spare entry: a code of -1 (none is stored) reads False
    lut[[table[v] for v in values if v in table]] = True
    return lut[col]


class Columns:
    """Growable column store indexed by slot (a small int per stored profile)."""

    def __init__(self, capacity: int = 1024):
        self.n = 0
        self.alive = np.zeros(capacity, bool)
        self.country = np.zeros(capacity, np.int16)
        self.stype = np.zeros(capacity, np.int8)
        self.tlang = np.full(capacity, -1, np.int16)       # language of the texts; -1 unknown
        self.school = np.zeros(capacity, np.int64)
        self.open = np.zeros(capacity, bool)
        self.langs = np.zeros((capacity, _LANG_WORDS), np.uint64)
        self.subjects = np.zeros((capacity, 1), np.uint64)
        self.ages = np.zeros((capacity, 2), np.uint64)
        self.active = np.zeros(capacity, np.int32)  # days since epoch; 0 = unknown
        self.rate = np.full(capacity, np.nan, np.float32)  # response rate; NaN = unknown
        self.received = np.zeros(capacity, np.int32)       # contact requests (responsiveness)
        self.answered = np.zeros(capacity, np.int32)
        self._schools: dict[str, int] = {}
        self._sample: tuple[int, int, np.ndarray] | None = None   # (n when drawn, size, slots)
        self._sampled: "Columns | None" = None      # the sample's rows, gathered
        self._stale: list[int] = []                 # slots written since they were gathered
        self._sample_lock = threading.Lock()        # estimates of concurrent readers share the copy

    def _grow(self, need: int) -> None:
        cap = len(self.alive)
        if need <= cap:
            return
        new = max(need, cap * 2)
        for name in _ARRAYS:
            old = getattr(self, name)
            arr = np.zeros((new, *old.shape[1:]), old.dtype)
            arr[:cap] = old
            setattr(self, name, arr)

    def school_code(self, school_id: str) -> int:
        return self._schools.setdefault(school_id, len(self._schools) + 1)

    def set(self, slot: int, p: Profile) -> None:
        self.set_doc(slot, p.model_dump(mode="json", by_alias=True))

    def set_doc(self, slot: int, d: dict) -> None:
        """The columns of one profile from its stored JSON form (a cold open reads 1M of
        them without building a Profile; `set` passes a Profile through the same form)."""
        self._grow(slot + 1)
        self.n = max(self.n, slot + 1)
        self._touch(slot)
        s = d["school"]
        self.alive[slot] = True
        self.country[slot] = _COUNTRY[s["country"]]
        self.stype[slot] = _STYPE[s["type"]]
        self.tlang[slot] = lang_code(text_language(d.get("ideas", [])))
        self.school[slot] = self.school_code(s["id"])
        self.open[slot] = d.get("open_to_partners", True)
        self.langs[slot] = lang_bits(d.get("languages", []))
        self.subjects[slot] = subject_bits(d.get("subjects", []))
        self.ages[slot] = _bits({a for r in d.get("age_groups", []) for a in range(r["from"], r["to"] + 1)}, 2)
        act = d.get("last_active")
        self.active[slot] = (dt.date.fromisoformat(act) - EPOCH).days if act else 0
        rate = d.get("response_rate")
        self.rate[slot] = np.nan if rate is None else rate

    def set_contacts(self, slot: int, received: int, answered: int) -> None:
        self.received[slot], self.answered[slot] = received, answered

    def clear(self, slot: int) -> None:
        self.alive[slot] = False
        self._touch(slot)

    def _touch(self, slot: int) -> None:
        """Note a written slot for the gathered sample (writers hold the backend's write lock);
        after more writes than the sample holds, it is gathered again instead."""
        if self._sampled is not None:
            self._stale.append(slot)
            if len(self._stale) > len(self._sampled.alive):
                self._sampled, self._stale = None, []

    def sample(self, size: int) -> np.ndarray:
        """A fixed random sample of slots, sorted (gathers in memory order); drawn again when
        the size asked changes or the columns have grown by SAMPLE_REDRAW since it was drawn."""
        s = self._sample
        if s is None or s[1] != size or not s[0] <= self.n <= s[0] * (1 + SAMPLE_REDRAW):
            s = self._sample = (self.n, size, np.sort(np.random.default_rng(self.n).integers(0, self.n, size)))
            self._sampled, self._stale = None, []
        return s[2]

    def sampled(self, size: int) -> "Columns":
        """The filtered columns (`_FILTERED`) of `sample(size)`'s slots: gathered once per sample,
        then only the rows of slots written since are read again, so an estimate reads contiguous
        rows instead of gathering scattered ones from every column."""
        with self._sample_lock:
            at = self.sample(size)
            if self._sampled is None:
                sub = Columns(len(at))
                for name in _FILTERED:
                    setattr(sub, name, getattr(self, name)[at])
                sub.n, sub._schools, self._sampled, self._stale = len(at), self._schools, sub, []
            elif self._stale:
                pos = np.flatnonzero(np.isin(at, self._stale))
                for name in _FILTERED:
                    getattr(self._sampled, name)[pos] = getattr(self, name)[at[pos]]
                self._stale = []
            return self._sampled

    def evaluate(self, flt: CandidateFilter, at) -> np.ndarray:
        """The filter over rows `at` (a slice or an array of slots)."""
        m = self.alive[at].copy()
        if flt.open_only:
            m &= self.open[at]
        if flt.countries is not None:
            m &= _codes_in(self.country[at], _COUNTRY, flt.countries)
        for c in flt.exclude_countries:
            if c in _COUNTRY:
                m &= self.country[at] != _COUNTRY[c]
        for s in flt.exclude_schools:
            if s in self._schools:
                m &= self.school[at] != self._schools[s]
        if flt.school_types is not None:
            m &= _codes_in(self.stype[at], _STYPE, flt.school_types)
        if flt.languages is not None:
            m &= _any_bits(self.langs, at, lang_bits(flt.languages))
        if flt.subjects is not None:
            m &= _any_bits(self.subjects, at, subject_bits(flt.subjects))
        if flt.ages is not None:
            m &= _any_bits(self.ages, at, age_bits(flt.ages))
        return m

    def mask(self, flt: CandidateFilter, exclude_slots: list[int] = ()) -> np.ndarray:
        """Boolean mask over slots [0, n) of profiles that pass `flt`.

        When the countries asked for hold few profiles, the other clauses are tested on those
        only (a partner query's filter plus Finland, 0.16 % of 1M profiles, in under half the time).
        """
        if flt.countries is not None:
            m = _codes_in(self.country[:self.n], _COUNTRY, flt.countries)
            rest = replace(flt, countries=None)   # the countries are tested once, here
            at = np.flatnonzero(m)
            if len(at) * 16 < self.n:
                m[at] = self.evaluate(rest, at)
            else:
                m &= self.evaluate(rest, slice(0, self.n))
        else:
            m = self.evaluate(flt, slice(0, self.n))
        for s in exclude_slots:
            if s < self.n:
                m[s] = False
        return m

    def test(self, flt: CandidateFilter, slots: np.ndarray, exclude_slots: list[int] = ()) -> np.ndarray:
        """The filter for a few slots only: what the graph strategy checks on its candidates."""
        slots = np.asarray(slots, np.int64)
        m = self.evaluate(flt, slots)
        if len(exclude_slots):
            m &= ~np.isin(slots, exclude_slots)
        return m

    # -- snapshots ------------------------------------------------------------------------

    def arrays(self) -> dict[str, np.ndarray]:
        """Everything needed to restore the columns, as arrays (school ids in code order)."""
        out = {name: getattr(self, name)[:self.n] for name in _ARRAYS}
        out["school_ids"] = np.array(list(self._schools), dtype=str)
        return out

    @classmethod
    def from_arrays(cls, arrs) -> "Columns":
        n = len(arrs["alive"])
        c = cls(max(1024, n))
        c.n = n
        for name in _ARRAYS:   # KeyError if one is missing: the store rebuilds from SQLite
            getattr(c, name)[:n] = arrs[name]
        c._schools = {s: i + 1 for i, s in enumerate(arrs["school_ids"].tolist())}
        return c
