"""A client that goes away before its answer is a client abort (499), not a server error."""
from __future__ import annotations

import asyncio


def _count(client, status: str) -> float:
    value = client.app.state.metrics.registry.get_sample_value(
        "twinmatch_requests_total", {"method": "POST", "route": "unmatched", "status": status})
    return value or 0.0


def test_a_client_that_leaves_mid_body_is_counted_as_499(make_client):
    c = make_client()
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/v1/search", "raw_path": b"/v1/search", "query_string": b"",
             "root_path": "", "headers": [(b"content-type", b"application/json")],
             "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000), "app": c.app}
    messages = [{"type": "http.request", "body": b'{"text": "recyc', "more_body": True},
                {"type": "http.disconnect"}]
    sent = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    async def main():
        for _ in range(3):
            messages[:] = [{"type": "http.request", "body": b'{"text": "recyc', "more_body": True},
                           {"type": "http.disconnect"}]
            await c.app(dict(scope), receive, send)
    asyncio.run(main())
    assert sent == []
    assert _count(c, "499") == 3 and _count(c, "500") == 0
    metrics = c.get("/metrics").text
    assert 'status="499"' in metrics and 'status="500"' not in metrics
