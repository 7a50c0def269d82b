"""Request ids, structured JSON logs that never carry an e-mail, and Prometheus metrics."""
from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import sys
import time
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from api.security import Principal, require
from matcher.embeddings.base import Forgetting

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = logging.getLogger("twinmatch.access")


def redact(text: str) -> str:
    return _EMAIL.sub("[email]", text)


class RedactEmails(logging.Filter):
    """Blanks e-mail-like strings in a record's message and arguments, for any handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line; the whole line is redacted, tracebacks included."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
               "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage(),
               "request_id": getattr(record, "request_id", None) or request_id.get(), "pid": record.process}
        out.update(getattr(record, "fields", {}))
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return redact(json.dumps(out, ensure_ascii=False, default=str))


def configure_logging(level: int = logging.INFO) -> None:
    """JSON lines on stderr for every `twinmatch.*` logger; idempotent."""
    root = logging.getLogger("twinmatch")
    if any(getattr(h, "_twinmatch", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactEmails())
    handler._twinmatch = True
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False


class Metrics:
    """One registry per app, so several apps in one process (tests) never collide."""

    def __init__(self):
        self.registry = CollectorRegistry()
        self.latency = Histogram("twinmatch_request_duration_seconds", "HTTP request latency by route",
                                 ["method", "route"], registry=self.registry,
                                 buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
        self.requests = Counter("twinmatch_requests_total", "HTTP requests by route and status",
                                ["method", "route", "status"], registry=self.registry)
        self.embedding = Histogram("twinmatch_embedding_seconds", "Time to embed texts (cache included)",
                                   ["kind"], registry=self.registry,
                                   buckets=(.001, .005, .01, .025, .05, .1, .25, .5, 1, 5, 30))
        self.matcher = None
        self.registry.register(self)

    def collect(self):
        """Index size is read at scrape time, from the backend itself."""
        g = GaugeMetricFamily("twinmatch_index_profiles", "Profiles in the index")
        if self.matcher is not None:
            try:
                g.add_metric([], self.matcher.backend.count())
            except Exception:  # a scrape must not fail because the backend does
                pass
        yield g

    def describe(self):
        return []


class TimedEmbedder:
    """Wraps the matcher's embedder to time it; every other attribute passes through."""

    def __init__(self, inner, hist: Histogram):
        self._inner, self._hist = inner, hist

    def passages(self, texts):
        with self._hist.labels("passages").time():
            return self._inner.passages(texts)

    def query(self, text):
        with self._hist.labels("query").time():
            return self._inner.query(text)

    def forget(self, texts):
        """Erasure reaches the inner embedder's cache. Defined here rather than passed through
        __getattr__, which isinstance checks against a protocol do not see from Python 3.12."""
        if isinstance(self._inner, Forgetting):
            self._inner.forget(texts)

    def __getattr__(self, name):
        return getattr(self._inner, name)


def instrument(app) -> None:
    """Called once the matcher exists: time its embedder and expose its index size."""
    m = app.state.metrics
    m.matcher = app.state.matcher
    if not isinstance(m.matcher.embedder, TimedEmbedder):
        m.matcher.embedder = TimedEmbedder(m.matcher.embedder, m.embedding)


class RequestContext:
    """Outermost middleware: X-Request-ID in and out, one access log line, latency metrics."""

    def __init__(self, app, metrics: Metrics):
        self.app, self.metrics = app, metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        rid = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), "")
        if not _VALID_ID.match(rid):
            rid = uuid.uuid4().hex
        token = request_id.set(rid)
        status: int | None = None
        disconnected = False
        start = time.perf_counter()

        async def receive_watching():
            nonlocal disconnected
            message = await receive()
            disconnected = disconnected or message["type"] == "http.disconnect"
            return message

        async def send_with_id(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"x-request-id", rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive_watching, send_with_id)
        finally:
            if status is None:  # no answer: the client left first (nginx's 499), or we failed
                status = 499 if disconnected else 500
            took = time.perf_counter() - start
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.metrics.latency.labels(scope["method"], route).observe(took)
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            access_log.info("%s %s %s", scope["method"], scope["path"], status, extra={"fields": {
                "method": scope["method"], "route": route, "path": scope["path"], "status": status,
                "ms": round(took * 1000, 2), "key": (scope.get("state") or {}).get("principal")}})
            request_id.reset(token)


router = APIRouter(tags=["meta"])


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request, _: Annotated[Principal, Depends(require("admin"))]) -> Response:
    """Prometheus exposition (admin keys; open in local mode)."""
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)


def install(app) -> None:
    """Logging, the metrics registry and route, and the outermost middleware."""
    configure_logging()
    app.state.metrics = Metrics()
    app.include_router(router)
    app.add_middleware(RequestContext, metrics=app.state.metrics)
