"""Free-text search: a few words in any language against every teacher's ideas and interests.

Two legs find candidates (the text's vector against every unit row, and BM25). The learned
search model (`matcher/search_model.json`) ranks them from the similarity features a partner
query uses and `text_lang_z` (the text's own vector against each profile row, the pull of
language taken out of both, read in the candidate's units; matcher/features.py); reciprocal
rank fusion then adds the BM25 ranking, so a rare word that names a teacher's topic finds that
teacher in any embedding. BM25's weight is set, not learned: the development sets' searches
are teachers' own titles, whose keyword matches are mostly their compatriots, so a learned
weight came out negative. A text that matches nothing (gibberish: no indexed word, and no
profile close to it above the rest) finds nothing.

A text that names one teacher's idea title or interests word for word (a teacher searching with
their own project's title, or a known project's) also ranks that teacher's likely partners, by the
partner model: the search then reads as "partners for this idea". Other texts rank as above.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from matcher import bridges, constraints, model as learned
from matcher.backends.types import Candidate, CandidateFilter, Reach
from matcher.features import PROFILE_UNIT, Teachers, compatible, query_teacher, search_features
from matcher.reasons import reason, similar_idea
from matcher.text import unit_label
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
NAMED_MATCH = 0.8             # share of words a text and a title (or interests) must have in common
NAMED_MIN_WORDS = 2           # one word ("reciclagem") is a topic, not a name
NAMED_OF = 3                  # the best candidates of each order that may be the named teacher
# The named teacher's partner probability outweighs the fused rank: on both development sets,
# inside the 2,000-teacher sample too, title recall@10 rises with this weight up to 16 and gains
# under 0.015 more at 32.
NAMED_WEIGHT = 16.0
NAMED_INCOMPATIBLE = 0.2      # the partner probability of a candidate the named teacher cannot partner
_WORD = re.compile(r"[^\W_]+")


def fusion(prob: np.ndarray, bm25: np.ndarray) -> np.ndarray:
    """Each candidate's key in [0, 1]: the model's rank fused with BM25's (scores over the best),
    where BM25 matched strongly (a few common words shared with many texts add nothing). Ties
    go to the earlier candidate."""
    rank_model = np.empty(len(prob))
    rank_model[np.argsort(-prob, kind="stable")] = np.arange(len(prob))
    rank_kw = np.empty(len(bm25))
    rank_kw[np.argsort(-bm25, kind="stable")] = np.arange(len(bm25))
    strong = bm25 >= KEYWORD_STRONG
    key = 1 / (RRF_K + 1 + rank_model) + KEYWORD_WEIGHT * np.where(strong, 1 / (RRF_K + 1 + rank_kw), 0.0)
    return key * (RRF_K + 1) / (1 + KEYWORD_WEIGHT)


def fused(c: "SearchCandidates", prob: np.ndarray | None = None) -> np.ndarray:
    """Each candidate's key in [0, 1] (`fusion`), the named teacher's partners lifted."""
    key = fusion(c.prob if prob is None else prob, c.feats["bm25"])
    if c.named is None:
        return key
    return (key + NAMED_WEIGHT * c.named) / (1 + NAMED_WEIGHT)


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.casefold()))


def names(text: str, p) -> bool:
    """Whether `text` (two words or more) is, near word for word, one of profile `p`'s idea
    titles or its interests."""
    q = _words(text)
    if len(q) < NAMED_MIN_WORDS:
        return False
    fields = [idea.title for idea in p.ideas if idea.title] + (["; ".join(p.interests)] if p.interests else [])
    for field in fields:
        w = _words(field)
        shared = len(q & w)
        if q and w and min(shared / len(q), shared / len(w)) >= NAMED_MATCH:
            return True
    return False


def named_teacher(m: "Matcher", text: str, c: "SearchCandidates"):
    """The record of the teacher `text` names, if one of the best candidates is named by it: the
    best by the search's order, by BM25 or by the idea cosine. The search model prefers partners
    abroad, so a teacher whose own title the text is, word for word, need not come first in its
    order; the other two put that teacher first."""
    if len(_words(text)) < NAMED_MIN_WORDS:      # names nobody: no record to read
        return None
    seen: set[int] = set()
    for key in (fused(c), c.feats["bm25"], c.feats["idea"]):   # the next order's records only if needed
        best = [int(i) for i in np.argsort(-key, kind="stable")[:NAMED_OF] if int(i) not in seen]
        seen.update(best)
        recs = m.backend.get_many([c.pool.ids[i] for i in best])
        for i in best:
            r = recs.get(c.pool.ids[i])
            if r is not None and names(text, r.profile):
                return r
    return None


@dataclass
class SearchCandidates:
    """A search's candidate pool, its features and the model's probability of each candidate."""
    q: np.ndarray
    pool: Teachers
    feats: dict[str, np.ndarray]
    prob: np.ndarray
    named: np.ndarray | None = None    # partner probability, as a share of the named teacher's best
    named_id: str | None = None
    # What a saved search's alert bound keeps (matcher/alerts/saved_searches.py): the text's own vector,
    # the cosine to it a profile needs to join the feedback, the keyword leg's best BM25 score,
    # and what it took to enter the pool.
    raw: np.ndarray | None = None
    join: float = -1.0
    kw_best: float = 0.0
    reach: Reach = Reach(-1.0, 0.0)


def search_query(m: "Matcher", req: SearchRequest) -> constraints.Query:
    """The request's filters, and the asking teacher's hard constraints when it names one."""
    if req.profile_id:
        return constraints.for_partner(m.get(req.profile_id), req.filters)
    return constraints.for_search(req.filters)


def nearest(m: "Matcher", q: np.ndarray, exclude_ids: list[str] | None = None) -> list[Candidate]:
    """The `MARGIN_OF` profiles nearest to the text's vector `q`, whatever the filters, never the
    excluded ones: the first `FEEDBACK` expand the text."""
    return m.backend.vector_search(q[None, :], CandidateFilter(open_only=False, exclude_ids=exclude_ids or []),
                                   MARGIN_OF)


def expand(m: "Matcher", q: np.ndarray, exclude_ids: list[str] | None = None) -> tuple[np.ndarray, float, float]:
    """The text's vector moved towards the profiles nearest to it (pseudo-relevance feedback:
    a few words become a query that reads like a whole profile, as partner queries compare;
    never the excluded ones), how far its nearest profile stands out from its 50 nearest (its
    margin), and the cosine a profile needs to join the feedback (-1 while fewer are stored)."""
    near = nearest(m, q, exclude_ids)
    join = near[FEEDBACK - 1].score if len(near) >= FEEDBACK else -1.0
    if not near:
        return q, 0.0, join
    margin = near[0].score - float(np.mean([c.score for c in near]))
    recs = m.backend.get_many([c.id for c in near[:FEEDBACK]])
    rows = [r.vectors[r.units.index(PROFILE_UNIT)] for r in recs.values() if PROFILE_UNIT in r.units]
    if not rows:
        return q, margin, join
    out = q + FEEDBACK_WEIGHT * np.mean(rows, axis=0)
    return (out / np.linalg.norm(out)).astype(np.float32), margin, join


def _scored(m: "Matcher", q: np.ndarray, raw: np.ndarray, ids: list[str], kw: dict[str, float],
            flt: CandidateFilter, model: learned.Model) -> SearchCandidates:
    pool = m.backend.features(ids, flt)
    kw_max = max(kw.values(), default=0.0) or 1.0
    qt = query_teacher(q)
    feats = search_features(qt, pool, m.scorer.measure(qt), m.scorer.hubs(pool), m.scorer.text_rows(raw),
                            np.array([kw.get(pid, 0.0) / kw_max for pid in pool.ids]))
    return SearchCandidates(q, pool, {name: v[0] for name, v in feats.items()}, m.scorer.probability(feats, model)[0])


def candidates(m: "Matcher", text: str, flt: CandidateFilter,
               model: learned.Model | None = None) -> SearchCandidates:
    """Every candidate either leg finds for `text` that passes `flt`, scored by the search model;
    when the text names a teacher, that teacher's partner candidates too, with their probability."""
    model = model or learned.load(learned.SEARCH_MODEL_FILE)
    kw_leg = m._aside(m.backend.keyword_search, text, flt, m.pool_size // 2)
    raw = m.embedder.query(text)
    q, margin, join = expand(m, raw, flt.exclude_ids)
    vec = m.backend.vector_search(m.scorer.centred(q[None, :]), flt, m.pool_size)
    vec_ids = [c.id for c in vec]
    kw = {c.id: c.score for c in kw_leg.result()}
    if not kw and margin < MIN_MARGIN:       # no word known, and no text stands out: nothing
        vec_ids = []
    c = _scored(m, q, raw, list(dict.fromkeys([*vec_ids, *kw])), kw, flt, model)
    c.raw, c.join, c.kw_best, c.reach = raw, join, max(kw.values(), default=0.0), Reach.of(vec, kw, m.pool_size)
    named = named_teacher(m, text, c) if len(c.pool) else None
    if named is not None:
        ids = list(dict.fromkeys([*c.pool.ids, *m.candidate_ids(named)]))
        if len(ids) > len(c.pool):
            c = _scored(m, q, raw, ids, kw, flt, model)
        seed = m.teachers([named])
        ok = compatible(seed, c.pool)[0]
        # The named teacher's partner probability, with its paths through that teacher's best
        # partners in the pool, as its own list counts them (matcher/bridges.py).
        hubs = m.scorer.hubs(c.pool)
        prob = m.scorer.score(seed, c.pool, hubs_b=hubs)[1][0]
        partners = np.where(ok, prob, 0.0)
        found, link_prob = bridges.linked(m.scorer, c.pool, partners, hubs)
        prob = bridges.combine(prob, bridges.path_strength(partners, found.at, link_prob))
        # Relative to the named teacher's best partner: probabilities move with the index's
        # hubness (a small index on one theme deflates them all), the order does not.
        best = float(prob[ok].max()) if ok.any() else 1.0
        c.named = np.minimum(prob / max(best, 1e-12), 1.0) * np.where(ok, 1.0, NAMED_INCOMPATIBLE)
        if named.profile.id in c.pool.ids:      # the named teacher itself comes first
            c.named[c.pool.ids.index(named.profile.id)] = 1.0
        c.named_id = named.profile.id
    return c


def search(m: "Matcher", req: SearchRequest, explain: bool = False) -> ResultList:
    """A page of the search, with the facets it asks for and, with `explain`, why an empty one is empty."""
    q = search_query(m, req)
    out = ranked(m, req, q.filter())[0]
    if req.facets or explain:
        out = m.explained(out, q, req.lang, req.facets, explain, text=req.text)
    return out


def ranked(m: "Matcher", req: SearchRequest, flt: CandidateFilter) -> tuple[ResultList, SearchCandidates | None]:
    """A page of the search, and the candidates it was ranked from (None for a text-less search,
    which lists the profiles passing the filters, newest first)."""
    if not req.text.strip():
        ids = m.backend.filter_ids(flt, 10_000)  # newest first; the count is the total
        page_ids = ids[req.offset:req.offset + req.k]
        recs = m.backend.get_many(page_ids)
        return ResultList(results=[Result(profile=recs[i].profile.public(), score=0.0,
                                          reasons=filter_reasons(recs[i].profile, req.filters, req.lang))
                                   for i in page_ids if i in recs], total=len(ids)), None
    c = candidates(m, req.text, flt)
    keys = fused(c)
    order = np.argsort(-keys, kind="stable")
    page = order[req.offset:req.offset + req.k]
    recs = m.backend.get_many([c.pool.ids[i] for i in page] + ([c.named_id] if c.named_id else []))
    named = recs.get(c.named_id) if c.named_id else None
    results = [result(recs[c.pool.ids[i]], c.q, float(keys[i]), req, named)
               for i in page if c.pool.ids[i] in recs]       # not erased since the pool was read
    return ResultList(results=results, total=len(order)), c


def result(r, q: np.ndarray, key: float, req: SearchRequest, named=None) -> Result:
    """One result of a search with text: the profile of record `r`, its fused key and why it
    matches: the unit nearest to the expanded text `q`, the filters and, when the text names a
    teacher (`named`), the idea it shares with that teacher."""
    reasons = filter_reasons(r.profile, req.filters, req.lang)
    if named is not None and r.profile.id != named.profile.id:
        reasons.extend(similar_idea(named, r, req.lang))
    rows = [j for j, u in enumerate(r.units) if u != "profile"]
    if rows:
        sims = r.vectors[rows] @ q
        best = rows[int(np.argmax(sims))]
        reasons.insert(0, reason("matches_search", req.lang, idea=unit_label(r.profile, r.units[best]),
                                 unit=r.units[best], similarity=round(float(sims.max()), 4)))
    return Result(profile=r.profile.public(), score=round(key, 6), reasons=reasons)


def probabilities(m: "Matcher", qs: np.ndarray, raws: np.ndarray, me: Teachers) -> np.ndarray:
    """The search model's probability of the one teacher `me` for each expanded text vector of
    `qs` (n, dim) and own vector of `raws`, as `candidates` gives it: one matrix product for n
    saved searches."""
    qt = query_teacher(qs)
    feats = search_features(qt, me, m.scorer.measure(qt), m.scorer.hubs(me), m.scorer.text_rows(raws))
    return m.scorer.probability(feats, learned.load(learned.SEARCH_MODEL_FILE))[:, 0]



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
