"""`twinmatch serve --workers 2` on the embedded store: one writer, one follower, one service.

A client cannot choose its worker, so every check runs over fresh connections that the kernel
spreads across both processes: every acknowledged write is visible to the very next read
wherever it lands, an erasure disappears everywhere, and writes that reached the follower
were carried out by the writer (the same request id logged by two processes).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bench.server import free_port, local_server
from indexer.sample import generate


def _profiles(n: int, seed: int) -> list[dict]:
    out = []
    for p in generate(n, seed=seed):
        for idea in p.get("ideas", []):
            idea["lang"] = p["languages"][0]   # no language detection: the test is about processes
        out.append(p)
    return out


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """The sample indexed, then served by two workers (bench/server.py waits for both roles)."""
    tmp = tmp_path_factory.mktemp("workers")
    data, src = tmp / "data", tmp / "profiles.jsonl"
    src.write_text("".join(json.dumps(p) + "\n" for p in _profiles(300, seed=3)))
    env = {**os.environ, "TWINMATCH_DATA_DIR": str(data), "TWINMATCH_EMBEDDER": "hash"}
    subprocess.run([sys.executable, "-m", "indexer.cli", "index", str(src), "-q"], env=env, check=True,
                   capture_output=True)
    with local_server(data, ready_s=120, workers=2) as url:
        yield url, Path(f"{data}.serve.log")


def _fresh(method: str, url: str, **kw) -> httpx.Response:
    """One request on a new connection, so it may land on either worker."""
    with httpx.Client(timeout=30) as c:
        return c.request(method, url, **kw)


def _total(url: str) -> int:
    """Profiles open to partners in the serving process's columns (an empty search counts them)."""
    return _fresh("POST", f"{url}/v1/search", json={"text": "", "k": 1}).json()["total"]


def test_every_write_is_seen_by_the_next_read_on_either_worker(service):
    url, _ = service
    before = _total(url)
    for i, p in enumerate(_profiles(12, seed=41)):
        p["id"], p["open_to_partners"] = "new-" + p["id"], True
        p["ideas"][0]["text"] += f" quokkaville{i}"   # generated texts repeat: a word of its own
        # English and every pupil age: partners exist among the 300 whatever the generator drew.
        p["languages"] = list(dict.fromkeys([*p["languages"], "en"]))
        p["age_groups"] = [{"from": 3, "to": 19}]
        assert _fresh("PUT", f"{url}/v1/profiles/{p['id']}", json=p).status_code == 200
        got = _fresh("GET", f"{url}/v1/profiles/{p['id']}")
        assert got.status_code == 200 and got.json()["id"] == p["id"]
        assert _total(url) == before + i + 1                          # the columns
        r = _fresh("GET", f"{url}/v1/profiles/{p['id']}/partners", params={"k": 5})
        assert r.status_code == 200 and r.json()["results"]
        # The word is in no other text: BM25 puts it in the pool, whose 50 best are all shown.
        hits = _fresh("POST", f"{url}/v1/search", json={"text": f"quokkaville{i}", "k": 100}).json()
        assert p["id"] in [h["profile"]["id"] for h in hits["results"]]   # the keyword index


def test_an_erased_profile_is_gone_from_every_worker(service):
    url, _ = service
    p = _profiles(1, seed=77)[0]
    p["id"], p["open_to_partners"] = "erase-me", True
    p["ideas"][0]["text"] += " wombatfield"
    assert _fresh("PUT", f"{url}/v1/profiles/erase-me", json=p).status_code == 200
    hits = _fresh("POST", f"{url}/v1/search", json={"text": "wombatfield", "k": 100}).json()
    assert "erase-me" in [h["profile"]["id"] for h in hits["results"]]
    total = _total(url)
    assert _fresh("DELETE", f"{url}/v1/profiles/erase-me").status_code == 204
    for _ in range(12):
        assert _fresh("GET", f"{url}/v1/profiles/erase-me").status_code == 404
        assert _total(url) == total - 1
        hits = _fresh("POST", f"{url}/v1/search", json={"text": "wombatfield", "k": 100}).json()
        assert "erase-me" not in [h["profile"]["id"] for h in hits["results"]]


