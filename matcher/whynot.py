"""Why a list came back empty: the rule or filter that emptied it, counts, and what would find teachers."""
from __future__ import annotations

from matcher.backends.base import SearchBackend
from matcher.constraints import DIMENSIONS, Query
from matcher.facets import CAP, counts, population
from matcher.reasons import reason
from models import Reason, Step, WhyEmpty

# The message naming what emptied the list, per dimension and kind.
_EMPTIED = {("country", "rule"): "empty_abroad", ("language", "rule"): "empty_languages",
            ("age", "rule"): "empty_ages", **{(d, "filter"): f"empty_{d}_filter" for d in DIMENSIONS}}


def _count(backend: SearchBackend, flt) -> int:
    return len(backend.filter_ids(flt, CAP))


def why_empty(backend: SearchBackend, q: Query, lang: str | None, text: str | None = None) -> WhyEmpty:
    """Apply `q`'s constraints one at a time (DIMENSIONS order) and name the first that leaves
    nobody; when none does, the search's `text` found none of the teachers left (or, for a
    partner query, `text` None, the profile has no idea or interests to compare). Suggestions
    lift the rules up to that point (or the filter itself) and count what each would find."""
    steps = [Step(constraint="open", kind="rule", count=_count(backend, q.filter(drop=DIMENSIONS)))]
    applied: list[str] = []
    if steps[0].count:
        for dim, c in q.parts.items():
            applied.append(dim)
            n = _count(backend, q.filter(drop=[d for d in DIMENSIONS if d not in applied]))
            steps.append(Step(constraint=dim, kind=c.kind, count=n))
            if not n:
                break
    capped = any(s.count >= CAP for s in steps)
    last = steps[-1]
    if not last.count and last.constraint == "open":
        return _why("empty_nobody", last, steps, [], lang, capped)
    if last.count and text is None:   # teachers pass, but the profile has nothing to compare
        steps.append(Step(constraint="text", kind="rule", count=0))
        return _why("empty_no_ideas", steps[-1], steps, [], lang, capped)
    if last.count:   # every constraint leaves teachers: the words matched none of them
        steps.append(Step(constraint="text", kind="filter", count=0))
        tip = reason("try_other_words", lang, count=last.count)
        return _why("empty_text", steps[-1], steps, [tip], lang, capped)
    c = q.parts[last.constraint]
    details = {"languages": c.fields["languages"]} if (c.dim, c.kind) == ("language", "rule") else \
        {"ages": [str(a) for a in c.fields["ages"]]} if (c.dim, c.kind) == ("age", "rule") else {}
    tips = []
    if c.kind == "filter":
        n = _count(backend, q.filter(relax=[c.dim]))
        if n:
            tips.append(reason("try_without_filter", lang, filter=c.dim, count=n))
    for dim in applied:   # a rule up to here, lifted, may bring teachers back
        tip = _lift(backend, q, dim, lang)
        if tip is not None:
            tips.append(tip)
    tips.sort(key=lambda r: -r.details["count"])
    return _why(_EMPTIED[c.dim, c.kind], last, steps, tips, lang, capped, **details)


def _lift(backend: SearchBackend, q: Query, dim: str, lang: str | None) -> Reason | None:
    """What lifting the rule of `dim` would find: the own country's teachers, or the best
    language or pupil-age band to add (the other constraints kept)."""
    rule = q.rule(dim)
    if rule is None:
        return None
    if dim == "country" and q.parts[dim] is rule:   # not when chosen countries already lift it
        n = _count(backend, q.filter(drop=["country"]))
        return reason("try_own_country", lang, count=n) if n else None
    if dim not in ("language", "age"):
        return None
    t, _ = population(backend, q.filter(drop=[dim]))
    got = counts(t, dim)
    if dim == "language":
        got = {c: n for c, n in got.items() if c not in rule.fields["languages"]}
    best = max(got, key=lambda v: (got[v], v == "en"), default=None)
    if best is None or not got[best]:
        return None
    if dim == "language":
        return reason("try_language", lang, languages=[best], count=got[best])
    return reason("try_ages", lang, ages=[best], count=got[best])


def _why(code: str, step: Step, steps: list[Step], tips: list[Reason], lang: str | None,
         capped: bool, **details) -> WhyEmpty:
    r = reason(code, lang, **details)
    return WhyEmpty(code=r.code, message=r.message, details=r.details, constraint=step.constraint,
                    kind=step.kind, steps=steps, suggestions=tips, capped=capped)
