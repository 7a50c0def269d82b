"""Offline evaluation: nDCG@10, recall@10, MRR, cross-lingual recall and pool recall per ranking.

nDCG uses every grade; recall@10, MRR and pool recall count the partners of each query's highest
grade, so a dataset that also judges "plausible" partners (grade 1) still measures whether the
real project partners come first. Cross-lingual recall@10 counts only those partners whose
texts are in another language than the asking teacher's.

Every ranking orders the same candidate pool (`Matcher.candidates`): the learned one (`full`,
and `model` without responsiveness and diversity) and the baselines below, which exist only
here, to be beaten.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from matcher import search, text
from matcher.bridges import bridged
from matcher.backends.types import CandidateFilter
from matcher.consortium import NoConsortium
from matcher.features import popcount, subject_bits
from matcher.model import Model
from matcher.ranking import rank
from matcher.search import SearchCandidates
from matcher.service import Candidates, Matcher
from models import Profile

# The baselines: each gives the ranking key of every candidate in a pool.
BASELINES: dict[str, Callable[[Candidates], np.ndarray]] = {
    # Today's portal: hard filters only, most recently active first.
    "filters": lambda c: c.pool.active.astype(np.float64),
    # The portal with the teacher's own subjects: most shared subjects first.
    "subjects": lambda c: popcount(c.pool.subjects & subject_bits(c.me.profile.subjects)[0]).astype(np.float64),
    "bm25": lambda c: c.kw,
    # The best idea pair's cosine.
    "vector": lambda c: c.feats["idea"],
    # A plain two-line fusion: 0.7 x the best idea pair's cosine + 0.06 x subject Jaccard.
    "weighted": lambda c: 0.7 * c.feats["idea"] + 0.06 * c.feats["subjects_jaccard"],
}
MODES: tuple[str, ...] = (*BASELINES, "model", "full")
# Free-text search: the learned search model, and its two legs alone.
SEARCH_BASELINES: dict[str, Callable] = {
    "search-vector": lambda c: np.maximum(c.feats["idea"], c.feats["interests"]),
    "search-bm25": lambda c: c.feats["bm25"],
}
SEARCH_MODES: tuple[str, ...] = (*SEARCH_BASELINES, "search")
METRICS = ("ndcg@10", "recall@10", "xrecall@10", "mrr", "pool_recall")
# A judged query keeps the links of its 10 best candidates by the shipped model: a model fitted
# without some queries picks its own `bridges.BRIDGES` best among them.
EVAL_LINKS = 10


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """`query_id<TAB>partner_id<TAB>grade` lines; '#' starts a comment."""
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not parts[2].strip().lstrip("-").isdigit():
            raise ValueError(f"{path}:{n}: expected query_id<TAB>partner_id<TAB>grade")
        qrels[parts[0]][parts[1]] = int(parts[2])
    return dict(qrels)


def read_groups(path: Path) -> dict[str, str]:
    """profile_id -> group from a `meta.tsv` with a header naming `profile_id` and `group`."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    head = lines[0].split("\t")
    if "profile_id" not in head or "group" not in head:
        raise ValueError(f"{path}:1: expected a header with profile_id and group columns")
    pi, gi = head.index("profile_id"), head.index("group")
    return {cols[pi]: cols[gi] for cols in (line.split("\t") for line in lines[1:] if line.strip())
            if len(cols) > max(pi, gi) and cols[gi]}


def groups_from_qrels(qrels: dict[str, dict[str, int]]) -> dict[str, str]:
    """Groups as the connected parts of each query's top-grade partners (datasets without meta)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for q, rel in qrels.items():
        root(q)
        for d in top_partners(rel):
            parent[root(d)] = root(q)
    return {x: root(x) for x in parent}


def ndcg(ranked: list[str], rel: dict[str, int], k: int = 10) -> float:
    dcg = sum((2 ** rel.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(rel.values(), reverse=True)[:k]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def top_partners(rel: dict[str, int]) -> set[str]:
    """The judged partners of the highest grade (in our datasets: the same project group)."""
    best = max(rel.values(), default=0)
    return {d for d, g in rel.items() if g == best and g > 0}


def recall(ranked: list[str], rel: dict[str, int], k: int = 10) -> float:
    wanted = top_partners(rel)
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def mrr(ranked: list[str], rel: dict[str, int]) -> float:
    wanted = top_partners(rel)
    for i, d in enumerate(ranked):
        if d in wanted:
            return 1.0 / (i + 1)
    return 0.0


@dataclass
class Query:
    """One judged query: its candidates (a partner query's or a search's) and, per partner,
    whether that partner's texts are in another language than the asking teacher's."""
    qid: str
    rel: dict[str, int]
    cands: Candidates | SearchCandidates
    other_language: dict[str, bool] = field(default_factory=dict)


def _other_language(matcher: Matcher, qid: str, rel: dict[str, int]) -> dict[str, bool]:
    recs = matcher.backend.get_many([qid, *sorted(top_partners(rel))])
    mine = text.main_language(recs[qid].profile) if qid in recs else None
    return {pid: text.main_language(r.profile) != mine for pid, r in recs.items() if pid != qid}


UNINDEXED = "-unindexed"


def search_text(p: Profile, field: str) -> str:
    """What a teacher would type to find partners for their own project: the first idea's title
    (its first eight words when untitled), or their interests joined; '' when there is none."""
    if field == "title":
        if not p.ideas:
            return ""
        return p.ideas[0].title or " ".join(p.ideas[0].text.split()[:8])
    return "; ".join(p.interests)


def collect_search(matcher: Matcher, qrels: dict[str, dict[str, int]], field: str,
                   progress: Callable[[int], None] | None = None) -> list[Query]:
    """Each judged teacher's search (`search_text`) with no filters, as `POST /v1/search` runs it.
    A field ending in `-unindexed` leaves the searcher's own profile out of the index's answer,
    as if a teacher who is not in it searched: the text then names nobody."""
    out = []
    base, unindexed = field.removesuffix(UNINDEXED), field.endswith(UNINDEXED)
    for qid, rel in qrels.items():
        words = search_text(matcher.get(qid), base)
        flt = CandidateFilter(exclude_ids=[qid]) if unindexed else CandidateFilter()
        if words:
            out.append(Query(qid, rel, search.candidates(matcher, words, flt),
                             _other_language(matcher, qid, rel)))
        if progress:
            progress(1)
    return out


def collect(matcher: Matcher, qrels: dict[str, dict[str, int]],
            progress: Callable[[int], None] | None = None) -> list[Query]:
    """Each query's candidate pool, retrieved once and shared by every ranking."""
    out = []
    for qid, rel in qrels.items():
        out.append(Query(qid, rel, matcher.candidates(matcher.record(qid), links=EVAL_LINKS),
                         _other_language(matcher, qid, rel)))
        if progress:
            progress(1)
    return out


