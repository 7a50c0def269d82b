"""Webhooks: each key's pushed alerts POSTed as signed JSON, retried with backoff, then dead-lettered.

The body is the alert as JSON. Headers: `X-Twinmatch-Alert-Id` (stable: a receiver that sees
an id twice drops the second), `X-Twinmatch-Timestamp` (Unix seconds) and
`X-Twinmatch-Signature: sha256=<hex>`, the HMAC-SHA256 of `<timestamp>.<body>` under the
webhook's secret. A 2xx answer marks the delivery sent; anything else, or no answer within
`TIMEOUT_S`, schedules the next attempt after `BACKOFF_S[attempt]`; after the last one the
delivery is dead and listed at `GET /v1/alerts/dead-letters` until it is retried or erased.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time

import httpx

from matcher.alerts.store import Alert, AlertStore

log = logging.getLogger("twinmatch.alerts")
BACKOFF_S = (30, 120, 600, 3600, 6 * 3600)   # waits after failed attempts 1-5; the 6th failure is final
TIMEOUT_S = 5.0


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver runs (in its own language) before trusting a call."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def payload(matcher, alert: Alert) -> dict | None:
    """The alert with the newcomer's current public profile; None once the newcomer is gone."""
    rec = matcher.backend.get_many([alert.newcomer]).get(alert.newcomer)
    if rec is None:
        return None
    return {"id": alert.id, "kind": alert.kind, "recipient": alert.recipient,
            "partner": rec.profile.public().model_dump(mode="json", by_alias=True),
            "score": alert.score, "reasons": alert.reasons, "created": alert.created}


def deliver_due(matcher, store: AlertStore, client: httpx.Client, now: float | None = None) -> dict[str, int]:
    """One pass over the deliveries due now; returns counts of sent, retried and dead ones."""
    now = time.time() if now is None else now
    counts = {"sent": 0, "retry": 0, "dead": 0}
    for alert, attempts in store.due(now):
        hook = store.webhook(alert.owner)
        body = payload(matcher, alert)
        if hook is None or body is None:
            store.mark_failed(alert.id, "no webhook" if hook is None else "partner erased", None)
            counts["dead"] += 1
            continue
        url, secret = hook
        raw = json.dumps(body, separators=(",", ":")).encode()
        ts = str(int(now))
        headers = {"content-type": "application/json", "x-twinmatch-alert-id": alert.id,
                   "x-twinmatch-timestamp": ts, "x-twinmatch-signature": sign(secret, ts, raw)}
        try:
            resp = client.post(url, content=raw, headers=headers, timeout=TIMEOUT_S)
            error = None if resp.is_success else f"HTTP {resp.status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        if error is None:
            store.mark_sent(alert.id)
            counts["sent"] += 1
        elif attempts < len(BACKOFF_S):
            store.mark_failed(alert.id, error, now + BACKOFF_S[attempts])
            counts["retry"] += 1
        else:
            store.mark_failed(alert.id, error, None)
            counts["dead"] += 1
            log.warning("alert %s to %s dead after %d attempts: %s", alert.id, alert.owner, attempts + 1, error)
    return counts


class Deliverer:
    """A background thread that delivers due webhooks every `every` seconds until stopped."""

    def __init__(self, matcher, store: AlertStore, every: float = 5.0):
        self.matcher, self.store, self.every = matcher, store, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="twinmatch-alerts")

    def start(self) -> "Deliverer":
        self._thread.start()
        return self

    def _run(self) -> None:
        with httpx.Client() as client:
            while not self._stop.is_set():
                try:
                    deliver_due(self.matcher, self.store, client)
                except Exception:  # a bad pass must not end the thread; the rows stay pending
                    log.exception("alert delivery pass failed")
                self._stop.wait(self.every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
