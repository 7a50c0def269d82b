"""The contract is as tight as the validation, and no looser: JSON integers, UTF-8 bodies only,
an honest bulk report, the right Allow header on a 405, and a clear 422 for each rule that
relates two values (which the schema cannot state)."""
from __future__ import annotations

import re

import pytest


@pytest.mark.parametrize("body", [{"k": True}, {"offset": False}, {"k": 10.5}, {"offset": "3"}])
def test_counts_are_integers_not_booleans_fractions_or_strings(client, body):
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


def _profile(pid: str, **extra) -> dict:
    return {"id": pid, "school": {"id": f"s-{pid}", "name": "S", "country": "PT", "type": "primary"},
            "age_groups": [{"from": 7, "to": 11}], "languages": ["pt", "en"]} | extra


def _fields(r, status: int = 422) -> list[str]:
    assert r.status_code == status, r.text
    return [d["field"] for d in r.json()["error"]["details"]]


# The five rules JSON Schema cannot state, which the fuzz test's positive cases keep.

def test_an_age_range_that_runs_backwards_is_a_422(client):
    r = client.put("/v1/profiles/c-1", json=_profile("c-1", age_groups=[{"from": 11, "to": 7}]))
    assert any("must not exceed" in d["reason"] for d in r.json()["error"]["details"]), r.text
    assert client.get("/v1/profiles/c-1").status_code == 404
    assert _fields(client.post("/v1/search", json={"filters": {"age": {"from": 11, "to": 7}}}))


def test_a_put_body_whose_id_is_not_the_paths_is_a_422(client):
    assert _fields(client.put("/v1/profiles/c-2", json=_profile("c-3"))) == ["id"]
    assert client.get("/v1/profiles/c-2").status_code == 404 and client.get("/v1/profiles/c-3").status_code == 404


def test_a_campaign_whose_min_exceeds_its_max_is_a_422(client):
    assert _fields(client.post("/v1/campaigns", json={"cohort": ["pt-recycle", "ro-recycle"],
                                                      "partners": "3-1"})) == ["body.partners"]


def test_a_campaign_over_ids_that_are_not_indexed_is_a_422(client):
    r = client.post("/v1/campaigns", json={"cohort": ["pt-recycle", "nobody-here"]})
    assert _fields(r) == ["cohort"] and r.json()["error"]["details"][0]["id"] == "nobody-here"


# What the schema states, the validation holds to, both ways.

def test_an_integral_number_is_an_integer_as_json_schema_reads_it(client):
    assert client.post("/v1/search", json={"text": "music", "k": 7.0}).status_code == 200


@pytest.mark.parametrize("extra", [{"open_to_partners": 0}, {"last_active": 0}, {"response_rate": False},
                                   {"experience": "3"}], ids=["bool", "date", "number", "integer"])
def test_a_value_of_another_json_type_is_a_422(client, extra):
    assert _fields(client.put("/v1/profiles/c-4", json=_profile("c-4", **extra))) == [next(iter(extra))]


def test_text_limits_count_what_was_sent_and_a_required_text_is_more_than_spaces(client):
    school = {"id": "s", "name": "   ", "country": "PT", "type": "primary"}
    assert _fields(client.put("/v1/profiles/c-5", json=_profile("c-5", school=school))) == ["school.name"]
    assert _fields(client.put("/v1/profiles/c-5", json=_profile("c-5", name=" " * 201))) == ["name"]
    ok = client.put("/v1/profiles/c-5", json=_profile("c-5", name="  Ana Silva  ", school=school | {"name": " Escola "}))
    assert ok.status_code == 200 and ok.json()["name"] == "Ana Silva" and ok.json()["school"]["name"] == "Escola"


def test_an_id_with_spaces_around_it_is_a_422_not_stripped(client):
    assert client.put("/v1/profiles/c-6", json=_profile(" c-6 ")).status_code == 422
    assert _fields(client.post("/v1/profiles/pt-recycle/contacts", json={"to": " ro-recycle"})) == ["body.to"]


@pytest.mark.parametrize("url,status", [("https://hooks.example.org/tm", 200), ("http://127.0.0.1:9/h", 200),
                                        ("http://example.org/h", 422), ("https://", 422),
                                        ("https://a b.example/h", 422), ("ftp://example.org", 422)])
def test_a_webhook_url_is_checked_as_the_schema_states_it(client, url, status):
    assert client.put("/v1/alerts/webhook", json={"url": url}).status_code == status
    pattern = client.get("/openapi.json").json()["components"]["schemas"]["WebhookIn"]["properties"]["url"]["pattern"]
    assert bool(re.match(pattern, url)) == (status == 200)


def test_codes_are_stated_exactly_in_the_schema(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    country = schemas["School"]["properties"]["country"]["pattern"]
    assert re.match(country, "pt") and re.match(country, " XK ") and not re.match(country, "ZZ")
    language = schemas["Profile"]["properties"]["languages"]["items"]["pattern"]
    assert re.match(language, "EN") and not re.match(language, "xx")
    assert client.put("/v1/profiles/c-7", json=_profile("c-7", languages=[" EN "])).json()["languages"] == ["en"]
    assert _fields(client.put("/v1/profiles/c-7", json=_profile("c-7", languages=["xx"]))) == ["languages"]
