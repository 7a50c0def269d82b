"""The contract is as tight as the validation: strict counts, UTF-8 bodies only, an honest
bulk report, and the right Allow header on a 405."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("body", [{"k": True}, {"offset": False}, {"k": 10.0}, {"offset": "3"}])
def test_counts_are_integers_not_booleans_or_floats(client, body):
    r = client.post("/v1/search", json={"text": "recycling"} | body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["field"] == f"body.{next(iter(body))}"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_a_body_that_is_not_utf8_is_a_400(client, encoding):
    r = client.post("/v1/search", content='{"text": "recycling"}'.encode(encoding),
                    headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request"


def test_a_bulk_with_a_repeated_id_reports_what_it_stored(client, mini_profiles):
    a = mini_profiles[0] | {"id": "dup-1", "name": "First"}
    r = client.post("/v1/profiles/bulk", json=[a, a | {"name": "Second"}])
    body = r.json()
    assert (body["loaded"], body["rejected"]) == (1, 1)
    assert [i["status"] for i in body["items"]] == ["ok", "error"]
    assert body["items"][1]["errors"][0]["field"] == "id"
    assert client.get("/v1/profiles/dup-1").json()["name"] == "First"


@pytest.mark.parametrize("path, allow", [("/v1/profiles/pt-recycle", "GET, PUT, DELETE"),
                                          ("/v1/profiles/bulk", "POST"), ("/v1/campaigns", "GET, POST"),
                                          ("/v1/search", "POST")])
def test_a_405_lists_every_method_of_the_path(client, path, allow):
    r = client.options(path)
    assert r.status_code == 405 and r.headers["allow"] == allow


def test_the_schema_states_what_validation_requires(client):
    doc = client.get("/openapi.json").json()
    put = doc["paths"]["/v1/profiles/{profile_id}"]["put"]["requestBody"]["content"]["application/json"]["schema"]
    assert put["$ref"] == "#/components/schemas/Profile"  # so `{}` is not a valid PUT body
    camp = doc["components"]["schemas"]["CampaignIn"]
    assert camp["anyOf"] == [{"required": ["cohort"]}, {"required": ["profiles"]}]
    assert camp["properties"]["cohort"]["minItems"] == 1 and camp["properties"]["profiles"]["minItems"] == 1


def test_an_empty_cohort_is_refused_as_the_schema_says(client):
    for body in ({}, {"cohort": []}, {"cohort": [], "profiles": []}):
        r = client.post("/v1/campaigns", json=body)
        assert r.status_code == 422, (body, r.text)


@pytest.mark.parametrize("query", ["country=", "country=Portugal", "language=", "subject=", "age=0000000000"])
def test_malformed_partner_filters_are_refused_as_the_schema_says(client, query):
    r = client.get(f"/v1/profiles/pt-recycle/partners?{query}")
    assert r.status_code == 422, r.text
    params = {p["name"]: p["schema"] for p in
              client.get("/openapi.json").json()["paths"]["/v1/profiles/{profile_id}/partners"]["get"]["parameters"]}
    assert "pattern" in str(params["country"]) and "pattern" in str(params["age"])
