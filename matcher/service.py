"""The Matcher: indexes profiles, retrieves candidates from a backend, ranks and explains them."""
from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Literal

import numpy as np
from threadpoolctl import threadpool_limits

from matcher import ranking, text
from matcher.backends.base import CandidateFilter, Record, SearchBackend
from matcher.embeddings.base import Embedder
from matcher.errors import ModelMismatch, ProfileNotFound
from matcher.pool import Pool, today_days
from matcher.reasons import reason
from models import Filters, Profile, Reason, Result, ResultList, SearchRequest

Mode = Literal["filters", "subjects", "bm25", "vector", "hybrid", "weighted", "full"]
MODES: tuple[str, ...] = ("filters", "subjects", "bm25", "vector", "hybrid", "weighted", "full")


def _one_blas_thread() -> None:
    """Queries run one at a time per process (on the worker's event loop, one process per
    core), and their matrix products are small: OpenBLAS's own threads only fought them for
    the cores (with BM25 beside the vector search, partner query p50 at 100k in process:
    11.9 ms with OpenBLAS's two threads, 7.6-8.0 ms with one; bench/ANALYSIS.md)."""
    threadpool_limits(1, user_api="blas")


def _short(s: str, n: int = 80) -> str:
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"


class Matcher:
    def __init__(self, backend: SearchBackend, embedder: Embedder, candidates: int = 50):
        self.backend, self.embedder, self.candidates = backend, embedder, candidates
        self._cal: ranking.Calibration | None = None
        self._cal_count = -1
        self._lock = threading.Lock()
        self._legs: ThreadPoolExecutor | None = None
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
                records.append(Record(p, vecs[at:at + len(u)], [name for name, _ in u]))
                at += len(u)
            self.backend.upsert(records)
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
        forget = getattr(self.embedder, "forget", None)
        if forget:  # erasure covers the embedding cache too
            forget([t for _, t in text.units(rec.profile)])

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
        self.record(src), self.record(dst)
        self.backend.record_contact(src, dst, answered)

    # -- scoring helpers ----------------------------------------------------------------------

    def calibration(self) -> ranking.Calibration:
        """Cosine statistics of a fixed sample (first ids in order), refreshed as the index grows."""
        n = self.backend.count()
        with self._lock:
            if self._cal is None or abs(n - self._cal_count) > max(50, self._cal_count // 5):
                sample = []
                for recs in self.backend.scan(batch=400):
                    sample.extend(r.vectors[0] for r in recs if len(r.vectors))
                    break
                self._cal = ranking.Calibration.from_vectors(np.array(sample)) if sample else ranking.Calibration()
                self._cal_count = n
            return self._cal

    def compatible(self, a: Profile, b: Profile, allow_same_country: bool = False) -> bool:
        return ranking.compatible(a, b, allow_same_country)

    def pair_score(self, a: Record, b: Record) -> float:
        """Reciprocal compatibility of two stored profiles; 0 when a hard constraint fails."""
        if not ranking.compatible(a.profile, b.profile):
            return 0.0
        return ranking.pair_features(a, b, self.calibration(), use_kw=False).score

    def hard_filter(self, me: Profile, filters: Filters | None) -> CandidateFilter:
        f = filters or Filters()
        return CandidateFilter(
            countries=f.country,
            exclude_countries=[] if (f.allow_same_country or f.country) else [me.school.country],
            exclude_schools=[me.school.id], exclude_ids=[me.id],
            languages=sorted(set(f.language) & set(me.languages)) if f.language else me.languages,
            subjects=f.subject, school_types=f.school_type,
            ages=[f.age] if f.age else me.age_groups)

    # -- partners -------------------------------------------------------------------------

    def partners(self, profile_id: str, k: int = 10, offset: int = 0, filters: Filters | None = None,
                 lang: str | None = None, mode: Mode = "full") -> ResultList:
        me = self.record(profile_id)
        flt = self.hard_filter(me.profile, filters)
        pool_size = max(self.candidates, k + offset)
        kw_scores: dict[str, float] = {}
        if mode in ("filters", "subjects"):
            ids = self.backend.filter_ids(flt, pool_size * (5 if mode == "subjects" else 1))
        else:
            kw_leg = None
            if mode not in ("vector", "weighted"):
                kw_leg = self._aside(self.backend.keyword_search, text.keyword_text(me.profile), flt,
                                     max(k + offset, pool_size // 2), lang=text.main_language(me.profile))
            vec_ids = []
            if mode != "bm25" and len(me.vectors):
                vec_ids = [c.id for c in self.backend.vector_search(me.vectors, flt, pool_size)]
            if kw_leg is not None:
                kw_scores = {c.id: c.score for c in kw_leg.result()}
            ids = list(dict.fromkeys([*vec_ids, *kw_scores]))
        # Rank the whole pool from its columns; only the page's documents are read.
        pool = self.backend.features(ids, flt)
        kw_max = max(kw_scores.values(), default=0.0) or 1.0
        kw = np.array([kw_scores.get(pid, 0.0) / kw_max for pid in pool.ids])
        order, keys = self._rank(me, pool, kw, mode, filters)
        page = order[offset:offset + k]
        recs = self.backend.get_many([pool.ids[i] for i in page])
        cal, results = self.calibration(), []
        for i in page:
            rec = recs.get(pool.ids[i])
            if rec is None:  # erased since the pool was read
                continue
            f = ranking.pair_features(me, rec, cal, kw[i], use_kw=mode in ("hybrid", "full"))
            f.score = float(keys[i])
            results.append(self._result(me, rec, f, lang, mode))
        return ResultList(results=results, total=len(pool))

    def _rank(self, me: Record, pool: Pool, kw: np.ndarray, mode: str,
              filters: Filters | None) -> tuple[list[int], np.ndarray]:
        """Pool positions best first, and each candidate's ranking key (its shown score)."""
        n = len(pool)
        s = ranking.score_pool(Pool.from_records([me], self.backend.dim), pool, self.calibration(), kw,
                               use_kw=mode in ("hybrid", "full"))
        if mode == "filters":
            keys = -np.arange(n, dtype=float)                    # newest first, as the portal
        elif mode == "subjects":
            keys = s.shared_subjects.astype(float)
        elif mode == "bm25":
            keys = s.kw
        elif mode == "vector":
            keys = s.cos
        elif mode == "weighted":                                  # plain cosine + subject overlap
            mine = len(me.profile.subjects)
            keys = 0.7 * s.sem + 0.3 * (s.shared_subjects / mine if mine else 0.0)
        elif mode == "hybrid":
            keys = s.fit_ab
        else:
            keys = s.score * ranking.responsiveness(pool, today_days())
        order = np.argsort(-keys, kind="stable").tolist()        # ties keep retrieval order
        if mode == "full" and not (filters and filters.country):
            order = ranking.diversify(order, lambda i: int(pool.country[i]), k=10)
        return order, keys

    def _result(self, me: Record, rec: Record, f: ranking.PairFeatures, lang: str | None,
                mode: str) -> Result:
        reasons: list[Reason] = []
        if f.languages:
            reasons.append(reason("shared_languages", lang, languages=f.languages))
        if f.ages:
            reasons.append(reason("age_overlap", lang, ages=f.ages))
        if f.subjects:
            reasons.append(reason("shared_subjects", lang, subjects=f.subjects))
        if f.best_pair[0] >= 0:
            reasons.append(reason("similar_idea", lang,
                                  own_idea=_short(self._unit_label(me, f.best_pair[0])),
                                  partner_idea=_short(self._unit_label(rec, f.best_pair[1])),
                                  own_unit=me.units[f.best_pair[0]], partner_unit=rec.units[f.best_pair[1]],
                                  similarity=round(f.cos, 4)))
        if mode == "full":
            if min(f.fit_ab, f.fit_ba) > 0.5:
                reasons.append(reason("mutual_fit", lang, fit_for_you=round(f.fit_ab, 3),
                                      fit_for_them=round(f.fit_ba, 3)))
            p = rec.profile
            if p.last_active and (dt.date.today() - p.last_active).days <= 30:
                reasons.append(reason("recently_active", lang, days=30))
            if p.response_rate is not None and p.response_rate >= 0.7:
                reasons.append(reason("responsive", lang, rate=round(100 * p.response_rate)))
            if rec.received == 0:
                reasons.append(reason("new_profile", lang))
        return Result(profile=rec.profile.public(), score=round(f.score, 6), reasons=reasons)

    @staticmethod
    def _unit_label(rec: Record, unit: int) -> str:
        name = rec.units[unit]
        if name.startswith("idea:"):
            idea = rec.profile.ideas[int(name.split(":")[1])]
            return idea.title or idea.text
        return "; ".join(rec.profile.interests)

    # -- free-text search -----------------------------------------------------------------

    def search(self, req: SearchRequest) -> ResultList:
        f = req.filters
        flt = CandidateFilter(countries=f.country, languages=f.language, subjects=f.subject,
                              school_types=f.school_type, ages=[f.age] if f.age else None)
        pool = max(self.candidates, req.k + req.offset)
        if not req.text.strip():
            ids = self.backend.filter_ids(flt, 10_000)  # newest first; the count is the total
            page_ids = ids[req.offset:req.offset + req.k]
            recs = self.backend.get_many(page_ids)
            return ResultList(results=[Result(profile=recs[i].profile.public(), score=0.0,
                                              reasons=self._filter_reasons(recs[i], f, req.lang))
                                       for i in page_ids if i in recs], total=len(ids))
        kw_leg = self._aside(self.backend.keyword_search, req.text, flt, pool)
        q = self.embedder.query(req.text)
        vec = {c.id: c.score for c in self.backend.vector_search(q[None, :], flt, pool)}
        kw = {c.id: c.score for c in kw_leg.result()}
        ids = list(dict.fromkeys([*vec, *kw]))
        kw_max = max(kw.values(), default=0.0) or 1.0
        # Query-to-passage cosines have their own band: calibrate against this pool.
        cos = np.array([vec.get(i, np.nan) for i in ids], dtype=float)
        mu = np.nanmean(cos) if np.isfinite(cos).any() else 0.0
        sd = np.nanstd(cos) if np.isfinite(cos).sum() > 1 else 1.0
        passing = set(self.backend.passing(ids, flt))   # the filter, from columns where kept
        scored = []
        for i, c in zip(ids, cos):
            if i not in passing:
                continue
            sem = 0.0 if np.isnan(c) else 1 / (1 + np.exp(-(c - mu) / max(sd, 1e-4)))
            score = 0.75 * sem + 0.25 * kw.get(i, 0.0) / kw_max
            scored.append((score, i))
        scored.sort(reverse=True)
        page = scored[req.offset:req.offset + req.k]
        recs = self.backend.get_many([i for _, i in page])     # documents for the page only
        results = []
        for score, i in page:
            r = recs.get(i)
            if r is None:  # erased since the pool was read
                continue
            reasons = self._filter_reasons(r, f, req.lang)
            if len(r.vectors):
                best = int(np.argmax(r.vectors @ q))
                reasons.insert(0, reason("matches_search", req.lang, idea=_short(self._unit_label(r, best)),
                                         unit=r.units[best], similarity=round(float(r.vectors[best] @ q), 4)))
            results.append(Result(profile=r.profile.public(), score=round(float(score), 6), reasons=reasons))
        return ResultList(results=results, total=len(scored))

    @staticmethod
    def _filter_reasons(r: Record, f: Filters, lang: str | None) -> list[Reason]:
        out = []
        if f.language:
            shared = [x for x in r.profile.languages if x in f.language]
            out.append(reason("shared_languages", lang, languages=shared))
        if f.age:
            ages = [f"{max(a.from_, f.age.from_)}-{min(a.to, f.age.to)}" for a in r.profile.age_groups
                    if a.overlap(f.age)]
            out.append(reason("age_overlap", lang, ages=ages))
        if f.subject:
            out.append(reason("shared_subjects", lang,
                              subjects=[s for s in r.profile.subjects if s in f.subject]))
        return out

    def consortium(self, profile_id: str, size: int = 4, lang: str | None = None, pool: int = 30):
        """A group of `size` teachers (this one included) from `size` countries, all pairs compatible."""
        from matcher.consortium import best_group
        me = self.record(profile_id)
        ranked = self.partners(profile_id, k=pool, mode="hybrid").results
        recs = self.backend.get_many([r.profile.id for r in ranked])
        cands = [recs[r.profile.id] for r in ranked if r.profile.id in recs]
        return best_group(me, cands, size, self.calibration(), lang)

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


def build_matcher(settings, threads: int = 1) -> Matcher:
    """Embedder and backend from settings: the only wiring the CLI and the API share."""
    from matcher.backends.factory import make_backend
    from matcher.embeddings.factory import make_embedder

    embedder = make_embedder(settings, threads=threads)
    return Matcher(make_backend(settings, embedder.dim), embedder, settings.candidates)

