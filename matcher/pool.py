"""A candidate pool as numpy columns: what the ranking reads, from stored columns or from Records."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from matcher.backends.base import Record
from matcher.backends.columns import EPOCH, age_bits, lang_bits, subject_bits

EN = lang_bits(["en"])


@dataclass
class Pool:
    """Row i describes candidate `ids[i]`; `vecs` holds the rows its pairing uses (its ideas,
    or every unit when it has no idea), grouped by candidate: `owner[r]` is the row's candidate."""
    ids: list[str]
    country: np.ndarray     # any integer code per country, equal codes = same country
    langs: np.ndarray       # (n, words) uint64 bitmask of working languages
    subjects: np.ndarray    # (n,) uint64 bitmask over the subject taxonomy
    ages: np.ndarray        # (n, 2) uint64 bitmask of pupil ages 0..99
    active: np.ndarray      # days since 1970-01-01 of last activity; 0 = unknown
    rate: np.ndarray        # response rate in [0, 1]; NaN = unknown
    received: np.ndarray    # contact requests received
    answered: np.ndarray
    vecs: np.ndarray        # (rows, dim) float32
    owner: np.ndarray       # (rows,) int64, non-decreasing

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_records(cls, records: list[Record], dim: int) -> "Pool":
        """The pool of fetched records (backends without stored columns, and tests)."""
        codes: dict[str, int] = {}
        vecs, owner = [], []
        for i, r in enumerate(records):
            for j in pairing_rows(r.units):
                vecs.append(r.vectors[j])
                owner.append(i)
        ps = [r.profile for r in records]
        return cls(
            ids=[p.id for p in ps],
            country=np.array([codes.setdefault(p.school.country, len(codes)) for p in ps], np.int64),
            langs=np.array([lang_bits(p.languages) for p in ps], np.uint64).reshape(len(ps), len(EN)),
            subjects=np.array([subject_bits(p.subjects)[0] for p in ps], np.uint64),
            ages=np.array([age_bits(p.age_groups) for p in ps], np.uint64).reshape(len(ps), 2),
            active=np.array([(p.last_active - EPOCH).days if p.last_active else 0 for p in ps], np.int64),
            rate=np.array([np.nan if p.response_rate is None else p.response_rate for p in ps], np.float64),
            received=np.array([r.received for r in records], np.int64),
            answered=np.array([r.answered for r in records], np.int64),
            vecs=np.array(vecs, np.float32).reshape(len(vecs), dim),
            owner=np.array(owner, np.int64))


def pairing_rows(units: list[str]) -> list[int]:
    """Rows to compare: the ideas when there are any (short interest lists would otherwise
    win every comparison on surface similarity), else whatever units exist."""
    ideas = [i for i, u in enumerate(units) if u.startswith("idea:")]
    return ideas or list(range(len(units)))


def popcount(bits: np.ndarray) -> np.ndarray:
    """Set bits per row of a (n,) or (n, words) uint64 bitmask."""
    c = np.bitwise_count(bits)
    return c.sum(axis=-1) if c.ndim > 1 else c


def today_days(today: dt.date | None = None) -> int:
    return ((today or dt.date.today()) - EPOCH).days
