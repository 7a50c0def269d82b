"""Facets and why_empty over HTTP: asked for by GET parameter or POST field, documented in the schema."""
from __future__ import annotations

import pytest

ALL = "country,language,age,subject"


def _counts(body: dict, name: str) -> dict[str, int]:
    return {x["value"]: x["count"] for x in body["facets"][name]}


def test_partner_facets_count_the_compatible_set(client):
    body = client.get(f"/v1/profiles/pt-recycle/partners?facets={ALL}").json()
    assert set(body["facets"]) == {"country", "language", "age", "subject", "capped"}
    # Other schools, a shared language, pupils overlapping 11-15, open: not pt-same-school,
    # hu (Hungarian only), ie (closed) or ro-recycle-young (3-6, which the age facet counts).
    # The country facet counts the own country too: choosing it lifts "another country".
    assert _counts(body, "country") == {"DE": 1, "ES": 1, "FR": 1, "GR": 1, "IT": 1, "PL": 1, "PT": 1, "RO": 1}
    assert body["total"] == 7
    assert _counts(body, "language") == {"en": 7}
    assert _counts(body, "age") == {"3-6": 1, "7-11": 4, "12-15": 7}
    assert _counts(body, "subject")["Environmental Education"] == 2
    assert body["why_empty"] is None and not body["facets"]["capped"]


def test_a_facet_ignores_its_own_filter_so_values_can_be_added(client):
    one = client.get(f"/v1/profiles/pt-recycle/partners?country=RO&facets={ALL}").json()
    assert {r["profile"]["school"]["country"] for r in one["results"]} == {"RO"}
    assert _counts(one, "country")["PL"] == 1 and _counts(one, "country")["RO"] == 1
    assert _counts(one, "language") == {"en": 1}           # the other facets follow the country
    assert _counts(one, "age") == {"3-6": 1, "12-15": 1}
    two = client.get(f"/v1/profiles/pt-recycle/partners?country=RO&country=PL&facets={ALL}").json()
    assert two["total"] == _counts(one, "country")["RO"] + _counts(one, "country")["PL"]
    ages = client.get("/v1/profiles/pt-recycle/partners?age=3-6&age=16-19&facets=age").json()
    assert [r["profile"]["id"] for r in ages["results"]] == ["ro-recycle-young"]
    assert _counts(ages, "age")["7-11"] == 4 and ages["facets"]["country"] is None


def test_search_facets_by_list_or_comma_string(client):
    by_list = client.post("/v1/search", json={"text": "", "facets": ["subject", "age"],
                                             "filters": {"subject": ["Drama", "Music"]}}).json()
    by_text = client.post("/v1/search", json={"text": "", "facets": "subject, age",
                                             "filters": {"subject": ["Drama", "Music"]}}).json()
    assert by_list["facets"] == by_text["facets"]
    assert by_list["total"] == 2 and _counts(by_list, "subject")["Environmental Education"] == 7
    assert by_list["facets"]["country"] is None


@pytest.mark.parametrize("asked", ["colour", "country,colour", "", "country,,age"])
def test_an_unknown_facet_is_a_422_naming_it_on_get_and_post(client, asked):
    got = client.get(f"/v1/profiles/pt-recycle/partners?facets={asked}")
    posted = client.post("/v1/search", json={"text": "x", "facets": asked})
    for r in (got, posted):
        assert r.status_code == 422, r.text
        err = r.json()["error"]
        assert err["code"] == "invalid_query" and "facets are country, language, age, subject" in str(err)
        assert "'colour'" in str(err) if "colour" in asked else "''" in str(err)


def test_an_empty_partner_list_says_why_in_the_language_asked(client):
    body = client.get("/v1/profiles/hu-recycle-nolang/partners?lang=de").json()
    assert body["results"] == [] and body["total"] == 0
    why = body["why_empty"]
    assert why["code"] == "empty_languages" and why["constraint"] == "language" and why["kind"] == "rule"
    assert why["message"] == "Keine mögliche Partnerlehrkraft arbeitet in Ihren Arbeitssprachen: Ungarisch"
    assert why["steps"][-1] == {"constraint": "language", "kind": "rule", "count": 0}
    assert why["suggestions"][0]["details"] == {"languages": ["en"], "count": 10}


def test_an_empty_search_says_why(client):
    body = client.post("/v1/search", json={"filters": {"country": ["IE"]}, "lang": "pt"}).json()
    assert body["why_empty"]["code"] == "empty_country_filter"     # ie-closed is not open to partners
    assert body["why_empty"]["message"] == "Nenhum professor corresponde aos países escolhidos"
    assert client.post("/v1/search", json={"text": "recycling"}).json()["why_empty"] is None


def test_the_schema_documents_facets_and_why_empty(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    props = schemas["ResultList"]["properties"]
    assert {"facets", "why_empty"} <= set(props)
    assert {"constraint", "kind", "steps", "suggestions", "code", "message"} <= set(schemas["WhyEmpty"]["properties"])
    assert {"country", "language", "age", "subject", "capped"} <= set(schemas["Facets"]["properties"])
    assert "facets" in schemas["SearchRequest"]["properties"]
