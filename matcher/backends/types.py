"""What both backends share, one floor below them: records, filters, candidates, optional capabilities."""
from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Callable, Protocol, runtime_checkable

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

    def to_json(self) -> dict:
        """The filter as JSON (standing filters are stored this way)."""
        return {"countries": self.countries, "exclude_countries": self.exclude_countries,
                "exclude_schools": self.exclude_schools, "exclude_ids": self.exclude_ids,
                "languages": self.languages, "subjects": self.subjects, "school_types": self.school_types,
                "ages": None if self.ages is None else [[a.from_, a.to] for a in self.ages],
                "open_only": self.open_only}

    @classmethod
    def from_json(cls, d: dict) -> "CandidateFilter":
        ages = d.get("ages")
        return cls(**{**d, "ages": None if ages is None else [AgeRange(from_=a, to=b) for a, b in ages]})


@dataclass
class Candidate:
    """A profile a retriever found, with the raw score that retriever gave it."""
    id: str
    score: float


@dataclass(frozen=True)
class Reach:
    """What a profile needs to enter a query's candidate pool: the least cosine that got a
    profile in through the vector leg and the least BM25 score through the keyword leg. A leg
    that found fewer profiles than it asks for lets in every profile the filter passes (-1)
    or that shares a term (0)."""
    vector: float
    keyword: float

    @classmethod
    def of(cls, vec: list[Candidate], kw: dict[str, float], pool_size: int) -> "Reach":
        """From the vector leg's hits (asked for `pool_size`) and the keyword leg's scores (asked
        for half as many)."""
        return cls(min(c.score for c in vec) if len(vec) >= pool_size else -1.0,
                   min(kw.values()) if len(kw) >= pool_size // 2 else 0.0)


# -- optional capabilities: callers test for them with isinstance ------------------------------

@runtime_checkable
class Replicated(Protocol):
    """Server processes share one store: one is the writer, the others follow its writes
    (the embedded backend). A follower serves reads; writes go to the writer."""

    follower: bool

    def follow(self) -> None:
        """Apply what the writer committed since the last call (nothing in the writer)."""


@runtime_checkable
class BulkLoading(Protocol):
    """The store can be set up for a large load and set back afterwards (OpenSearch suspends refreshes)."""

    def bulk_load(self, index: str | None = None, new_index: bool = False) -> AbstractContextManager[None]:
        """For the duration of the block."""


@runtime_checkable
class Reindexing(Protocol):
    """Versioned indexes: a new version is built while the current one serves, then swapped in."""

    def reindex(self, rebuild: bool = False, keep: int = 1,
                transform: Callable[[list[Record]], list[Record]] | None = None,
                dim: int | None = None) -> str:
        """Build the next version (re-deriving documents if `rebuild`, rewriting records with
        `transform`, into vectors of `dim`), swap it in, keep `keep` older ones; its name."""
