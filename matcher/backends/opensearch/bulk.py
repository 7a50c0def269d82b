"""Bulk requests that retry what the cluster refused for now (429, 5xx), backing off."""
from __future__ import annotations

import time

from opensearchpy import OpenSearch, helpers
from opensearchpy import exceptions as osx

from matcher.backends.opensearch.errors import RETRYABLE, boundary
from matcher.errors import BackendUnavailable, InvalidProfile

BULK_TIMEOUT = 60.0     # a bulk chunk or an admin call may take longer than a search


class Bulk:
    """Runs bulk actions, retrying refused items (or whole requests) up to `retries` times."""

    def __init__(self, client: OpenSearch, retries: int = 4, backoff: float = 0.5):
        self.client, self.retries, self.backoff = client, retries, backoff

    def run(self, actions: list[dict], what: str, refresh: bool | str) -> list[tuple[dict, dict]]:
        """Run `actions`; returns (action, result item) for every action that did not succeed
        in the end. `refresh` is "wait_for" for writes searchable on return, False in a bulk
        load (a refresh interval of -1 would never let a wait_for return)."""
        pending, delay, failed = list(actions), self.backoff, []
        for attempt in range(self.retries + 1):
            last, status = attempt == self.retries, None
            with boundary(what, write=True):
                try:
                    results = list(helpers.streaming_bulk(
                        self.client, pending, raise_on_error=False, max_retries=0,
                        refresh=refresh, request_timeout=BULK_TIMEOUT))
                except osx.TransportError as exc:  # the whole request was refused
                    if exc.status_code not in RETRYABLE or last:
                        raise
                    results, status = None, exc.status_code
            retry = []
            if results is None:
                retry = [(a, {"status": status}) for a in pending]
            else:
                for action, (ok, item) in zip(pending, results):
                    res = next(iter(item.values()))
                    if ok or (action["_op_type"] == "delete" and res.get("status") == 404):
                        continue
                    (retry if res.get("status") in RETRYABLE else failed).append((action, res))
            if not retry or last:
                return failed + retry
            time.sleep(delay)
            delay = min(delay * 2, 8.0)
            pending = [a for a, _ in retry]
        return []

    def write(self, actions: list[dict], what: str, refresh: bool | str) -> None:
        """`run`, then raise for whatever did not succeed."""
        raise_failed(self.run(actions, what, refresh), what)


def item_errors(failed: list[tuple[dict, dict]]) -> list[dict]:
    """One entry per failed action: its id, status, error type and reason."""
    return [{"id": a.get("_id"), "status": r.get("status"),
             "error": r.get("error", {}).get("type") if isinstance(r.get("error"), dict)
             else r.get("error"),
             "reason": r.get("error", {}).get("reason") if isinstance(r.get("error"), dict)
             else None} for a, r in failed]


def raise_failed(failed: list[tuple[dict, dict]], what: str) -> None:
    """BackendUnavailable if the cluster kept refusing items, InvalidProfile if it rejected them."""
    if not failed:
        return
    details = item_errors(failed)
    if any(d["status"] in RETRYABLE for d in details):
        err = BackendUnavailable(f"OpenSearch kept refusing {len(details)} item(s) while "
                                 f"trying to {what}")
        err.details = details
        raise err
    raise InvalidProfile(f"OpenSearch rejected {len(details)} item(s) while trying to {what}",
                         details=details)
