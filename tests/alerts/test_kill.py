"""kill -9 between matching and delivery: after a restart every alert is delivered, and once."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from matcher.alerts import match
from matcher.alerts.deliver import deliver_due
from matcher.alerts.store import AlertStore
from matcher.backends.embedded.backend import EmbeddedBackend
from matcher.service import Matcher
from models import Profile
from tests.alerts.receiver import Receiver
from tests.fakes import ThemeEmbedder, profile

ROOT = Path(__file__).resolve().parents[2]


def _open(d: Path):
    emb = ThemeEmbedder()
    return Matcher(EmbeddedBackend(d / "idx", emb.dim), emb), AlertStore(d)


def _kill_at(d: Path, point: str) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "tests.alerts.crash_worker", str(d), point], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line == point, proc.stderr.read()
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.parametrize("point", ["matched", "committed"])
def test_a_kill_between_matching_and_delivery_loses_nothing_and_doubles_nothing(tmp_path, point):
    with Receiver() as rx:
        m, store = _open(tmp_path)
        m.upsert([Profile.model_validate(p) for p in (profile("pt1", "PT", "recycling"),
                                                      profile("de1", "DE", "recycling"),
                                                      profile("ro1", "RO", "recycling"))])
        for pid in ("pt1", "de1", "ro1"):
            match.subscribe(m, store, pid, "k1", "instant", 5, 10)
        store.set_webhook("k1", rx.url)
        m.close(), store.close()

        _kill_at(tmp_path, point)

        m, store = _open(tmp_path)            # the restart: what the API's startup and `alerts deliver` do
        try:
            assert m.get("pl1").id == "pl1"   # the write was acknowledged before the kill
            assert store.pending() == (["pl1"] if point == "matched" else [])
            match.process(m, store)
            with httpx.Client() as client:
                deliver_due(m, store, client)
                match.process(m, store)       # a second restart finds nothing left to do
                deliver_due(m, store, client, now=10**10)
            expected = sorted(s for s in ("pt1", "de1", "ro1")
                              if "pl1" in {r.profile.id for r in m.partners(s, k=10).results})
        finally:
            m.close(), store.close()
    assert expected                                        # the arrival does reach subscribers
    assert sorted(c["json"]["recipient"] for c in rx.calls) == expected
    assert len(set(rx.ids())) == len(rx.ids())
