"""Waiting for a campaign started through the API to finish (tests)."""
from __future__ import annotations

import time


def wait_for_campaign(client, cid: str, headers: dict) -> dict:
    """Its status once done or failed; fails the test after 30 s."""
    for _ in range(300):
        st = client.get(f"/v1/campaigns/{cid}", headers=headers).json()
        if st["status"] in ("done", "failed"):
            return st
        time.sleep(0.1)
    raise AssertionError("campaign did not finish")
