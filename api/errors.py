"""Maps the error tree to HTTP in one place: {"error": {code, message, details}}."""
from __future__ import annotations

import json
import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from matcher.errors import BackendUnavailable, InvalidQuery, MatchingError, RateLimited
from models import field_errors

log = logging.getLogger("twinmatch.api")


async def send_json(send, status: int, body: dict, headers: list[tuple[bytes, bytes]] = ()) -> None:
    """A JSON response sent straight to ASGI, for middleware that answers before any route."""
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(data)).encode()), *headers]})
    await send({"type": "http.response.body", "body": data})


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[dict] = Field(default_factory=list, description=(
        "Always a list of objects, empty when there is nothing to add; validation errors give "
        "{field, reason} per problem."))


class ErrorBody(BaseModel):
    """The one error shape every route answers with."""
    error: ErrorDetail


# Documented on every operation, so clients (and schemathesis) know the error shape.
RESPONSES = {status: {"model": ErrorBody, "description": text} for status, text in (
    (400, "Body that cannot be read (e.g. not UTF-8)"), (401, "No API key, or an unknown one"),
    (403, "The key lacks the scope or origin"), (404, "Not found"),
    (408, "The request body took too long to arrive"), (413, "Request body too large"), (422, "Invalid request"),
    (429, "Rate limit reached; see Retry-After"), (503, "Backend unavailable; see Retry-After"))}


def as_details(details) -> list[dict]:
    """`details` in its one shape: a list of objects (None is empty, an object one item)."""
    if details is None:
        return []
    items = details if isinstance(details, list) else [details]
    return [x if isinstance(x, dict) else {"reason": str(x)} for x in items]


def error_body(code: str, message: str, details=None) -> dict:
    return {"error": {"code": code, "message": message, "details": as_details(details)}}


# Where a filter or a facet list sits in a request: the search body, or the partner query string.
_QUERY_BODY = {"filters", "facets"}
_QUERY_PARAMS = {"country", "subject", "language", "age", "same_country", "facets"}


def _in_query(loc) -> bool:
    loc = [str(p) for p in loc]
    return (len(loc) >= 2 and ((loc[0] == "body" and loc[1] in _QUERY_BODY)
                               or (loc[0] == "query" and loc[1] in _QUERY_PARAMS)))


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed(request: Request) -> str:
    """Every method served at this path. Starlette's 405 names only the first route that
    matched the path, and GET, PUT and DELETE of a profile are three routes. The documented
    paths decide, a fixed one (`/v1/profiles/bulk`) before a template it also fits
    (`/v1/profiles/{profile_id}`); a route left out of the schema is asked method by method."""
    paths = request.app.openapi()["paths"]
    path = request.scope["path"]
    fits = [t for t in paths if re.fullmatch(re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(t)), path)]
    chosen = [t for t in fits if "{" not in t] or fits
    if chosen:
        return ", ".join(m for m in _METHODS if any(m.lower() in paths[t] for t in chosen))
    return ", ".join(m for m in _METHODS if any(
        route.matches({**request.scope, "method": m})[0] == Match.FULL for route in request.app.routes))


def install(app: FastAPI) -> None:
    @app.exception_handler(MatchingError)
    async def _matching(request: Request, exc: MatchingError):
        headers = {}
        if isinstance(exc, (BackendUnavailable, RateLimited)):
            headers["Retry-After"] = str(exc.retry_after)
        return JSONResponse(error_body(exc.code, exc.message, exc.details), status_code=exc.status,
                            headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        if errors and all(_in_query(e.get("loc", ())) for e in errors):
            # A bad filter or facet is the same error whether it came in a GET's query string
            # or a POST body (GET partners raises it from its own validation of the filters).
            return JSONResponse(error_body(InvalidQuery.code, "invalid filter", field_errors(errors, whole="(body)")), status_code=422)
        return JSONResponse(error_body("invalid_request", "the request is not valid",
                                       field_errors(errors, whole="(body)")), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(
            exc.status_code, "http_error")
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed(request)
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body("internal_error", "an unexpected error occurred; it has been logged"),
                            status_code=500)
