"""The SearchBackend contract: store profiles with their vectors, return candidates; never rank."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Iterator

import numpy as np

from models import AgeRange, Profile

if TYPE_CHECKING:
    from matcher.features import Teachers


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


class SearchBackend(ABC):
    """Everything the matcher needs from a store. Implementations: embedded, opensearch."""

    name: str = "abstract"
    dim: int                     # length of the stored unit vectors
    # Whether a search mostly waits on the network (OpenSearch). The API then runs searches on
    # threads, many at once; otherwise (the embedded store: CPU work, one process per core) it
    # runs each on the event loop, one at a time, with no threads fighting for the GIL.
    waits_on_network: bool = False

    @abstractmethod
    def upsert(self, records: list[Record]) -> None:
        """Insert or replace records; durable when this returns."""

    @abstractmethod
    def delete(self, ids: Iterable[str]) -> int:
        """Remove profiles from every store and index; returns how many existed."""

    @abstractmethod
    def get_many(self, ids: Iterable[str]) -> dict[str, Record]:
        """Records by id; missing ids are absent from the result."""

    def get(self, profile_id: str) -> Record | None:
        return self.get_many([profile_id]).get(profile_id)

    @abstractmethod
    def vector_search(self, queries: np.ndarray, flt: CandidateFilter, k: int) -> list[Candidate]:
        """Best `k` profiles by max cosine between any query row and any of their unit vectors."""

    @abstractmethod
    def keyword_search(self, text: str, flt: CandidateFilter, k: int,
                       lang: str | None = None) -> list[Candidate]:
        """Best `k` profiles by BM25 of `text` against their idea and interest texts.

        `lang` is the language of a long `text` when the caller knows it (a stored profile's
        ideas), which saves detecting it."""

    def passing(self, ids: list[str], flt: CandidateFilter) -> list[str]:
        """The stored `ids` that pass `flt`, in `ids` order. This default fetches the records."""
        recs = self.get_many(ids)
        return [i for i in ids if i in recs and flt.accepts(recs[i].profile)]

    def features(self, ids: list[str], flt: CandidateFilter) -> "Teachers":
        """The ranking's view of the candidates among `ids` that pass `flt`, in `ids` order.
        This default fetches the records; a backend that keeps columns builds it without them."""
        from matcher.features import Teachers
        recs = self.get_many(ids)
        return Teachers.from_records([recs[i] for i in ids if i in recs and flt.accepts(recs[i].profile)],
                                 self.dim)

    @abstractmethod
    def filter_ids(self, flt: CandidateFilter, k: int) -> list[str]:
        """Up to `k` ids that pass the filter, most recently active first (the portal's order)."""

    @abstractmethod
    def count(self) -> int:
        """Number of stored profiles."""

    @abstractmethod
    def scan(self, batch: int = 1000) -> Iterator[list[Record]]:
        """Every record, in batches (reindex, migrate, campaigns)."""

    @abstractmethod
    def record_contact(self, src: str, dst: str, answered: bool = False) -> None:
        """Count a contact request received by `dst` (and an answer, if given)."""

    @abstractmethod
    def get_meta(self, key: str) -> str | None:
        """Index-level metadata, e.g. the embedding model's identity."""

    @abstractmethod
    def set_meta(self, key: str, value: str) -> None:
        """Store index-level metadata."""

    def health(self) -> dict:
        """Cheap readiness check; raises BackendUnavailable when the store cannot answer."""
        return {"backend": self.name, "profiles": self.count()}

    def close(self) -> None:
        """Release files, writers and connections."""
