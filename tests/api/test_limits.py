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


def test_a_stalled_body_gets_408_and_frees_the_connection(make_client):
    """A client that sends part of a body and stops is answered within the body timeout."""
    import asyncio
    import time
    c = make_client(body_timeout=0.5)
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/v1/search", "raw_path": b"/v1/search", "query_string": b"",
             "root_path": "", "headers": [(b"content-type", b"application/json")],
             "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000), "app": c.app}
    sent, first = [], True

    async def receive():
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": b'{"text": ', "more_body": True}
        await asyncio.sleep(3600)  # the rest never comes

    async def send(message):
        sent.append(message)

    t0 = time.perf_counter()
    asyncio.run(c.app(scope, receive, send))
    assert time.perf_counter() - t0 < 2
    assert sent[0]["status"] == 408 and (b"connection", b"close") in sent[0]["headers"]
    assert b"request_timeout" in sent[1]["body"]
