"""A `twinmatch serve` process on a free loopback port, for the HTTP benchmarks."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def local_server(data: Path, ready_s: float = 300, workers: int = 1) -> Iterator[str]:
    """Serve `data` with the hash embedder; yields the base URL once every worker answers /readyz.

    The server's JSON log goes to `<data>.serve.log`; errors in it are counted at the end.
    """
    import httpx

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "TWINMATCH_DATA_DIR": str(data), "TWINMATCH_EMBEDDER": "hash",
           "TWINMATCH_AUTH": "off"}  # loopback only
    log_path = Path(f"{data}.serve.log")
    log = log_path.open("w")
    proc = subprocess.Popen([sys.executable, "-m", "indexer.cli", "serve", "--host", "127.0.0.1",
                             "--port", str(port), "--workers", str(workers)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + ready_s
        roles: set[str] = set()
        while True:  # new connections reach either worker: wait until the writer and a follower answered
            try:
                r = httpx.get(f"{url}/readyz", timeout=2)
                if r.status_code == 200:
                    roles.add(r.json().get("role", "writer"))
                    if len(roles) == min(workers, 2):
                        break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"twinmatch serve on {data} did not become ready")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # requests still queued: no need to drain them
            proc.kill()
            proc.wait()
        log.close()
        errors = [line for line in log_path.read_text(errors="replace").splitlines()
                  if '"level": "error"' in line or "Traceback" in line]
        print(f"server log {log_path}: {len(errors)} error lines", file=sys.stderr)
        for line in errors[:5]:
            print("  " + line[:400], file=sys.stderr)
