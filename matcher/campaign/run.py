"""run_campaign: load the cohort, score candidate pairs, solve, explain; timed stage by stage."""
from __future__ import annotations

import time
from typing import Callable

import numpy as np
from pydantic import BaseModel, Field

from matcher import ranking
from matcher.campaign import solver
from matcher.campaign.candidates import Cohort, top_k_edges
from matcher.campaign.groups import form_groups
from matcher.errors import InvalidQuery
from matcher.features import shared_ages
from matcher.reasons import reason
from models import Reason

Progress = Callable[[str, float], None]   # (stage, fraction of that stage done)
STAGES = ("load", "candidates", "solve", "baseline", "explain")


class Stage(BaseModel):
    name: str
    seconds: float


class Match(BaseModel):
    a: str
    b: str
    a_country: str
    b_country: str
    score: float
    reasons: list[Reason] = Field(default_factory=list)


class Group(BaseModel):
    members: list[str]
    countries: list[str]
    weakest_pair: float
    mean_pair: float


class NearMiss(BaseModel):
    id: str
    country: str
    failed: list[str] = Field(description="constraints this pair fails, or ['capacity']")
    score: float = 0.0


class Unmatched(BaseModel):
    id: str
    country: str
    reason: str = Field(description="no_shared_language, no_age_overlap, same_country_only, "
                                    "closed_to_partners, no_compatible_partner, capacity")
    message: str
    near_miss: NearMiss | None = None


class Summary(BaseModel):
    participants: int
    matched: int
    matched_share: float
    matches: int
    total_score: float
    candidate_edges: int
    method: str
    optimal: bool
    coverage_bound: int | None = None
    gap: float | None = None
    greedy_matched: int | None = None
    greedy_total: float | None = None


class CampaignResult(BaseModel):
    partners: tuple[int, int]
    groups_of: int | None = None
    max_per_country: int | None = None
    top_k: int
    stages: list[Stage]
    summary: Summary
    matches: list[Match]
    groups: list[Group] = Field(default_factory=list)
    unmatched: list[Unmatched]


MESSAGES = {
    "closed_to_partners": "this teacher is not open to partners",
    "no_shared_language": "no teacher from another country in the cohort shares a working language",
    "no_age_overlap": "no teacher from another country in the cohort teaches these pupil ages",
    "same_country_only": "every teacher sharing a language and ages is from the same country or school",
    "no_compatible_partner": "some share a language and others the ages, but nobody both",
    "capacity": "every compatible partner already has the maximum number of partners",
}


def _failed(a, b) -> list[str]:
    out = []
    if not (set(a.languages) & set(b.languages)):
        out.append("no_shared_language")
    if not a.years & b.years:
        out.append("no_age_overlap")
    if a.school.country == b.school.country or a.school.id == b.school.id:
        out.append("same_country")
    if not b.open_to_partners:
        out.append("closed_to_partners")
    return out


def explain_unmatched(cohort: Cohort, i: int, compatible_ids: list[int]) -> Unmatched:
    """Why participant i has no partner, and the pair that came closest."""
    me = cohort.records[i].profile
    others = [r.profile for j, r in enumerate(cohort.records) if j != i]
    near = None
    if not me.open_to_partners:
        code = "closed_to_partners"
    elif compatible_ids:
        code = "capacity"
        j = compatible_ids[0]
        near = NearMiss(id=cohort.ids[j], country=cohort.records[j].profile.school.country,
                        failed=["capacity"], score=round(float(cohort.block(i, i + 1)[1][0, j]), 6))
    else:
        open_others = [p for p in others if p.open_to_partners]
        foreign = [p for p in open_others if p.school.country != me.school.country
                   and p.school.id != me.school.id]
        if any(ranking.compatible(me, p, allow_same_country=True) for p in open_others):
            code = "same_country_only"      # someone fits on language and ages, but at home
        elif not any(set(p.languages) & set(me.languages) for p in foreign):
            code = "no_shared_language"
        elif not any(p.years & me.years for p in foreign):
            code = "no_age_overlap"
        else:
            code = "no_compatible_partner"
        # Nearest near-miss: fewest failed constraints, then the closest idea.
        cos = cohort.best_cos(i, i + 1)[0]
        best = None
        for j in np.argsort(-np.nan_to_num(cos, neginf=-2.0))[:400]:
            if j == i:
                continue
            fails = _failed(me, cohort.records[j].profile)
            key = (len(fails), -float(cos[j]) if np.isfinite(cos[j]) else 2.0)
            if best is None or key < best[0]:
                best = (key, int(j), fails)
        if best:
            j = best[1]
            near = NearMiss(id=cohort.ids[j], country=cohort.records[j].profile.school.country,
                            failed=best[2])
    return Unmatched(id=me.id, country=me.school.country, reason=code, message=MESSAGES[code], near_miss=near)


def _pair_reasons(a, b, lang=None) -> list[Reason]:
    pa, pb = a.profile, b.profile
    out = [reason("shared_languages", lang, languages=[x for x in pa.languages if x in pb.languages]),
           reason("age_overlap", lang, ages=shared_ages(pa, pb))]
    subjects = [x for x in pa.subjects if x in pb.subjects]
    if subjects:
        out.append(reason("shared_subjects", lang, subjects=subjects))
    return out


