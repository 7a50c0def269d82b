"""Why a pair matches (reasons and the closest ideas) and why a participant stays unmatched."""
from __future__ import annotations

import numpy as np

from matcher import ranking, text
from matcher.backends.types import Record
from matcher.campaign.candidates import Cohort
from matcher.campaign.result import NearMiss, Unmatched
from matcher.features import best_unit_pair, shared_ages
from matcher.reasons import reason
from models import Reason

MESSAGES = {
    "closed_to_partners": "this teacher is not open to partners",
    "no_shared_language": "no teacher from another country in the cohort shares a working language",
    "no_age_overlap": "no teacher from another country in the cohort teaches these pupil ages",
    "same_country_only": "every teacher sharing a language and ages is from the same country or school",
    "no_compatible_partner": "some share a language and others the ages, but nobody both",
    "capacity": "every compatible partner already has the maximum number of partners",
    "below_min_score": "every compatible partner scores below the minimum score",
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


def explain_unmatched(cohort: Cohort, i: int, compatible: list[int],
                      weak: list[tuple[float, int]] = ()) -> Unmatched:
    """Why participant i has no partner, and the pair that came closest.

    `compatible` lists i's candidate partners at or above the minimum score, best first;
    `weak` the (score, partner) candidates below it, best first."""
    me = cohort.records[i].profile
    near = None
    if not me.open_to_partners:
        code = "closed_to_partners"
    elif compatible:
        code = "capacity"
        j = compatible[0]
        near = NearMiss(id=cohort.ids[j], country=cohort.records[j].profile.school.country,
                        failed=["capacity"], score=round(float(cohort.scores(i, [j])[0]), 6))
    elif weak:
        code = "below_min_score"
        score, j = weak[0]
        near = NearMiss(id=cohort.ids[j], country=cohort.records[j].profile.school.country,
                        failed=["min_score"], score=round(float(score), 6))
    else:
        code, near = _incompatible(cohort, i)
    return Unmatched(id=me.id, country=me.school.country, reason=code, message=MESSAGES[code], near_miss=near)


def _incompatible(cohort: Cohort, i: int) -> tuple[str, NearMiss | None]:
    """The reason code of a participant nobody in the cohort is compatible with, and its near miss."""
    me = cohort.records[i].profile
    open_others = [r.profile for j, r in enumerate(cohort.records) if j != i and r.profile.open_to_partners]
    foreign = [p for p in open_others if p.school.country != me.school.country and p.school.id != me.school.id]
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
    if not best:
        return code, None
    j = best[1]
    return code, NearMiss(id=cohort.ids[j], country=cohort.records[j].profile.school.country, failed=best[2])



def describe(a: Record, b: Record, lang: str | None = None) -> tuple[list[Reason], str | None, str | None]:
    """A pair's reasons, and the titles of its closest ideas (a's, b's)."""
    pa, pb = a.profile, b.profile
    out = [reason("shared_languages", lang, languages=[x for x in pa.languages if x in pb.languages]),
           reason("age_overlap", lang, ages=shared_ages(pa, pb))]
    subjects = [x for x in pa.subjects if x in pb.subjects]
    if subjects:
        out.append(reason("shared_subjects", lang, subjects=subjects))
    # The closest ideas go in their own fields, not in a "similar_idea" reason: its message
    # speaks to one of the two teachers ("matches your ..."), and the reader here is neither.
    _, i, j = best_unit_pair(a.vectors, a.units, b.vectors, b.units)
    if i < 0:
        return out, None, None
    return out, text.unit_label(a.profile, a.units[i]), text.unit_label(b.profile, b.units[j])
