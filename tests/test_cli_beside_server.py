"""The command line beside a running server: reads follow the server's writes, writes are refused
in one line that names the server's pid and says what to do (real processes throughout)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).parents[1]
MINI = ROOT / "tests" / "data" / "mini.jsonl"
REFUSAL = "the data directory {d} is held by a running server (pid {pid}); write through the API or stop it"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data: Path) -> dict:
    return {**os.environ, "TWINMATCH_DATA_DIR": str(data), "TWINMATCH_EMBEDDER": "hash", "TWINMATCH_AUTH": "off"}


def cli(data: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indexer.cli", *args], cwd=ROOT, env=_env(data),
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module", params=[1, 2], ids=["one worker", "two workers"])
def server(request, tmp_path_factory):
    """The mini set indexed, then `twinmatch serve` holding the directory; yields (data, url, pid)."""
    data = tmp_path_factory.mktemp("beside") / "data"
    assert cli(data, "index", str(MINI), "-q").returncode == 0
    url = f"http://127.0.0.1:{free_port()}"
    log = (data.parent / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "indexer.cli", "serve", "--host", "127.0.0.1",
                             "--port", url.rsplit(":", 1)[1], "--workers", str(request.param)],
                            cwd=ROOT, env=_env(data), stdout=log, stderr=subprocess.STDOUT)
    try:
        roles, deadline = set(), time.monotonic() + 120
        while len(roles) < request.param:  # fresh connections reach every worker in time
            assert proc.poll() is None and time.monotonic() < deadline, (data.parent / "serve.log").read_text()
            try:
                roles.add(httpx.get(f"{url}/readyz", timeout=2).json().get("role"))
            except httpx.HTTPError:
                time.sleep(0.3)
        yield data, url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_reads_succeed_and_see_what_the_server_wrote(server):
    data, url, _ = server
    newcomer = json.loads(MINI.read_text().splitlines()[0]) | {"id": "zz-newcomer", "name": "Nova Teacher"}
    assert httpx.put(f"{url}/v1/profiles/zz-newcomer", json=newcomer, timeout=30).status_code == 200

    got = cli(data, "get", "zz-newcomer", "--json")
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["name"] == "Nova Teacher"

    stats = cli(data, "stats")
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["role"] == "follower"
    assert json.loads(stats.stdout)["profiles"] == len(MINI.read_text().splitlines()) + 1

    partners = cli(data, "partners", "pt-recycle", "-k", "3", "--json")
    assert partners.returncode == 0, partners.stderr
    api = httpx.get(f"{url}/v1/profiles/pt-recycle/partners?k=3", timeout=30).json()
    assert [r["profile"]["id"] for r in json.loads(partners.stdout)["results"]] == \
           [r["profile"]["id"] for r in api["results"]]

    cohort = data.parent / "cohort.txt"                  # a campaign over indexed ids only reads
    cohort.write_text("\n".join(json.loads(line)["id"] for line in MINI.read_text().splitlines()))
    run = cli(data, "campaign", "run", str(cohort), "--out", str(data.parent / "m.csv"), "-q")
    assert run.returncode == 0, run.stderr
    assert "pt-recycle" in (data.parent / "m.csv").read_text()

    search = cli(data, "search", "recycling plastic", "-k", "5", "--json")
    assert search.returncode == 0, search.stderr
    api = httpx.post(f"{url}/v1/search", json={"text": "recycling plastic", "k": 5}, timeout=30).json()
    assert [r["profile"]["id"] for r in json.loads(search.stdout)["results"]] == \
           [r["profile"]["id"] for r in api["results"]]


@pytest.mark.parametrize("args", [("index", str(MINI), "-q"), ("delete", "pt-recycle")], ids=["index", "delete"])
def test_a_write_says_in_one_line_what_to_do_and_exits_2(server, args):
    data, url, pid = server
    done = cli(data, *args)
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["error: " + REFUSAL.format(d=data, pid=pid)], done.stderr
    assert httpx.get(f"{url}/v1/profiles/pt-recycle", timeout=30).status_code == 200   # nothing erased


HOLD = """
import sys, time
from matcher.service import build_matcher
from matcher.settings import get_settings
m = build_matcher(get_settings())
print("holding", flush=True)
sys.stdin.read()   # until the test closes the pipe
m.close()
"""


def test_beside_another_writing_command_reads_work_and_a_write_names_it(tmp_path):
    data = tmp_path / "data"
    assert cli(data, "index", str(MINI), "-q").returncode == 0
    holder = subprocess.Popen([sys.executable, "-c", HOLD], cwd=ROOT, env=_env(data), stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        got = cli(data, "get", "pt-recycle", "--json")
        assert got.returncode == 0 and json.loads(got.stdout)["id"] == "pt-recycle", got.stderr
        done = cli(data, "delete", "pt-recycle")
        assert done.returncode == 2
        line, = done.stderr.splitlines()
        assert line.startswith(f"error: the data directory {data} is held by another twinmatch process "
                               f"(pid {holder.pid}: {sys.executable} -c"), line
        assert line.endswith("; wait for it to finish or stop it"), line
    finally:
        holder.communicate(timeout=30)


def test_without_the_kernel_lock_table_the_refusal_still_says_what_to_do(tmp_path):
    from indexer.holder import lock_holder, refusal
    assert lock_holder(tmp_path) is None                               # no lock file at all
    (tmp_path / "keyword").mkdir()
    (tmp_path / "keyword" / ".tantivy-writer.lock").touch()
    assert lock_holder(tmp_path, locks=tmp_path / "absent") is None    # no /proc/locks (not Linux)
    assert refusal(tmp_path) == (f"the data directory {tmp_path} is held by another twinmatch process "
                                 "(is `twinmatch serve` running?); write through the API or stop it")