def test_writes_that_reach_the_follower_are_made_by_the_writer(service):
    url, log = service
    for p in _profiles(16, seed=5):
        assert _fresh("PUT", f"{url}/v1/profiles/{p['id']}", json=p).status_code == 200
    lines = [json.loads(x) for x in log.read_text().splitlines() if x.startswith("{")]
    puts: dict[str, set[int]] = {}
    for x in lines:
        if x.get("method") == "PUT" and x.get("status") == 200:
            puts.setdefault(x["request_id"], set()).add(x["pid"])
    assert len({pid for pids in puts.values() for pid in pids}) == 2      # both processes took PUTs
    assert any(len(pids) == 2 for pids in puts.values())                  # a follower passed one on
    writer = set.intersection(*puts.values())                             # and one process made them all
    assert len(writer) == 1


def test_the_load_client_gets_an_answer_to_every_request(service):
    """bench/load.py's open-loop client, slowly and briefly: each kind of request is sent,
    every one is answered with a 2xx by the two workers, and the upserts are real writes."""
    import asyncio

    from bench.load import _prepare, _run

    url, _ = service
    ids = [f"tm-{i:06d}" for i in range(300)]
    upserts = [_prepare(p) for p in generate(10, seed=99)]   # ids tm-000000..: rewrites of stored profiles
    out = asyncio.run(_run(url, ids, upserts, rate=30, duration=2, headers={}))
    assert sum(len(rows) for rows in out.values()) == 60
    assert all(out.values()), {kind: len(rows) for kind, rows in out.items()}
    assert {status for rows in out.values() for _, status in rows} <= {200}
    texts = [_fresh("GET", f"{url}/v1/profiles/{p['id']}").json()["ideas"][0]["text"] for p in upserts]
    assert any("(revision " in t for t in texts)


def test_each_worker_socket_is_tcp_and_shares_the_port():
    """asyncio sets TCP_NODELAY on accepted connections only when the listener says TCP; every
    worker binds the same port with SO_REUSEPORT, so the kernel spreads connections."""
    import socket

    from api.workers import listen
    port = free_port()
    a, b = listen("127.0.0.1", port), listen("127.0.0.1", port)
    try:
        for sock in (a, b):
            assert sock.proto == socket.IPPROTO_TCP and sock.family == socket.AF_INET
            assert sock.getsockname() == ("127.0.0.1", port)
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
    finally:
        a.close()
        b.close()


def _stat(path: Path) -> list[str] | None:
    """A /proc stat line's fields after the command name (state first, then the parent pid)."""
    try:
        return path.read_text().rpartition(")")[2].split()
    except OSError:
        return None


def _children(pid: int) -> set[int]:
    """Live child processes of `pid`, from /proc."""
    out = set()
    for path in Path("/proc").glob("[0-9]*/stat"):
        fields = _stat(path)
        if fields and int(fields[1]) == pid and fields[0] != "Z":
            out.add(int(path.parent.name))
    return out


def _alive(pid: int) -> bool:
    fields = _stat(Path(f"/proc/{pid}/stat"))
    return fields is not None and fields[0] != "Z"


def _worker_pids(url: str, log: Path, n: int = 40) -> set[int]:
    """Pids that answered `n` requests over fresh connections, from the JSON access log."""
    for _ in range(n):
        _fresh("GET", f"{url}/readyz")
    return {json.loads(x)["pid"] for x in log.read_text().splitlines()
            if x.startswith("{") and '"path": "/readyz"' in x}


def test_a_killed_worker_is_replaced_and_sigterm_stops_them_all(tmp_path):
    import signal
    import time

    data, src = tmp_path / "data", tmp_path / "profiles.jsonl"
    src.write_text("".join(json.dumps(p) + "\n" for p in _profiles(40, seed=4)))
    env = {**os.environ, "TWINMATCH_DATA_DIR": str(data), "TWINMATCH_EMBEDDER": "hash"}
    subprocess.run([sys.executable, "-m", "indexer.cli", "index", str(src), "-q"], env=env, check=True,
                   capture_output=True)
    log = Path(f"{data}.serve.log")
    with local_server(data, ready_s=120, workers=2) as url:
        before = _worker_pids(url, log)
        assert len(before) == 2
        victim = before.pop()
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            now = _worker_pids(url, log, n=10) - {victim}
            if len(now - before) == 1:  # a replacement answered
                break
            time.sleep(0.5)
        assert len(now - before) == 1 and before <= now
        survivor = next(iter(before))
        supervisor = next(p for p in _children(os.getpid()) if survivor in _children(p))
        workers = _children(supervisor)
        assert len(workers & now) == 2
        os.kill(supervisor, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(map(_alive, workers | {supervisor})):
            time.sleep(0.2)
        assert not any(map(_alive, workers | {supervisor}))
