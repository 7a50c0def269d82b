"""Standing filters as boolean columns: one arriving profile tested against all of them at once."""
from __future__ import annotations

import numpy as np

from matcher.backends.types import CandidateFilter
from models import Profile

YEARS = 100     # pupil ages are whole years 0-99 (models.AgeRange)


class _Choice:
    """One "any of these values" constraint over every filter: a row per filter, a column per
    value any filter names; `free` marks the filters without the constraint."""

    def __init__(self, chosen: list[list[str] | None]):
        self.column = {v: i for i, v in enumerate(sorted({v for c in chosen if c for v in c}))}
        self.free = np.array([c is None for c in chosen], bool)
        self.named = np.zeros((len(chosen), len(self.column)), bool)
        for row, c in enumerate(chosen):
            self.named[row, [self.column[v] for v in c or ()]] = True

    def any_of(self, values: list[str]) -> np.ndarray:
        """Per filter: it names one of `values` (an empty choice names none)."""
        cols = [self.column[v] for v in values if v in self.column]
        return self.named[:, cols].any(axis=1)

    def passes(self, values: list[str]) -> np.ndarray:
        """Per filter: without the constraint, or it names one of `values`."""
        return self.free | self.any_of(values)


class Percolator:
    """`CandidateFilter.accepts` for many filters and one profile, as column operations: 10,000
    filters in well under a millisecond where testing them one by one takes ~35 ms."""

    def __init__(self, filters: dict[str, CandidateFilter]):
        self.keys = list(filters)
        flts = list(filters.values())
        self.countries = _Choice([f.countries for f in flts])
        self.languages = _Choice([f.languages for f in flts])
        self.subjects = _Choice([f.subjects for f in flts])
        self.school_types = _Choice([f.school_types for f in flts])
        self.excluded_countries = _Choice([f.exclude_countries for f in flts])
        self.open_only = np.array([f.open_only for f in flts], bool)
        self.any_age = np.array([f.ages is None for f in flts], bool)
        self.years = np.zeros((len(flts), YEARS), bool)     # the pupil years each filter asks for
        for row, f in enumerate(flts):
            for a in f.ages or ():
                self.years[row, a.from_:a.to + 1] = True
        # Schools and profiles excluded by name are rare in standing filters: checked one by one.
        self.exclusions = {row: (set(f.exclude_schools), set(f.exclude_ids))
                           for row, f in enumerate(flts) if f.exclude_schools or f.exclude_ids}

    def matches(self, p: Profile) -> set[str]:
        """The keys of the filters `p` passes."""
        if not self.keys:
            return set()
        ok = self.countries.passes([p.school.country]) & ~self.excluded_countries.any_of([p.school.country])
        ok &= self.languages.passes(p.languages) & self.subjects.passes(p.subjects)
        ok &= self.school_types.passes([p.school.type])
        years = np.zeros(YEARS, bool)
        for a in p.age_groups:
            years[a.from_:a.to + 1] = True
        ok &= self.any_age | (self.years & years).any(axis=1)
        if not p.open_to_partners:
            ok &= ~self.open_only
        for row, (schools, ids) in self.exclusions.items():
            if ok[row] and (p.school.id in schools or p.id in ids):
                ok[row] = False
        return {self.keys[i] for i in np.flatnonzero(ok)}
