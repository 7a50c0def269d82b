"""SIGKILL in the middle of a 50k-profile ingest: on restart every acknowledged profile is there and
findable, and the keyword index, the vectors and the store agree, with no manual repair.

"Acknowledged" is what `twinmatch index` has reported: its progress bar counts a batch only
after the backend's upsert returned (SQLite committed), so the last count it printed is a
lower bound of what is durable, and profiles are written in file order.
Uses the hash embedder (TWINMATCH_EMBEDDER=hash): encoding 50k real texts takes too long here.
"""
from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest

from indexer.sample import generate
from matcher.backends.types import CandidateFilter
from matcher.settings import Settings

N = 50_000
KILL_AFTER = 5_000  # acknowledged profiles before the kill: well inside the run, not at its end
PROGRESS = re.compile(rb"(\d+)/" + str(N).encode())


def _write_profiles(path) -> list[str]:
    ids = []
    with open(path, "w", encoding="utf-8") as fh:
        for p in generate(N, seed=11):
            # Languages given and no interests: langdetect would take ~8 ms a profile, and this
            # test is about durability, not detection.
            for idea in p.get("ideas", []):
                idea["lang"] = p["languages"][0]
            p["interests"] = []
            ids.append(p["id"])
            fh.write(json.dumps(p) + "\n")
    return ids


def _index_until_killed(path, env) -> int:
    """Start `twinmatch index`, SIGKILL it once it has acknowledged KILL_AFTER; the last count it showed."""
    proc = subprocess.Popen([sys.executable, "-m", "indexer.cli", "index", str(path)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    acked, buf, deadline = 0, b"", time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            chunk = os.read(proc.stderr.fileno(), 65536)
            if not chunk:
                break
            buf = (buf + chunk)[-4096:]
            counts = [int(m) for m in PROGRESS.findall(buf)]
            if counts:
                acked = max(acked, counts[-1])
            if acked >= KILL_AFTER:
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the ingest ended before it could be killed"
    return acked


@pytest.mark.slow
def test_sigkill_mid_ingest_loses_no_acknowledged_profile(tmp_path):
    src = tmp_path / "profiles.jsonl"
    ids = _write_profiles(src)
    data = tmp_path / "data"
    env = {**os.environ, "TWINMATCH_DATA_DIR": str(data), "TWINMATCH_EMBEDDER": "hash"}
    acked = _index_until_killed(src, env)
    assert KILL_AFTER <= acked < N

    from matcher.service import build_matcher
    m = build_matcher(Settings(data_dir=data, embedder="hash"))  # recovery happens here, on open
    try:
        b = m.backend
        stored = b.count()
        assert acked <= stored < N
        present = b.get_many(ids[:acked])
        assert len(present) == acked, f"{acked - len(present)} acknowledged profiles lost"
        # Every store and index agrees.
        db = sqlite3.connect(data / "profiles.sqlite")
        assert db.execute("SELECT COUNT(*) FROM profiles").fetchone()[0] == stored
        assert db.execute("SELECT COUNT(DISTINCT id) FROM units").fetchone()[0] == len(b.vectors.rows_of)
        assert b.keyword.count() == stored == len(b.slot)
        with_units = sum(1 for r in present.values() if len(r.vectors))
        assert len({b.slot[i] for i in ids[:acked]} & set(b.vectors.rows_of)) == with_units
        # Findable: by its own vectors and by its own words, among profiles of its country.
        rng = np.random.default_rng(5)
        for pid in rng.choice(ids[:acked], 40, replace=False).tolist():
            r = present[pid]
            flt = CandidateFilter(countries=[r.profile.school.country], open_only=False)
            assert pid in {c.id for c in b.vector_search(r.vectors, flt, 20)}, pid
            words = " ".join(i.text for i in r.profile.ideas)
            assert pid in {c.id for c in b.keyword_search(words, flt, 50)}, pid
        # And it keeps working: the next write lands in every index.
        from models import Profile
        extra = Profile.model_validate({**present[ids[0]].profile.model_dump(by_alias=True), "id": "after-crash"})
        m.upsert([extra])
        assert b.keyword.count() == b.count() == stored + 1
    finally:
        m.close()
