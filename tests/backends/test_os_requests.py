"""Golden-JSON tests for the OpenSearch request builders; they pin the knn filter placement.

Regenerate after an intended change with:  TWINMATCH_UPDATE_GOLDEN=1 python -m pytest tests/backends/test_os_requests.py
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from matcher.backends.opensearch import requests as rq
from matcher.backends.types import CandidateFilter, Record
from models import AgeRange
from tests.backends.conformance import profile

GOLDEN = Path(__file__).parent / "golden"
FLT = CandidateFilter(countries=["PT", "FR"], exclude_countries=["DE"], exclude_schools=["s1"],
                      exclude_ids=["me"], languages=["en", "pt"], subjects=["Art"],
                      school_types=["primary"], ages=[AgeRange.parse("7-11"), AgeRange.parse("14-15")])
Q = np.array([[1, 0, 0, 0], [0, 0.6, 0.8, 0]], dtype=np.float32)


def check(name: str, body: dict) -> None:
    path = GOLDEN / f"{name}.json"
    text = json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("TWINMATCH_UPDATE_GOLDEN"):
        path.write_text(text)
    assert json.loads(text) == json.loads(path.read_text()), f"{name} differs from {path}"


def test_mapping():
    check("mapping", rq.mapping(384))


def test_knn_with_filter():
    body = rq.knn_query(Q, FLT, 50)
    check("knn_with_filter", body)
    # The contract the golden file pins: filter inside every knn clause, size set, no post_filter.
    assert body["size"] == 50 and "post_filter" not in body
    for clause in body["query"]["dis_max"]["queries"]:
        knn = clause["nested"]["query"]["knn"]["units.vector"]
        assert knn["filter"] == rq.filter_clause(FLT) and knn["k"] == 50


def test_knn_filter_is_anchored_to_profiles():
    # Without open_only nothing else ties exclusions or age ranges to the profile documents.
    flt = CandidateFilter(exclude_ids=["me"], ages=[AgeRange.parse("9-9")], open_only=False)
    body = rq.knn_query(Q[:1], flt, 10)
    check("knn_everyone", body)
    knn = body["query"]["dis_max"]["queries"][0]["nested"]["query"]["knn"]["units.vector"]
    assert rq.PROFILE_ANCHOR in knn["filter"]["bool"]["filter"]
    assert rq.PROFILE_ANCHOR not in rq.knn_filter(FLT)["bool"]["filter"]  # the open term anchors


def test_bm25():
    check("bm25", rq.bm25_query("Recycling plastic, recycling paper!", FLT, 20))


def test_bm25_long_query_stays_in_clause_budget():
    text = " ".join(f"w{i}" for i in range(400))
    body = rq.bm25_query(text, CandidateFilter(), 20, langs=["pt"])
    mm = body["query"]["bool"]["must"][0]["multi_match"]
    assert mm["fields"] == ["text_all", "text_pt"] or mm["fields"] == ["text_pt", "text_all"]
    assert len(mm["query"].split()) * len(mm["fields"]) <= rq.CLAUSE_BUDGET
    assert rq.bm25_query(" ,.; ", CandidateFilter(), 5) is None


def test_filter_query():
    check("filter_query", rq.filter_query(FLT, 100))


def test_default_filter():
    check("filter_default", rq.filter_clause(CandidateFilter()))
    assert rq.filter_clause(CandidateFilter(countries=[], ages=[]))["bool"]["filter"][1:] == \
        [{"match_none": {}}, {"match_none": {}}]


def test_score_conversion():
    # cosinesimil: score = (2 - (1 - cos)) / 2
    for cos in (-1.0, -0.2, 0.0, 0.5, 1.0):
        assert rq.cos_from_score((1 + cos) / 2) == pytest.approx(cos)


def test_doc_roundtrip():
    p = profile("x", ideas=(("We recycle", "en"), ("Nós reciclamos", "pt"), ("Kierrätämme", "fi")),
                interests=("chess club", "robotics"))
    vecs = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], dtype=np.float32)
    d = rq.doc(Record(p, vecs, ["idea:0", "idea:1", "idea:2"]), 123)
    assert d["text_en"].startswith("We recycle") and d["text_pt"] == "Nós reciclamos"
    assert d["text_fi"] == "Kierrätämme" and "chess club" in d["text_all"]
    assert d["ages"] == [{"gte": 7, "lte": 11}] and d["indexed_at"] == 123
    narrowed = rq.doc(Record(p, vecs, ["a", "b", "c"]), analyzers={"en": "english"})
    assert "text_fi" not in narrowed and "Kierrätämme" in narrowed["text_other"]
    back = rq.record(json.loads(json.dumps(d)), 4, received=3)
    assert back.profile == p and back.units == ["idea:0", "idea:1", "idea:2"] and back.received == 3
    np.testing.assert_array_equal(back.vectors, vecs)


def test_every_doc_field_is_mapped():
    p = profile("x", ideas=(("We recycle", "en"), ("Texto", "xx")), interests=("chess",))
    d = rq.doc(Record(p, np.eye(4, dtype=np.float32)[:2], ["a", "b"]), 1)
    assert set(d) <= set(rq.mapping(4)["mappings"]["properties"])
