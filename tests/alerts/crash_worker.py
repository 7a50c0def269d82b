"""Run by test_kill.py in a child process: one arrival through `match.upsert`, stopped at a point
the parent names (`matched`: alerts found, not yet committed; `committed`: in the outbox, not yet
delivered), where it prints the point's name and waits to be killed."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from matcher.alerts import match
from matcher.alerts.store import AlertStore
from matcher.backends.embedded.backend import EmbeddedBackend
from matcher.service import Matcher
from models import Profile
from tests.fakes import ThemeEmbedder, profile


def main(data_dir: Path, point: str) -> None:
    emb = ThemeEmbedder()
    m = Matcher(EmbeddedBackend(data_dir / "idx", emb.dim), emb)
    store = AlertStore(data_dir)
    commit = store.commit_arrival

    def stopping(*args, **kwargs):
        if point == "matched":
            print("matched", flush=True)
            time.sleep(120)
        n = commit(*args, **kwargs)
        print("committed", flush=True)
        time.sleep(120)
        return n

    store.commit_arrival = stopping
    match.upsert(m, store, [Profile.model_validate(profile("pl1", "PL", "recycling"))])


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
