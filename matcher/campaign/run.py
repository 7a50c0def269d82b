"""run_campaign: load the cohort, score candidate pairs, solve, explain; timed stage by stage."""
from __future__ import annotations

import time
from typing import Callable

import numpy as np

from matcher import ranking
from matcher.campaign import solver
from matcher.campaign.candidates import Cohort, top_k_edges
from matcher.campaign.groups import form_groups
from matcher.campaign.explain import MESSAGES, describe, explain_unmatched
from matcher.campaign.result import (CampaignResult, Group, Match, NearMiss, Stage, Summary,  # noqa: F401
                                     Unmatched)
from matcher.errors import InvalidQuery

Progress = Callable[[str, float], None]   # (stage, fraction of that stage done)
STAGES = ("load", "candidates", "solve", "baseline", "explain")
__all__ = ["STAGES", "MESSAGES", "CampaignResult", "Group", "Match", "NearMiss", "Stage", "Summary",
           "Unmatched", "run_campaign"]


def run_campaign(matcher, participant_ids: list[str], partners: tuple[int, int] = (1, 3),
                 groups: int | None = None, top_k: int = 30, max_per_country: int | None = None,
                 progress: Progress | None = None, time_limit: float = 20.0,
                 min_score: float | None = None) -> CampaignResult:
    """Pair (or group) a cohort of indexed profiles; see matcher/campaign/solver.py for the method.

    With `min_score`, no pair scoring below it is proposed, even when a participant then has
    fewer partners than its minimum (or no group)."""
    lo, hi = partners
    if not (1 <= lo <= hi <= 10):
        raise InvalidQuery(f"partners must be MIN-MAX with 1 <= MIN <= MAX <= 10, got {lo}-{hi}")
    if groups is not None and not 3 <= groups <= 5:
        raise InvalidQuery(f"groups must be between 3 and 5, got {groups}")
    if min_score is not None and not 0.0 <= min_score <= 1.0:
        raise InvalidQuery(f"min_score must be between 0 and 1, got {min_score}")
    floor = min_score or 0.0
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
    strong = s >= floor           # pairs under the minimum score are never proposed
    done("candidates")

    people = [solver.Participant(pid, cohort.records[n].profile.school.country, lo, hi, max_per_country)
              for n, pid in enumerate(ids)]
    edges = [solver.Edge(ids[x], ids[y], float(w))
             for x, y, w in zip(a[strong].tolist(), b[strong].tolist(), s[strong].tolist())]
    group_list: list[Group] = []
    group_of: dict[tuple[str, str], str] = {}
    if groups:
        group_list, sol, group_of = _groups(cohort, a[strong], b[strong], s[strong], groups, time_limit, floor)
    else:
        sol = solver.solve(people, edges, time_limit=time_limit)
    done("solve")

    base = solver.greedy(people, edges) if not groups else None
    done("baseline")

    index = {pid: n for n, pid in enumerate(ids)}
    matches = []
    for e in sol.edges:
        ra, rb = cohort.records[index[e.a]], cohort.records[index[e.b]]
        reasons, idea_a, idea_b = describe(ra, rb)
        matches.append(Match(a=e.a, b=e.b, a_country=ra.profile.school.country,
                             b_country=rb.profile.school.country, score=round(e.score, 6),
                             reasons=reasons, a_idea=idea_a, b_idea=idea_b, group=group_of.get((e.a, e.b))))
    order = {g.id: n for n, g in enumerate(group_list)}
    matches.sort(key=lambda m: (order.get(m.group, 0), -m.score))
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
            ranked = sorted(nbrs.get(n, []), reverse=True)
            unmatched.append(explain_unmatched(cohort, n, [j for w, j in ranked if w >= floor],
                                               [(w, j) for w, j in ranked if w < floor]))
    done("explain")

    covered = len(placed) if groups else int((deg >= lo).sum())
    total = float(sum(m.score for m in matches))
    summary = Summary(participants=len(ids), matched=covered, matched_share=round(covered / len(ids), 4),
                      matches=len(matches), total_score=round(total, 4),
                      mean_score=round(total / len(matches), 6) if matches else None,
                      candidate_edges=len(edges), method=sol.method, optimal=sol.optimal,
                      coverage_bound=sol.coverage_bound, gap=sol.gap,
                      greedy_matched=base.covered if base else None,
                      greedy_total=round(base.total, 4) if base else None)
    return CampaignResult(partners=(lo, hi), groups_of=groups, max_per_country=max_per_country,
                          min_score=min_score, top_k=top_k, stages=stages, summary=summary, matches=matches,
                          groups=group_list, unmatched=unmatched)


def _groups(cohort: Cohort, a, b, s, k: int, time_limit: float,
            floor: float = 0.0) -> tuple[list[Group], solver.Solution, dict[tuple[str, str], str]]:
    """Groups of k, the solution of every member pair, and each pair's group id."""
    n = len(cohort)
    pair: dict[tuple[int, int], float] = {}
    nbrs: list[list[tuple[float, int]]] = [[] for _ in range(n)]
    for x, y, w in zip(a.tolist(), b.tolist(), s.tolist()):
        pair[(x, y)] = w
        nbrs[x].append((w, y))
        nbrs[y].append((w, x))
    # Members of a group must be compatible pairwise, also outside each other's top-K. Such a
    # pair counts as allowed but weak while groups are formed (scoring every one exactly costs
    # O(n^2)); with a minimum score it is scored exactly, and it is kept only if it reaches it.
    weak: dict[tuple[int, int], float] = {}

    def exact(i: int, j: int) -> float:
        return float(cohort.scores(i, [j])[0])

    def score(i: int, j: int) -> float:
        key = (i, j) if i < j else (j, i)
        if key in pair:
            return pair[key]
        if key not in weak:
            if floor > 0:
                w = exact(*key)
                weak[key] = w if w >= floor else 0.0
            else:
                ok = ranking.compatible(cohort.records[i].profile, cohort.records[j].profile)
                weak[key] = 1e-6 if ok else 0.0
        return weak[key]

    country = [r.profile.school.country for r in cohort.records]
    chosen = form_groups(n, k, score, [[j for _, j in sorted(l, reverse=True)] for l in nbrs], country,
                         time_limit=time_limit)

    def reported(i: int, j: int) -> float:
        """A chosen pair's real score: the weak stand-in of an unranked pair is replaced."""
        key = (i, j) if i < j else (j, i)
        return pair[key] if key in pair else (weak[key] if floor > 0 else exact(*key))

    out, edges, group_of = [], [], {}
    for g_no, g in enumerate(sorted(chosen, key=lambda g: [cohort.ids[m] for m in g]), 1):
        gid = f"G{g_no}"
        pairs = [(x, y) if cohort.ids[x] < cohort.ids[y] else (y, x) for i, x in enumerate(g) for y in g[i + 1:]]
        scores = [reported(x, y) for x, y in pairs]
        out.append(Group(id=gid, members=[cohort.ids[m] for m in g], countries=[country[m] for m in g],
                         weakest_pair=round(min(scores), 6), mean_pair=round(sum(scores) / len(scores), 6)))
        for (x, y), w in zip(pairs, scores):
            edges.append(solver.Edge(cohort.ids[x], cohort.ids[y], w))
            group_of[(cohort.ids[x], cohort.ids[y])] = gid
    placed = {m for g in out for m in g.members}
    return out, solver.Solution(edges, len(placed), float(sum(e.score for e in edges)), "set-packing-highs"), group_of
