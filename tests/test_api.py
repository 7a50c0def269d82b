"""HTTP API: the contract's routes, public fields only, erasure, error shapes."""
import json


def _new_profile(pid="new-1", country="FI", text="Kierrätys ja jätteiden lajittelu koulussa"):
    return {"id": pid, "name": "Aino", "email": f"{pid}@secret.example",
            "school": {"id": f"school-{pid}", "name": "Koulu", "country": country, "type": "lower-secondary"},
            "subjects": ["Environmental Education"], "age_groups": [{"from": 11, "to": 15}],
            "languages": ["fi", "en"], "ideas": [{"title": "Kierrätys", "text": text}]}


def test_email_never_in_partners_or_search(client, mini_profiles):
    body = client.get("/v1/profiles/pt-recycle/partners?k=50").text
    assert "@school.example" not in body and '"email"' not in body
    body = client.post("/v1/search", json={"text": "recycling", "k": 50}).text
    assert "@school.example" not in body and '"email"' not in body
    assert json.loads(body)["total"] > 0


def test_put_get_and_detect_language(client):
    r = client.put("/v1/profiles/new-1", json=_new_profile())
    assert r.status_code == 200, r.text
    assert "email" not in r.json()
    got = client.get("/v1/profiles/new-1").json()
    assert got["ideas"][0]["lang"] == "fi"
    assert got["email"] == "new-1@secret.example"  # open local mode holds every scope


def test_put_rejects_mismatched_id_and_names_the_field(client):
    r = client.put("/v1/profiles/other", json=_new_profile())
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "id"
    bad = _new_profile("bad-1")
    bad["school"]["country"] = "GB"
    r = client.put("/v1/profiles/bad-1", json=bad)
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "school.country"


def test_unknown_subject_error_names_closest(client):
    bad = _new_profile("bad-2")
    bad["subjects"] = ["Maths"]
    r = client.put("/v1/profiles/bad-2", json=bad)
    assert r.status_code == 422
    assert "Mathematics / Geometry" in r.json()["error"]["details"][0]["reason"]


def test_bulk_reports_each_item_and_keeps_good_ones(client):
    items = [_new_profile("b-1"), {"id": "b-2", "school": {}}, _new_profile("b-3", "SE", "Återvinning av plast")]
    r = client.post("/v1/profiles/bulk", json=items)
    assert r.status_code == 200
    body = r.json()
    assert (body["loaded"], body["rejected"]) == (2, 1)
    assert [i["status"] for i in body["items"]] == ["ok", "error", "ok"]
    assert client.get("/v1/profiles/b-3").status_code == 200
    assert client.get("/v1/profiles/b-2").status_code == 404


def test_delete_removes_profile_from_every_result(client):
    before = [r["profile"]["id"] for r in client.get("/v1/profiles/pt-recycle/partners").json()["results"]]
    assert "ro-recycle" in before
    assert client.delete("/v1/profiles/ro-recycle").status_code == 204
    after = [r["profile"]["id"] for r in client.get("/v1/profiles/pt-recycle/partners?k=50").json()["results"]]
    assert "ro-recycle" not in after
    found = [r["profile"]["id"] for r in client.post("/v1/search", json={"text": "Deșeuri zero reciclare", "k": 50}).json()["results"]]
    assert "ro-recycle" not in found
    assert client.get("/v1/profiles/ro-recycle").status_code == 404
    assert client.delete("/v1/profiles/ro-recycle").status_code == 404


def test_errors_have_one_shape(client):
    r = client.get("/v1/profiles/nope/partners")
    assert r.status_code == 404 and r.json()["error"]["code"] == "profile_not_found"
    r = client.get("/v1/profiles/pt-recycle/partners?age=old")
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "age"
    r = client.post("/v1/search", json={"text": 5})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"


def test_partners_pagination_and_total(client):
    first = client.get("/v1/profiles/pt-recycle/partners?k=2").json()
    second = client.get("/v1/profiles/pt-recycle/partners?k=2&offset=2").json()
    assert first["total"] == second["total"] >= 4
    ids = [r["profile"]["id"] for r in first["results"] + second["results"]]
    assert len(set(ids)) == 4


def test_taxonomy_and_health(client):
    tax = client.get("/v1/taxonomy").json()
    assert len(tax["countries"]) == 46 and len(tax["subjects"]) == 39
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["profiles"] == 13
