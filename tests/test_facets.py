"""Facets through the Matcher: kept briefly per query, afresh once the index grows or shrinks."""
from __future__ import annotations

from matcher import facets
from models import Filters, Profile
from tests.fakes import profile


def test_facets_are_kept_per_query_until_the_index_changes(make_matcher, monkeypatch):
    m = make_matcher([profile("me", "PT"), profile("ro", "RO"), profile("pl", "PL")])
    counted = []
    real = facets.facets
    monkeypatch.setattr(facets, "facets", lambda *a: counted.append(a[2]) or real(*a))
    first = m.partners("me", facets=["country"]).facets
    assert [(x.value, x.count) for x in first.country] == [("PL", 1), ("RO", 1)]
    assert m.partners("me", facets=["country"]).facets == first and len(counted) == 1
    m.partners("me", facets=["country"], filters=Filters(country=["RO"]))   # another query: counted
    m.partners("me", facets=["country", "age"])                              # other facets: counted
    assert len(counted) == 3
    m.upsert([Profile.model_validate(profile("es", "ES"))])
    grown = m.partners("me", facets=["country"]).facets
    assert len(counted) == 4 and [x.value for x in grown.country] == ["ES", "PL", "RO"]
