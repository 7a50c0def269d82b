"""Who is calling: API keys with scopes and origins, and open local mode (rate limits: api/limits.py).

Keys look like `tm_<id>_<secret>`. Only `sha256:<hex>` of the whole key is stored, under
its id, so a lookup is one dict access and one constant-time compare. Keys come from
`TWINMATCH_API_KEYS` (a JSON list of records) and the keys file (`TWINMATCH_KEYS_FILE`,
default `<data_dir>/keys.json`), which is re-read when it changes so `twinmatch keys
revoke` takes effect without a restart. Every request needs a key unless `TWINMATCH_AUTH=off`
(open mode, every scope), which is logged at start and allowed only on a loopback address.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import os
import secrets
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Iterable
from urllib.parse import urlsplit

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPBearer

from api import teacher
from api.limits import client_address, rate_limits
from matcher.errors import AccessDenied, MatchingError, Unauthorized
from matcher.settings import Settings

SCOPES = ("search", "read", "write", "campaign", "admin")
log = logging.getLogger("twinmatch.security")

__all__ = ["SCOPES", "Principal", "LOCAL", "KeyRecord", "KeyStore", "get_principal", "require",
           "authorize", "new_key", "hash_key", "normalize_origin", "check_open_mode", "announce", "is_loopback", "key_store",
           "presented_key"]


@dataclass(frozen=True)
class Principal:
    name: str
    scopes: frozenset[str]
    origins: tuple[str, ...] = field(default=())

    def can(self, scope: str) -> bool:
        return "admin" in self.scopes or scope in self.scopes

    @property
    def sees_private(self) -> bool:
        return self.can("read")


LOCAL = Principal("local", frozenset(SCOPES))


@dataclass(frozen=True)
class KeyRecord:
    """A stored key: never the key itself, only its hash."""
    id: str
    hash: str
    scopes: tuple[str, ...]
    origins: tuple[str, ...] = ()
    name: str = ""
    created: str = ""

    @classmethod
    def from_dict(cls, d: dict) -> "KeyRecord":
        scopes = tuple(d.get("scopes") or ())
        unknown = set(scopes) - set(SCOPES)
        if unknown or not scopes:
            raise ValueError(f"key {d.get('id')!r}: scopes must be among {', '.join(SCOPES)}")
        if not str(d.get("hash", "")).startswith("sha256:"):
            raise ValueError(f"key {d.get('id')!r}: hash must be 'sha256:<hex>'")
        origins = tuple(normalize_origin(o) for o in d.get("origins") or ())
        if origins and set(scopes) != {"search"}:  # whatever the source: env, file, CLI
            raise ValueError(f"key {d.get('id')!r}: a key with origins is a public widget key and "
                             "may hold only the search scope")
        return cls(id=str(d["id"]), hash=d["hash"], scopes=scopes, origins=origins,
                   name=str(d.get("name") or ""), created=str(d.get("created") or ""))

    def as_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    def principal(self) -> Principal:
        return Principal(self.id, frozenset(self.scopes), self.origins)


def hash_key(key: str) -> str:
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key(scopes: Iterable[str], origins: Iterable[str] = (), name: str = "") -> tuple[str, KeyRecord]:
    """A fresh key (shown once) and the record to store."""
    kid = secrets.token_hex(6)
    key = f"tm_{kid}_{secrets.token_urlsafe(32)}"
    rec = KeyRecord.from_dict({"id": kid, "hash": hash_key(key), "scopes": sorted(set(scopes)),
                               "origins": list(origins), "name": name,
                               "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")})
    return key, rec


def normalize_origin(origin: str) -> str:
    """`https://Example.org/` -> `https://example.org`; refuses anything that is not an origin."""
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") \
            or parts.query or parts.fragment:
        raise ValueError(f"{origin!r} is not an origin such as https://www.etwinning.pt")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_open_mode(settings: Settings, host: str) -> None:
    """Refuse TWINMATCH_AUTH=off on a non-loopback address unless TWINMATCH_ALLOW_OPEN=1."""
    if settings.auth or is_loopback(host) or settings.allow_open:
        return
    raise MatchingError(
        f"refusing to serve on {host} with TWINMATCH_AUTH=off: anyone who can reach it could read "
        "and erase every profile. Create a key with `twinmatch keys create --scope admin` and drop "
        "TWINMATCH_AUTH=off, serve on 127.0.0.1, or set TWINMATCH_ALLOW_OPEN=1 if something in "
        "front of it controls access")


def announce(settings: Settings) -> None:
    """Say at start how callers are admitted; open mode as loudly as the log allows."""
    if not settings.auth:
        log.warning("AUTHENTICATION IS OFF (TWINMATCH_AUTH=off): every caller gets every scope, "
                    "e-mails, erasure and /metrics included. For local development only.")
    elif not KeyStore(settings).configured:
        log.warning("no API keys are configured: every request that needs one is refused until "
                    "`twinmatch keys create` adds one (or TWINMATCH_AUTH=off, for local development)")


class KeyStore:
    """Keys from settings and the keys file; the file is re-read when its mtime changes."""

    def __init__(self, settings: Settings):
        self.path: Path = settings.keys_path
        try:
            self._static = [KeyRecord.from_dict(d) for d in settings.api_keys]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise MatchingError(f"TWINMATCH_API_KEYS holds an invalid key record: {exc}") from exc
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._loaded = False
        self._by_id: dict[str, KeyRecord] = {}
        self._refresh()

    def _refresh(self) -> None:
        try:
            st = os.stat(self.path)
            stamp = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        if self._loaded and stamp == self._stamp:
            return
        with self._lock:
            try:
                records = list(self._static) + (read_keys_file(self.path) if stamp else [])
            except MatchingError as exc:
                if not self._loaded:
                    raise  # at start: refuse to start
                # While running, a half-written or hand-broken file must neither open the service
                # nor lock everyone out: keep the last good keys until the file is fixed.
                log.error("%s; keeping the keys read before", exc)
                self._stamp = stamp  # logged once per change of the file
                return
            self._by_id = {r.id: r for r in records}
            self._stamp, self._loaded = stamp, True

    @property
    def configured(self) -> bool:
        """Any key, or a keys file at all: revoking the last key must not open the service."""
        self._refresh()
        return bool(self._static) or self._stamp is not None

    def lookup(self, key: str) -> KeyRecord | None:
        self._refresh()
        parts = key.split("_", 2)
        rec = self._by_id.get(parts[1]) if len(parts) == 3 and parts[0] == "tm" else None
        if rec is None:
            return None
        return rec if hmac.compare_digest(hash_key(key), rec.hash) else None

    def origins(self) -> set[str]:
        """Every origin some key lists (what a CORS preflight may be answered for)."""
        self._refresh()
        return {o for r in self._by_id.values() for o in r.origins}


def read_keys_file(path: Path) -> list[KeyRecord]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return [KeyRecord.from_dict(d) for d in data.get("keys", [])]
    except (OSError, ValueError, KeyError, AttributeError) as exc:
        raise MatchingError(f"cannot read the keys file {path}: {exc}") from exc


def write_keys_file(path: Path, records: list[KeyRecord]) -> None:
    """Atomic replace, readable by the owner only."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"keys": [r.as_dict() for r in records]}, fh, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def key_store(app) -> KeyStore:
    """The app's key store, built on first use from the app's settings."""
    store = getattr(app.state, "keystore", None)
    if store is None:
        store = app.state.keystore = KeyStore(app.state.settings)
    return store


