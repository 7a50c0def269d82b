"""Request bodies over `max_body_bytes` get 413 with the JSON error shape, declared or streamed."""
from __future__ import annotations

import json


def test_declared_length_over_the_limit(make_client):
    c = make_client(max_body_bytes=2000)
    r = c.post("/v1/profiles/bulk", content=b"[" + b" " * 3000 + b"]",
               headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"
    assert r.headers["x-request-id"]


def test_streamed_body_without_length_is_counted(make_client):
    c = make_client(max_body_bytes=2000)

    def chunks():
        for _ in range(10):
            yield b" " * 500

    r = c.post("/v1/search", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"


def test_bodies_under_the_limit_pass(make_client):
    c = make_client(max_body_bytes=2000)
    body = json.dumps({"text": "recycling", "k": 2}).encode()
    r = c.post("/v1/search", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 200


def test_bad_content_length_is_refused(make_client):
    c = make_client(max_body_bytes=2000)
    r = c.post("/v1/search", content=b"{}", headers={"content-type": "application/json",
                                                      "content-length": "-1"})
    assert r.status_code in (400, 413)
