"""Bad input at the two doors, file ingest (CLI) and bulk HTTP: every good item loads, every bad one is named."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from indexer.ingest import MAX_LINE_BYTES
from models import MAX_TEXT


def _good(pid, country="PT"):
    return {"id": pid, "email": f"{pid}@school.example",
            "school": {"id": f"s-{pid}", "name": "S", "country": country, "type": "primary"},
            "age_groups": [{"from": 7, "to": 11}], "languages": ["pt", "en"], "subjects": ["Art"],
            "ideas": [{"text": "Um projeto sobre as aves migratórias do estuário", "lang": "pt"}]}


# (what is wrong, the item, the field the error must name)
BAD_ITEMS = [
    ("wrong type", {**_good("b-type"), "age_groups": "seven"}, "age_groups"),
    ("wrong type", {**_good("b-exp"), "experience": "lots"}, "experience"),
    ("unknown country", {**_good("b-country"), "school": {**_good("x")["school"], "country": "ZZ"}},
     "school.country"),
    ("unknown subject", {**_good("b-subject"), "subjects": ["Basket weaving in zero gravity"]}, "subjects.0"),
    ("oversized text", {**_good("b-long"), "ideas": [{"text": "a" * (MAX_TEXT + 1)}]}, "ideas.0.text"),
    ("unknown field", {**_good("b-extra"), "password": "x"}, "password"),
    ("missing field", {k: v for k, v in _good("b-missing").items() if k != "languages"}, "languages"),
]
GOOD = [_good("g-1"), _good("g-2", "RO"), _good("g-3", "PL")]


def test_cli_loads_every_good_line_and_names_every_bad_one(tmp_path):
    lines = [json.dumps(GOOD[0]).encode(), b"{broken json", b"[1, 2]"]
    lines += [json.dumps(item).encode() for _, item, _ in BAD_ITEMS]
    lines += [json.dumps(GOOD[1]).encode(), b'{"id": "bad-\xff\xfe-utf8"}',
              json.dumps({**_good("b-huge"), "name": "x" * MAX_LINE_BYTES}).encode(), b"",
              json.dumps(GOOD[2]).encode()]
    f = tmp_path / "in.jsonl"
    f.write_bytes(b"\n".join(lines) + b"\n")
    env = {**os.environ, "TWINMATCH_DATA_DIR": str(tmp_path / "d"), "TWINMATCH_EMBEDDER": "hash"}
    run = subprocess.run([sys.executable, "-m", "indexer.cli", "index", str(f), "-q"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "indexed 3 profiles, rejected 11 lines" in run.stdout, run.stdout
    report = run.stderr
    assert f"{f}:2: (line): invalid JSON" in report
    assert f"{f}:3: (line): a line must be one JSON object" in report
    for n, (what, _, field) in enumerate(BAD_ITEMS, start=4):
        assert f"{f}:{n}: {field}" in report, (what, report)
    n = 4 + len(BAD_ITEMS) + 1
    assert f"{f}:{n}: (line): invalid UTF-8" in report
    assert f"{f}:{n + 1}: (line): line is" in report and "limit" in report
    assert "@school.example" not in report  # the report names fields, never echoes values
    got = subprocess.run([sys.executable, "-m", "indexer.cli", "get", "g-3", "--json"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert json.loads(got.stdout)["school"]["country"] == "PL"


def test_bulk_stores_good_items_and_names_each_bad_one(client):
    body = [GOOD[0], *[item for _, item, _ in BAD_ITEMS], GOOD[1]]
    r = client.post("/v1/profiles/bulk", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["loaded"], out["rejected"]) == (2, len(BAD_ITEMS))
    items = out["items"]
    assert items[0]["status"] == items[-1]["status"] == "ok"
    for i, (what, _, field) in enumerate(BAD_ITEMS, start=1):
        errs = items[i]["errors"]
        assert items[i]["status"] == "error" and errs[0]["index"] == i, what
        assert any(e["field"] == field and e["reason"] for e in errs), (what, errs)
    assert "@school.example" not in r.text
    assert client.get("/v1/profiles/g-2").status_code == 200
    assert client.get("/v1/profiles/b-country").status_code == 404


def test_bulk_rejects_unreadable_bodies_with_the_error_shape(client):
    for content in (b"\xff\xfe not utf-8", b"[{broken", b'["not an object"]', b'{"not": "a list"}'):
        r = client.post("/v1/profiles/bulk", content=content, headers={"content-type": "application/json"})
        assert r.status_code in (400, 422), content
        assert set(r.json()["error"]) == {"code", "message", "details"}
    r = client.post("/v1/profiles/bulk", json=[GOOD[0]] * 1001)
    assert r.status_code == 422
