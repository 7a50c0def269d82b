"""Request ids, JSON logs without e-mails, Prometheus metrics and readiness."""
from __future__ import annotations

import io
import json
import logging

from prometheus_client.parser import text_string_to_metric_families

from api.observability import JsonFormatter, RedactEmails
from matcher.errors import BackendUnavailable


def _metrics(client, **headers) -> dict:
    r = client.get("/metrics", headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    return {f.name: f for f in text_string_to_metric_families(r.text)}


def test_metrics_by_route_template_index_size_and_embedding_time(client):
    client.get("/v1/profiles/pt-recycle/partners")
    client.get("/v1/profiles/pl-recycle/partners")
    client.post("/v1/search", json={"text": "recycling", "k": 2})
    fams = _metrics(client)
    lat = [s for s in fams["twinmatch_request_duration_seconds"].samples
           if s.name.endswith("_count") and s.labels["route"] == "/v1/profiles/{profile_id}/partners"]
    assert lat and lat[0].value == 2  # one series for the template, not one per id
    size = fams["twinmatch_index_profiles"].samples[0].value
    assert size == client.app.state.matcher.backend.count() > 0
    emb = {s.labels["kind"]: s.value for s in fams["twinmatch_embedding_seconds"].samples
           if s.name.endswith("_count")}
    assert emb["query"] >= 1
    statuses = {(s.labels["route"], s.labels["status"]) for s in fams["twinmatch_requests"].samples}
    assert ("/v1/search", "200") in statuses


def test_metrics_need_an_admin_key_when_keys_exist(secured, keys):
    assert secured.get("/metrics").status_code == 401
    assert secured.get("/metrics", headers={"X-API-Key": keys["search"]}).status_code == 403
    assert _metrics(secured, **{"X-API-Key": keys["admin"]})


def test_unmatched_paths_share_one_series(client):
    for i in range(5):
        client.get(f"/no/such/path/{i}")
    fams = _metrics(client)
    routes = {s.labels["route"] for s in fams["twinmatch_request_duration_seconds"].samples}
    assert "unmatched" in routes and not any(r.startswith("/no/such") for r in routes)


def test_request_id_is_echoed_or_made(client):
    r = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    made = client.get("/healthz").headers["x-request-id"]
    assert len(made) == 32
    # A header that could forge log lines is replaced, not echoed.
    assert client.get("/healthz", headers={"X-Request-ID": "a\" b"}).headers["x-request-id"] != "a\" b"
    assert client.get("/v1/profiles/nope").headers["x-request-id"]  # errors carry it too


def _capture():
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(JsonFormatter())
    logging.getLogger("twinmatch").addHandler(handler)
    return buf, handler


def test_access_log_is_json_with_request_id_and_no_email(client):
    buf, handler = _capture()
    try:
        client.get("/v1/profiles/teacher@school.example", headers={"X-Request-ID": "req-42"})
        client.post("/v1/search", json={"text": "write to ana.sousa@escola.pt please", "k": 1},
                    headers={"X-Request-ID": "req-43"})
    finally:
        logging.getLogger("twinmatch").removeHandler(handler)
    lines = [json.loads(x) for x in buf.getvalue().splitlines()]
    first = next(x for x in lines if x["request_id"] == "req-42")
    assert first["status"] == 422 and first["route"] == "/v1/profiles/{profile_id}"
    assert "@" not in buf.getvalue() and "[email]" in first["path"]
    assert any(x["request_id"] == "req-43" and x["ms"] >= 0 for x in lines)


def test_redaction_covers_messages_arguments_and_tracebacks():
    buf = io.StringIO()
    log = logging.getLogger("twinmatch.test.redact")
    handler = logging.StreamHandler(buf)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactEmails())
    log.addHandler(handler)
    try:
        log.warning("contact %s now", "maria.k@gimnazjum.edu.pl")
        try:
            raise ValueError("bad address jan@x.example")
        except ValueError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
    out = buf.getvalue()
    assert "gimnazjum" not in out and "jan@" not in out and out.count("[email]") >= 2


def test_readyz_is_503_with_a_clear_body_when_the_backend_fails(client, monkeypatch):
    assert client.get("/readyz").status_code == 200
    backend = client.app.state.matcher.backend

    def down():
        raise BackendUnavailable("embedded store unreadable: disk I/O error")
    monkeypatch.setattr(backend, "health", down)
    r = client.get("/readyz")
    assert r.status_code == 503 and r.headers["retry-after"]
    assert r.json()["error"] == {"code": "backend_unavailable", "details": [],
                                 "message": "embedded store unreadable: disk I/O error"}
    monkeypatch.undo()
    assert client.get("/readyz").status_code == 200


def test_readyz_when_the_store_is_really_closed(client):
    client.app.state.matcher.backend.store.close()
    r = client.get("/readyz")
    assert r.status_code == 503