def run_campaign(matcher, participant_ids: list[str], partners: tuple[int, int] = (1, 3),
                 groups: int | None = None, top_k: int = 30, max_per_country: int | None = None,
                 progress: Progress | None = None, time_limit: float = 20.0) -> CampaignResult:
    """Pair (or group) a cohort of indexed profiles; see matcher/campaign/solver.py for the method."""
    lo, hi = partners
    if not (1 <= lo <= hi <= 10):
        raise InvalidQuery(f"partners must be MIN-MAX with 1 <= MIN <= MAX <= 10, got {lo}-{hi}")
    if groups is not None and not 3 <= groups <= 5:
        raise InvalidQuery(f"groups must be between 3 and 5, got {groups}")
    ids = list(dict.fromkeys(participant_ids))
    if len(ids) < 2:
        raise InvalidQuery("a campaign needs at least two participants")
    step = progress or (lambda stage, frac: None)
    stages: list[Stage] = []
    clock = time.perf_counter()

    def done(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stages.append(Stage(name=name, seconds=round(now - clock, 4)))
        step(name, 1.0)
        clock = now

    step("load", 0.0)
    recs = matcher.backend.get_many(ids)
    missing = [i for i in ids if i not in recs]
    if missing:
        raise InvalidQuery(f"{len(missing)} cohort ids are not indexed", details=[
            {"field": "cohort", "reason": "not indexed", "id": i} for i in missing[:50]])
    cohort = Cohort([recs[i] for i in ids], matcher.scorer)
    done("load")

    a, b, s = top_k_edges(cohort, max(top_k, hi), progress=lambda f: step("candidates", f))
    done("candidates")

    people = [solver.Participant(pid, cohort.records[n].profile.school.country, lo, hi, max_per_country)
              for n, pid in enumerate(ids)]
    edges = [solver.Edge(ids[x], ids[y], float(w)) for x, y, w in zip(a.tolist(), b.tolist(), s.tolist())]
    group_list: list[Group] = []
    if groups:
        group_list, chosen_pairs = _groups(cohort, a, b, s, groups, time_limit)
        sol = solver.Solution(chosen_pairs, 0, 0.0, "set-packing-highs")
        placed = {m for g in group_list for m in g.members}
        sol.covered, sol.total = len(placed), float(sum(g.mean_pair for g in group_list))
    else:
        sol = solver.solve(people, edges, time_limit=time_limit)
    done("solve")

    base = solver.greedy(people, edges) if not groups else None
    done("baseline")

    index = {pid: n for n, pid in enumerate(ids)}
    matches = []
    for e in sol.edges:
        ra, rb = cohort.records[index[e.a]], cohort.records[index[e.b]]
        matches.append(Match(a=e.a, b=e.b, a_country=ra.profile.school.country,
                             b_country=rb.profile.school.country, score=round(e.score, 6),
                             reasons=_pair_reasons(ra, rb)))
    matches.sort(key=lambda m: -m.score)
    deg = np.zeros(len(ids), np.int64)
    placed = {m for g in group_list for m in g.members}
    for e in sol.edges:
        deg[index[e.a]] += 1
        deg[index[e.b]] += 1
    nbrs: dict[int, list[tuple[float, int]]] = {}
    for x, y, w in zip(a.tolist(), b.tolist(), s.tolist()):
        nbrs.setdefault(x, []).append((w, y))
        nbrs.setdefault(y, []).append((w, x))
    unmatched = []
    for n, pid in enumerate(ids):
        ok = pid in placed if groups else deg[n] >= lo
        if not ok:
            compat = [j for _, j in sorted(nbrs.get(n, []), reverse=True)]
            unmatched.append(explain_unmatched(cohort, n, compat))
    done("explain")

    covered = len(placed) if groups else int((deg >= lo).sum())
    summary = Summary(participants=len(ids), matched=covered, matched_share=round(covered / len(ids), 4),
                      matches=len(matches), total_score=round(sol.total, 4), candidate_edges=len(edges),
                      method=sol.method, optimal=sol.optimal, coverage_bound=sol.coverage_bound, gap=sol.gap,
                      greedy_matched=base.covered if base else None,
                      greedy_total=round(base.total, 4) if base else None)
    return CampaignResult(partners=(lo, hi), groups_of=groups, max_per_country=max_per_country, top_k=top_k,
                          stages=stages, summary=summary, matches=matches, groups=group_list,
                          unmatched=unmatched)


def _groups(cohort: Cohort, a, b, s, k: int, time_limit: float):
    n = len(cohort)
    pair: dict[tuple[int, int], float] = {}
    nbrs: list[list[tuple[float, int]]] = [[] for _ in range(n)]
    for x, y, w in zip(a.tolist(), b.tolist(), s.tolist()):
        pair[(x, y)] = w
        nbrs[x].append((w, y))
        nbrs[y].append((w, x))
    # Members of a group must be compatible pairwise, also outside each other's top-K: ask the
    # exact block scorer for pairs the top-K lists do not hold.
    cal_cache: dict[tuple[int, int], float] = {}

    def score(i: int, j: int) -> float:
        key = (i, j) if i < j else (j, i)
        if key in pair:
            return pair[key]
        if key not in cal_cache:
            ok = ranking.compatible(cohort.records[i].profile, cohort.records[j].profile)
            cal_cache[key] = 0.0 if not ok else 1e-6  # compatible but not ranked: allowed, weak
        return cal_cache[key]

    country = [r.profile.school.country for r in cohort.records]
    chosen = form_groups(n, k, score, [[j for _, j in sorted(l, reverse=True)] for l in nbrs], country,
                         time_limit=time_limit)
    out, edges = [], []
    for g in chosen:
        scores = [score(x, y) for i, x in enumerate(g) for y in g[i + 1:]]
        out.append(Group(members=[cohort.ids[m] for m in g], countries=[country[m] for m in g],
                         weakest_pair=round(min(scores), 6), mean_pair=round(sum(scores) / len(scores), 6)))
        edges.extend(solver.Edge(cohort.ids[x], cohort.ids[y], score(x, y)) for i, x in enumerate(g) for y in g[i + 1:])
    return out, edges
