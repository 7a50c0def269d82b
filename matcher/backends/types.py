"""What both backends share, one floor below them: records, filters and candidates."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from models import AgeRange, Profile


@dataclass
class Record:
    """A stored profile and the unit vectors of its texts (one row per idea, or interests).

    `vectors` is float32, shape (n_units, dim), L2-normalised; `units` names each row's
    source ("idea:0", "interests") so explanations can point at the idea pair that matched.
    `received` and `answered` count contacts (responsiveness signals).
    """
    profile: Profile
    vectors: np.ndarray
    units: list[str]
    received: int = 0
    answered: int = 0


@dataclass
class CandidateFilter:
    """Hard constraints every candidate must satisfy; each backend pushes them into its retrieval."""
    countries: list[str] | None = None          # keep only these countries
    exclude_countries: list[str] = field(default_factory=list)
    exclude_schools: list[str] = field(default_factory=list)
    exclude_ids: list[str] = field(default_factory=list)
    languages: list[str] | None = None          # at least one shared
    subjects: list[str] | None = None           # at least one shared
    school_types: list[str] | None = None
    ages: list[AgeRange] | None = None           # overlaps at least one of these
    open_only: bool = True

    def accepts(self, p: Profile) -> bool:
        """Reference semantics of the filter, used by tests and by exact fallbacks."""
        c = p.school.country
        if self.countries is not None and c not in self.countries:
            return False
        if c in self.exclude_countries or p.school.id in self.exclude_schools or p.id in self.exclude_ids:
            return False
        if self.languages is not None and not set(self.languages) & set(p.languages):
            return False
        if self.subjects is not None and not set(self.subjects) & set(p.subjects):
            return False
        if self.school_types is not None and p.school.type not in self.school_types:
            return False
        if self.ages is not None and not any(a.overlap(b) for a in self.ages for b in p.age_groups):
            return False
        if self.open_only and not p.open_to_partners:
            return False
        return True


@dataclass
class Candidate:
    """A profile a retriever found, with the raw score that retriever gave it."""
    id: str
    score: float