def ranking_of(q: Query, mode: str, model: Model | None = None) -> list[str]:
    """The pool's ids in `mode`'s order; `model` replaces the shipped one (cross-validation)."""
    c = q.cands
    if mode in BASELINES:
        order = np.argsort(-BASELINES[mode](c), kind="stable")
    elif mode in SEARCH_MODES:      # the asking teacher finding themself is left out
        keys = SEARCH_BASELINES[mode](c) if mode in SEARCH_BASELINES else \
            search.fused(c, None if model is None else model.probability(c.feats))
        order = np.argsort(-keys, kind="stable")
        return [c.pool.ids[i] for i in order if c.pool.ids[i] != q.qid]
    else:
        prob = c.prob if model is None else bridged(model.probability(c.feats), c.links.at,
                                                    model.probability(c.links.feats))
        order = rank(c.pool, prob, full=mode == "full")[0]
    return [c.pool.ids[i] for i in order]


def score(queries: list[Query], mode: str, model: Model | None = None, k: int = 10) -> dict[str, float]:
    """Mean metrics over `queries` for one ranking."""
    sums = dict.fromkeys(METRICS, 0.0)
    cross_hit = cross_all = pool_hit = pool_all = 0
    for q in queries:
        ranked = ranking_of(q, mode, model)
        wanted = top_partners(q.rel)
        sums["ndcg@10"] += ndcg(ranked, q.rel, k)
        sums["recall@10"] += recall(ranked, q.rel, k)
        sums["mrr"] += mrr(ranked, q.rel)
        top, pool = set(ranked[:k]), set(ranked)
        for d in wanted:
            pool_hit, pool_all = pool_hit + (d in pool), pool_all + 1
            if q.other_language.get(d):
                cross_hit, cross_all = cross_hit + (d in top), cross_all + 1
    n = max(1, len(queries))
    return {"ndcg@10": sums["ndcg@10"] / n, "recall@10": sums["recall@10"] / n,
            "xrecall@10": cross_hit / max(1, cross_all), "mrr": sums["mrr"] / n,
            "pool_recall": pool_hit / max(1, pool_all)}


def evaluate(matcher: Matcher, qrels: dict[str, dict[str, int]], mode: str,
             progress: Callable[[int], None] | None = None) -> dict[str, float]:
    """Mean metrics over every query of `qrels` for one ranking mode."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; one of {', '.join(MODES)}")
    return score(collect(matcher, qrels, progress), mode)


def consortium_recall(matcher: Matcher, groups: dict[str, str], qrels: dict[str, dict[str, int]]) -> dict:
    """For each judged teacher of a group of three or more, the consortium of its group's size
    (at most 5) that `Matcher.consortium` builds: the share of the other places held by real
    group-mates, and how often no consortium is found."""
    members: dict[str, list[str]] = defaultdict(list)
    for pid, g in groups.items():
        if pid in qrels:
            members[g].append(pid)
    hits = places = none = asked = 0
    for g, ids in members.items():
        if len(ids) < 3:
            continue
        size = min(len(ids), 5)
        for pid in ids:
            asked += 1
            try:
                got = {p.id for p in matcher.consortium(pid, size=size).members} - {pid}
            except NoConsortium:
                none += 1
                got = set()
            hits += len(got & set(ids))
            places += size - 1
    return {"teachers": asked, "group_mates": hits / max(1, places), "none_found": none / max(1, asked)}


def dataset_groups(dataset: Path, qrels: dict[str, dict[str, int]]) -> dict[str, str]:
    """Groups for cross-validation: meta.tsv's when the dataset has one, else from the qrels."""
    meta = Path(dataset) / "meta.tsv"
    return read_groups(meta) if meta.exists() else groups_from_qrels(qrels)


def training_rows(queries: list[Query], features: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Features of every candidate of `queries` (the asking teacher left out), labelled 1 for a
    top-grade partner."""
    xs, ys = [], []
    for q in queries:
        wanted = top_partners(q.rel)
        keep = np.array([pid != q.qid for pid in q.cands.pool.ids], bool)
        xs.append(np.stack([np.asarray(q.cands.feats[f], np.float64)[keep] for f in features], axis=1))
        ys.append(np.array([pid in wanted for pid in q.cands.pool.ids], bool)[keep])
    dim = len(features)
    return (np.concatenate(xs) if xs else np.zeros((0, dim)), np.concatenate(ys) if ys else np.zeros(0, bool))
