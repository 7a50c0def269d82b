"""Saved searches' reverse matching: the saved searches whose first page a newcomer joins.

The backend keeps each saved search's filters as a standing filter (on OpenSearch, a percolator
query), so one `percolate` call names the saved searches whose filters the newcomer passes. The
text is multilingual, so it is not part of the standing filter; each search keeps its last
run's candidates with their scores (`bound`), among which the newcomer's own scores place it on
the search's page or off it (`placements`). A search runs only where no stored figure can tell
(`reach_searches`), at most `MAX_SEARCH_RUNS` an arrival.
"""
from __future__ import annotations

import sys
from typing import NamedTuple

import numpy as np

from matcher import constraints, search
from matcher.alerts.store import Alert, AlertStore, SavedSearch, alert_id
from matcher.backends.types import CandidateFilter, Record
from models import ResultList, SearchRequest

MAX_SEARCH_RUNS = 10  # saved searches run per arriving profile
PER_ARRIVAL_SEARCHES = 10  # saved searches alerted per arriving profile, best scores first
# A saved search runs for a newcomer placed on its page by a cosine less than EDGE over the least
# that entered its pool: that least rises as newcomers enter (runs left out some 0.0001 over it).
EDGE = 0.001

# A saved search's bound, as stored: its expanded and own text vectors (float32 bytes), each
# candidate's model probability and BM25 score (float32 pairs), the cosine that joins its
# feedback, and the least cosine and BM25 that entered its pool (`Reach`).
Bound = tuple[bytes | None, bytes | None, float | None, float | None, float | None]
NO_BOUND: Bound = (None, None, None, None, None)


def standing_filter(s: SavedSearch) -> CandidateFilter:
    """The filters a saved search's results pass, as the search itself applies them."""
    return constraints.for_search(SearchRequest.model_validate(s.request).filters).filter()


def sync_standing(matcher, store: AlertStore) -> None:
    """Make the backend's standing filters those of the stored saved searches: a write that
    failed half-way, or a backend that was replaced, leaves none missing and none extra."""
    want = {s.id: s for s in store.searches()}
    have = matcher.backend.standing_keys()
    matcher.backend.drop_standing(sorted(have - want.keys()))
    for sid in sorted(want.keys() - have):
        matcher.backend.put_standing(sid, standing_filter(want[sid]))
    store.standing_synced = True


def reach_searches(matcher, store: AlertStore, me: Record, now: float, probes: dict[str, Bound],
                   ran: set[str]) -> list[Alert]:
    """Alerts for the saved searches whose filters the newcomer passes and whose first page
    holds it, best scores first. The newcomer's place among a search's stored candidates decides
    (`placements`); a search without a bound, or whose place only a run can tell, runs (those
    with a bound first, at most `MAX_SEARCH_RUNS`). Fills `probes` with the new bounds of the
    searches whose filters it passes, and `ran` with the ids of those it ran."""
    if not store.standing_synced:
        sync_standing(matcher, store)
    passed = matcher.backend.percolate(me)
    found = store.searches(ids=sorted(passed))
    placed = placements(matcher, me, found)
    hits: list[tuple[float, SavedSearch, list[dict]]] = []
    out = {sid for sid, at in placed.items() if at.ahead == sys.maxsize}    # most: nothing to do
    for s in sorted((s for s in found if s.id not in out), key=lambda s: s.id not in placed):  # bound first
        at = placed.get(s.id)
        req = SearchRequest.model_validate(s.request)
        end = req.offset + req.k
        if at is None or at.ahead < 0 or (at.edge and at.ahead < end):
            if len(ran) >= MAX_SEARCH_RUNS:     # left for the next arrival that passes it to run
                if at is not None:
                    probes[s.id] = NO_BOUND
                continue
            results, c = run_search(matcher, req)
            probes[s.id] = bound(c)
            ran.add(s.id)
            hit = next((x for x in results.results if x.profile.id == me.profile.id), None)
        else:
            if at.scores is not None:                        # it joins the stored candidates
                probes[s.id] = (s.probe, at.scores, s.join_at, s.reach_vec, s.reach_kw)
            page = req.offset <= at.ahead < end
            q = np.frombuffer(s.probe, np.float32)[:matcher.backend.dim]
            hit = search.result(me, q, at.key, req) if page else None
        if hit is not None:
            hits.append((hit.score, s, [x.model_dump() for x in hit.reasons]))
    return [Alert(alert_id("search", s.id, me.profile.id), "search", s.id, s.owner, me.profile.id, score, reasons, now)
            for score, s, reasons in sorted(hits, key=lambda h: -h[0])[:PER_ARRIVAL_SEARCHES]]


def bound(c: search.SearchCandidates | None) -> Bound:
    """A saved search's bound from one run. None for a search without text (it lists the newest
    profiles) or one that names a teacher (the partner model ranks it)."""
    if c is None or c.named is not None or c.raw is None:
        return NO_BOUND
    vectors = np.concatenate([np.asarray(c.q, np.float32), np.asarray(c.raw, np.float32)])
    scores = np.stack([c.prob, c.feats["bm25"] * c.kw_best], axis=1).astype(np.float32)
    return vectors.tobytes(), scores.tobytes(), c.join, c.reach.vector, c.reach.keyword


