"""The embeddable partner-search widget: its script under /widget/v1/ and a demo page."""
from __future__ import annotations

import hashlib
import html
import secrets
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request, Response

STATIC = Path(__file__).resolve().parent.parent / "static"
SCRIPT = STATIC / "twinmatch.js"
DEMO = STATIC / "demo.html"

# v1 gets compatible fixes in place, so caches revalidate hourly (cheap: ETag, 304).
SCRIPT_CACHE = "public, max-age=3600, stale-while-revalidate=86400"

# Not part of the JSON API, so left out of the OpenAPI schema (and of schema fuzzing).
router = APIRouter(tags=["widget"], include_in_schema=False)


@lru_cache(maxsize=4)
def _load(path: Path, mtime_ns: int) -> tuple[bytes, str]:
    data = path.read_bytes()
    return data, '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def _read(path: Path) -> tuple[bytes, str]:
    """File bytes and ETag; re-read when the file changes (an edit shows without a restart)."""
    return _load(path, path.stat().st_mtime_ns)


@router.api_route("/widget/v1/twinmatch.js", methods=["GET", "HEAD"])
def widget_script(request: Request) -> Response:
    """The widget itself: one plain JS file any site may load with a script tag."""
    data, etag = _read(SCRIPT)
    headers = {
        "Cache-Control": SCRIPT_CACHE,
        "ETag": etag,
        "X-Content-Type-Options": "nosniff",
        # Hosts may load it with crossorigin + integrity, or under COEP.
        "Access-Control-Allow-Origin": "*",
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if etag in (request.headers.get("if-none-match") or ""):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type="text/javascript; charset=utf-8", headers=headers)


@router.get("/widget/demo")
def widget_demo(request: Request) -> Response:
    """A page embedding the widget, with the snippet to copy filled in for this server."""
    page, _ = _read(DEMO)
    base = str(request.base_url).rstrip("/")
    nonce = secrets.token_urlsafe(16)
    body = (page.decode("utf-8")
            .replace("{{API_BASE}}", html.escape(base, quote=True))
            .replace("{{NONCE}}", nonce))
    csp = ("default-src 'none'; script-src 'self' 'nonce-" + nonce + "'; connect-src 'self'; "
           "style-src 'self' 'nonce-" + nonce + "'; img-src 'self' data:; base-uri 'none'; "
           "form-action 'none'; frame-ancestors 'none'")
    return Response(body, media_type="text/html; charset=utf-8", headers={
        "Cache-Control": "no-cache", "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})
