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
def local_server(data: Path, ready_s: float = 300) -> Iterator[str]:
    """Serve `data` with the hash embedder; yields the base URL once /readyz answers 200."""
    import httpx

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "TWINMATCH_DATA_DIR": str(data), "TWINMATCH_EMBEDDER": "hash"}
    proc = subprocess.Popen([sys.executable, "-m", "indexer.cli", "serve", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + ready_s
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
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
