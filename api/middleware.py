"""ASGI middleware: request body limits (413, 408, 400) and CORS answered per key for widget origins."""
from __future__ import annotations

import asyncio
import re

from api import teacher
from api.errors import error_body, send_json
from api.forward import ForwardWrites
from api.limits import RateLimits
from api.security import KeyStore, key_store, normalize_origin, presented_key

ALLOW_HEADERS = "X-API-Key, Authorization, Content-Type, X-Request-ID"
EXPOSE_HEADERS = "X-Request-ID, Retry-After"

# The routes the widget calls. A refusal there (401, 403) carries CORS for the asking origin, so
# the widget can tell its webmaster "no key", "wrong key" or "origin not listed" instead of
# seeing a network error; the body says only what the refusal is, never data.
WIDGET_PATHS = frozenset({"/v1/search", "/v1/taxonomy"})
AUTH_ERRORS = frozenset({401, 403})
# The routes a teacher token admits (api/teacher.py). The widget's "alert me" button calls them
# with the token alone, no widget key, from the sites widget keys are issued to.
TEACHER_PATHS = re.compile(r"/v1/(saved-searches(/[a-f0-9]+(/alerts(/seen)?)?)?|alerts/subscriptions"
                           r"|profiles/[^/]+/alerts(/seen)?)")


def _header(scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", ()):
        if k == name:
            return v.decode("latin-1")
    return None


def _utf8(chunks: list[bytes]) -> bool:
    """JSON bodies must be UTF-8 (RFC 8259). Python's json would read UTF-16 and UTF-32 too,
    which decode as UTF-8 when ASCII (NUL bytes between), but raw NUL is never valid JSON."""
    body = b"".join(chunks)
    if b"\x00" in body:
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class BodyLimit:
    """413 for a body over `max_bytes`, by Content-Length or by counting a streamed body.

    The body is read here, before the app sees it, so a request that lies about its length
    or streams without one is refused before any of it is parsed.
    """

    def __init__(self, app, max_bytes: int, timeout: float = 30.0):
        self.app, self.max_bytes, self.timeout = app, max_bytes, timeout

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return await self._refuse(send)
        chunks, total = [], 0
        deadline = asyncio.get_running_loop().time() + self.timeout
        while True:
            try:  # a client that trickles or stalls its body must not hold a connection for ever
                message = await asyncio.wait_for(receive(), max(0.0, deadline - asyncio.get_running_loop().time()))
            except asyncio.TimeoutError:
                return await send_json(send, 408, error_body(
                    "request_timeout", f"the request body did not arrive within {self.timeout:g} s"),
                    headers=[(b"connection", b"close")])
            if message["type"] != "http.request":  # client went away
                return
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > self.max_bytes:
                return await self._refuse(send)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        if not _utf8(chunks):
            return await send_json(send, 400, error_body("bad_request", "the request body is not UTF-8 JSON"))
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send):
        await send_json(send, 413, error_body("payload_too_large",
                                              f"the request body is over {self.max_bytes} bytes"))


class KeyCORS:
    """CORS for widget keys: only origins a key lists, never `*`.

    A preflight carries no key, so it is answered for any origin that some key lists, and on
    the widget's routes for any origin; the real request then gets
    `Access-Control-Allow-Origin` only when its own key lists the origin (and `require`
    refuses it server side otherwise), or, on the widget's routes, with a 401 or 403 refusal.
    A teacher token is no key and lists no origin: on the routes it admits, its request gets
    the header for any origin that some key lists, the sites that embed the widget, so the
    widget reads the answer (the teacher's own saved search, or why the token was refused).
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        origin = _header(scope, b"origin") if scope["type"] == "http" else None
        if origin is None:
            return await self.app(scope, receive, send)
        store: KeyStore = key_store(scope["app"])
        try:
            norm = normalize_origin(origin)
        except ValueError:
            norm = None
        if scope["method"] == "OPTIONS" and _header(scope, b"access-control-request-method"):
            # A widget route is preflighted for any origin: the preflight grants nothing, the
            # real request is still checked against its key's origins.
            widget_route = scope["path"] in WIDGET_PATHS
            if norm is None or not store.configured or (norm not in store.origins() and not widget_route):
                return await send_json(send, 403, error_body("origin_not_allowed",
                                                             f"no key is issued for the origin {origin}"))
            await send({"type": "http.response.start", "status": 204, "headers": [
                (b"access-control-allow-origin", origin.encode("latin-1")), (b"vary", b"Origin"),
                (b"access-control-allow-methods", b"GET, POST, OPTIONS"),
                (b"access-control-allow-headers", ALLOW_HEADERS.encode()),
                (b"access-control-max-age", b"600")]})
            return await send({"type": "http.response.body", "body": b""})
        key = presented_key({k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]})
        rec = store.lookup(key) if key and store.configured else None
        allowed = rec is not None and norm is not None and norm in rec.origins
        if key and key.startswith(teacher.PREFIX) and norm is not None and store.configured:
            allowed = TEACHER_PATHS.fullmatch(scope["path"]) is not None and norm in store.origins()
        refusal_readable = norm is not None and store.configured and scope["path"] in WIDGET_PATHS

        async def send_cors(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"vary", b"Origin"))
                if allowed or (refusal_readable and message["status"] in AUTH_ERRORS):
                    headers += [(b"access-control-allow-origin", origin.encode("latin-1")),
                                (b"access-control-expose-headers", EXPOSE_HEADERS.encode())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_cors)


def install(app, settings) -> None:
    """Key store and rate limiter built once; middleware added innermost first."""
    app.state.keystore = KeyStore(settings)
    app.state.rate_limits = RateLimits(settings)
    app.add_middleware(ForwardWrites)     # a follower worker's writes go to the writer (api/forward.py)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, timeout=settings.body_timeout)
    app.add_middleware(KeyCORS)
