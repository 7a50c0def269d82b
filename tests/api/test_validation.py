"""Validation is uniform: one `details` shape, one code per bad filter, every bad item named."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _profile(pid: str, **extra) -> dict:
    return {"id": pid, "email": f"{pid}@school.example",
            "school": {"id": f"s-{pid}", "name": "S", "country": "PT", "type": "primary"},
            "age_groups": [{"from": 7, "to": 11}], "languages": ["pt", "en"], "subjects": ["Art"],
            "ideas": [{"text": "Um projeto sobre as aves migratórias do estuário", "lang": "pt"}]} | extra


def _error(r, status: int) -> dict:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert set(err) == {"code", "message", "details"}
    assert isinstance(err["details"], list) and all(isinstance(d, dict) for d in err["details"]), err
    return err


def test_details_is_a_list_of_objects_in_every_error_body(client):
    calls = [
        (client.get("/v1/profiles/nobody"), 404),                                    # MatchingError
        (client.get("/v1/no-such-route"), 404),                                      # Starlette
        (client.options("/v1/search"), 405),
        (client.post("/v1/search", json={"k": 0}), 422),                             # request validation
        (client.get("/v1/profiles/pt-recycle/partners?age=old"), 422),               # InvalidQuery
        (client.put("/v1/profiles/x", json={"id": "x"}), 422),                       # InvalidProfile
        (client.post("/v1/search", content=b"\xff\xfe", headers={"content-type": "application/json"}), 400),
    ]
    for r, status in calls:
        _error(r, status)
    assert _error(client.get("/v1/profiles/nobody"), 404)["details"] == [
        {"field": "id", "reason": "no such profile", "id": "nobody"}]
    schema = client.get("/openapi.json").json()["components"]["schemas"]["ErrorDetail"]
    assert schema["properties"]["details"]["type"] == "array"
    assert schema["properties"]["details"]["items"]["type"] == "object"


def test_details_is_a_list_when_the_key_is_refused(secured, keys):
    _error(secured.post("/v1/search", json={"text": "x"}), 401)
    _error(secured.put("/v1/profiles/x", json=_profile("x"), headers={"X-API-Key": keys["search"]}), 403)


@pytest.mark.parametrize("name,get,post", [
    ("age", "age=5-3", {"age": "5-3"}),
    ("age", "age=old", {"age": "old"}),
    ("country", "country=ZZ", {"country": ["ZZ"]}),
    ("subject", "subject=Basket%20weaving", {"subject": ["Basket weaving"]}),
    ("language", "language=xx", {"language": ["xx"]}),
])
def test_the_same_bad_filter_gets_the_same_code_on_get_and_post(client, name, get, post):
    by_get = _error(client.get(f"/v1/profiles/pt-recycle/partners?{get}"), 422)
    by_post = _error(client.post("/v1/search", json={"text": "recycling", "filters": post}), 422)
    assert by_get["code"] == by_post["code"] == "invalid_query"
    assert by_get["details"][0]["field"].split(".")[0] == name
    assert by_post["details"][0]["field"].startswith(f"body.filters.{name}")
    assert by_get["details"][0]["reason"] == by_post["details"][0]["reason"]


def test_other_bad_parameters_keep_the_request_code(client):
    assert _error(client.post("/v1/search", json={"text": "x", "k": 0}), 422)["code"] == "invalid_request"
    assert _error(client.get("/v1/profiles/pt-recycle/partners?k=0"), 422)["code"] == "invalid_request"


def test_every_unknown_subject_is_reported(client):
    bad = ["Art", "Basket weaving", "Music", "Mathz"]
    err = _error(client.put("/v1/profiles/subj-1", json=_profile("subj-1", subjects=bad)), 422)
    assert [d["field"] for d in err["details"]] == ["subjects.1", "subjects.3"]
    assert "'Basket weaving'" in err["details"][0]["reason"] and "'Mathz'" in err["details"][1]["reason"]
    by_get = _error(client.get("/v1/profiles/pt-recycle/partners?subject=Art&subject=Basket%20weaving"
                               "&subject=Mathz"), 422)
    assert [d["field"] for d in by_get["details"]] == ["subject.1", "subject.2"]
    by_post = _error(client.post("/v1/search", json={"filters": {"subject": bad}}), 422)
    assert [d["field"] for d in by_post["details"]] == ["body.filters.subject.1", "body.filters.subject.3"]
    items = client.post("/v1/profiles/bulk", json=[_profile("subj-2", subjects=bad)]).json()["items"]
    assert [e["field"] for e in items[0]["errors"]] == ["subjects.1", "subjects.3"]


@pytest.mark.parametrize("email", ["not-an-address", "two@@school.example", "a b@school.example",
                                   "teacher@localhost", "@school.example", "teacher@"])
def test_an_invalid_email_is_rejected_in_a_profile(client, email):
    err = _error(client.put("/v1/profiles/mail-1", json=_profile("mail-1", email=email)), 422)
    assert err["code"] == "invalid_profile" and [d["field"] for d in err["details"]] == ["email"]
    assert email not in str(err)   # the value is never echoed
    items = client.post("/v1/profiles/bulk", json=[_profile("mail-2", email=email)]).json()["items"]
    assert items[0]["status"] == "error" and items[0]["errors"][0]["field"] == "email"


def test_a_valid_or_absent_email_is_accepted(client):
    for pid, extra in (("mail-3", {"email": "ana.silva+tm@escola.example.pt"}), ("mail-4", {"email": None})):
        assert client.put(f"/v1/profiles/{pid}", json=_profile(pid, **extra)).status_code == 200


def test_contacting_yourself_is_rejected(client):
    err = _error(client.post("/v1/profiles/pt-recycle/contacts", json={"to": "pt-recycle"}), 422)
    assert err["code"] == "invalid_contact" and err["details"][0]["field"] == "to"
    assert client.get("/v1/profiles/pt-recycle").status_code == 200
    assert client.post("/v1/profiles/pt-recycle/contacts", json={"to": "ro-recycle"}).status_code == 204


@pytest.mark.parametrize("age", ["5-3", "old", "7-11-15"])
def test_the_cli_says_what_is_wrong_with_an_age_in_one_line(tmp_path, age):
    env = {**os.environ, "TWINMATCH_DATA_DIR": str(tmp_path / "d"), "TWINMATCH_EMBEDDER": "hash"}
    run = subprocess.run([sys.executable, "-m", "indexer.cli", "search", "music", "--age", age], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: age range") and age in lines[0], run.stderr
    assert "validation error" not in run.stderr and "pydantic" not in run.stderr


def test_the_cli_reports_every_bad_filter_in_one_line(tmp_path):
    env = {**os.environ, "TWINMATCH_DATA_DIR": str(tmp_path / "d"), "TWINMATCH_EMBEDDER": "hash"}
    run = subprocess.run([sys.executable, "-m", "indexer.cli", "search", "music", "--subject", "Mathz",
                          "--subject", "Basket weaving"], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert "'Mathz'" in run.stderr and "'Basket weaving'" in run.stderr
