"""The Matcher: indexes profiles, retrieves candidates from a backend, ranks and explains them."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Literal

import numpy as np
from threadpoolctl import threadpool_limits

from matcher import bridges, constraints, facets as facet_counts, ranking, search, text
from matcher.backends.base import SearchBackend
from matcher.backends.factory import make_backend
from matcher.backends.types import CandidateFilter, Reach, Record
from matcher.embeddings.base import Embedder, Forgetting
from matcher.embeddings.factory import make_embedder
from matcher.errors import InvalidContact, InvalidQuery, ModelMismatch, ProfileNotFound
from matcher.settings import get_settings
from matcher.consortium import Consortium, best_group
from matcher.features import PROFILE, PROFILE_UNIT, Teachers, shared_ages, with_profile_row
from matcher.reasons import activity_reasons, reason, similar_idea
from matcher.whynot import why_empty
from models import Filters, Profile, Reason, Result, ResultList, SearchRequest

Mode = Literal["full", "model"]

@dataclass
class Candidates:
    """A partner query's candidate pool: the asking record, the candidates' features, the
    learned probability of each (with its paths through the teacher's best candidates,
    matcher/bridges.py), each one's BM25 score over the pool's best (0 if none), what it took
    to enter the pool, the pair model's own probability and the best candidates' links."""
    me: Record
    pool: Teachers
    feats: dict[str, np.ndarray]
    prob: np.ndarray
    kw: np.ndarray
    reach: Reach
    direct: np.ndarray
    links: bridges.Links


def _one_blas_thread() -> None:
    """Queries run one at a time per process (one process per core), and their matrix products
    are small: OpenBLAS's own threads only fight them for the cores (partner query p50 at 100k,
    in process: ~8 ms with one BLAS thread, ~12 ms with two)."""
    threadpool_limits(1, user_api="blas")


class Matcher:
    def __init__(self, backend: SearchBackend, embedder: Embedder, candidates: int | None = None):
        """`candidates`: vector candidates a partner query ranks; the settings' by default, so
        benchmarks and tests rank the pools the service ranks."""
        self.backend, self.embedder = backend, embedder
        self.pool_size = candidates or get_settings().candidates
        self.scorer = ranking.Scorer(backend)
        self._lock = threading.Lock()
        self._legs: ThreadPoolExecutor | None = None
        self._facets = facet_counts.Cache()
        _one_blas_thread()
        stored = backend.get_meta("model_id")
        if stored and stored != embedder.model_id and backend.count():
            raise ModelMismatch(f"this index holds vectors from {stored!r} but the configured "
                                f"embedder is {embedder.model_id!r}; run `twinmatch reindex` "
                                "or point TWINMATCH_DATA_DIR at a new directory")

    def _aside(self, fn: Callable, *args, **kwargs) -> Future:
        """Run `fn` on another thread while the caller does the other retrieval leg. tantivy,
        faiss, the embedder and OpenSearch's sockets release the GIL, so BM25 and the vector
        search of one query take the time of the slower one, not of both."""
        if self._legs is None:
            with self._lock:
                if self._legs is None:
                    self._legs = ThreadPoolExecutor(16, thread_name_prefix="twinmatch-leg")
        return self._legs.submit(fn, *args, **kwargs)

    # -- writes -----------------------------------------------------------------------------

    def upsert(self, profiles: list[Profile], batch: int = 64,
               progress: Callable[[int], None] | None = None) -> list[str]:
        """Detect idea languages, embed (through the cache) and store; returns the ids."""
        if self.backend.get_meta("model_id") != self.embedder.model_id:
            self.backend.set_meta("model_id", self.embedder.model_id)
            self.backend.set_meta("dim", str(self.embedder.dim))
        done = []
        for i in range(0, len(profiles), batch):
            chunk = self._changed(profiles[i:i + batch])
            if progress:
                progress(min(batch, len(profiles) - i) - len(chunk))
            done.extend(p.id for p in profiles[i:i + batch])
            if not chunk:
                continue
            units = [text.units(p) for p in chunk]
            flat = [t for u in units for _, t in u]
            vecs = self.embedder.passages(flat) if flat else np.zeros((0, self.embedder.dim), np.float32)
            records, at = [], 0
            for p, u in zip(chunk, units):
                records.append(Record(p, *with_profile_row(vecs[at:at + len(u)], [name for name, _ in u])))
                at += len(u)
            self.backend.upsert(records)
            self.scorer.forget([p.id for p in chunk])
            if progress:
                progress(len(chunk))
        return done

    def _changed(self, profiles: list[Profile]) -> list[Profile]:
        """Profiles that differ from what is stored, with idea languages set.

        Languages already detected for an unchanged idea text are reused, and a profile equal to
        its stored version is skipped, so re-indexing an unchanged file costs one read per profile.
        """
        stored = self.backend.get_many([p.id for p in profiles])
        out = []
        for p in profiles:
            old = stored.get(p.id)
            if old is not None:
                known = {(i.title, i.text): i.lang for i in old.profile.ideas}
                for idea in p.ideas:
                    idea.lang = idea.lang or known.get((idea.title, idea.text))
            text.annotate_languages(p)
            if old is None or old.profile.model_dump() != p.model_dump():  # fields only
                out.append(p)
        return out

    def delete(self, profile_id: str) -> None:
        rec = self.backend.get(profile_id)
        if rec is None or not self.backend.delete([profile_id]):
            raise ProfileNotFound(profile_id)
        if isinstance(self.embedder, Forgetting):  # erasure covers the embedding cache too
            self.embedder.forget([t for _, t in text.units(rec.profile)])

    def get(self, profile_id: str) -> Profile:
        rec = self.backend.get(profile_id)
        if rec is None:
            raise ProfileNotFound(profile_id)
        return rec.profile

    def record(self, profile_id: str) -> Record:
        rec = self.backend.get(profile_id)
        if rec is None:
            raise ProfileNotFound(profile_id)
        return rec

    def contact(self, src: str, dst: str, answered: bool = False) -> None:
        """Count a contact request from `src` to `dst`; a teacher never contacts themselves."""
        if src == dst:
            raise InvalidContact(f"{src!r} cannot contact themselves",
                                 details=[{"field": "to", "reason": "must differ from the contacting profile"}])
        self.record(src), self.record(dst)
        self.backend.record_contact(src, dst, answered)

    # -- scoring helpers ----------------------------------------------------------------------

    def teachers(self, records: list[Record]) -> Teachers:
        return Teachers.from_records(records, self.backend.dim)

    def compatible(self, a: Profile, b: Profile, allow_same_country: bool = False) -> bool:
        return ranking.compatible(a, b, allow_same_country)

    def pair_score(self, a: Record, b: Record) -> float:
        """The learned score of two stored profiles (symmetric); 0 when a hard constraint fails."""
        if not ranking.compatible(a.profile, b.profile):
            return 0.0
        return self.scorer.pair(a, b)[1]

    def hard_filter(self, me: Profile, filters: Filters | None) -> CandidateFilter:
        return constraints.for_partner(me, filters).filter()

    def explained(self, out: ResultList, q: constraints.Query, lang: str | None, facets: list[str] = (),
                  explain: bool = False, text: str | None = None) -> ResultList:
        """`out` with the facets asked for and, when it is empty and `explain`, why (matcher/whynot.py)."""
        if facets:
            out.facets = self._facets.facets(self.backend, q, list(facets))
        if explain and not out.total:
            out.why_empty = why_empty(self.backend, q, lang, text)
        return out

    # -- partners -------------------------------------------------------------------------

    def candidates(self, me: Record, filters: Filters | None = None, links: int = bridges.BRIDGES) -> Candidates:
        """Every candidate the retrieval legs find for `me` that passes the hard constraints, with
        its features, and the features of the best `links` of them with the whole pool (the
        evaluation keeps more, for models fitted without the shipped one). The pool depends on
        the profile and the filters only, never on the page."""
        flt = self.hard_filter(me.profile, filters)
        kw, reach = self._retrieve(me, flt)
        kw_max = max(kw.values(), default=0.0) or 1.0
        pool = self.backend.features(list(kw), flt)
        hubs = self.scorer.hubs(pool)
        feats, prob = self.scorer.score(self.teachers([me]), pool, hubs_b=hubs)
        direct = prob[0]
        found, link_prob = bridges.linked(self.scorer, pool, direct, hubs, links)
        return Candidates(me, pool, {name: v[0] for name, v in feats.items()},
                          bridges.bridged(direct, found.at, link_prob),
                          np.array([kw.get(pid, 0.0) / kw_max for pid in pool.ids]), reach, direct, found)

    def _retrieve(self, me: Record, flt: CandidateFilter) -> tuple[dict[str, float], Reach]:
        """Both legs' candidates for `me`, vector hits first: id -> BM25 score (0 if BM25 missed
        it), and what it took to be among them."""
        kw_leg = self.keyword_leg(me, flt)
        vec = self.backend.vector_search(self._query_row(me), flt, self.pool_size) if len(me.vectors) else []
        kw = {c.id: c.score for c in kw_leg.result()}
        reach = Reach.of(vec, kw, self.pool_size)
        return {pid: kw.get(pid, 0.0) for pid in dict.fromkeys([*(c.id for c in vec), *kw])}, reach

    def keyword_leg(self, me: Record, flt: CandidateFilter) -> Future:
        """The keyword leg of `me`'s partner query, run aside: the best BM25 matches of its whole
        text (`Candidate`s)."""
        return self._aside(self.backend.keyword_search, text.keyword_text(me.profile), flt,
                           self.pool_size // 2, lang=text.main_language(me.profile))

    def _query_row(self, me: Record) -> np.ndarray:
        """The vector leg's query: the teacher's profile row, centred. Against every stored row it
        brings the same partners into the pool as all of the teacher's rows do (docs/quality.md,
        Candidates), for one row's search instead of three."""
        vecs, units = with_profile_row(me.vectors, me.units)
        return self.scorer.centred(vecs[[units.index(PROFILE_UNIT)]])

    def candidate_ids(self, me: Record) -> list[str]:
        """The ids `candidates` would score for `me`, unscored."""
        return list(self._retrieve(me, self.hard_filter(me.profile, None))[0])

    def vector_queries(self, pool: Teachers) -> np.ndarray:
        """Each pool teacher's vector-leg query (`_query_row`: its centred profile row), in pool order."""
        rows = np.flatnonzero(pool.kind == PROFILE)
        out = np.zeros((len(pool), self.backend.dim), np.float32)
        out[pool.owner[rows]] = self.scorer.centred(pool.vecs[rows])
        return out

    def reach_scores(self, me: Record, queries: np.ndarray) -> np.ndarray:
        """The cosine each of the teachers' vector-leg `queries` (`vector_queries`) gives `me`: how
        near `me` comes to entering that teacher's candidate pool (`Reach.vector`)."""
        if not len(queries) or not len(me.vectors):
            return np.full(len(queries), -1.0, np.float32)
        mine, _ = with_profile_row(me.vectors, me.units)
        return (queries @ np.asarray(mine, np.float32).T).max(axis=1)

    def ranked(self, profile_id: str, k: int, offset: int = 0, filters: Filters | None = None,
               mode: Mode = "full") -> tuple[Candidates, list[tuple[str, float]]]:
        """The teacher's candidate pool (with their record, `me`) and the ids and scores of their
        partners `offset`..`offset + k` in the order `partners` shows them; no candidate's record
        is fetched and nothing explained (alerts and consortia need the order, not the results)."""
        if mode not in ("full", "model"):
            raise InvalidQuery(f"unknown ranking mode {mode!r}; full or model "
                               "(the baselines live in matcher/evaluation.py)")
        me = self.record(profile_id)
        c = self.candidates(me, filters)
        # Countries the teacher asked for lift the quota.
        order, keys = ranking.rank(c.pool, c.prob, full=mode == "full",
                                   spread=not (filters and filters.country))
        return c, [(c.pool.ids[i], float(keys[i])) for i in order[offset:offset + k]]

    def partners(self, profile_id: str, k: int = 10, offset: int = 0, filters: Filters | None = None,
                 lang: str | None = None, mode: Mode = "full", facets: list[str] = (),
                 explain: bool = False) -> ResultList:
        """Partners of a stored teacher, best first. `full` weighs the learned score by
        responsiveness and spreads countries over the first page; `model` is the score alone.
        `facets` and `explain` add counts (matcher/facets.py) and why an empty list is empty."""
        c, page = self.ranked(profile_id, k, offset, filters, mode)
        me, total = c.me, len(c.pool)
        recs = self.backend.get_many([pid for pid, _ in page])
        # A candidate erased since the pool was read is left out.
        results = [self.result(me, recs[pid], score, lang) for pid, score in page if pid in recs]
        out = ResultList(results=results, total=total)
        if facets or explain:
            out = self.explained(out, constraints.for_partner(me.profile, filters), lang, facets, explain)
        return out

    def result(self, me: Record, rec: Record, score: float, lang: str | None) -> Result:
        """`rec` as a partner of `me`: its public profile, `score` and the reasons."""
        a, b = me.profile, rec.profile
        reasons: list[Reason] = []
        languages = [x for x in a.languages if x in b.languages]
        if languages:
            reasons.append(reason("shared_languages", lang, languages=languages))
        ages = shared_ages(a, b)
        if ages:
            reasons.append(reason("age_overlap", lang, ages=ages))
        subjects = [s for s in a.subjects if s in b.subjects]
        if subjects:
            reasons.append(reason("shared_subjects", lang, subjects=subjects))
        reasons += similar_idea(me, rec, lang)
        reasons += activity_reasons(b, rec.received, rec.answered, lang)
        return Result(profile=b.public(), score=round(score, 6), reasons=reasons)

    # -- free-text search -----------------------------------------------------------------

    def search(self, req: SearchRequest, explain: bool = False) -> ResultList:
        """Teachers whose ideas and interests match `req.text` in any language (matcher/search.py);
        `explain` says why an empty list is empty."""
        return search.search(self, req, explain)

    def consortium(self, profile_id: str, size: int = 4, lang: str | None = None,
                   pool: int = 30) -> Consortium:
        """A group of `size` teachers (this one included) from `size` countries, all pairs compatible."""
        c, ranked = self.ranked(profile_id, pool, mode="model")
        recs = self.backend.get_many([pid for pid, _ in ranked])
        cands = [recs[pid] for pid, _ in ranked if pid in recs]
        return best_group(c.me, cands, size, self.scorer, lang)

    def stats(self) -> dict:
        return {**self.backend.health(), "model": self.embedder.model_id, "dim": self.embedder.dim}

    def close(self) -> None:
        if self._legs is not None:
            self._legs.shutdown(wait=True)
        self.backend.close()

    def __enter__(self) -> "Matcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def build_matcher(settings, threads: int = 1, follow: bool = False) -> Matcher:
    """Embedder and backend from settings: the only wiring the CLI and the API share. `follow`
    opens a data directory that another process writes, read-only, as a server's extra workers do."""
    embedder = make_embedder(settings, threads=threads)
    return Matcher(make_backend(settings, embedder.dim, follow=follow), embedder, settings.candidates)

