"""Rate limits: per key and scope, and per client address for requests without a valid key.

Moving windows from the `limits` library, in memory, per process. A scope may have several
windows (`600/minute;10000/day`: a rate and a daily quota); a request must fit all of them
and spends one of each.
"""
from __future__ import annotations

import functools
import ipaddress
import math
import time

from fastapi import Request
from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from matcher.errors import RateLimited
from matcher.settings import Settings

__all__ = ["RateLimits", "rate_limits", "client_address"]


class RateLimits:
    """The windows of every scope and of keyless requests, counted by key id or address."""

    def __init__(self, settings: Settings):
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._limits = {scope: parse_many(spec) for scope, spec in settings.rate_limits.items()}
        self._anonymous = parse_many(settings.unauthenticated_limit)

    def hit(self, key_id: str, scope: str) -> None:
        """Spend one of the key's requests in `scope` (RateLimited when a window is full)."""
        items = self._limits.get(scope)
        if items:
            self._spend(items, f"the {scope!r} scope", key_id, scope)

    def hit_anonymous(self, address: str) -> None:
        """Spend one of `address`'s requests without a valid key."""
        self._spend(self._anonymous, "requests without a valid key from one address", "anonymous", address)

    def _spend(self, items, what: str, *ident: str) -> None:
        for item in items:  # test them all first: a refused request spends no window
            if not self._limiter.test(item, *ident):
                reset = self._limiter.get_window_stats(item, *ident).reset_time
                raise RateLimited(f"rate limit of {item} for {what} reached",
                                  retry_after=max(1, math.ceil(reset - time.time())))
        for item in items:
            self._limiter.hit(item, *ident)


def rate_limits(app) -> RateLimits:
    """The app's limits, built on first use from its settings."""
    rl = getattr(app.state, "rate_limits", None)
    if rl is None:
        rl = app.state.rate_limits = RateLimits(app.state.settings)
    return rl


def client_address(request: Request) -> str:
    """The peer's address; behind a trusted proxy, the nearest untrusted one in X-Forwarded-For
    (a client can write that header too, so only hops added by trusted proxies count)."""
    peer = request.client.host if request.client else ""
    trusted = _trusted(tuple(request.app.state.settings.trusted_proxies))
    if not trusted or not _in(peer, trusted):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",") if h.strip()]
    for hop in reversed(hops):
        if not _in(hop, trusted):
            return hop
    return hops[0] if hops else peer


@functools.lru_cache(maxsize=8)
def _trusted(spec: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(s, strict=False) for s in spec)


def _in(host: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return any(ip in n for n in networks)
