"""Which requests a follower worker forwards to the writer: what each route declares (api/forward.py).

A route whose method may change state (POST, PUT, PATCH, DELETE) declares `@writes` or `@reads`;
the app refuses to build without it. The list of read-only ones below is the review point: a new
POST that only reads is added here on purpose, never by default.
"""
from __future__ import annotations

import re

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from api import forward

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Routes with a method that may write but that only read: every worker answers them.
READ_ONLY = {"POST /v1/search"}
# Routes that only read but are answered by the writer: campaign jobs run there.
WRITER_READS = {"GET /v1/campaigns", "GET /v1/campaigns/{campaign_id}", "GET /v1/campaigns/{campaign_id}/matches"}


def _names(route) -> set[str]:
    return {f"{m} {route.path}" for m in route.methods if m != "HEAD"}


def test_every_route_that_may_change_state_declares_it(client):
    table = client.app.state.routes
    assert {r.path for r, _ in table} >= {"/v1/profiles/{profile_id}", "/v1/search", "/v1/campaigns",
                                          "/v1/saved-searches", "/v1/alerts/webhook"}   # every router
    for route, to_writer in table:
        declared = getattr(route.endpoint, "in_writer", None)
        if route.methods & UNSAFE:
            assert declared is not None, f"{_names(route)} declares neither @writes nor @reads"
            assert to_writer == (not _names(route) <= READ_ONLY), _names(route)
        else:
            assert to_writer == (_names(route) <= WRITER_READS), _names(route)


def test_a_route_that_may_change_state_and_declares_nothing_is_refused():
    app = FastAPI()
    router = APIRouter()

    @router.post("/v1/new-thing")
    def new_thing() -> dict:
        return {}

    @router.post("/v1/new-search")
    @forward.reads
    def new_search() -> dict:
        return {}

    app.include_router(router)
    with pytest.raises(RuntimeError, match=r"POST /v1/new-thing"):
        forward.route_table(app)
    forward.writes(new_thing)
    assert [(r.path, w) for r, w in forward.route_table(app)] == [("/v1/new-thing", True), ("/v1/new-search", False)]


class _Writer:
    """Stands in for the follower's client to the writer: records what reaches it."""

    def __init__(self):
        self.seen: list[tuple[str, str]] = []

    async def request(self, method, target, headers, content):
        self.seen.append((method, target))
        return httpx.Response(218, json={"from": "writer"})


def test_a_follower_forwards_exactly_the_routes_that_declare_it(client):
    """Every route, every method it answers, with its path's parameters filled in."""
    writer = _Writer()
    client.app.state.writer = writer
    try:
        for route, to_writer in client.app.state.routes:
            path = re.sub(r"\{[^}]+\}", "x1", route.path)
            for method in sorted(route.methods - {"HEAD"}):
                writer.seen.clear()
                r = client.request(method, path, json={} if method in UNSAFE else None)
                forwarded = writer.seen == [(method, path)]
                assert forwarded == to_writer, f"{method} {route.path}: forwarded {forwarded}"
                assert (r.status_code == 218) == to_writer
        writer.seen.clear()
        r = client.post("/v1/search", json={"text": "", "k": 3})
        assert r.status_code == 200 and r.json()["total"] > 0 and writer.seen == []   # a search stays here
        assert client.post("/v1/taxonomy").status_code == 405 and writer.seen == []  # no route: answered here
    finally:
        client.app.state.writer = None
