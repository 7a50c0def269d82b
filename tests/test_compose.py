"""docker-compose.yml's OpenSearch healthcheck, run by the shell as Docker runs it, against the
real node and against a port where nothing listens."""
from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

import pytest
import yaml

COMPOSE = Path(__file__).resolve().parent.parent / "docker-compose.yml"

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="the healthcheck runs curl")


def healthcheck(url: str) -> int:
    test = yaml.safe_load(COMPOSE.read_text())["services"]["opensearch"]["healthcheck"]["test"]
    assert test[0] == "CMD-SHELL"  # one string for /bin/sh -c, as Docker runs it
    cmd = test[1].replace("http://localhost:9200", url)
    assert cmd != test[1], "the healthcheck no longer targets http://localhost:9200"
    return subprocess.run(["/bin/sh", "-c", cmd], capture_output=True, timeout=30).returncode


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_healthcheck_fails_when_nothing_answers():
    assert healthcheck(f"http://127.0.0.1:{_closed_port()}") != 0


@pytest.mark.opensearch
def test_healthcheck_passes_on_a_yellow_node(opensearch_url):
    assert healthcheck(opensearch_url.rstrip("/")) == 0
