"""Consortium building: a group of teachers from distinct countries where every pair is compatible.

The group maximises its weakest pair first, then its average pair score. Candidates are the
asking teacher's best partners; an exact branch-and-bound over them finds the best group
(the weakest-pair bound prunes almost every branch, so 30 candidates answer in milliseconds).
"""
from __future__ import annotations

from pydantic import BaseModel

from matcher import ranking
from matcher.backends.types import Record
from matcher.errors import MatchingError
from matcher.features import Teachers, shared_ages
from matcher.reasons import reason, similar_idea
from models import ProfilePublic, Reason


class NoConsortium(MatchingError):
    status, code = 404, "no_consortium"


class Pair(BaseModel):
    a: str
    b: str
    score: float
    reasons: list[Reason]


class Consortium(BaseModel):
    members: list[ProfilePublic]
    countries: list[str]
    weakest_pair: float
    mean_pair: float
    pairs: list[Pair]


def best_group(me: Record, cands: list[Record], size: int, scorer: ranking.Scorer,
               lang: str | None = None) -> Consortium:
    people = [me, *cands]
    n = len(people)
    teachers = Teachers.from_records(people, scorer.backend.dim)
    prob = scorer.score(teachers, teachers)[1]
    score = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            if ranking.compatible(people[i].profile, people[j].profile):
                score[i][j] = score[j][i] = float(prob[i, j])
    best: tuple[float, float, list[int]] = (-1.0, -1.0, [])

    def grow(group: list[int], countries: set[str], weakest: float, total: float, start: int) -> None:
        nonlocal best
        if len(group) == size:
            pairs = size * (size - 1) / 2
            key = (weakest, total / pairs)
            if key > best[:2]:
                best = (weakest, total / pairs, list(group))
            return
        for c in range(start, n):
            country = people[c].profile.school.country
            if country in countries:
                continue
            edges = [score[g][c] for g in group]
            w = min(edges)
            if w <= 0 or min(weakest, w) < best[0]:
                continue  # incompatible with someone, or cannot beat the best weakest pair
            grow(group + [c], countries | {country}, min(weakest, w), total + sum(edges), c + 1)

    grow([0], {me.profile.school.country}, float("inf"), 0.0, 1)
    if not best[2]:
        raise NoConsortium(f"no group of {size} teachers from {size} different countries where every "
                           "pair shares a working language and pupil ages was found among the best "
                           f"{len(cands)} partners of {me.profile.id!r}")
    group = best[2]
    pairs = []
    for x in range(len(group)):
        for y in range(x + 1, len(group)):
            i, j = sorted((group[x], group[y]))
            a, b = people[i], people[j]
            why = [reason("shared_languages", lang, languages=[v for v in a.profile.languages
                                                               if v in b.profile.languages]),
                   reason("age_overlap", lang, ages=shared_ages(a.profile, b.profile))]
            subjects = [v for v in a.profile.subjects if v in b.profile.subjects]
            if subjects:
                why.append(reason("shared_subjects", lang, subjects=subjects))
            why += similar_idea(a, b, lang)
            pairs.append(Pair(a=a.profile.id, b=b.profile.id, score=round(score[i][j], 6), reasons=why))
    members = [people[i] for i in group]
    return Consortium(members=[m.profile.public() for m in members],
                      countries=[m.profile.school.country for m in members],
                      weakest_pair=round(best[0], 6), mean_pair=round(best[1], 6), pairs=pairs)

