"""A campaign over HTTP: the CSV names the teachers (e-mails only for the read scope), `lang`
localizes the reasons and the report, and `min_score` keeps weak pairs out."""
from __future__ import annotations

import csv
import io

from tests.api.campaign_wait import wait_for_campaign


def _run(client, headers: dict, ids: list[str], **body) -> str:
    r = client.post("/v1/campaigns", json={"cohort": ids, "partners": "1-2", **body}, headers=headers)
    assert r.status_code == 202, r.text
    st = wait_for_campaign(client, r.json()["id"], headers)
    assert st["status"] == "done", st
    return st["id"]


def _csv(client, cid: str, headers: dict, query: str = "") -> list[dict]:
    r = client.get(f"/v1/campaigns/{cid}/matches{query}", headers=headers | {"Accept": "text/csv"})
    assert r.status_code == 200, r.text
    return list(csv.DictReader(io.StringIO(r.text)))


def test_the_csv_names_the_teachers_and_shows_emails_only_to_the_read_scope(secured, keys, mini_profiles):
    camp, admin = {"X-API-Key": keys["campaign"]}, {"X-API-Key": keys["admin"]}
    by_id = {p["id"]: p for p in mini_profiles}
    cid = _run(secured, camp, list(by_id))
    rows = _csv(secured, cid, camp)
    assert rows and "a_email" not in rows[0]
    for row in rows:
        a, b = by_id[row["a"]], by_id[row["b"]]
        assert (row["a_name"], row["a_school"], row["b_name"], row["b_school"]) == (
            a["name"], a["school"]["name"], b["name"], b["school"]["name"])
        assert row["shared_languages"] and row["pupil_ages"] and row["a_idea"] and row["b_idea"]
    with_emails = _csv(secured, cid, admin)            # an admin key holds every scope, read included
    assert [r["a_email"] for r in with_emails] == [by_id[r["a"]]["email"] for r in with_emails]


def test_lang_localizes_the_reasons_and_the_report(secured, keys, mini_profiles):
    camp = {"X-API-Key": keys["campaign"]}
    cid = _run(secured, camp, [p["id"] for p in mini_profiles])
    body = secured.get(f"/v1/campaigns/{cid}/matches?lang=pt", headers=camp).json()
    assert body["matches"][0]["reasons"][0]["message"].startswith("Podem trabalhar juntos em")
    assert "Podem trabalhar juntos em inglês" in _csv(secured, cid, camp, "?lang=pt")[0]["reasons"]
    page = secured.get(f"/v1/campaigns/{cid}/report?lang=pt", headers=camp)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="pt"' in page.text and "Parcerias" in page.text and "@" not in page.text
    assert mini_profiles[0]["name"] in page.text
    english = secured.get(f"/v1/campaigns/{cid}/report", headers=camp).text
    assert '<html lang="en"' in english and "Partnerships" in english
    other = secured.get(f"/v1/campaigns/{cid}/report", headers={"X-API-Key": keys["search"]})
    assert other.status_code == 403


def test_min_score_keeps_weak_pairs_out(secured, keys, mini_profiles):
    camp = {"X-API-Key": keys["campaign"]}
    ids = [p["id"] for p in mini_profiles]
    loose = secured.get(f"/v1/campaigns/{_run(secured, camp, ids)}/matches", headers=camp).json()
    floor = sorted(m["score"] for m in loose["matches"])[len(loose["matches"]) // 2]   # the median pair
    cid = _run(secured, camp, ids, min_score=floor)
    assert secured.get(f"/v1/campaigns/{cid}", headers=camp).json()["params"]["min_score"] == floor
    strict = secured.get(f"/v1/campaigns/{cid}/matches", headers=camp).json()
    assert strict["matches"] and min(m["score"] for m in strict["matches"]) >= floor
    assert len(strict["matches"]) < len(loose["matches"])
    r = secured.post("/v1/campaigns", json={"cohort": ids, "min_score": 1.5}, headers=camp)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"].endswith("min_score")