def presented_key(headers) -> str | None:
    """The key from `X-API-Key` or `Authorization: Bearer`."""
    key = headers.get("x-api-key")
    if not key:
        scheme, _, token = (headers.get("authorization") or "").partition(" ")
        key = token.strip() if scheme.lower() == "bearer" else None
    return key or None


# Declared so that the OpenAPI document names the two ways to send a key (clients and fuzzers
# read it); `presented_key` reads the headers itself, so these only document.
API_KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="ApiKey",
                              description="an API key, `tm_<id>_<secret>`")
BEARER = HTTPBearer(auto_error=False, scheme_name="Bearer", description="the same key as a bearer token")


async def get_principal(request: Request, _key: Annotated[str | None, Security(API_KEY_HEADER)] = None,
                        _bearer: Annotated[object, Security(BEARER)] = None) -> Principal:
    """The caller's key, or every scope under TWINMATCH_AUTH=off for a loopback server.
    `async`: it reads memory (and stats the keys file), so it runs on the event loop."""
    settings = request.app.state.settings
    if not settings.auth:
        server = (request.scope.get("server") or ("", 0))[0] or ""
        if not settings.allow_open and _is_ip(server) and not is_loopback(server):
            raise AccessDenied("this service runs with TWINMATCH_AUTH=off and answers on loopback only")
        return LOCAL
    store = key_store(request.app)
    key = presented_key(request.headers)
    if key is None:
        _refuse(request, Unauthorized("send an API key in the X-API-Key header or as 'Authorization: Bearer <key>'"))
    rec = store.lookup(key)
    if rec is None:
        _refuse(request, Unauthorized("unknown or revoked API key"))
    principal = rec.principal()
    if principal.origins:  # a public widget key works only from the sites it was issued to
        origin = request.headers.get("origin")
        try:
            ok = origin is not None and normalize_origin(origin) in principal.origins
        except ValueError:
            ok = False
        if not ok:
            raise AccessDenied("this key is not valid from this origin")
    request.state.principal = principal.name
    return principal


def _refuse(request: Request, exc: Unauthorized) -> None:
    """Raise `exc`, or 429 once the client's address is over `unauthenticated_limit`: requests
    without a valid key cost a log line each and must not be free in bulk."""
    rate_limits(request.app).hit_anonymous(client_address(request))
    raise exc


def teacher_of(request: Request, token: str) -> teacher.Teacher:
    """The teacher a `tt~` token speaks for. Each teacher spends the write scope's rate limit
    as a key would; a bad token counts as a request without a valid key."""
    try:
        t = teacher.verify(request.app.state.settings.teacher_token_secret, token)
    except Unauthorized as exc:
        _refuse(request, exc)
    rate_limits(request.app).hit(t.owner, "write")
    request.state.principal = t.owner
    return t


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def authorize(request: Request, principal: Principal, scope: str, why: str = "") -> None:
    """Admit `principal` for `scope` and spend one request of that scope's rate limit;
    `why` names what needs the scope, for a route that needs it only for part of a body."""
    if not principal.can(scope):
        raise AccessDenied(f"this key lacks the {scope!r} scope" + (f" ({why})" if why else ""))
    if principal is not LOCAL:  # open local mode is not limited
        rate_limits(request.app).hit(principal.name, scope)


def require(scope: str):
    """A dependency that admits principals holding `scope`, within that scope's rate limit."""
    async def _dep(request: Request, principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        authorize(request, principal, scope)
        return principal
    return _dep
