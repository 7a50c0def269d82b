"""Long searches neither stall a worker's cheap routes nor get past the query text cap."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import uvicorn

from matcher.settings import Settings
from models import MAX_QUERY_TEXT

# One token a character, the costliest text to embed per character (about 1 s on one core).
LONGEST = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(MAX_QUERY_TEXT))


@contextmanager
def served(app):
    """`app` in a real uvicorn server on a free loopback port, in a thread of this process."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


@contextmanager
def served_process(data_dir):
    """The app in its own `uvicorn` process on a free loopback port (open, loopback only), so
    that this test's client threads do not share the server's interpreter lock."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "TWINMATCH_DATA_DIR": str(data_dir), "TWINMATCH_AUTH": "off"}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "api.main:create_app",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
            try:
                if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(30)


def test_healthz_answers_within_100ms_during_concurrent_longest_searches(data_dir):
    with served_process(data_dir) as url, httpx.Client(base_url=url, timeout=120) as probe:
        probe.get("/healthz")

        def search(_) -> int:
            with httpx.Client(base_url=url, timeout=120) as c:
                return c.post("/v1/search", json={"text": LONGEST, "k": 5}).status_code

        with ThreadPoolExecutor(4) as pool:
            searches = [pool.submit(search, n) for n in range(4)]
            time.sleep(0.3)  # the searches are in
            waits = []
            while not all(s.done() for s in searches) or len(waits) < 5:
                t0 = time.perf_counter()
                assert probe.get("/healthz").status_code == 200
                waits.append(time.perf_counter() - t0)
                time.sleep(0.05)
            assert [s.result() for s in searches] == [200] * 4
    # Every probe within 100 ms; searches on the event loop held probes for seconds (6.9 s).
    waits.sort()
    print(f"healthz during searches: {len(waits)} probes, median {waits[len(waits) // 2] * 1000:.1f} ms, "
          f"p95 {waits[int(len(waits) * 0.95) - 1] * 1000:.1f} ms, max {waits[-1] * 1000:.1f} ms")
    assert len(waits) >= 5 and waits[-1] < 0.1, [round(w, 3) for w in waits]


def test_a_query_text_over_the_cap_is_a_clear_422(client):
    r = client.post("/v1/search", json={"text": "a" * (MAX_QUERY_TEXT + 1)})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["details"] == [{"field": "body.text", "reason": f"String should have at most {MAX_QUERY_TEXT} characters"}]
    assert client.post("/v1/search", json={"text": "a" * MAX_QUERY_TEXT, "k": 1}).status_code == 200


def test_the_cap_is_in_the_openapi_schema(client):
    schema = client.get("/openapi.json").json()["components"]["schemas"]["SearchRequest"]
    assert schema["properties"]["text"]["maxLength"] == MAX_QUERY_TEXT
    assert str(MAX_QUERY_TEXT) in schema["properties"]["text"]["description"]


def test_a_key_over_its_searches_in_flight_gets_429_and_others_still_search(data_dir, keys):
    from api.main import create_app
    from api.security import new_key
    other, rec = new_key(["search"], name="other")
    app = create_app(Settings(data_dir=data_dir, api_keys=keys["_records"] + [rec.as_dict()],
                              searches_in_flight=2))
    with served(app) as url:
        def search(key: str, text: str = LONGEST) -> httpx.Response:
            with httpx.Client(base_url=url, timeout=120) as c:
                return c.post("/v1/search", json={"text": text, "k": 5}, headers={"X-API-Key": key})

        with ThreadPoolExecutor(6) as pool:
            flood = [pool.submit(search, keys["search"]) for _ in range(5)]
            time.sleep(0.3)
            fair = pool.submit(search, other, "recycling")
            answers = [f.result() for f in flood]
            assert fair.result().status_code == 200
        codes = sorted(r.status_code for r in answers)
        assert codes == [200, 200, 429, 429, 429], codes
        refused = next(r for r in answers if r.status_code == 429)
        assert refused.headers["Retry-After"] == "1" and refused.json()["error"]["code"] == "rate_limited"
        assert search(keys["search"], "recycling").status_code == 200  # the places are given back
