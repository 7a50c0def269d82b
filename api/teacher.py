"""Teacher tokens: the portal's proof that a signed-in teacher acts on their own profile's alerts.

A token is `tt~<profile id>~<expiry, Unix seconds>~<hex HMAC-SHA256 of "<profile id>~<expiry>">`
under `TWINMATCH_TEACHER_TOKEN_SECRET`, which only the portal and twinmatch hold. The portal
mints one after its own sign-in and hands it to the widget; the widget sends it as
`Authorization: Bearer tt~...`. It admits exactly one profile's alert routes and saved
searches until it expires, and nothing else: it is not an API key. `~` never occurs in a
profile id, so the token splits unambiguously.
"""
from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from matcher.errors import Unauthorized

PREFIX = "tt~"
MAX_TTL_S = 24 * 3600


@dataclass(frozen=True)
class Teacher:
    profile_id: str

    @property
    def owner(self) -> str:
        return f"teacher:{self.profile_id}"


def _mac(secret: str, profile_id: str, expiry: int) -> str:
    return hmac.new(secret.encode(), f"{profile_id}~{expiry}".encode(), hashlib.sha256).hexdigest()


def mint(secret: str, profile_id: str, ttl_s: int = 3600, now: float | None = None) -> str:
    """What the portal does after its sign-in (`twinmatch alerts token` does the same)."""
    if not secret:
        raise ValueError("TWINMATCH_TEACHER_TOKEN_SECRET is not set")
    if "~" in profile_id or not 0 < ttl_s <= MAX_TTL_S:
        raise ValueError(f"a token needs a profile id without '~' and a lifetime of 1 to {MAX_TTL_S} s")
    expiry = int((time.time() if now is None else now) + ttl_s)
    return f"{PREFIX}{profile_id}~{expiry}~{_mac(secret, profile_id, expiry)}"


def verify(secret: str, token: str, now: float | None = None) -> Teacher:
    parts = token[len(PREFIX):].split("~")
    if not secret or not token.startswith(PREFIX) or len(parts) != 3 or not parts[1].isdigit():
        raise Unauthorized("not a valid teacher token")
    pid, expiry, mac = parts[0], int(parts[1]), parts[2]
    if not hmac.compare_digest(_mac(secret, pid, expiry), mac):
        raise Unauthorized("not a valid teacher token")
    if expiry < (time.time() if now is None else now) or expiry > time.time() + MAX_TTL_S + 60:
        raise Unauthorized("the teacher token has expired; ask the portal for a new one")
    return Teacher(pid)
