"""Per-profile filter columns in numpy, so any CandidateFilter becomes one vectorised mask."""
from __future__ import annotations

import datetime as dt

import numpy as np

from matcher.backends.base import CandidateFilter
from models import AgeRange, Profile, taxonomy
from models.languages import INDEX as LANG_INDEX

_COUNTRY = {c: i for i, c in enumerate(taxonomy.countries())}
_SUBJECT = {s: i for i, s in enumerate(taxonomy.subjects())}
_STYPE = {t: i for i, t in enumerate(taxonomy.school_types())}
_LANG_WORDS = (len(LANG_INDEX) + 63) // 64


def _bits(indices, words: int) -> np.ndarray:
    out = np.zeros(words, np.uint64)
    for i in indices:
        out[i // 64] |= np.uint64(1) << np.uint64(i % 64)
    return out


def age_bits(ranges: list[AgeRange]) -> np.ndarray:
    """Pupil ages 0..99 as a 2-word bitmask: overlap of ranges becomes a bitwise AND."""
    return _bits({a for r in ranges for a in range(r.from_, r.to + 1)}, 2)


def lang_bits(codes: list[str]) -> np.ndarray:
    return _bits([LANG_INDEX[c] for c in codes if c in LANG_INDEX], _LANG_WORDS)


def subject_bits(labels: list[str]) -> np.ndarray:
    return _bits([_SUBJECT[s] for s in labels if s in _SUBJECT], 1)


class Columns:
    """Growable column store indexed by slot (a small int per stored profile)."""

    def __init__(self, capacity: int = 1024):
        self.n = 0
        self.alive = np.zeros(capacity, bool)
        self.country = np.zeros(capacity, np.int16)
        self.stype = np.zeros(capacity, np.int8)
        self.school = np.zeros(capacity, np.int64)
        self.open = np.zeros(capacity, bool)
        self.langs = np.zeros((capacity, _LANG_WORDS), np.uint64)
        self.subjects = np.zeros((capacity, 1), np.uint64)
        self.ages = np.zeros((capacity, 2), np.uint64)
        self.active = np.zeros(capacity, np.int32)  # days since epoch; 0 = unknown
        self._schools: dict[str, int] = {}

    def _grow(self, need: int) -> None:
        cap = len(self.alive)
        if need <= cap:
            return
        new = max(need, cap * 2)
        for name in ("alive", "country", "stype", "school", "open", "langs", "subjects", "ages", "active"):
            old = getattr(self, name)
            arr = np.zeros((new, *old.shape[1:]), old.dtype)
            arr[:cap] = old
            setattr(self, name, arr)

    def school_code(self, school_id: str) -> int:
        return self._schools.setdefault(school_id, len(self._schools) + 1)

    def set(self, slot: int, p: Profile) -> None:
        self._grow(slot + 1)
        self.n = max(self.n, slot + 1)
        self.alive[slot] = True
        self.country[slot] = _COUNTRY[p.school.country]
        self.stype[slot] = _STYPE[p.school.type]
        self.school[slot] = self.school_code(p.school.id)
        self.open[slot] = p.open_to_partners
        self.langs[slot] = lang_bits(p.languages)
        self.subjects[slot] = subject_bits(p.subjects)
        self.ages[slot] = age_bits(p.age_groups)
        self.active[slot] = (p.last_active - dt.date(1970, 1, 1)).days if p.last_active else 0

    def clear(self, slot: int) -> None:
        self.alive[slot] = False

    def mask(self, flt: CandidateFilter, exclude_slots: list[int] = ()) -> np.ndarray:
        """Boolean mask over slots [0, n) of profiles that pass `flt`."""
        n = self.n
        m = self.alive[:n].copy()
        if flt.open_only:
            m &= self.open[:n]
        if flt.countries is not None:
            m &= np.isin(self.country[:n], [_COUNTRY[c] for c in flt.countries if c in _COUNTRY])
        if flt.exclude_countries:
            m &= ~np.isin(self.country[:n], [_COUNTRY[c] for c in flt.exclude_countries if c in _COUNTRY])
        if flt.exclude_schools:
            codes = [self._schools[s] for s in flt.exclude_schools if s in self._schools]
            if codes:
                m &= ~np.isin(self.school[:n], codes)
        if flt.school_types is not None:
            m &= np.isin(self.stype[:n], [_STYPE[t] for t in flt.school_types if t in _STYPE])
        if flt.languages is not None:
            m &= (self.langs[:n] & lang_bits(flt.languages)).any(axis=1)
        if flt.subjects is not None:
            m &= (self.subjects[:n] & subject_bits(flt.subjects)).any(axis=1)
        if flt.ages is not None:
            m &= (self.ages[:n] & age_bits(flt.ages)).any(axis=1)
        for s in exclude_slots:
            if s < n:
                m[s] = False
        return m
