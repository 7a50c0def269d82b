"""Several worker processes on one embedded store: followers forward writes to the writer.

`twinmatch serve --workers N` starts N processes that share the listening port. The one that
holds the store's writer lock also answers on a unix socket; the others are followers
(matcher/backends/embedded/follower.py), which serve reads themselves and pass every write, and every
campaign request (jobs and their files live with the writer), through that socket unchanged.
The writer checks the key, scope and rate limit as for any request, and a follower's next
search sees the write, because it catches up with the store before searching.

Each route declares where it runs: `@writes` or `@in_writer` (forwarded), `@reads` (a POST that
only reads, as a search does). `route_table` resolves the declarations when the app is built and
refuses a POST, PUT, PATCH or DELETE route that declares neither, so a new route cannot be
misrouted silently.
"""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Callable, TypeVar

import httpx
import uvicorn
from fastapi.routing import APIRoute
from starlette.routing import Match

from api.errors import error_body, send_json
from api.observability import request_id

log = logging.getLogger("twinmatch.forward")
# A follower's idle connection to the writer is closed by the follower first: with both sides at
# uvicorn's and httpx's default of 5 s, a write sent just as the writer closes the connection
# fails with a 503.
_CLIENT_IDLE_S, _SERVER_IDLE_S = 30.0, 300

# Methods that may change state: a route answering one declares whether it does.
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Hop-by-hop headers, and those the follower's own middleware sets again.
_DROP_IN = {b"host", b"content-length", b"connection", b"transfer-encoding", b"x-request-id"}
_DROP_OUT = {"content-length", "connection", "transfer-encoding", "x-request-id", "date", "server", "vary",
             "access-control-allow-origin", "access-control-expose-headers"}


Endpoint = TypeVar("Endpoint", bound=Callable)


def writes(endpoint: Endpoint) -> Endpoint:
    """Declares a route that changes state: the writer answers it, a follower forwards it."""
    endpoint.in_writer = True
    return endpoint


def in_writer(endpoint: Endpoint) -> Endpoint:
    """Declares a route that reads what only the writer process holds (campaign jobs): the writer
    answers it, a follower forwards it."""
    endpoint.in_writer = True
    return endpoint


def reads(endpoint: Endpoint) -> Endpoint:
    """Declares a route whose method could write (POST, ...) but that only reads: any worker answers it."""
    endpoint.in_writer = False
    return endpoint


def api_routes(app) -> list[APIRoute]:
    """The app's routes in the order its router tries them. FastAPI (0.165 here) keeps an included
    router whole, so its routes are read from it; the routers are included without a prefix, so
    each route matches the requested path as it is."""
    out = []
    for route in app.router.routes:
        if isinstance(route, APIRoute):
            out.append(route)
        for context in getattr(route, "effective_route_contexts", tuple)():
            if isinstance(context.original_route, APIRoute):
                out.append(context.original_route)
    return out


def route_table(app) -> list[tuple[APIRoute, bool]]:
    """Every route with whether the writer answers it; a route with a method that may change state
    and no declaration is a programming error, refused when the app is built."""
    table, undeclared = [], []
    for route in api_routes(app):
        declared = getattr(route.endpoint, "in_writer", None)
        if declared is None and route.methods & _UNSAFE:
            undeclared.append(f"{','.join(sorted(route.methods))} {route.path}")
        table.append((route, bool(declared)))
    if undeclared:
        raise RuntimeError("routes that may change state must declare @writes, @in_writer or @reads "
                           f"(api/forward.py): {'; '.join(undeclared)}")
    return table


def _route(scope) -> tuple[APIRoute | None, bool]:
    """The route the app would choose for this request (the first full match), and whether the
    writer answers it. A request no route matches is answered here (404 or 405)."""
    for route, to_writer in scope["app"].state.routes:
        if route.matches(scope)[0] == Match.FULL:
            return route, to_writer
    return None, False


def socket_path(data_dir: Path) -> Path:
    """The writer's socket, named by the data directory (short: unix socket paths are limited)."""
    digest = hashlib.sha256(str(Path(data_dir).resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"twinmatch-{digest}.sock"


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signals alone: the port's server handles them."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield


class _SocketServer:
    """The writer's second listener: the same app on a unix socket."""

    def __init__(self, app, path: Path):
        self.path = path
        self.server = _QuietServer(uvicorn.Config(app, uds=str(path), lifespan="off", access_log=False,
                                                  log_level="warning", timeout_keep_alive=_SERVER_IDLE_S))
        self.task: asyncio.Task | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started and not self.task.done():
            await asyncio.sleep(0.01)
        if self.task.done():  # it could not bind: say why now, not at the first forwarded write
            self.task.result()
        os.chmod(self.path, 0o600)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self.task:
            await self.task


@contextlib.asynccontextmanager
async def workers(app, settings, backend):
    """For the lifetime of the app: the writer's socket, or a follower's client to it."""
    from matcher.backends.types import Replicated
    if settings.workers < 2 or not isinstance(backend, Replicated):
        yield
        return
    path = socket_path(settings.data_dir)
    if not backend.follower:
        listener = _SocketServer(app, path)
        await listener.start()
        try:
            yield
        finally:
            await listener.stop()
        return
    client = httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(uds=str(path)), base_url="http://writer",
                               timeout=httpx.Timeout(600.0, connect=5.0),
                               limits=httpx.Limits(keepalive_expiry=_CLIENT_IDLE_S))
    app.state.writer = client
    try:
        yield
    finally:
        app.state.writer = None
        await client.aclose()


class ForwardWrites:
    """In a follower, sends writes to the writer and its answer back; reads go on here."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        client = getattr(scope["app"].state, "writer", None) if scope["type"] == "http" else None
        route, to_writer = _route(scope) if client is not None else (None, False)
        if not to_writer:
            return await self.app(scope, receive, send)
        scope["route"] = route  # so this process's log and metrics name the route
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = [(k, v) for k, v in scope["headers"] if k not in _DROP_IN]
        headers.append((b"x-request-id", request_id.get().encode()))
        target = scope["path"] + (f"?{scope['query_string'].decode('latin-1')}" if scope["query_string"] else "")
        try:
            r = await client.request(scope["method"], target, headers=headers, content=body)
        except httpx.HTTPError as exc:
            log.warning("forwarding %s %s to the writer failed: %r", scope["method"], scope["path"], exc)
            return await send_json(send, 503, error_body(
                "backend_unavailable", "the writer process does not answer; retry shortly"),
                [(b"retry-after", b"2")])
        out = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in r.headers.multi_items()
               if k.lower() not in _DROP_OUT]
        out.append((b"content-length", str(len(r.content)).encode()))
        await send({"type": "http.response.start", "status": r.status_code, "headers": out})
        await send({"type": "http.response.body", "body": r.content})
