"""A real single OpenSearch node (with k-NN) for the tests, built from tools/opensearch-node.

`make opensearch-node` (a prerequisite of `make test`) runs Maven once; this module only starts
the built node as a child process, bound to 127.0.0.1, and stops it by its own pid.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "opensearch-node"
HEAP = os.environ.get("TWINMATCH_TEST_OS_HEAP", "768m")
START_TIMEOUT = 180.0


class NodeUnavailable(RuntimeError):
    """The node cannot be built or started here; `str()` says why."""


def classpath() -> str:
    """The launcher's classpath, or NodeUnavailable when the node has not been built."""
    parts = [TOOL / "target" / "classes", TOOL / "target" / "lib", TOOL / "target" / "knn"]
    if not all(p.is_dir() for p in parts):
        raise NodeUnavailable(f"the OpenSearch node is not built: run `make opensearch-node` "
                              f"(Maven and a JDK 17+), which fills {TOOL / 'target'}")
    return ":".join([str(parts[0]), f"{parts[1]}/*", f"{parts[2]}/*"])


def java() -> str:
    home = os.environ.get("JAVA_HOME")
    exe = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not exe or not Path(exe).exists():
        raise NodeUnavailable("no `java` on PATH (a JDK 17+ runs the OpenSearch node)")
    return exe


class Node:
    """One node process. `start()` blocks until the cluster is yellow or green."""

    def __init__(self, base: Path, port: int = 0):
        self.base, self.port = Path(base), port
        self.proc: subprocess.Popen | None = None
        self.url = ""
        self._err: list[str] = []

    def start(self) -> "Node":
        cmd = [java(), f"-Xms{HEAP}", f"-Xmx{HEAP}", "-XX:+UseSerialGC",
               "-Dlog4j2.disable.jmx=true", "-Dosnode.lifeline=stdin", "-cp", classpath(),
               "org.twinmatch.osnode.Main", str(self.base), str(self.port)]
        # stdin stays open as a lifeline: the launcher stops the node when it closes, so a
        # crashed test run never leaves a JVM behind.
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        threading.Thread(target=self._drain_err, daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT
        ready = threading.Event()

        def read_stdout() -> None:
            for line in self.proc.stdout:
                if line.startswith("READY "):
                    self.url = line.split()[1]
                    ready.set()
        threading.Thread(target=read_stdout, daemon=True).start()
        while not ready.wait(0.2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                tail = "".join(self._err[-40:])
                raise NodeUnavailable(f"the OpenSearch node did not start (exit "
                                      f"{self.proc.returncode}):\n{tail}")
        self.port = int(self.url.rsplit(":", 1)[1])
        self.wait_healthy(deadline - time.monotonic())
        return self

    def _drain_err(self) -> None:
        for line in self.proc.stderr:
            self._err = (self._err + [line])[-200:]

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                r = httpx.get(f"{self.url}/_cluster/health", timeout=2.0,
                              params={"wait_for_status": "yellow", "timeout": "2s"})
                if r.status_code == 200 and r.json()["status"] in ("yellow", "green"):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise NodeUnavailable(f"{self.url} did not turn yellow within {timeout:.0f} s")

    def kill(self) -> None:
        """SIGKILL, as a crashed node: no clean shutdown."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(30)

    def stop(self) -> None:
        if not self.proc or self.proc.poll() is not None:
            return
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()


def must_run() -> bool:
    """In CI a node that cannot start fails the run instead of skipping its tests."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes") or bool(
        os.environ.get("TWINMATCH_REQUIRE_OPENSEARCH"))
