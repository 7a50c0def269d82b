"""Where the API runs a search: off the event loop, on one thread per process for CPU work and
in the thread pool for network waits."""
from __future__ import annotations

import asyncio
import threading
import time
from types import SimpleNamespace

import pytest

from api.deps import run_search
from api.observability import request_id
from matcher.backends.embedded.backend import EmbeddedBackend
from matcher.backends.opensearch.backend import OpenSearchBackend
from matcher.errors import ProfileNotFound


def _where(waits_on_network: bool) -> tuple[int, int]:
    """(the event loop's thread, the thread the search ran on)."""
    matcher = SimpleNamespace(backend=SimpleNamespace(waits_on_network=waits_on_network))

    async def main() -> tuple[int, int]:
        return threading.get_ident(), await run_search(matcher, threading.get_ident)
    return asyncio.run(main())


def test_cpu_bound_searches_run_off_the_event_loop_one_at_a_time():
    loop, ran = _where(waits_on_network=False)
    assert ran != loop
    matcher = SimpleNamespace(backend=SimpleNamespace(waits_on_network=False))
    running, most = 0, 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)
        with lock:
            running -= 1

    async def main() -> float:
        t0 = time.perf_counter()
        searches = asyncio.gather(*(run_search(matcher, work) for _ in range(4)))
        await asyncio.sleep(0.005)
        ticked = time.perf_counter() - t0  # the loop runs other tasks while searches wait
        await searches
        return ticked
    assert asyncio.run(main()) < 0.05
    assert most == 1


def test_searches_that_wait_on_the_network_run_on_a_thread():
    loop, ran = _where(waits_on_network=True)
    assert ran != loop


def test_the_search_thread_sees_the_request_id():
    matcher = SimpleNamespace(backend=SimpleNamespace(waits_on_network=False))

    async def main() -> str:
        request_id.set("req-42")
        return await run_search(matcher, request_id.get)
    assert asyncio.run(main()) == "req-42"


def test_each_backend_says_which_it_is():
    assert EmbeddedBackend.waits_on_network is False
    assert OpenSearchBackend.waits_on_network is True


def test_errors_reach_the_caller_either_way():
    def missing(pid: str):
        raise ProfileNotFound(pid)
    for network in (False, True):
        matcher = SimpleNamespace(backend=SimpleNamespace(waits_on_network=network))
        with pytest.raises(ProfileNotFound):
            asyncio.run(run_search(matcher, missing, "tm-x"))
