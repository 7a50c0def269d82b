"""The campaign store survives a restart: finished results stay, unfinished jobs become failed."""
from __future__ import annotations

import pytest

from matcher.campaign.store import CampaignStore
from matcher.errors import CampaignNotReady


def test_restart_keeps_done_and_fails_running(tmp_path):
    s = CampaignStore(tmp_path)
    done = s.create({"partners": "1-3"})
    s.put_result(done.id, {"matches": []}, present=lambda ids: ids)
    s.update(done.id, status="done", progress=1.0)
    running = s.create({"partners": "1-2"})
    s.update(running.id, status="running", stage="solve")

    s2 = CampaignStore(tmp_path)            # a new process on the same data dir
    assert s2.recover() == 1
    assert s2.get(done.id).status == "done" and s2.result(done.id) == {"matches": []}
    failed = s2.get(running.id)
    assert failed.status == "failed" and "restarted" in failed.error and "solve" in failed.error
    with pytest.raises(CampaignNotReady):
        s2.result(running.id)
