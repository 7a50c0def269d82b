"""Shutdown under a running campaign: the job stops between its steps, is awaited, and reads as failed."""
from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from api.main import create_app
from api.routes import campaigns
from matcher.campaign.store import CampaignStore
from matcher.settings import Settings


def test_shutdown_stops_a_running_campaign_and_waits_for_it(data_dir, mini_profiles, monkeypatch):
    inside = threading.Event()
    steps = []

    def slow_run(matcher, ids, progress, **kw):
        """A campaign whose candidate stage never ends on its own: it only stops when told."""
        progress("candidates", 0.0)
        while True:
            inside.set()
            steps.append(len(matcher.backend.get_many(ids)))   # reads the store between steps
            progress("candidates", 0.5)
            threading.Event().wait(0.01)

    monkeypatch.setattr(campaigns, "run_campaign", slow_run)
    app = create_app(Settings(data_dir=data_dir, auth=False))
    with TestClient(app) as client:
        ids = [p["id"] for p in mini_profiles]
        r = client.post("/v1/campaigns", json={"cohort": ids, "partners": "1-2"})
        assert r.status_code == 202, r.text
        cid = r.json()["id"]
        assert inside.wait(10)
        jobs = app.state.jobs
        assert jobs.running() == 1
    # The lifespan has ended: the job noticed the stop, ended, and was awaited before the close.
    assert jobs.running() == 0
    assert steps and all(n == len(ids) for n in steps)
    st = CampaignStore(data_dir).get(cid)
    assert st.status == "failed"
    assert "shut down" in st.error and "stage candidates" in st.error


def test_a_stopping_process_refuses_new_campaigns(make_client, mini_profiles):
    client = make_client()
    client.app.state.jobs.stopping.set()
    r = client.post("/v1/campaigns", json={"cohort": [p["id"] for p in mini_profiles], "partners": "1-2"})
    assert r.status_code == 503, r.text
    assert r.json()["error"]["code"] == "backend_unavailable"
    assert r.headers["retry-after"] == "5"
    assert client.get("/v1/campaigns").json() == []
