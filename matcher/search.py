"""Free-text search: a few words in any language against every teacher's ideas and interests.

Two legs find candidates (the text's vector against every unit row, and BM25). The learned
search model (`matcher/search_model.json`) ranks them from the similarity features a partner
query uses; reciprocal rank fusion then adds the BM25 ranking, so a rare word that names a
teacher's topic finds that teacher in any embedding. BM25's weight is set, not learned: the
development sets' searches are teachers' own titles, whose keyword matches are mostly their
compatriots, so a learned weight came out negative. A text that matches nothing (gibberish: no indexed word, and
no profile close to it above the rest) finds nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from matcher import constraints, model as learned
from matcher.backends.base import CandidateFilter
from matcher.features import PROFILE_UNIT, Teachers, hubness, query_teacher, search_features
from matcher.reasons import reason
from models import Filters, Reason, Result, ResultList, SearchRequest

if TYPE_CHECKING:
    from matcher.service import Matcher

FEEDBACK = 5                  # nearest profiles that expand the text's vector
FEEDBACK_WEIGHT = 1.0
MARGIN_OF = 50
# A text none of whose words is indexed finds nothing unless its nearest profile stands out from
# its 50 nearest by this much: gibberish reached 0.011-0.019 on the real-project development
# set, idea titles 0.017-0.09 (docs/quality.md, Search).
MIN_MARGIN = 0.02
RRF_K = 60                    # reciprocal rank fusion's constant, as OpenSearch's hybrid search
KEYWORD_WEIGHT = 0.5          # BM25's rank against the model's
KEYWORD_STRONG = 0.5          # only matches at half the best BM25 score or more take part


def fused(c: "SearchCandidates", prob: np.ndarray | None = None) -> np.ndarray:
    """Each candidate's key in [0, 1]: the model's rank fused with BM25's, where BM25 matched
    strongly (a few common words shared with many texts add nothing)."""
    prob = c.prob if prob is None else prob
    rank_model = np.empty(len(prob))
    rank_model[np.argsort(-prob, kind="stable")] = np.arange(len(prob))
    kw = c.feats["bm25"]
    rank_kw = np.empty(len(kw))
    rank_kw[np.argsort(-kw, kind="stable")] = np.arange(len(kw))
    strong = kw >= KEYWORD_STRONG
    key = 1 / (RRF_K + 1 + rank_model) + KEYWORD_WEIGHT * np.where(strong, 1 / (RRF_K + 1 + rank_kw), 0.0)
    return key * (RRF_K + 1) / (1 + KEYWORD_WEIGHT)


@dataclass
class SearchCandidates:
    """A search's candidate pool, its features and the model's probability of each candidate."""
    q: np.ndarray
    pool: Teachers
    feats: dict[str, np.ndarray]
    prob: np.ndarray


def search_query(m: "Matcher", req: SearchRequest) -> constraints.Query:
    """The request's filters, and the asking teacher's hard constraints when it names one."""
    if req.profile_id:
        return constraints.for_partner(m.get(req.profile_id), req.filters)
    return constraints.for_search(req.filters)


def expand(m: "Matcher", q: np.ndarray) -> tuple[np.ndarray, float]:
    """The text's vector moved towards the profiles nearest to it (pseudo-relevance feedback:
    a few words become a query that reads like a whole profile, as partner queries compare),
    and how far its nearest profile stands out from its 50 nearest (its margin)."""
    near = m.backend.vector_search(q[None, :], CandidateFilter(open_only=False), MARGIN_OF)
    if not near:
        return q, 0.0
    margin = near[0].score - float(np.mean([c.score for c in near]))
    recs = m.backend.get_many([c.id for c in near[:FEEDBACK]])
    rows = [r.vectors[r.units.index(PROFILE_UNIT)] for r in recs.values() if PROFILE_UNIT in r.units]
    if not rows:
        return q, margin
    out = q + FEEDBACK_WEIGHT * np.mean(rows, axis=0)
    return (out / np.linalg.norm(out)).astype(np.float32), margin


def candidates(m: "Matcher", text: str, flt: CandidateFilter,
               model: learned.Model | None = None) -> SearchCandidates:
    """Every candidate either leg finds for `text` that passes `flt`, scored by the search model."""
    kw_leg = m._aside(m.backend.keyword_search, text, flt, m.pool_size // 2)
    q, margin = expand(m, m.embedder.query(text))
    vec_ids = [c.id for c in m.backend.vector_search(q[None, :], flt, m.pool_size)]
    kw = {c.id: c.score for c in kw_leg.result()}
    if not kw and margin < MIN_MARGIN:       # no word known, and no text stands out: nothing
        vec_ids = []
    pool = m.backend.features(list(dict.fromkeys([*vec_ids, *kw])), flt)
    kw_max = max(kw.values(), default=0.0) or 1.0
    qt = query_teacher(q)
    feats = search_features(qt, pool, hubness(qt, m.scorer.reference()), m.scorer.hubs(pool),
                            np.array([kw.get(pid, 0.0) / kw_max for pid in pool.ids]))
    prob = (model or learned.load(learned.SEARCH_MODEL_FILE)).probability(feats)[0]
    return SearchCandidates(q, pool, {name: v[0] for name, v in feats.items()}, prob)


def search(m: "Matcher", req: SearchRequest, explain: bool = False) -> ResultList:
    """A page of the search, with the facets it asks for and, with `explain`, why an empty one is empty."""
    q = search_query(m, req)
    out = _ranked(m, req, q.filter())
    if req.facets or explain:
        out = m.explained(out, q, req.lang, req.facets, explain, text=req.text)
    return out


def _ranked(m: "Matcher", req: SearchRequest, flt: CandidateFilter) -> ResultList:
    if not req.text.strip():
        ids = m.backend.filter_ids(flt, 10_000)  # newest first; the count is the total
        page_ids = ids[req.offset:req.offset + req.k]
        recs = m.backend.get_many(page_ids)
        return ResultList(results=[Result(profile=recs[i].profile.public(), score=0.0,
                                          reasons=filter_reasons(recs[i].profile, req.filters, req.lang))
                                   for i in page_ids if i in recs], total=len(ids))
    c = candidates(m, req.text, flt)
    keys = fused(c)
    order = np.argsort(-keys, kind="stable")
    page = order[req.offset:req.offset + req.k]
    recs = m.backend.get_many([c.pool.ids[i] for i in page])     # documents for the page only
    results = []
    for i in page:
        r = recs.get(c.pool.ids[i])
        if r is None:  # erased since the pool was read
            continue
        reasons = filter_reasons(r.profile, req.filters, req.lang)
        rows = [j for j, u in enumerate(r.units) if u != "profile"]
        if rows:
            sims = r.vectors[rows] @ c.q
            best = rows[int(np.argmax(sims))]
            reasons.insert(0, reason("matches_search", req.lang, idea=m._short_label(r, best),
                                     unit=r.units[best], similarity=round(float(sims.max()), 4)))
        results.append(Result(profile=r.profile.public(), score=round(float(keys[i]), 6), reasons=reasons))
    return ResultList(results=results, total=len(order))


def filter_reasons(p, f: Filters, lang: str | None) -> list[Reason]:
    """Why a profile passes the filters the searcher set."""
    out = []
    if f.language:
        out.append(reason("shared_languages", lang, languages=[x for x in p.languages if x in f.language]))
    if f.age_ranges:
        ages = [f"{max(a.from_, r.from_)}-{min(a.to, r.to)}" for r in f.age_ranges for a in p.age_groups
                if a.overlap(r)]
        out.append(reason("age_overlap", lang, ages=list(dict.fromkeys(ages))))
    if f.subject:
        out.append(reason("shared_subjects", lang, subjects=[s for s in p.subjects if s in f.subject]))
    return out