def fused_keys(scores: np.ndarray, prob: float, bm25: float) -> np.ndarray:
    """The fused keys (`search.fusion`) of a search's stored candidates `scores` (`bound`'s pairs,
    float32), then last of a newcomer with the search model's `prob` and BM25 `bm25`, as one
    search over them all gives them: BM25 over the best of all, ties against the newcomer."""
    both = np.vstack([scores, np.array([[prob, bm25]], np.float32)]).astype(np.float64)
    return search.fusion(both[:, 0], both[:, 1] / (both[:, 1].max() or 1.0))


def place(scores: np.ndarray, prob: float, bm25: float) -> tuple[int, float]:
    """The place a newcomer would take among a search's stored candidates (`fused_keys`): the
    number fused ahead of it, and its own key."""
    keys = fused_keys(scores, prob, bm25)
    return int((keys[:-1] > keys[-1]).sum()), float(keys[-1])


def run_search(matcher, req: SearchRequest) -> tuple[ResultList, search.SearchCandidates | None]:
    """A saved search's page, as `POST /v1/search` gives it, and the candidates of its bound."""
    return search.ranked(matcher, req, search.search_query(matcher, req).filter())


class Placed(NamedTuple):
    """Where a newcomer stands in a saved search, by the search's last run (`placements`)."""
    ahead: int              # stored candidates fused ahead of it; -1 where only a run can tell
    scores: bytes | None    # the stored candidates' scores with its own added; None if it stays out
    key: float = 0.0        # its fused key among them, the score its result would show
    edge: bool = False      # it enters the pool by a cosine less than EDGE over the least


def expands(matcher, me: Record, s: SavedSearch, raw: np.ndarray) -> bool:
    """Whether the newcomer is one of the `search.FEEDBACK` profiles that expand saved search
    `s`'s text (own vector `raw`), as the search finds them. At scale a graph's walk finds a
    text's nearest profiles, approximately: a newcomer nearer to the text than the last of them
    need not be among them (in bench/alerts.py at 100,000 profiles, none of 49 was), and then
    the search does not see it either."""
    excluded = search.search_query(matcher, SearchRequest.model_validate(s.request)).filter().exclude_ids
    return me.profile.id in {c.id for c in search.nearest(matcher, raw, excluded)[:search.FEEDBACK]}


def placements(matcher, me: Record, found: list[SavedSearch]) -> dict[str, Placed]:
    """Where the newcomer stands in each saved search with a stored bound. Only a run can tell
    (`ahead` -1) where the newcomer changes the search: it is one of the profiles that expand
    the text (`expands`, asked where it is at least as near to the text as the last of them
    was when the search last ran). A newcomer under both legs' least stays out (`ahead`
    maxsize). One that enters the pool gets the number of stored candidates
    its search-model probability (computed for these alone) and BM25 leave fused ahead of it
    (`place`), its key, and joins the stored candidates; its BM25 counts only where the keyword
    leg takes it, as in the search. One that enters by a cosine less than `EDGE` over the least
    that entered, without a keyword match that enters, is at the edge: on the page only if the
    search, run, takes it in. Past twice the pool size in stored candidates, a search runs afresh."""
    known = [s for s in found if s.probe is not None and len(s.probe) == 8 * matcher.backend.dim
             and s.scores is not None and s.reach_vec is not None and len(s.scores) // 8 <= 2 * matcher.pool_size]
    if not known:
        return {}
    q, raw = np.hsplit(np.stack([np.frombuffer(s.probe, np.float32) for s in known]), 2)
    near = (raw @ me.vectors.T).max(axis=1) if len(me.vectors) else np.full(len(known), -1.0)
    enters = matcher.reach_scores(me, matcher.scorer.centred(q))
    bm25 = [kw if kw > 0.0 and kw >= s.reach_kw else 0.0 for s, kw in    # a keyword leg's miss has none
            zip(known, matcher.backend.keyword_scores(me, [s.request.get("text", "") for s in known]))]
    entered = [bool(kw) or e >= s.reach_vec for s, kw, e in zip(known, bm25, enters)]
    joins = {i for i, s in enumerate(known) if near[i] >= s.join_at and expands(matcher, me, s, raw[i])}
    inside = [i for i in range(len(known)) if entered[i] and i not in joins]
    prob = np.zeros(len(known))         # the search model's, where the newcomer enters the pool
    if inside:
        prob[inside] = search.probabilities(matcher, q[inside], raw[inside], matcher.teachers([me]))
    out: dict[str, Placed] = {}
    for i, (s, ent, e, p, kw) in enumerate(zip(known, entered, enters, prob, bm25)):
        if i in joins:
            out[s.id] = Placed(-1, None)
        elif not ent:
            out[s.id] = Placed(sys.maxsize, None)
        else:
            ahead, key = place(np.frombuffer(s.scores, np.float32).reshape(-1, 2), p, kw)
            out[s.id] = Placed(ahead, s.scores + np.array([p, kw], np.float32).tobytes(), key,
                               not kw and e < s.reach_vec + EDGE)
    return out
