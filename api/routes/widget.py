"""The embeddable partner-search widget: its script and catalogs under /widget/v1/, and a demo page."""
from __future__ import annotations

import gzip
import hashlib
import html
import re
import secrets
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request, Response

from matcher.errors import NotFound

STATIC = Path(__file__).resolve().parent.parent / "static"
SCRIPT = STATIC / "twinmatch.js"
I18N = STATIC / "i18n"
DEMO = STATIC / "demo.html"

# The plain URL gets compatible fixes in place, so caches revalidate hourly (cheap: ETag, 304);
# a URL with ?v=<the current version> never changes, so it is cached for a year.
REVALIDATE = "public, max-age=3600, stale-while-revalidate=86400"
IMMUTABLE = "public, max-age=31536000, immutable"
LANG = re.compile(r"^[a-z]{2}$")

# Not part of the JSON API, so left out of the OpenAPI schema (and of schema fuzzing).
router = APIRouter(tags=["widget"], include_in_schema=False)


class Asset:
    """A file's bytes, its gzip form and its ETag."""

    def __init__(self, data: bytes):
        self.data = data
        self.gzipped = gzip.compress(data, compresslevel=9, mtime=0)
        self.etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


@lru_cache(maxsize=64)
def _load(path: Path, mtime_ns: int) -> Asset:
    return Asset(path.read_bytes())


def _read(path: Path) -> Asset:
    """A static file; re-read when it changes (an edit shows without a restart)."""
    return _load(path, path.stat().st_mtime_ns)


def widget_version() -> str:
    """A hash of the script and every catalog: what `?v=` must say to be cached for good."""
    files = [SCRIPT, *sorted(I18N.glob("*.json"))]
    digest = hashlib.sha256()
    for f in files:
        digest.update(_read(f).etag.encode())
    return digest.hexdigest()[:12]


def _serve(request: Request, asset: Asset, media_type: str) -> Response:
    versioned = request.query_params.get("v") == widget_version()
    headers = {
        "Cache-Control": IMMUTABLE if versioned else REVALIDATE,
        "ETag": asset.etag,
        "Vary": "Accept-Encoding",
        "X-Content-Type-Options": "nosniff",
        # Hosts may load it with crossorigin + integrity, or under COEP.
        "Access-Control-Allow-Origin": "*",
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    zipped = "gzip" in (request.headers.get("accept-encoding") or "").lower()
    if zipped:   # each encoding its own ETag, as a cache in between may keep both
        headers.update({"ETag": asset.etag[:-1] + '-gz"', "Content-Encoding": "gzip"})
    if headers["ETag"] in (request.headers.get("if-none-match") or ""):
        headers.pop("Content-Encoding", None)
        return Response(status_code=304, headers=headers)
    return Response(asset.gzipped if zipped else asset.data, media_type=media_type, headers=headers)


@router.api_route("/widget/v1/twinmatch.js", methods=["GET", "HEAD"])
def widget_script(request: Request) -> Response:
    """The widget itself: one plain JS file any site may load with a script tag."""
    return _serve(request, _read(SCRIPT), "text/javascript; charset=utf-8")


@router.api_route("/widget/v1/i18n/{lang}.json", methods=["GET", "HEAD"])
def widget_catalog(request: Request, lang: str) -> Response:
    """The widget's UI strings in one language."""
    path = I18N / f"{lang}.json"
    if not LANG.match(lang) or not path.is_file():
        raise NotFound(f"no widget strings for the language {lang!r}")
    return _serve(request, _read(path), "application/json; charset=utf-8")


@router.get("/widget/demo")
def widget_demo(request: Request) -> Response:
    """A page embedding the widget, with the snippet to copy filled in for this server."""
    page = _read(DEMO).data
    base = str(request.base_url).rstrip("/")
    nonce = secrets.token_urlsafe(16)
    body = (page.decode("utf-8")
            .replace("{{API_BASE}}", html.escape(base, quote=True))
            .replace("{{VERSION}}", widget_version())
            .replace("{{NONCE}}", nonce))
    csp = ("default-src 'none'; script-src 'self' 'nonce-" + nonce + "'; connect-src 'self'; "
           "style-src 'self' 'nonce-" + nonce + "'; img-src 'self' data:; base-uri 'none'; "
           "form-action 'none'; frame-ancestors 'none'")
    return Response(body, media_type="text/html; charset=utf-8", headers={
        "Cache-Control": "no-cache", "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})
