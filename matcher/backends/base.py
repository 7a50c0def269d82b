"""The SearchBackend contract: store profiles with their vectors, return candidates; never rank."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Iterable, Iterator

import numpy as np

from matcher.backends.types import Candidate, CandidateFilter, Record
from matcher.features import Teachers


class SearchBackend(ABC):
    """Everything the matcher needs from a store. Implementations: embedded, opensearch.
    Capabilities only some of them have are protocols in types.py."""

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

    @abstractmethod
    def keyword_scores(self, record: Record, texts: list[str],
                       langs: list[str | None] | None = None) -> list[float]:
        """The stored `record`'s BM25 for each text, as `keyword_search(text, lang=...)` scores
        it; 0 where they share no analysed term. The alert checks use it to skip saved searches
        and subscribers whose results a newcomer cannot enter (matcher/alerts/match.py, saved_searches.py)."""

    def passing(self, ids: list[str], flt: CandidateFilter) -> list[str]:
        """The stored `ids` that pass `flt`, in `ids` order. This default fetches the records."""
        recs = self.get_many(ids)
        return [i for i in ids if i in recs and flt.accepts(recs[i].profile)]

    def features(self, ids: list[str], flt: CandidateFilter) -> Teachers:
        """The ranking's view of the candidates among `ids` that pass `flt`, in `ids` order.
        This default fetches the records; a backend that keeps columns builds it without them."""
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

    # Standing filters: the filter part of saved searches, kept by the backend so that an
    # arriving profile is matched against all of them in one step (on OpenSearch, a percolator).

    @abstractmethod
    def put_standing(self, key: str, flt: CandidateFilter) -> None:
        """Keep `flt` under `key` (replacing any), durably, for `percolate`."""

    @abstractmethod
    def drop_standing(self, keys: Iterable[str]) -> None:
        """Forget the standing filters of `keys`; unknown keys are ignored."""

    @abstractmethod
    def standing_keys(self) -> set[str]:
        """The keys of every standing filter kept."""

    @abstractmethod
    def percolate(self, record: Record) -> set[str]:
        """The keys of the standing filters `record`'s profile passes."""

    def health(self) -> dict:
        """Cheap readiness check; raises BackendUnavailable when the store cannot answer."""
        return {"backend": self.name, "profiles": self.count()}

    def close(self) -> None:
        """Release files, writers and connections."""
