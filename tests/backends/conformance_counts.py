"""Conformance of the counts matcher/ makes through a backend: facets and why a list is empty."""
from __future__ import annotations

import pytest

from matcher.constraints import for_partner, for_search
from matcher.facets import facets
from matcher.whynot import why_empty
from models import AgeRange, Filters, taxonomy
from models.explain import AGE_BANDS, FACETS
from tests.backends.conformance import ConformanceBase, rec, unit, varied

FIELD = {"country": "country", "language": "language", "age": "age", "subject": "subject"}
FACET_CASES = {
    "search_nothing_chosen": (None, {}),
    "search_chosen": (None, {"country": ["FR", "PT"], "language": ["en"], "subject": ["Art"], "age": "7-11"}),
    "search_odd_age": (None, {"age": ["8-9", "16-19"], "subject": ["Art", "Drama", "Biology"]}),
    "partner_a": ("a", {}),
    "partner_a_chosen": ("a", {"country": ["DE", "FR", "PT"], "language": ["en", "fr"], "age": ["3-6", "12-15"]}),
    "partner_g_same_country": ("g", {"allow_same_country": True, "subject": ["Art"]}),
}


def _query(me, f: Filters):
    return for_partner(me, f) if me is not None else for_search(f)


def _reference(ps, me, f: Filters, name: str) -> list[tuple[str, int]]:
    """(value, count) as the facet lists them: each value chosen alone for its facet, and the
    profiles `CandidateFilter.accepts` then counted."""
    if name == "country":
        domain = list(taxonomy.countries())
    elif name == "language":
        domain = sorted({x for p in ps for x in p.languages} | set(f.language or []))
        if me is not None:   # only a shared language can be chosen
            domain = [x for x in domain if x in me.languages]
    elif name == "subject":
        domain = taxonomy.subjects()
    else:
        domain = [f"{a}-{b}" for a, b in AGE_BANDS] + [str(r) for r in f.age_ranges or []
                                                      if (r.from_, r.to) not in AGE_BANDS]
    chosen = {str(x) for x in (f.age_ranges if name == "age" else getattr(f, FIELD[name])) or []}
    if name == "language" and me is not None:
        chosen &= set(me.languages)
    out = []
    for v in domain:
        pick = [AgeRange.parse(v)] if name == "age" else [v]
        flt = _query(me, f.model_copy(update={FIELD[name]: pick})).filter()
        n = sum(flt.accepts(p) for p in ps)
        if n or v in chosen:
            out.append((v, n))
    return out if name == "age" else sorted(out, key=lambda x: (-x[1], x[0]))


class CountTests(ConformanceBase):
    @pytest.mark.parametrize("case", sorted(FACET_CASES))
    def test_facets_match_each_value_chosen_alone(self, backend, case):
        ps = varied()
        backend.upsert([rec(p, unit(1, i)) for i, p in enumerate(ps)])
        me_id, raw = FACET_CASES[case]
        me = next(p for p in ps if p.id == me_id) if me_id else None
        f = Filters.model_validate(raw)
        got = facets(backend, _query(me, f), list(FACETS))
        assert not got.capped
        for name in FACETS:
            assert [(x.value, x.count) for x in getattr(got, name)] == _reference(ps, me, f, name), name

    def test_only_the_facets_asked_for(self, backend):
        backend.upsert([rec(p, unit(1, i)) for i, p in enumerate(varied())])
        got = facets(backend, for_search(Filters()), ["age"])
        assert got.age and got.country is None and got.language is None and got.subject is None

    def test_why_a_partner_list_is_empty(self, backend):
        ps = varied()
        backend.upsert([rec(p, unit(1, i)) for i, p in enumerate(ps)])
        h = next(p for p in ps if p.id == "h")          # Polish only, pupils of 3-5
        why = why_empty(backend, for_partner(h, None), "en")
        assert (why.code, why.constraint, why.kind) == ("empty_languages", "language", "rule")
        assert [(s.constraint, s.count) for s in why.steps] == [("open", 6), ("country", 6), ("language", 0)]
        assert [(t.code, t.details) for t in why.suggestions] == [
            ("try_language", {"languages": ["it"], "count": 1})]
        assert why.message == "No teacher you can partner with works in Polish"

    def test_why_a_filtered_search_is_empty(self, backend):
        backend.upsert([rec(p, unit(1, i)) for i, p in enumerate(varied())])
        why = why_empty(backend, for_search(Filters(country=["FR"], subject=["Drama"])), "fr", text="")
        assert (why.code, why.constraint, why.kind) == ("empty_subject_filter", "subject", "filter")
        assert [(s.constraint, s.count) for s in why.steps] == [("open", 7), ("country", 2), ("subject", 0)]
        assert [t.message for t in why.suggestions] == ["2 enseignants correspondent sans ce filtre"]
